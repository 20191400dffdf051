package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobordre/internal/auth"
	"jobordre/internal/auth/authtest"
	"jobordre/web"
)

func TestPageWithoutSessionRedirectsToLoginAndBackAfterIt(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	res := b.get("/?tab=x")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?next=%2F%3Ftab%3Dx" {
		t.Fatalf("without a session: %d %s", res.status, res.header.Get("Location"))
	}
	lp := b.get(res.header.Get("Location"))
	if lp.status != 200 || !strings.Contains(lp.body, `name="next" value="/?tab=x"`) {
		t.Fatalf("login page: %d\n%s", lp.status, lp.body)
	}
	in := b.post("/login", url.Values{"csrf_token": {lp.csrf(t)}, "token": {tc.token(caseworker)}, "next": {"/?tab=x"}})
	if in.status != http.StatusSeeOther || in.header.Get("Location") != "/?tab=x" {
		t.Fatalf("after login: %d %s", in.status, in.header.Get("Location"))
	}
	home := b.get("/?tab=x")
	if home.status != 200 || !strings.Contains(home.body, "Anna Andersen, sagsbehandler") || !strings.Contains(home.body, "<h1>Indbakke</h1>") {
		t.Fatalf("inbox: %d\n%s", home.status, home.body)
	}
	// The logged-in person is in the directory (so they can be made coordinator), as with the API.
	var n int64
	tc.db.Table("caseworkers").Where("id = ? AND jobcenter = ?", caseworker.Subject, "751").Count(&n)
	if n != 1 {
		t.Error("the caseworker was not registered")
	}
}

func TestLoginRedirectNeverLeavesTheSite(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1"} {
		b := tc.browser()
		lp := b.get("/login?next=" + url.QueryEscape(next))
		in := b.post("/login", url.Values{"csrf_token": {lp.csrf(t)}, "token": {tc.token(caseworker)}, "next": {next}})
		if loc := in.header.Get("Location"); loc != "/" {
			t.Errorf("next=%q sent the browser to %q", next, loc)
		}
	}
}

func TestSessionCookieIsHttpOnlyLaxAndRotatedAtLogin(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	lp := b.get("/login")
	anon := setCookie(t, lp.header, "jobordre-session")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(anon, attr) {
			t.Errorf("anonymous session cookie %q lacks %s", anon, attr)
		}
	}
	if strings.Contains(anon, "Secure") || strings.Contains(anon, "Max-Age") || strings.Contains(anon, "Expires") {
		t.Errorf("cookie %q on a loopback http dev stack", anon)
	}
	before := b.cookie("jobordre-session").Value
	in := b.post("/login", url.Values{"csrf_token": {lp.csrf(t)}, "token": {tc.token(caseworker)}})
	setCookie(t, in.header, "jobordre-session")
	after := b.cookie("jobordre-session").Value
	if before == after {
		t.Error("the session cookie was not replaced at login")
	}
	// The old value is dead: a browser that kept it is anonymous.
	other := tc.browser()
	u, _ := url.Parse(tc.srv.URL)
	other.c.Jar.SetCookies(u, []*http.Cookie{{Name: "jobordre-session", Value: before}})
	if res := other.get("/"); res.status != http.StatusSeeOther {
		t.Errorf("the pre-login cookie still works: %d", res.status)
	}
}

func TestSessionCookieIsSecureWithHostPrefixBehindHTTPS(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{baseURL: "https://jobordre.example"})
	res := tc.browser().get("/login")
	c := setCookie(t, res.header, "__Host-jobordre-session")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "Secure"} {
		if !strings.Contains(c, attr) {
			t.Errorf("cookie %q lacks %s", c, attr)
		}
	}
	if strings.Contains(c, "Domain") {
		t.Errorf("a __Host- cookie with a Domain: %q", c)
	}
}

func setCookie(t *testing.T, h http.Header, name string) string {
	t.Helper()
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	t.Fatalf("no Set-Cookie %s in %v", name, h.Values("Set-Cookie"))
	return ""
}

func TestFormPostsWithoutTheCSRFTokenOrFromAnotherOriginAreRefused(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	home := b.get("/")
	token := home.csrf(t)
	for name, res := range map[string]page{
		"no token":     b.post("/logout", url.Values{}),
		"wrong token":  b.post("/logout", url.Values{"csrf_token": {token + "x"}}),
		"cross-site":   b.post("/logout", url.Values{"csrf_token": {token}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"),
		"other origin": b.post("/logout", url.Values{"csrf_token": {token}}, "Sec-Fetch-Site", "", "Origin", "https://evil.example"),
	} {
		if res.status != http.StatusForbidden || !strings.Contains(res.body, "Det har du ikke adgang til") {
			t.Errorf("%s: %d", name, res.status)
		}
	}
	// Nothing changed: the session still works.
	if res := b.get("/"); res.status != 200 {
		t.Fatalf("the refused logouts ended the session: %d", res.status)
	}
	if res := b.post("/logout", url.Values{"csrf_token": {token}}); res.status != http.StatusSeeOther {
		t.Fatalf("a proper logout: %d", res.status)
	}
}

func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	value := b.cookie("jobordre-session").Value
	res := b.post("/logout", url.Values{"csrf_token": {b.get("/").csrf(t)}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?logged_out=1" {
		t.Fatalf("logout: %d %s", res.status, res.header.Get("Location"))
	}
	var n int64
	tc.db.Table("web_sessions").Where("subject = ?", caseworker.Subject).Count(&n)
	if n != 0 {
		t.Errorf("%d sessions left after logout", n)
	}
	replay := tc.browser()
	u, _ := url.Parse(tc.srv.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "jobordre-session", Value: value}})
	if res := replay.get("/"); res.status != http.StatusSeeOther {
		t.Errorf("the logged-out cookie: %d", res.status)
	}
}

func TestIdleSessionEndsAndTheLoginSaysWhy(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{idle: time.Minute})
	clock := authtest.NewClock(time.Now().UTC())
	tc.sessions.SetClock(clock.Now)
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	clock.Advance(2 * time.Minute)
	res := b.get("/?x=1")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?next=%2F%3Fx%3D1&expired=1" {
		t.Fatalf("an idle session: %d %s", res.status, res.header.Get("Location"))
	}
	lp := b.get(res.header.Get("Location"))
	if !strings.Contains(lp.body, "Du er blevet logget af, fordi du ikke har været aktiv") {
		t.Errorf("the login page does not say why:\n%s", lp.body)
	}
}

func TestSessionDialogDataAndExtend(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{idle: 30 * time.Minute})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	home := b.get("/")
	if !strings.Contains(home.body, `data-session-warn-before="300"`) || !strings.Contains(home.body, `id="session-timeout"`) {
		t.Errorf("no session dialog:\n%s", home.body)
	}
	// Without the CSRF header the extend is refused; with it, it answers the time left.
	if res := b.post("/session/extend", nil); res.status != http.StatusForbidden {
		t.Errorf("extend without a token: %d", res.status)
	}
	res := b.post("/session/extend", nil, "X-CSRF-Token", home.csrf(t))
	if res.status != 200 || !strings.Contains(res.body, `"ends_in":1799`) && !strings.Contains(res.body, `"ends_in":1800`) {
		t.Errorf("extend: %d %s", res.status, res.body)
	}
}

func TestDevLoginRefusesABadTokenAtTheFieldAndKeepsIt(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	lp := b.get("/login")
	bad := tc.token(caseworker) + "x"
	res := b.post("/login", url.Values{"csrf_token": {lp.csrf(t)}, "token": {bad}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad token: %d", res.status)
	}
	for _, want := range []string{`data-module="error-summary"`, `href="#field-token"`, `id="field-token-error"`, `aria-invalid="true"`, ">" + bad + "</textarea>", "Tokenet blev afvist"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
}

func TestDevLoginRefusesASystemTokenAtTheField(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	lp := b.get("/login")
	sys := tc.token(auth.Principal{Subject: "momentum-751", Role: auth.RoleSystem, Jobcenter: "751"})
	res := b.post("/login", url.Values{"csrf_token": {lp.csrf(t)}, "token": {sys}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a system token at the console's login: %d", res.status)
	}
	for _, want := range []string{`data-module="error-summary"`, `href="#field-token"`, "ikke til konsollen"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if inbox := b.get("/"); inbox.status != http.StatusSeeOther {
		t.Errorf("after a refused system login the console must still ask for a login; / answered %d", inbox.status)
	}
}

func TestConsoleWithoutDevLoginHasNoTokenLogin(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{noDev: true})
	b := tc.browser()
	lp := b.get("/login")
	if strings.Contains(lp.body, `name="token"`) || !strings.Contains(lp.body, "Der er ikke sat et login op") {
		t.Errorf("login page without dev login:\n%s", lp.body)
	}
	if res := b.post("/login", url.Values{"token": {tc.token(caseworker)}}); res.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /login without dev login: %d", res.status)
	}
}

func TestAPIPathsKeepTheirProblemAnswersNextToThePages(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	api := b.get("/api/v1/nope")
	if api.status != 404 || api.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown API path: %d %s", api.status, api.header.Get("Content-Type"))
	}
	pg := b.get("/nope")
	if pg.status != 404 || !strings.HasPrefix(pg.header.Get("Content-Type"), "text/html") || !strings.Contains(pg.body, "Siden findes ikke") {
		t.Errorf("unknown page: %d %s", pg.status, pg.header.Get("Content-Type"))
	}
	if csp := pg.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	// The API still needs its bearer token; a console session is not one.
	b.follow(b.login(tc, caseworker))
	if res := b.get("/api/v1/job-orders"); res.status != http.StatusUnauthorized {
		t.Errorf("the API with a session cookie only: %d", res.status)
	}
}

// The OIDC login against a real in-process identity provider (authtest): authorization code
// with PKCE (S256), state bound to the browser's session, nonce checked, and the principal taken
// from the access token exactly as the API's verifier maps it.
func TestOIDCLoginWithPKCEGivesTheAPIsPrincipal(t *testing.T) {
	idp, tc := newOIDCConsole(t, "s3cret")
	idp.LoginAs(jwt.MapClaims{"sub": "cw-oidc", "role": "caseworker", "jobcenter": "751", "name": "Olga OIDC", "email": "olga@jobcenter.example"})

	b := tc.browser()
	start := b.get("/?status=open")
	lp := b.get(start.header.Get("Location"))
	if !strings.Contains(lp.body, `href="/login/oidc?next=%2f%3fstatus%3dopen"`) {
		t.Fatalf("no OIDC button with the way back:\n%s", lp.body)
	}
	toIdP := b.get("/login/oidc?next=%2F%3Fstatus%3Dopen")
	authURL, _ := url.Parse(toIdP.header.Get("Location"))
	q := authURL.Query()
	if toIdP.status != http.StatusSeeOther || !strings.HasPrefix(authURL.String(), idp.Issuer+"/authorize") ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" ||
		q.Get("client_id") != "console" || !strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("to the identity provider: %d %s", toIdP.status, authURL)
	}
	back := b.get(authURL.String())
	callback := back.header.Get("Location")
	if !strings.HasPrefix(callback, tc.srv.URL+web.CallbackPath+"?code=") {
		t.Fatalf("back from the identity provider: %d %s", back.status, callback)
	}
	done := b.get(callback)
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/?status=open" {
		t.Fatalf("callback: %d %s\n%s", done.status, done.header.Get("Location"), done.body)
	}
	home := b.get("/")
	if home.status != 200 || !strings.Contains(home.body, "Olga OIDC, sagsbehandler") {
		t.Fatalf("after the OIDC login: %d\n%s", home.status, home.body)
	}
	if idp.LastChallengeMethod() != "S256" || idp.Exchanges() != 1 {
		t.Errorf("challenge %q, exchanges %d", idp.LastChallengeMethod(), idp.Exchanges())
	}
	// The same callback again (a replayed URL) does not log anyone in.
	replay := tc.browser()
	if res := replay.get(callback); res.status != http.StatusBadRequest || !strings.Contains(res.body, "startet i et andet vindue") {
		t.Errorf("a replayed callback in another browser: %d", res.status)
	}
}

func TestOIDCLoginRefusesWhatTheAPIWouldRefuse(t *testing.T) {
	idp, tc := newOIDCConsole(t, "")

	attempt := func(claims jwt.MapClaims) page {
		idp.LoginAs(claims)
		b := tc.browser()
		toIdP := b.get("/login/oidc")
		back := b.get(toIdP.header.Get("Location"))
		return b.get(back.header.Get("Location"))
	}
	// A caseworker token without a job centre is refused by the API, so by the console too.
	if res := attempt(jwt.MapClaims{"sub": "x", "role": "caseworker"}); res.status != http.StatusBadRequest || !strings.Contains(res.body, "Login kunne ikke gennemføres") {
		t.Errorf("a principal the API refuses: %d", res.status)
	}
	// A case system's principal is the API's, never a console user's.
	if res := attempt(jwt.MapClaims{"sub": "momentum-751", "role": "system", "jobcenter": "751"}); res.status != http.StatusBadRequest || !strings.Contains(res.body, "ikke til konsollen") {
		t.Errorf("a system principal at the console's OIDC login: %d", res.status)
	}
	// The user cancels at the identity provider.
	if res := attempt(nil); res.status != http.StatusBadRequest || !strings.Contains(res.body, "afbrudt") {
		t.Errorf("cancelled: %d", res.status)
	}
	// A callback with another state than the one this browser started.
	b := tc.browser()
	idp.LoginAs(jwt.MapClaims{"sub": "cw-9", "role": "caseworker", "jobcenter": "751"})
	toIdP := b.get("/login/oidc")
	back, _ := url.Parse(b.get(toIdP.header.Get("Location")).header.Get("Location"))
	q := back.Query()
	q.Set("state", "forged")
	back.RawQuery = q.Encode()
	if res := b.get(back.String()); res.status != http.StatusBadRequest {
		t.Errorf("forged state: %d", res.status)
	}
	if res := b.get("/"); res.status != http.StatusSeeOther {
		t.Errorf("logged in after a forged state: %d", res.status)
	}
}

// newOIDCConsole is a console whose only login is OIDC against an in-process identity provider,
// with the API's verifier for its access tokens; secret "" makes the console a public client.
func newOIDCConsole(t *testing.T, secret string) (*authtest.IdP, *testConsole) {
	t.Helper()
	idp := authtest.New(t)
	tokens, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: idp.Issuer, Audience: authtest.Audience})
	if err != nil {
		t.Fatal(err)
	}
	// The redirect URL holds the console's address, known once its listener exists; the
	// identity provider checks it only at /authorize, so both are set after the start.
	login, err := web.NewOIDCLogin(context.Background(), web.OIDCLoginConfig{
		Issuer: idp.Issuer, ClientID: "console", ClientSecret: secret, RedirectURL: "http://placeholder" + web.CallbackPath, Tokens: tokens,
	})
	if err != nil {
		t.Fatal(err)
	}
	tc := newTestConsole(t, consoleOptions{oidc: login, noDev: true})
	web.SetOIDCRedirectURL(login, tc.srv.URL+web.CallbackPath)
	idp.RegisterClient("console", secret, tc.srv.URL+web.CallbackPath)
	return idp, tc
}
