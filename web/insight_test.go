package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"jobordre/activities"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// danishDateTime is a moment as the console writes it in Danish: "3. december 2026 kl. 14.30".
var danishDateTime = regexp.MustCompile(`\d{1,2}\. (januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december) \d{4} kl\. \d{2}\.\d{2}`)

// The insight page shows what the insight service returns, in Danish with the dates written the
// Danish way: the candidate and the whole CV, the consent, the referral with its order and
// employer, the employer's read of the CV and the notice sent to the candidate, each table with a
// caption; the candidate's page links to it; the print button waits for the script; another job
// centre gets the 404 page; in English the same page is in English.
func TestInsightPageShowsEveryStoredItemInDanishAndOnlyToTheCandidatesJobcentre(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	o := tc.createOrder("Tømrer til tage")
	id := tc.candidate(caseworker, "Ingrid Indsigt", false, "Tømrer", "7115", "Tage og vinduer")
	tc.api(http.MethodPost, "/api/v1/candidates/"+id+"/consents", caseworker, map[string]any{"employer_cvr": "10103940", "job_order_id": o.ID,
		"purpose": "Formidling til tømrerstillingen", "data_categories": []string{"cv"}, "given_at": "2026-11-30T10:00:00Z", "method": "written"}, http.StatusCreated, nil)
	var ref struct{ ID string }
	tc.api(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", caseworker, map[string]any{"candidate_id": id, "note": "Ringet til kandidaten"}, http.StatusCreated, &ref)
	tc.api(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", employer, nil, http.StatusOK, nil) // the employer reads the CV
	if _, err := activities.New(tc.db).Notify(context.Background(), activities.NotifyInput{JobOrderID: o.ID, Template: joborder.TemplateCandidateNotice,
		RecipientRole: joborder.RecipientCandidate, ReferralID: ref.ID, IdempotencyKey: joborder.NotificationKey(o.ID, joborder.TemplateCandidateNotice, "", ref.ID)}); err != nil {
		t.Fatal(err)
	}

	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	if cand := b.get("/candidates/" + id); !strings.Contains(cand.body, `href="/candidates/`+id+`/insight"`) || !strings.Contains(cand.body, "Indsigt (art. 15)") {
		t.Errorf("the candidate's page does not link to the insight")
	}
	page := b.get("/candidates/" + id + "/insight")
	if page.status != http.StatusOK {
		t.Fatalf("insight page: %d\n%s", page.status, page.body)
	}
	for _, want := range []string{
		"<h1>Indsigt: Ingrid Indsigt</h1>", "ingrid.indsigt@example.dk", "Tage og vinduer", "7115 ", "Kørekort B", "Oprettet",
		"<caption>Kandidatens samtykker til at dele CV&#39;et med en arbejdsgiver, nyeste først</caption>", "Formidling til tømrerstillingen",
		"Jobordren Tømrer til tage", "Gælder",
		"<caption>Kandidatens CV henvist til jobordrer, nyeste først</caption>", `<a href="/job-orders/` + o.ID + `">Tømrer til tage</a>`,
		"Byg &amp; Tag ApS<br>CVR 10103940", "Sendt til arbejdsgiveren", "Ringet til kandidaten",
		"<caption>Hver gang en arbejdsgiver har læst CV&#39;et, nyeste først</caption>", "Bruger emp-1", "Logget ind i jobordre",
		"<caption>Beskeder og e-mails om kandidaten, nyeste først</caption>", "besked om sendt CV", "kandidaten", "Venter på at blive sendt",
		"Der er ikke sendt sikre links til kandidatens CV.",
		`class="button button-secondary js-print" hidden`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the insight page lacks %q", want)
		}
	}
	if n := len(danishDateTime.FindAllString(page.body, -1)); n < 6 {
		t.Errorf("%d moments written the Danish way, want one per time shown (at least 6)", n)
	}
	if strings.Contains(page.body, "December 2026") || strings.Contains(page.body, "T10:00:00Z<") {
		t.Errorf("a date is not written the Danish way")
	}

	other := tc.browser()
	other.follow(other.login(tc, otherCaseworker))
	if p := other.get("/candidates/" + id + "/insight"); p.status != http.StatusNotFound || strings.Contains(p.body, "Ingrid Indsigt") {
		t.Errorf("another job centre's caseworker: %d, want the 404 page without the candidate", p.status)
	}

	b.follow(b.get("/lang/en"))
	en := b.get("/candidates/" + id + "/insight")
	for _, want := range []string{"<h1>Insight: Ingrid Indsigt</h1>", "<caption>Every time an employer read the CV, newest first</caption>", "Logged in to jobordre"} {
		if !strings.Contains(en.body, want) {
			t.Errorf("the English insight page lacks %q", want)
		}
	}
}
