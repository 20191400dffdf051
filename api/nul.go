package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// nulString finds a string (member name or value) in a valid JSON document that holds U+0000,
// which PostgreSQL cannot store in text columns; it returns the string's field path
// ("workplace.address", "sharing_steps[1].level") and whether there is one.
func nulString(body []byte) (string, bool) {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return "", false // the only way to write U+0000 in JSON
	}
	type frame struct {
		array     bool
		key       string
		index     int
		expectKey bool
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.array:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			case f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	// afterValue moves the enclosing frame past the value just read.
	afterValue := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].expectKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{expectKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			default:
				stack = stack[:len(stack)-1]
				afterValue()
			}
		case string:
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey = t, false
				if strings.ContainsRune(t, 0) {
					return path(), true
				}
				continue
			}
			if strings.ContainsRune(t, 0) {
				return path(), true
			}
			afterValue()
		default:
			afterValue()
		}
	}
}
