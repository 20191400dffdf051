package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheSizeCheckFailsOnALargeTrackedFileButNotOnLargeTestData runs .ci/check-size (which
// `make test` runs on the repository) on a throwaway git repository: a 6 MB binary at its root
// fails the check, the same size under testdata/ does not.
func TestTheSizeCheckFailsOnALargeTrackedFileButNotOnLargeTestData(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	script, err := filepath.Abs(filepath.Join(repoRoot, ".ci", "check-size"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name string, size int) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func() (string, error) {
		out, err := exec.Command("bash", script, dir).CombinedOutput()
		return string(out), err
	}
	git("init", "-q")
	write("api/testdata/fuzz/big.bin", 6<<20)
	write("small.txt", 10)
	git("add", ".")
	if out, err := check(); err != nil {
		t.Fatalf("large test data and small files failed the check: %v\n%s", err, out)
	}
	write("jobordre", 6<<20)
	git("add", "jobordre")
	out, err := check()
	if err == nil || !strings.Contains(out, "jobordre (6 MB)") || strings.Contains(out, "big.bin") {
		t.Fatalf("a tracked 6 MB binary passed the check (or test data was named): %v\n%s", err, out)
	}
}
