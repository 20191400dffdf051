package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jobordre/web/i18n"
)

// Every message key a template or the Go code of the console names literally is in the
// catalogue (keys built at run time, such as "role.%s", are covered by the pages' tests), and
// every key of the catalogue is used somewhere, so the catalogue is the whole console's text.
func TestEveryMessageKeyUsedIsInTheCatalogueAndEveryKeyIsUsed(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	prefixes := map[string]bool{}
	for _, k := range cat.Keys() {
		keys[k] = true
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	used := map[string]bool{}
	literal := regexp.MustCompile(`"([a-z0-9]+(?:\.[a-z0-9_]+)+)"`)
	var sources []string
	for _, pattern := range []string{"*.go", "templates/*.html", "templates/*/*.html"} {
		m, _ := filepath.Glob(pattern)
		sources = append(sources, m...)
	}
	for _, file := range sources {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			lit := m[1]
			if !prefixes[strings.SplitN(lit, ".", 2)[0]] || strings.HasSuffix(lit, ".html") || strings.HasSuffix(lit, ".css") || strings.HasSuffix(lit, ".js") {
				continue
			}
			if keys[lit] {
				used[lit] = true
				continue
			}
			// A stem completed at run time ("error.notfound" + ".title", "inbox.kind." + kind).
			stem := false
			for k := range keys {
				if strings.HasPrefix(k, strings.TrimSuffix(lit, ".")+".") {
					used[k] = true
					stem = true
				}
			}
			if !stem {
				t.Errorf("%s names %q, which is not in the catalogue", file, lit)
			}
		}
		// Keys built at run time from a stem: printf "prefix.%s", "prefix." + x, and a form's
		// service errors (AddServiceErrors(l, "form", ...) reads "form.error.*", "form.field.*").
		stems := regexp.MustCompile(`printf "([a-z0-9_.]+)\.%s`).FindAllStringSubmatch(string(b), -1)
		stems = append(stems, regexp.MustCompile(`"([a-z0-9]+(?:\.[a-z0-9_]+)*)\." \+`).FindAllStringSubmatch(string(b), -1)...)
		for _, m := range regexp.MustCompile(`AddServiceErrors\([^,]+, "([a-z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
			stems = append(stems, []string{"", m[1] + ".error"}, []string{"", m[1] + ".field"})
		}
		for _, m := range stems {
			for k := range keys {
				if strings.HasPrefix(k, m[1]+".") {
					used[k] = true
				}
			}
		}
	}
	for _, k := range cat.Keys() {
		if !used[k] {
			t.Errorf("catalogue key %q is used nowhere", k)
		}
	}
}
