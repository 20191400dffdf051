package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jobordre/models"
)

func TestConsentFormOffersTheEmployersOrdersRefusesWhatIsMissingAndRecordsTheConsent(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	o := tc.createOrder("Tømrer til tage")
	id := tc.candidate(caseworker, "Sofie Skjult", false, "Tømrer", "7115", "")
	b := tc.browser()
	b.follow(b.login(tc, caseworker))

	blank := b.get("/candidates/" + id + "/consents/new")
	for _, want := range []string{"<h1>Registrér samtykke</h1>", "Sofie Skjult", `Find arbejdsgiverens jobordrer`, `name="method" value="digital" checked`,
		`name="data_categories" value="cv" checked`, `name="given_at.year" value="20`} {
		if !strings.Contains(blank.body, want) {
			t.Errorf("the blank form lacks %q", want)
		}
	}
	// Without JavaScript, the lookup button posts the form: nothing is recorded, the orders appear.
	looked := b.post("/candidates/"+id+"/consents", url.Values{"csrf_token": {blank.csrf(t)}, "action": {"lookup"}, "employer_cvr": {"10103940"}, "purpose": {"kept"}})
	for _, want := range []string{"Virksomhed: Byg &amp; Tag ApS", `<option value="` + o.ID + `">Tømrer til tage (oprettet `, ">kept</textarea>"} {
		if !strings.Contains(looked.body, want) {
			t.Errorf("after the lookup the form lacks %q", want)
		}
	}
	if looked.status != http.StatusOK || strings.Contains(looked.body, "error-summary") {
		t.Errorf("a lookup is not a failed post: %d", looked.status)
	}
	// From an order's page (?job_order_id=), the order and its employer are filled in.
	fromOrder := b.get("/candidates/" + id + "/consents/new?job_order_id=" + o.ID)
	if !strings.Contains(fromOrder.body, `value="10103940"`) || !strings.Contains(fromOrder.body, `<option value="`+o.ID+`" selected>`) ||
		!strings.Contains(fromOrder.body, `value="order" data-controls="#consent-for-order" checked`) {
		t.Errorf("the form from an order's page:\n%s", fromOrder.body)
	}

	bad := url.Values{"csrf_token": {blank.csrf(t)}, "employer_cvr": {"10103940"}, "purpose": {""}, "method": {"oral"},
		"given_at.day": {"31"}, "given_at.month": {"2"}, "given_at.year": {"2026"}}
	res := b.post("/candidates/"+id+"/consents", bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	for _, want := range []string{`href="#field-target"`, `href="#field-purpose"`, `href="#field-data_categories"`, `href="#field-given_at"`,
		"Vælg, om samtykket gælder en jobordre eller en arbejdsplads.", "Skriv en gyldig dato", `name="given_at.day" value="31"`,
		`name="method" value="oral" checked`, `value="10103940"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	good := url.Values{"csrf_token": {blank.csrf(t)}, "employer_cvr": {"10103940"}, "target": {"order"}, "job_order_id": {o.ID},
		"purpose": {"Formidling til tømrerstillingen"}, "data_categories": {"cv", "contact_details"}, "method": {"written"},
		"given_at.day": {"1"}, "given_at.month": {"12"}, "given_at.year": {"2026"}}
	res = b.post("/candidates/"+id+"/consents", good)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/candidates/"+id+"#consents" {
		t.Fatalf("record: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	page := b.follow(res)
	for _, want := range []string{"Samtykket er registreret.", "Byg &amp; Tag ApS<br>CVR 10103940", `Jobordren <a href="/job-orders/` + o.ID + `">Tømrer til tage</a>`,
		"Formidling til tømrerstillingen · CV, Kontaktoplysninger", "1. december 2026", "Skriftligt", ">Gælder<"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the candidate's page lacks %q", want)
		}
	}
	// A workplace consent names the address and postal code.
	res = b.post("/candidates/"+id+"/consents", url.Values{"csrf_token": {blank.csrf(t)}, "employer_cvr": {"10103940"}, "target": {"workplace"},
		"workplace.address": {"Søren Frichs Vej 38"}, "workplace.postal_code": {"80"}, "purpose": {"Formidling"}, "data_categories": {"cv"}, "method": {"oral"},
		"given_at.day": {"1"}, "given_at.month": {"12"}, "given_at.year": {"2026"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-workplace.postal_code"`) || !strings.Contains(res.body, `value="Søren Frichs Vej 38"`) {
		t.Fatalf("a workplace with a bad postal code: %d\n%s", res.status, res.body)
	}
}

func TestWithdrawingAConsentAsksFirstThenTakesBackTheReferralSentUnderIt(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	o := tc.createOrder("Tømrer til tage")
	id := tc.candidate(caseworker, "Sofie Skjult", false, "Tømrer", "7115", "")
	var k struct{ ID string }
	tc.api(http.MethodPost, "/api/v1/candidates/"+id+"/consents", caseworker, map[string]any{"employer_cvr": "10103940", "job_order_id": o.ID,
		"purpose": "Formidling", "data_categories": []string{"cv"}, "given_at": "2026-11-30T10:00:00Z", "method": "digital"}, http.StatusCreated, &k)
	tc.api(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", caseworker, map[string]any{"candidate_id": id}, http.StatusCreated, nil)
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	page := b.get("/candidates/" + id)
	if !strings.Contains(page.body, `href="/candidates/`+id+`/consents/`+k.ID+`/withdraw"`) || !strings.Contains(page.body, "Sendt til arbejdsgiveren") {
		t.Fatalf("the candidate's page:\n%s", page.body)
	}
	confirm := b.get("/candidates/" + id + "/consents/" + k.ID + "/withdraw")
	for _, want := range []string{"<h1>Træk samtykket tilbage</h1>", "arbejdsgiveren kan ikke længere se CV&#39;et", `action="/candidates/` + id + `/consents/` + k.ID + `/withdraw"`} {
		if !strings.Contains(confirm.body, want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	res := b.post("/candidates/"+id+"/consents/"+k.ID+"/withdraw", url.Values{"csrf_token": {confirm.csrf(t)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d\n%s", res.status, res.body)
	}
	page = b.follow(res)
	for _, want := range []string{"Samtykket er trukket tilbage", ">Trukket tilbage</span>", "Trukket tilbage (samtykket er trukket tilbage)"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after the withdrawal the page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `/consents/`+k.ID+`/withdraw"`) {
		t.Error("a withdrawn consent still offers to be withdrawn")
	}
	var shown struct{ Items []any }
	tc.api(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", employer, nil, http.StatusOK, &shown)
	if len(shown.Items) != 0 {
		t.Errorf("the employer still sees %d CVs", len(shown.Items))
	}
	if res := b.get("/candidates/" + id + "/consents/00000000-0000-0000-0000-000000000000/withdraw"); res.status != http.StatusNotFound {
		t.Errorf("an unknown consent: %d", res.status)
	}
}
