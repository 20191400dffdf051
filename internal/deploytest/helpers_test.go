package deploytest

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the repository root as seen from this package's directory.
const repoRoot = "../.."

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

// goMod holds the few facts of go.mod the deployment files must agree with.
type goMod struct {
	goVersion string            // the go directive, e.g. 1.26.8
	requires  map[string]string // module path -> version, e.g. go.temporal.io/server -> v1.32.1
}

// parseGoMod reads go.mod with a line scanner (golang.org/x/mod is not a direct dependency).
func parseGoMod(t *testing.T) goMod {
	t.Helper()
	m := goMod{requires: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(readRepoFile(t, "go.mod")))
	inRequire := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "go "):
			m.goVersion = strings.TrimSpace(strings.TrimPrefix(line, "go "))
		case line == "require (":
			inRequire = true
		case inRequire && line == ")":
			inRequire = false
		case inRequire:
			if f := strings.Fields(line); len(f) >= 2 {
				m.requires[f[0]] = f[1]
			}
		case strings.HasPrefix(line, "require "):
			if f := strings.Fields(strings.TrimPrefix(line, "require ")); len(f) >= 2 {
				m.requires[f[0]] = f[1]
			}
		}
	}
	if m.goVersion == "" {
		t.Fatal("go.mod has no go directive")
	}
	return m
}

// instruction is one Dockerfile instruction with continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
	line int // 1-based line where it starts
}

// parseDockerfile splits a Dockerfile into instructions: comments and parser directives are
// dropped, lines ending in a backslash are joined with the next.
func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() > 0 && strings.HasPrefix(trimmed, "#") {
			continue // comment lines inside a continued instruction are ignored by BuildKit too
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\"))
			cur.WriteString(" ")
			continue
		}
		cur.WriteString(line)
		full := strings.TrimSpace(cur.String())
		cur.Reset()
		cmd, args, _ := strings.Cut(full, " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.Join(strings.Fields(args), " "), line: start})
	}
	return out
}

// dockerignore is a minimal .dockerignore matcher: patterns relative to the context root,
// `*` and `?` within one path element, `**` across elements, `!` to re-include, and a match on
// a directory excluding everything under it. That is the subset the repository's file uses.
type dockerignore struct {
	rules []ignoreRule
}

type ignoreRule struct {
	re     *regexp.Regexp
	negate bool
	raw    string
}

func parseDockerignore(text string) dockerignore {
	var d dockerignore
	for _, line := range strings.Split(text, "\n") {
		p := strings.TrimSpace(line)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		negate := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		p = strings.Trim(filepath.ToSlash(filepath.Clean(strings.TrimPrefix(p, "/"))), "/")
		d.rules = append(d.rules, ignoreRule{re: globToRegexp(p), negate: negate, raw: line})
	}
	return d
}

func globToRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			i++
			if i+1 < len(p) && p[i+1] == '/' {
				i++
				b.WriteString("(?:.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// excluded reports whether path (slash-separated, relative to the context) is left out of the
// build context, and by which pattern.
func (d dockerignore) excluded(path string) (bool, string) {
	parts := strings.Split(path, "/")
	excluded, by := false, ""
	for _, r := range d.rules {
		for n := 1; n <= len(parts); n++ {
			if r.re.MatchString(strings.Join(parts[:n], "/")) {
				excluded, by = !r.negate, r.raw
				break
			}
		}
	}
	return excluded, by
}
