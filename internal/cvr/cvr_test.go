package cvr

import "testing"

func TestValidAcceptsRealCVRNumbers(t *testing.T) {
	// Public CVR numbers of well-known Danish companies and authorities.
	for _, n := range []string{"10103940", "24256790", "61126228", "25052943", "29189447"} {
		if !Valid(n) {
			t.Errorf("%s is a real CVR number and must be valid", n)
		}
	}
}

func TestValidRejectsWrongLengthLettersLeadingZeroAndBadChecksum(t *testing.T) {
	for _, n := range []string{"", "1010394", "101039400", "1010394a", "01234567", "10103941", "12345678"} {
		if Valid(n) {
			t.Errorf("%q must be invalid", n)
		}
	}
}

func FuzzValidNeverPanicsAndOnlyAcceptsEightDigits(f *testing.F) {
	f.Add("10103940")
	f.Add("x")
	f.Fuzz(func(t *testing.T, s string) {
		if Valid(s) && len(s) != 8 {
			t.Fatalf("accepted %q", s)
		}
	})
}
