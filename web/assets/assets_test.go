package assets

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The vendored files are exactly the ones web/assets/vendor.sh fetched: every file listed in
// SHA256SUMS is embedded with that hash, and nothing else is.
func TestVendoredFilesMatchTheirChecksums(t *testing.T) {
	v := Vendored()
	sums, err := fs.ReadFile(v, "SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(sums)))
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("malformed SHA256SUMS line %q", sc.Text())
		}
		listed[name] = true
		b, err := fs.ReadFile(v, name)
		if err != nil {
			t.Errorf("%s is listed but not vendored: %v", name, err)
			continue
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("%s: SHA-256 %x, SHA256SUMS says %s (re-run web/assets/vendor.sh)", name, got, want)
		}
	}
	_ = fs.WalkDir(v, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != "SHA256SUMS" && !listed[p] {
			t.Errorf("%s is vendored but not in SHA256SUMS", p)
		}
		return nil
	})
	for _, lic := range []string{"dkfds/LICENSE.md", "dkfds/fonts/IBMPlexSans/LICENSE.txt", "htmx/LICENSE"} {
		if !listed[lic] {
			t.Errorf("licence %s is not vendored", lic)
		}
	}
}

// Style sheets point at the fingerprinted URLs of their fonts and icons, and every one of those
// URLs is served: a page never asks for a file the binary does not have.
func TestStyleSheetReferencesAreRewrittenToServedFingerprints(t *testing.T) {
	s := MustLoad()
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, sheet := range []string{DKFDSCSS, DKFDSVirkCSS, ConsoleCSS} {
		u, err := s.URL(sheet)
		if err != nil {
			t.Fatal(err)
		}
		body := get(t, srv.URL+u, http.StatusOK)
		refs := regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(body, -1)
		if sheet != ConsoleCSS && len(refs) < 100 {
			t.Fatalf("%s has only %d url() references", sheet, len(refs))
		}
		for _, m := range refs {
			ref := strings.Trim(m[1], `"'`)
			if strings.HasPrefix(ref, "data:") {
				continue
			}
			if !regexp.MustCompile(`^/assets/.+\.[0-9a-f]{12}\.[a-z0-9]+(#.*)?$`).MatchString(ref) {
				t.Errorf("%s refers to %q, not a fingerprinted asset", sheet, ref)
				continue
			}
			get(t, srv.URL+strings.SplitN(ref, "#", 2)[0], http.StatusOK)
		}
		if strings.Contains(body, "sourceMappingURL") {
			t.Errorf("%s still names a source map that is not served", sheet)
		}
	}
}

func TestAssetsAreServedForAYearUnderTheirFingerprintOnly(t *testing.T) {
	s := MustLoad()
	srv := httptest.NewServer(s)
	defer srv.Close()
	u, _ := s.URL(DKFDSJS)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+u, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("GET %s: %d %v", u, res.StatusCode, res.Header)
	}
	// The same file under another (or no) fingerprint does not exist.
	get(t, srv.URL+"/assets/vendor/dkfds/js/dkfds.min.js", http.StatusNotFound)
	get(t, srv.URL+strings.Replace(u, ".min.", ".min.0", 1), http.StatusNotFound)
	// The licences and checksums are in the repository, not on the web.
	get(t, srv.URL+"/assets/vendor/SHA256SUMS", http.StatusNotFound)
}

func TestFingerprintsChangeWithContent(t *testing.T) {
	a := &asset{logical: "static/x.css", body: []byte("a{}")}
	b := &asset{logical: "static/x.css", body: []byte("b{}")}
	s := &Set{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	s.fingerprint(a)
	s.fingerprint(b)
	if a.url == b.url || !strings.HasPrefix(a.url, "/assets/static/x.") {
		t.Errorf("fingerprints %s and %s", a.url, b.url)
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Errorf("GET %s: %d, want %d", url, res.StatusCode, want)
	}
	return string(b)
}
