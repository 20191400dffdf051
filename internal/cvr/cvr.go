// Package cvr checks Danish company registration (CVR) numbers.
package cvr

// weights are the CVR modulus-11 weights, most significant digit first.
var weights = [8]int{2, 7, 6, 5, 4, 3, 2, 1}

// Valid tells whether s is 8 digits, does not start with 0, and passes the modulus-11 check.
func Valid(s string) bool {
	if len(s) != 8 || s[0] == '0' {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	return sum%11 == 0
}
