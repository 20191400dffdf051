package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The candidate's page offers "Slet kandidaten"; its page asks for a reason and says what
// erasing does; posting without a reason (or a blank one) shows the error summary linking to
// the field with the text kept; with a reason the candidate is erased and the page after it shows
// the audit record without the candidate's data; the candidate's page, search and the
// employer's order page no longer show the candidate.
func TestErasingACandidateFromTheConsoleAsksForAReasonThenShowsTheyAreGone(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	o := tc.createOrder("Tømrer til tage")
	id := tc.candidate(caseworker, "Sofie Slettes", true, "Tømrer", "7115", "Tage og vinduer i 12 år")
	tc.api(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", caseworker, map[string]any{"candidate_id": id}, http.StatusCreated, nil)
	emp := tc.browser()
	emp.follow(emp.login(tc, employer))
	if pg := emp.get("/job-orders/" + o.ID); !strings.Contains(pg.body, "Sofie Slettes") {
		t.Fatalf("before: the employer's order page does not show the CV\n%.2000s", pg.body)
	}
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	if pg := b.get("/candidates/" + id); !strings.Contains(pg.body, `href="/candidates/`+id+`/erase"`) || !strings.Contains(pg.body, "Slet kandidaten") {
		t.Fatalf("the candidate's page has no erase link:\n%s", pg.body)
	}
	confirm := b.get("/candidates/" + id + "/erase")
	for _, want := range []string{"<h1>Slet kandidaten</h1>", "Sofie Slettes", `action="/candidates/` + id + `/erase"`, `name="reason"`, `name="csrf_token"`} {
		if !strings.Contains(confirm.body, want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	res := b.post("/candidates/"+id+"/erase", url.Values{"csrf_token": {confirm.csrf(t)}, "reason": {"   "}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-reason"`) || !strings.Contains(res.body, "Skriv årsagen til sletningen") ||
		!strings.Contains(res.body, `aria-invalid="true"`) {
		t.Fatalf("a blank reason: %d\n%s", res.status, res.body)
	}
	if pg := b.get("/candidates/" + id); pg.status != http.StatusOK {
		t.Fatalf("a refused erasure erased: %d", pg.status)
	}
	if pg := b.get("/candidates?q=t%C3%B8mrer"); !strings.Contains(pg.body, `href="/candidates/`+id+`"`) {
		t.Fatal("before: the search does not find the candidate, so the check after proves nothing")
	}
	res = b.post("/candidates/"+id+"/erase", url.Values{"csrf_token": {confirm.csrf(t)}, "reason": {"Borgerens anmodning om sletning"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/candidates/"+id+"/erased" {
		t.Fatalf("erase: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	done := b.follow(res)
	for _, want := range []string{"<h1>Kandidaten er slettet</h1>", "Borgerens anmodning om sletning", "Henvisninger gjort anonyme"} {
		if !strings.Contains(done.body, want) {
			t.Errorf("the erased page lacks %q\n%s", want, done.body)
		}
	}
	if strings.Contains(done.body, "Sofie") {
		t.Error("the erased page names the candidate")
	}
	if pg := b.get("/candidates/" + id); pg.status != http.StatusNotFound {
		t.Errorf("the candidate's page after: %d", pg.status)
	}
	if pg := b.get("/candidates?q=t%C3%B8mrer"); strings.Contains(pg.body, `href="/candidates/`+id+`"`) || strings.Contains(pg.body, "Sofie") {
		t.Error("the search still finds the candidate")
	}
	if pg := emp.get("/job-orders/" + o.ID); pg.status != http.StatusOK || strings.Contains(pg.body, "Sofie") || strings.Contains(pg.body, "Tage og vinduer") {
		t.Errorf("after: the employer's order page still shows the CV (%d)", pg.status)
	}
	// The job centre's own order page keeps the referral as a row without name or CV.
	if pg := b.get("/job-orders/" + o.ID); pg.status != http.StatusOK || strings.Contains(pg.body, "Sofie") || !strings.Contains(pg.body, "Kandidatens oplysninger er slettet") {
		t.Errorf("after: the caseworker's order page (%d) does not show the referral as erased", pg.status)
	}
	// Without the CSRF token nothing is posted.
	other := tc.candidate(caseworker, "Bent Bliver", true, "Smed", "7212", "")
	if res := b.post("/candidates/"+other+"/erase", url.Values{"reason": {"x"}}); res.status == http.StatusSeeOther {
		t.Error("an erasure without the CSRF token went through")
	}
}
