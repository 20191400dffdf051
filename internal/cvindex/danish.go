package cvindex

import (
	"strings"
	"unicode"
)

// Danish text for the SQLite (dev) search index. PostgreSQL searches with its own `danish`
// text-search configuration (the Snowball Danish stemmer and stop words); SQLite's FTS5 has no
// Danish stemmer, so the dev index is fed terms this file stems with the same Snowball algorithm
// (https://snowballstem.org/algorithms/danish/stemmer.html) and the same stop words, and the
// two databases find the same candidates for the same words ("tømrere" finds "tømrer").

// IsStopWord tells whether a lower-case word is a Danish stop word (not searched).
func IsStopWord(w string) bool { return stopWords[w] }

// Terms splits text into lower-case words, drops Danish stop words and stems each word.
func Terms(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := make([]string, 0, len(words))
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		out = append(out, Stem(w))
	}
	return out
}

// stopWords is the Snowball Danish stop-word list, the one PostgreSQL's `danish`
// configuration uses.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har
		om vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev
		kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit også under have dig anden hende
		mine alt meget sit sine vor mod disse hvis din nogle hos blive mange ad bliver hendes været thi jer sådan`) {
		m[w] = true
	}
	return m
}()

func isVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'æ', 'å', 'ø':
		return true
	}
	return false
}

// isSEnding tells whether a final s after r is an ending (Snowball's s_ending group).
func isSEnding(r rune) bool {
	return strings.ContainsRune("abcdfghjklmnoprtvyzå", r)
}

// isConsonant is Snowball's group c.
func isConsonant(r rune) bool {
	return strings.ContainsRune("bcdfghjklmnpqrstvwxz", r)
}

// step 1 suffixes, longest first so the first match is the longest.
var mainSuffixes = []string{
	"erendes", "erende", "hedens", "ethed", "erede", "heden", "heder", "endes", "ernes", "erens", "erets",
	"ered", "ende", "erne", "eren", "erer", "heds", "enes", "eres", "eret", "hed", "ene", "ere", "ens", "ers", "ets",
	"en", "er", "es", "et", "e",
}

// Stem returns the Snowball Danish stem of one lower-case word.
func Stem(word string) string {
	w := []rune(word)
	p1 := r1(w)
	if p1 < 0 {
		return word // fewer than three letters: nothing is removed
	}
	// Step 1: the longest main suffix in R1, or an s after a valid s-ending.
	matched := false
	for _, s := range mainSuffixes {
		if hasSuffixIn(w, s, p1) {
			w = w[:len(w)-len([]rune(s))]
			matched = true
			break
		}
	}
	if !matched && hasSuffixIn(w, "s", p1) && len(w) >= 2 && isSEnding(w[len(w)-2]) {
		w = w[:len(w)-1]
	}
	// Step 2.
	w = consonantPair(w, p1)
	// Step 3: igst → ig, then ig/lig/elig/els (then step 2 again) or løst → løs, in R1.
	if hasSuffix(w, "igst") {
		w = w[:len(w)-2]
	}
	switch {
	case hasSuffixIn(w, "elig", p1):
		w = consonantPair(w[:len(w)-4], p1)
	case hasSuffixIn(w, "lig", p1):
		w = consonantPair(w[:len(w)-3], p1)
	case hasSuffixIn(w, "els", p1):
		w = consonantPair(w[:len(w)-3], p1)
	case hasSuffixIn(w, "ig", p1):
		w = consonantPair(w[:len(w)-2], p1)
	case hasSuffixIn(w, "løst", p1):
		w = w[:len(w)-1]
	}
	// Step 4: undouble a final double consonant whose last letter is in R1.
	if n := len(w); n >= 2 && n-1 >= p1 && isConsonant(w[n-1]) && w[n-1] == w[n-2] {
		w = w[:n-1]
	}
	return string(w)
}

// r1 is where Snowball's region R1 starts: after the first non-vowel that follows a vowel, but
// at least three letters in; -1 when the word has fewer than three letters.
func r1(w []rune) int {
	if len(w) < 3 {
		return -1
	}
	p := len(w)
	for i := 1; i < len(w); i++ {
		if !isVowel(w[i]) && isVowel(w[i-1]) {
			p = i + 1
			break
		}
	}
	if p < 3 {
		p = 3
	}
	return p
}

func hasSuffix(w []rune, s string) bool {
	return strings.HasSuffix(string(w), s)
}

// hasSuffixIn tells whether w ends with s and the whole suffix lies in R1 (starting at p1).
func hasSuffixIn(w []rune, s string, p1 int) bool {
	n := len([]rune(s))
	return len(w)-n >= p1 && hasSuffix(w, s)
}

// consonantPair is step 2: gd, dt, gt or kt at the end, in R1, loses its last letter.
func consonantPair(w []rune, p1 int) []rune {
	for _, s := range []string{"gd", "dt", "gt", "kt"} {
		if hasSuffixIn(w, s, p1) {
			return w[:len(w)-1]
		}
	}
	return w
}
