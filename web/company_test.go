package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/models"
)

// The company page of a registered company: its main contact adds a contact person and hands the
// role on (companies.AddContact, HandOver); afterwards the page shows the new main contact and no
// longer offers the forms to the old one, whom the API refuses too. Job-centre staff read it.
func TestCompanyPageMainContactAddsAContactAndHandsTheRoleOn(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	tc.api(http.MethodPost, "/api/v1/companies", employer, map[string]any{"cvr": employer.CVR, "name": "Byg & Tag ApS", "industry_code": "43.32.00"}, http.StatusCreated, nil)
	b := tc.browser()
	b.follow(b.login(tc, employer))
	pg := b.get("/companies/" + employer.CVR)
	if pg.status != http.StatusOK {
		t.Fatalf("status %d\n%s", pg.status, pg.body)
	}
	for _, want := range []string{"<h1>Byg &amp; Tag ApS</h1>", "43.32.00", "Registreret af virksomheden selv", "Hovedkontaktperson: Erik.",
		`action="/companies/10103940/contacts"`, `href="/companies/10103940"`, "<title>Virksomheden Byg &amp; Tag ApS – Jobordre</title>"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("the main contact's page lacks %q", want)
		}
	}
	if strings.Contains(pg.body, `action="/companies/10103940/main-contact"`) {
		t.Error("hand-over offered without another contact to hand to")
	}
	// A refused contact keeps what was typed.
	v := url.Values{"csrf_token": {pg.csrf(t)}, "contact.id": {"emp-3"}, "contact.name": {"Lis Larsen"}, "contact.email": {"lis@"}, "contact.phone": {""}}
	res := b.post("/companies/"+employer.CVR+"/contacts", v)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-contact.email"`) ||
		!strings.Contains(res.body, `value="Lis Larsen"`) || !strings.Contains(res.body, `value="lis@"`) {
		t.Fatalf("a bad e-mail: %d\n%s", res.status, res.body)
	}
	v.Set("contact.email", "lis@firma.dk")
	if res = b.post("/companies/"+employer.CVR+"/contacts", v); res.status != http.StatusSeeOther {
		t.Fatalf("add contact: %d\n%s", res.status, res.body)
	}
	if again := b.post("/companies/"+employer.CVR+"/contacts", v); again.status != http.StatusConflict || !strings.Contains(again.body, "Der findes allerede en kontaktperson") {
		t.Errorf("the same contact again: %d", again.status)
	}
	pg = b.get("/companies/" + employer.CVR)
	if !strings.Contains(pg.body, `<option value="emp-3">Lis Larsen (lis@firma.dk)</option>`) {
		t.Fatalf("the hand-over does not offer the new contact\n%s", pg.body)
	}
	// No choice: the error summary, nothing changed.
	if res = b.post("/companies/"+employer.CVR+"/main-contact", url.Values{"csrf_token": {pg.csrf(t)}, "contact_id": {""}}); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `href="#field-contact_id"`) {
		t.Errorf("hand-over without a choice: %d", res.status)
	}
	if res = b.post("/companies/"+employer.CVR+"/main-contact", url.Values{"csrf_token": {pg.csrf(t)}, "contact_id": {"emp-3"}}); res.status != http.StatusSeeOther {
		t.Fatalf("hand-over: %d\n%s", res.status, res.body)
	}
	var co models.Company
	if err := tc.db.Take(&co, "cvr = ?", employer.CVR).Error; err != nil || co.MainContactID != "emp-3" {
		t.Fatalf("main contact %q, %v; want emp-3", co.MainContactID, err)
	}
	pg = b.get("/companies/" + employer.CVR)
	if !strings.Contains(pg.body, "Hovedkontaktperson: Lis Larsen.") || strings.Contains(pg.body, `action="/companies/10103940/main-contact"`) ||
		strings.Contains(pg.body, `action="/companies/10103940/contacts"`) || !strings.Contains(pg.body, "Kun hovedkontaktpersonen, Lis Larsen,") {
		t.Errorf("after the hand-over the old main contact's page:\n%s", pg.body)
	}
	if res = b.post("/companies/"+employer.CVR+"/main-contact", url.Values{"csrf_token": {pg.csrf(t)}, "contact_id": {employer.Subject}}); res.status != http.StatusForbidden {
		t.Errorf("the old main contact hands over again: %d, want the 403 page", res.status)
	}
	tc.api(http.MethodPut, "/api/v1/companies/"+employer.CVR+"/main-contact", employer, map[string]any{"contact_id": employer.Subject}, http.StatusForbidden, nil)

	// Staff read the page without forms.
	cw := tc.browser()
	cw.follow(cw.login(tc, caseworker))
	staff := cw.get("/companies/" + employer.CVR)
	if staff.status != http.StatusOK || !strings.Contains(staff.body, "Lis Larsen") || strings.Contains(staff.body, "<form method=\"post\" action=\"/companies") {
		t.Errorf("the caseworker's read-only page: %d", staff.status)
	}
	if strings.Contains(staff.body, `href="/companies/`) {
		t.Error("job-centre staff get the employer's menu entry")
	}
}

// Another company's page is the 404 page, as GET /api/v1/companies/{cvr} is 404 to it.
func TestCompanyPageOfAnotherCompanyIsTheNotFoundPage(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	tc.api(http.MethodPost, "/api/v1/companies", employer, map[string]any{"cvr": employer.CVR, "name": "Byg & Tag ApS"}, http.StatusCreated, nil)
	other := auth.Principal{Subject: "emp-9", Role: auth.RoleEmployer, CVR: "24256790", Name: "Eva"}
	b := tc.browser()
	b.follow(b.login(tc, other))
	if pg := b.get("/companies/" + employer.CVR); pg.status != http.StatusNotFound || strings.Contains(pg.body, "Byg &amp; Tag") {
		t.Errorf("another company's page: %d", pg.status)
	}
	if pg := b.get("/companies/12345674"); pg.status != http.StatusNotFound {
		t.Errorf("a CVR nothing is known of, not the caller's: %d", pg.status)
	}
}

// An employer whose company a job centre stored sees the job centre's data and registers the
// company from the page (companies.Register), becoming its main contact; a missing name keeps
// the form with the error summary.
func TestCompanyPageRegistersTheEmployersOwnCompany(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	if err := tc.db.Create(&models.Company{CVR: employer.CVR, Name: "Byg og Tag", CreatedByJobcenter: "751"}).Error; err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.follow(b.login(tc, employer))
	pg := b.get("/companies/" + employer.CVR)
	for _, want := range []string{"Oprettet af Jobcenter Aarhus, ikke registreret af virksomheden selv endnu", `action="/companies"`, `name="name" value="Byg og Tag"`} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("the stored company's page lacks %q", want)
		}
	}
	res := b.post("/companies", url.Values{"csrf_token": {pg.csrf(t)}, "name": {" "}, "industry_code": {"43.32"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-name"`) || !strings.Contains(res.body, `href="#field-industry_code"`) ||
		!strings.Contains(res.body, `value="43.32"`) {
		t.Fatalf("register without a name: %d\n%s", res.status, res.body)
	}
	if res = b.post("/companies", url.Values{"csrf_token": {pg.csrf(t)}, "name": {"Byg & Tag ApS"}}); res.status != http.StatusSeeOther || res.header.Get("Location") != "/companies/"+employer.CVR {
		t.Fatalf("register: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	pg = b.follow(res)
	if !strings.Contains(pg.body, "Virksomheden er registreret, og du er dens hovedkontaktperson.") || !strings.Contains(pg.body, "Hovedkontaktperson: Erik.") {
		t.Errorf("after registering:\n%s", pg.body)
	}
	// Nothing stored at all: its own people still get the page, with the register form.
	fresh := auth.Principal{Subject: "emp-7", Role: auth.RoleEmployer, CVR: "24256790", Name: "Eva"}
	fb := tc.browser()
	fb.follow(fb.login(tc, fresh))
	if pg := fb.get("/companies/24256790"); pg.status != http.StatusOK || !strings.Contains(pg.body, "Vi kender ikke jeres virksomhed endnu") {
		t.Errorf("an unknown own company: %d", pg.status)
	}
}
