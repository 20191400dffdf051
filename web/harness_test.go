package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jobordre/api"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/followups"
	"jobordre/internal/inbox"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/pgtest"
	"jobordre/internal/servicestest"
	"jobordre/web"
	"jobordre/web/session"
	"jobordre/workflows"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// noWorkflows is the Temporal side for page tests that send no commands.
type noWorkflows struct{}

func (noWorkflows) StartJobOrder(context.Context, workflows.JobOrderInput) error { return nil }
func (noWorkflows) LiveState(context.Context, string) (joborder.LiveState, error) {
	return joborder.LiveState{}, errors.New("no workflows in this test")
}
func (noWorkflows) Update(context.Context, string, string, any, any) error {
	return errors.New("no workflows in this test")
}
func (noWorkflows) Signal(context.Context, string, string, any) error { return nil }

const testSecret = "test-secret-that-is-long-enough-for-hs256"

// testConsole is the console on the API's engine, as `jobordre api` and `dev` serve it, over a
// fresh PostgreSQL database.
type testConsole struct {
	t        *testing.T
	srv      *httptest.Server
	db       *gorm.DB
	sessions *session.Store
	signer   *auth.HS256
	orders   *orders.Service
	inbox    *inbox.Service
}

type consoleOptions struct {
	// workflows stands in for Temporal; nil means noWorkflows (pages that send no commands).
	workflows orders.Workflows
	oidc      *web.OIDCLogin
	noDev     bool
	idle      time.Duration
	baseURL   string
}

func newTestConsole(t *testing.T, o consoleOptions) *testConsole {
	t.Helper()
	// Wired like the processes' database, so history entries keep the key figures (the dashboard).
	db := dbtest.Postgres(t)
	signer, err := auth.NewHS256(testSecret, "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	var wf orders.Workflows = noWorkflows{}
	if o.workflows != nil {
		wf = o.workflows
	}
	s := servicestest.New(db, wf)
	ref, svc := s.Reference, s.Orders
	deps := &api.Deps{
		Orders: svc, Directory: s.Directory, Referrals: s.Referrals, Candidates: s.Candidates,
		Jobcenters: s.Jobcenters, Companies: s.Companies, Reference: ref,
		KPIs: s.KPIs, Verifier: signer, MaxBodyBytes: 1 << 20,
	}
	sessions := session.NewStore(db, o.idle, 0)
	tc := &testConsole{t: t, db: db, sessions: sessions, signer: signer, orders: svc, inbox: inbox.NewService(db, s.Relations)}
	srv := httptest.NewUnstartedServer(nil)
	base := o.baseURL
	if base == "" {
		base = "http://" + srv.Listener.Addr().String()
	}
	c, err := web.New(web.Deps{
		Orders: deps.Orders, Referrals: deps.Referrals, Candidates: deps.Candidates, Directory: deps.Directory, Jobcenters: deps.Jobcenters,
		Companies: deps.Companies, Reference: ref, Inbox: tc.inbox, KPIs: deps.KPIs, FollowUps: followups.NewService(db), Sessions: sessions,
		OIDC: o.oidc, BaseURL: base, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !o.noDev {
		c.EnableDevLogin([]web.DevUser{{Principal: caseworker, Token: tc.token(caseworker)}}, signer)
	}
	deps.Pages = c
	srv.Config.Handler = api.New(*deps)
	srv.Start()
	t.Cleanup(srv.Close)
	tc.srv = srv
	return tc
}

var (
	caseworker = auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Anna Andersen", Email: "anna@jobcenter.example"}
	manager    = auth.Principal{Subject: "mgr-1", Role: auth.RoleManager, Jobcenter: "751", Name: "Mette Madsen"}
	employer   = auth.Principal{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940", Name: "Erik"}
)

func (tc *testConsole) token(p auth.Principal) string {
	tc.t.Helper()
	tok, err := tc.signer.Sign(p, time.Hour)
	if err != nil {
		tc.t.Fatal(err)
	}
	return tok
}

// browser is a cookie-keeping client that does not follow redirects, so each step is seen.
type browser struct {
	t      *testing.T
	c      *http.Client
	base   string
	header http.Header
}

func (tc *testConsole) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: tc.t, base: tc.srv.URL, header: http.Header{}, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.abs(path), nil)
	return b.do(req)
}

// post sends a form as the browser does from a page of the same site.
func (b *browser) post(path string, form url.Values, headers ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.base)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return b.do(req)
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.base + path
}

// follow GETs Location until the answer is not a redirect.
func (b *browser) follow(p page) page {
	b.t.Helper()
	for i := 0; i < 10 && p.status >= 300 && p.status < 400; i++ {
		loc := p.header.Get("Location")
		if !strings.HasPrefix(loc, "http") {
			loc = b.base + loc
		}
		p = b.get(loc)
	}
	return p
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf is the CSRF token of the forms on a page.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", p.body)
	}
	return m[1]
}

// login logs the browser in with the dev login (a token form post), as a person would.
func (b *browser) login(tc *testConsole, p auth.Principal) page {
	b.t.Helper()
	lp := b.get("/login")
	res := b.post("/login", url.Values{"csrf_token": {lp.csrf(b.t)}, "token": {tc.token(p)}, "next": {"/"}})
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("login: %d\n%s", res.status, res.body)
	}
	return res
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}
