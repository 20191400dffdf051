package joborder_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// contractPrefixes are the constant-name prefixes of this package whose values are the contract
// between workflows, activities and their callers: updates, signals, queries, templates, error
// types and history event types. Each value is spelled once, here.
var contractPrefixes = []string{"Update", "Signal", "Query", "Template", "Err", "Event"}

// contractNames reads this package's constants and returns the contract names by value, with the
// constant that holds each.
func contractNames(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) || !hasAnyPrefix(name.Name, contractPrefixes) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					names[v] = "joborder." + name.Name
				}
			}
		}
	}
	if len(names) < 40 {
		t.Fatalf("found only %d contract names in internal/joborder: the test no longer reads its constants", len(names))
	}
	return names
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// coincidences are literals that spell a contract value by chance and mean something else, by
// file and literal; each says why it is not the contract name.
var coincidences = map[string]string{
	// The English label of the escalation template, a word of the catalogue, not its name.
	`internal/mail/render.go: "escalation"`: "English text",
	// A referral's WithdrawnReason (models.WithdrawnConsent), not the consent_withdrawn template.
	`models/referral.go: "consent_withdrawn"`: "referral field value",
	// The console's error code for referrals.ErrCandidateGone, not the candidate_inactive template.
	`web/joborder_forms.go: "candidate_inactive"`: "form error code",
}

// skippedDirs are never scanned: this package itself, other languages' trees and data.
var skippedDirs = map[string]bool{".git": true, "node_modules": true, "testdata": true, "bin": true, "data": true}

// TestNoStringLiteralOutsideJoborderNamesAnUpdateSignalQueryTemplateErrorTypeOrEvent keeps the
// contract in one place: a workflow, activity, service, handler or page that spells a contract
// name as a literal drifts from it silently when the name changes. Tests are not scanned: they
// assert the wire values the contract promises (JSON bodies, stored rows) and must spell them.
func TestNoStringLiteralOutsideJoborderNamesAnUpdateSignalQueryTemplateErrorTypeOrEvent(t *testing.T) {
	names := contractNames(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == self || (path != root && (skippedDirs[d.Name()] || strings.HasPrefix(d.Name(), "."))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		scanned++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		// Struct tags and import paths are string literals that never name a contract value.
		skip := map[*ast.BasicLit]bool{}
		for _, imp := range f.Imports {
			skip[imp.Path] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Field:
				if x.Tag != nil {
					skip[x.Tag] = true
				}
			case *ast.BasicLit:
				if x.Kind != token.STRING || skip[x] {
					return true
				}
				v, err := strconv.Unquote(x.Value)
				if err != nil {
					return true
				}
				if c, ok := names[v]; ok {
					rel, _ := filepath.Rel(root, path)
					if _, ok := coincidences[filepath.ToSlash(rel)+": "+x.Value]; ok {
						return true
					}
					found = append(found, rel+":"+strconv.Itoa(fset.Position(x.Pos()).Line)+": "+x.Value+" is "+c)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 100 {
		t.Fatalf("scanned only %d Go files under %s: the walk misses the repository", scanned, root)
	}
	sort.Strings(found)
	if len(found) > 0 {
		t.Errorf("%d string literals spell a name of internal/joborder's contract; use the constant:\n  %s",
			len(found), strings.Join(found, "\n  "))
	}
}
