package integration

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/devstack"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
)

// pageClient is a browser without JavaScript: it keeps the console's session cookie and posts
// forms with the page's CSRF token.
type pageClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newPageClient(t *testing.T, base string) *pageClient {
	jar, _ := cookiejar.New(nil)
	return &pageClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

func (c *pageClient) do(req *http.Request) (int, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, string(b)
}

func (c *pageClient) get(path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *pageClient) post(path string, form url.Values) (int, string) {
	form.Set("csrf_token", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var (
	secureLinkURL = regexp.MustCompile(`/secure-links/([A-Za-z0-9_-]{43})`)
	// The newest mail's plain text, when it is a one-time code.
	newestCode = regexp.MustCompile(`(?s)<article id="mail-\d+">\s*<h2>Engangskode[^<]*</h2>.*?<pre>[^<]*?\n\n(\d{6})\n\n`)
)

// Referral channels on the real stack (embedded Temporal, PostgreSQL, HTTP): an eboks referral
// without a Digital Post provider is a 422 naming channel with the available channels and
// stores nothing; a secure_link referral mails the employer's contact a link and no CV data;
// the page behind it (no account) sends a one-time code to the same address, refuses a wrong
// code, shows the CV for the right one and logs the read, and refuses everything once the link
// has expired.
func TestSecureLinkDeliversTheCVBehindACodeAndEboksWithoutAProviderIsRefused(t *testing.T) {
	cfg := stackConfig(t.TempDir(), pgtest.NewDatabase(t))
	cfg.SecureLinkTTL = 25 * time.Second // long enough to read it, short enough to see it expire
	s := startStack(t, cfg)
	ls := &lifecycleStack{Stack: s, t: t, manager: s.Tokens["manager"], employer: s.Tokens["employer"], admin: s.Tokens["admin"]}
	ls.cw = ls.token(auth.Principal{Subject: "cw-ida", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Kristensen", Email: "ida@aarhus.example"})
	ls.must(http.MethodGet, "/api/v1/job-orders", ls.cw, nil, 200)

	// The example employer (employer-1@firma.example) creates the order: its contact person.
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &o)
	const cvText = "Tyve års erfaring med restaurering af bindingsværk"
	body := candidate("Jens Mikkelsen", "jens.mikkelsen@example.dk", true)
	body["cv"].(map[string]any)["experience"] = cvText
	var cand struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, body, 201).decode(t, &cand)

	// eboks: no provider configured, so a 422 naming channel, and nothing stored.
	r := ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID, "channel": "eboks"}, 422)
	if !strings.Contains(string(r.body), `"field":"channel"`) || !strings.Contains(string(r.body), "available channels: jobag, secure_link") {
		t.Fatalf("eboks refusal: %s", r.body)
	}
	var refs struct{ Items []struct{ ID string } }
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, nil, 200).decode(t, &refs)
	var hist struct{ Items []struct{ Type string } }
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/history", ls.cw, nil, 200).decode(t, &hist)
	for _, h := range hist.Items {
		if strings.HasPrefix(h.Type, "referral") {
			t.Errorf("the refused eboks referral left %s in the history", h.Type)
		}
	}
	if len(refs.Items) != 0 {
		t.Fatalf("the refused eboks referral was stored: %+v", refs.Items)
	}

	// secure_link: the contact gets the link, and the mail holds no CV data.
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID, "channel": "secure_link"}, 201)
	linkMail := ls.waitForMail(o.ID, joborder.TemplateSecureLink, joborder.RecipientSecureLink, 10*time.Second)
	if linkMail.Recipient != "employer-1@firma.example" {
		t.Fatalf("the secure link went to %q", linkMail.Recipient)
	}
	if n := ls.count(o.ID, joborder.TemplateCandidatesReferred); n != 0 {
		t.Errorf("%d candidates_referred mails for a secure_link referral", n)
	}
	var mailbox string
	var token string
	waitFor(t, 10*time.Second, func() (bool, string) {
		mailbox = string(call(t, http.MethodGet, s.HTTPURL+devstack.MailboxPath, "", nil).body)
		if m := secureLinkURL.FindStringSubmatch(mailbox); m != nil {
			token = m[1]
			return true, ""
		}
		return false, "no secure link in the dev mailbox"
	})
	// The article of the mailbox page that holds the link is the secure_link mail.
	var linkArticle string
	for _, a := range strings.Split(mailbox, "<article") {
		if strings.Contains(a, "/secure-links/"+token) {
			linkArticle = a
		}
	}
	for _, pii := range []string{"Jens", "Mikkelsen", "jens.mikkelsen", cvText, "12 år"} {
		if strings.Contains(linkArticle, pii) {
			t.Errorf("the secure_link mail holds %q: %s", pii, linkArticle)
		}
	}

	// The page, without an account: nothing until a code is entered.
	page := newPageClient(t, s.HTTPURL)
	status, html := page.get("/secure-links/" + token)
	if status != 200 || strings.Contains(html, cvText) || !strings.Contains(html, "e***@firma.example") {
		t.Fatalf("the page before the code: %d %.600s", status, html)
	}
	if status, html := page.post("/secure-links/"+token+"/code", url.Values{}); status != 200 || !strings.Contains(html, "Vi har sendt en engangskode") {
		t.Fatalf("asking for a code: %d %.1500s", status, html)
	}
	codeMail := ls.waitForMail(o.ID, joborder.TemplateSecureLinkCode, joborder.RecipientSecureLink, 10*time.Second)
	if codeMail.Recipient != linkMail.Recipient {
		t.Fatalf("the code went to %q, the link to %q", codeMail.Recipient, linkMail.Recipient)
	}
	var code string
	waitFor(t, 10*time.Second, func() (bool, string) {
		m := newestCode.FindStringSubmatch(string(call(t, http.MethodGet, s.HTTPURL+devstack.MailboxPath, "", nil).body))
		if m != nil {
			code = m[1]
		}
		return m != nil, "no code in the dev mailbox"
	})
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	status, html = page.post("/secure-links/"+token, url.Values{"code": {wrong}})
	if status != 422 || strings.Contains(html, cvText) || !strings.Contains(html, "Koden er forkert") {
		t.Fatalf("a wrong code: %d %.800s", status, html)
	}
	status, html = page.post("/secure-links/"+token, url.Values{"code": {code}})
	if status != 200 || !strings.Contains(html, cvText) || !strings.Contains(html, "Jens Mikkelsen") {
		t.Fatalf("the right code: %d %.800s", status, html)
	}
	// The read is in the CV access log; the code worked once.
	var accessLog struct {
		Items []struct {
			JobOrderID string `json:"job_order_id"`
			ReaderID   string `json:"reader_id"`
		}
	}
	ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/access-log", ls.cw, nil, 200).decode(t, &accessLog)
	if len(accessLog.Items) != 1 || accessLog.Items[0].JobOrderID != o.ID || !strings.HasPrefix(accessLog.Items[0].ReaderID, "secure-link:") {
		t.Fatalf("access log after one read: %+v", accessLog.Items)
	}
	if status, html = page.post("/secure-links/"+token, url.Values{"code": {code}}); status != 422 || strings.Contains(html, cvText) {
		t.Fatalf("the code used a second time: %d", status)
	}

	// Expired: the page says so and neither sends a code nor takes one.
	time.Sleep(time.Until(linkMail.CreatedAt.Add(cfg.SecureLinkTTL + time.Second)))
	status, html = page.get("/secure-links/" + token)
	if status != http.StatusGone || !strings.Contains(html, "Linket er udløbet") {
		t.Fatalf("the expired page: %d %.600s", status, html)
	}
	if status, _ = page.post("/secure-links/"+token+"/code", url.Values{}); status != http.StatusGone {
		t.Fatalf("a code for an expired link: %d", status)
	}
	if status, html = page.post("/secure-links/"+token, url.Values{"code": {code}}); status != http.StatusGone || strings.Contains(html, cvText) {
		t.Fatalf("a code on an expired link: %d", status)
	}
	if n := ls.count(o.ID, joborder.TemplateSecureLinkCode); n != 1 {
		t.Errorf("%d code mails, want 1", n)
	}
	ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/access-log", ls.cw, nil, 200).decode(t, &accessLog)
	if len(accessLog.Items) != 1 {
		t.Errorf("the refused reads were logged: %+v", accessLog.Items)
	}
	checkReplay(t, temporalClient(t, s), joborder.WorkflowID(o.ID), "secure-link-referral", append(personalData, cvText, token, code)...)
}
