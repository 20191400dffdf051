package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/auth/authtest"
	"jobordre/internal/directory"
	"jobordre/internal/ratelimit"
	"jobordre/internal/referrals"
)

// router builds another handler on a's database and services, with the dependencies mod changes.
func (a *testAPI) router(mod func(*Deps)) http.Handler {
	d := Deps{
		Orders: a.svc, Directory: directory.New(a.db), Referrals: referrals.NewService(a.db, a.svc, a.wf, nil),
		Verifier: a.signer, MaxBodyBytes: 1 << 20,
	}
	mod(&d)
	return New(d)
}

// serve sends one request straight to h with an optional bearer token.
func serve(h http.Handler, method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestRateLimitPerPrincipal(t *testing.T) {
	a := newTestAPI(t)
	clk := authtest.NewClock(time.Now())
	h := a.router(func(d *Deps) {
		d.RateLimiter = ratelimit.New(ratelimit.Config{RPS: 0.5, Burst: 3, Now: clk.Now})
	})
	cw, other := a.token(caseworker), a.token(otherCW)
	for i := range 3 {
		if w := serve(h, http.MethodGet, "/api/v1/job-orders", cw, ""); w.Code != http.StatusOK {
			t.Fatalf("request %d of the burst: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := serve(h, http.MethodGet, "/api/v1/job-orders", cw, "")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("after the burst: %d %s", w.Code, w.Body)
	}
	if ra := w.Header().Get("Retry-After"); ra != "2" {
		t.Fatalf("Retry-After %q, want 2 (one token every 2 s)", ra)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Type != "urn:jobordre:problem:rate-limited" ||
		p.Status != http.StatusTooManyRequests || w.Header().Get("Content-Type") != ProblemContentType {
		t.Fatalf("problem %+v (%v), content type %q", p, err, w.Header().Get("Content-Type"))
	}
	// Commands are limited too, before their body is read.
	if w := serve(h, http.MethodPost, "/api/v1/job-orders", cw, "{"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("POST over the limit: %d", w.Code)
	}
	if w := serve(h, http.MethodGet, "/api/v1/job-orders", other, ""); w.Code != http.StatusOK {
		t.Fatalf("another principal must not be limited: %d %s", w.Code, w.Body)
	}
	// Unauthenticated requests get 401, not 429, and take nothing from anyone's bucket.
	if w := serve(h, http.MethodGet, "/api/v1/job-orders", "", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", w.Code)
	}
	clk.Advance(2 * time.Second)
	if w := serve(h, http.MethodGet, "/api/v1/job-orders", cw, ""); w.Code != http.StatusOK {
		t.Fatalf("after the refill: %d %s", w.Code, w.Body)
	}
	if w := serve(h, http.MethodGet, "/api/v1/job-orders", cw, ""); w.Code != http.StatusTooManyRequests {
		t.Fatalf("only one token came back: %d", w.Code)
	}
	// Routes outside /api/v1 are never limited.
	if w := serve(h, http.MethodGet, "/healthz", "", ""); w.Code != http.StatusOK {
		t.Fatalf("/healthz: %d", w.Code)
	}
}

func TestNoRateLimiterMeansNoLimit(t *testing.T) {
	a := newTestAPI(t)
	h := a.router(func(d *Deps) { d.RateLimiter = ratelimit.New(ratelimit.Config{RPS: 0, Burst: 40}) })
	tok := a.token(caseworker)
	for i := range 60 {
		if w := serve(h, http.MethodGet, "/api/v1/job-orders", tok, ""); w.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, w.Code)
		}
	}
}

func TestOIDCVerifierThroughTheRouter(t *testing.T) {
	idp := authtest.New(t)
	v, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: idp.Issuer, Audience: authtest.Audience})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = New(Deps{Verifier: v})
	for name, tok := range map[string]string{
		"expired":       idp.RS256(t, idp.Claims("adm-1", auth.RoleAdmin, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})),
		"HS256 token":   devToken(t),
		"wrong aud":     idp.RS256(t, idp.Claims("adm-1", auth.RoleAdmin, map[string]any{"aud": "other"})),
		"employer, bad": idp.ES256(t, idp.Claims("emp-1", auth.RoleEmployer, map[string]any{"cvr": "12345678"})),
	} {
		w := serve(h, http.MethodGet, "/api/v1/job-orders", tok, "")
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("%s: %d %s", name, w.Code, w.Body)
		}
		if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") || !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q", name, got)
		}
		var p Problem
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Type != "urn:jobordre:problem:invalid-token" {
			t.Errorf("%s: problem %+v %v", name, p, err)
		}
	}

	// A valid token from the identity provider reaches the handlers with its principal.
	a := newTestAPI(t)
	h = a.router(func(d *Deps) { d.Verifier = v })
	tok := idp.RS256(t, idp.Claims("cw-oidc", auth.RoleCaseworker, map[string]any{"jobcenter": "751", "name": "Ida Holm"}))
	body, _ := json.Marshal(validOrder())
	if w := serve(h, http.MethodPost, "/api/v1/job-orders", tok, string(body)); w.Code != http.StatusCreated {
		t.Fatalf("create with an OIDC token: %d %s", w.Code, w.Body)
	}
	if w := serve(h, http.MethodGet, "/api/v1/job-orders", tok, ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Tømrer") {
		t.Fatalf("list with an OIDC token: %d %s", w.Code, w.Body)
	}
}

// devToken is a well-formed HS256 token that an OIDC verifier must refuse.
func devToken(t *testing.T) string {
	t.Helper()
	s, err := auth.NewHS256(testSecret, "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestDevOnlyRoutesAreAbsentWithoutExtra(t *testing.T) {
	h := New(Deps{Verifier: nil}) // what `jobordre api` builds: no Extra
	for _, path := range []string{"/dev/mailbox", "/dev/", "/dev"} {
		w := serve(h, http.MethodGet, path, "", "")
		var p Problem
		if w.Code != http.StatusNotFound || json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Type != "urn:jobordre:problem:not-found" {
			t.Errorf("GET %s: %d %s, want 404 not-found", path, w.Code, w.Body)
		}
	}
}

func TestAPathWithANulByteIsNotFoundNotAServerError(t *testing.T) {
	a := newTestAPI(t)
	for _, path := range []string{"/api/v1/jobcenters/%00/caseworkers", "/api/v1/job-orders/%00", "/api/v1/candidates/a%00b"} {
		r := a.do(http.MethodGet, path, &manager, nil)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
}
