// Package assets serves the console's static files — the vendored design system (DKFDS) and
// htmx, and the console's own style sheet and script — from the binary (go:embed), under
// fingerprinted names with a one-year cache lifetime. Nothing is fetched from a CDN at run time.
//
// A file's URL carries the first 12 hex digits of the SHA-256 of what is served, so a changed
// file gets a new URL and browsers may keep every URL forever. Style sheets refer to fonts and
// icons by relative url(...): those references are rewritten to the referenced files'
// fingerprinted URLs before the sheet's own fingerprint is taken.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
)

//go:embed vendor static
var files embed.FS

// Prefix is the URL path under which every asset is served.
const Prefix = "/assets/"

// Well-known logical names of the files the layout uses.
const (
	DKFDSCSS      = "vendor/dkfds/css/dkfds.min.css"
	DKFDSVirkCSS  = "vendor/dkfds/css/dkfds-virkdk.min.css"
	DKFDSJS       = "vendor/dkfds/js/dkfds.min.js"
	DKFDSIcons    = "vendor/dkfds/img/all-svg-icons.svg"
	HTMXJS        = "vendor/htmx/htmx.min.js"
	ConsoleCSS    = "static/console.css"
	ConsoleJS     = "static/console.js"
	cacheForever  = "public, max-age=31536000, immutable"
	hashHexDigits = 12
)

// asset is one servable file.
type asset struct {
	logical     string // path inside the embedded tree, e.g. vendor/dkfds/css/dkfds.min.css
	url         string // fingerprinted URL path
	contentType string
	body        []byte
	gzipped     []byte // nil when compressing does not pay
}

// Set is every asset, by logical name and by URL.
type Set struct {
	byName map[string]*asset
	byURL  map[string]*asset
}

var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".ttf":   "font/ttf",
	".eot":   "application/vnd.ms-fontobject",
}

// Load reads the embedded files, fingerprints them and rewrites the style sheets' references.
func Load() (*Set, error) {
	s := &Set{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	var sheets []*asset
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return nil // licences, VERSIONS, SHA256SUMS: in the repository, not served
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		a := &asset{logical: p, contentType: ct, body: body}
		s.byName[p] = a
		if path.Ext(p) == ".css" {
			sheets = append(sheets, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, a := range s.byName {
		if path.Ext(a.logical) != ".css" {
			s.fingerprint(a)
		}
	}
	// Sheets last: their references must point at fingerprinted URLs before they are hashed.
	sort.Slice(sheets, func(i, j int) bool { return sheets[i].logical < sheets[j].logical })
	for _, a := range sheets {
		body, err := s.rewriteCSS(a)
		if err != nil {
			return nil, err
		}
		a.body = body
		s.fingerprint(a)
	}
	for _, a := range s.byName {
		a.gzipped = compress(a)
	}
	return s, nil
}

// MustLoad is Load for start-up: an asset set that does not load is a build error.
func MustLoad() *Set {
	s, err := Load()
	if err != nil {
		panic(err)
	}
	return s
}

func (s *Set) fingerprint(a *asset) {
	sum := sha256.Sum256(a.body)
	ext := path.Ext(a.logical)
	a.url = Prefix + strings.TrimSuffix(a.logical, ext) + "." + hex.EncodeToString(sum[:])[:hashHexDigits] + ext
	s.byURL[a.url] = a
}

var (
	cssURL        = regexp.MustCompile(`url\(\s*(['"]?)([^'")]+)(['"]?)\s*\)`)
	cssSourceMaps = regexp.MustCompile(`/\*# sourceMappingURL=[^*]*\*/`)
)

// rewriteCSS points every relative url(...) of a sheet at the fingerprinted URL of the file it
// names and drops the source-map comment (the maps are not vendored).
func (s *Set) rewriteCSS(a *asset) ([]byte, error) {
	var missing []string
	out := cssURL.ReplaceAllFunc(a.body, func(m []byte) []byte {
		ref := string(cssURL.FindSubmatch(m)[2])
		if strings.HasPrefix(ref, "data:") || strings.Contains(ref, "://") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "#") {
			return m
		}
		// A fragment (#id in an SVG sprite) is kept; a query (a cache buster) is dropped, the
		// fingerprint does its job.
		suffix := ""
		if i := strings.IndexByte(ref, '#'); i >= 0 {
			ref, suffix = ref[:i], ref[i:]
		}
		if i := strings.IndexByte(ref, '?'); i >= 0 {
			ref = ref[:i]
		}
		target, ok := s.byName[path.Join(path.Dir(a.logical), ref)]
		if !ok {
			missing = append(missing, ref)
			return m
		}
		return []byte("url(" + target.url + suffix + ")")
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("assets: %s refers to files that are not vendored: %s", a.logical, strings.Join(missing, ", "))
	}
	return cssSourceMaps.ReplaceAll(out, nil), nil
}

func compress(a *asset) []byte {
	switch path.Ext(a.logical) {
	case ".css", ".js", ".svg", ".ttf", ".eot":
	default:
		return nil // woff, woff2 and png are compressed already
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(a.body)
	_ = zw.Close()
	if buf.Len() >= len(a.body) {
		return nil
	}
	return buf.Bytes()
}

// URL returns the fingerprinted URL of a logical asset name such as ConsoleCSS.
func (s *Set) URL(logical string) (string, error) {
	a, ok := s.byName[logical]
	if !ok {
		return "", fmt.Errorf("assets: no asset %q", logical)
	}
	return a.url, nil
}

// URLs lists every served URL (for tests and tools).
func (s *Set) URLs() []string {
	out := make([]string, 0, len(s.byURL))
	for u := range s.byURL {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP answers GET and HEAD for fingerprinted URLs, with a one-year immutable cache
// lifetime and gzip where the client accepts it; any other path under Prefix is 404 (an old
// fingerprint is gone for good: the page that asked for it is older than this binary).
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byURL[r.URL.Path]
	if !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cacheForever)
	h.Set("X-Content-Type-Options", "nosniff")
	// Fonts and icons are used by pages of the same origin only.
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	body := a.body
	if a.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = a.gzipped
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// Vendored returns the embedded vendored files (for the integrity test).
func Vendored() fs.FS {
	sub, _ := fs.Sub(files, "vendor")
	return sub
}
