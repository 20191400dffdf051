package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jobordre/models"
)

// The employer's new-order form asks only what STAR's guide asks of the company: the task, the
// workplace and the responsible job centre. "Find jobcenter" (a plain form post, no JavaScript)
// pre-selects the job centre serving the postal code with everything typed kept; a job centre the
// employer chose stays chosen, one only suggested follows a new postal code.
func TestEmployersNewOrderPreselectsTheJobcentreOfThePostalCodeAndKeepsTheEmployersChoice(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, employer))
	form := b.get("/job-orders/new")
	if form.status != http.StatusOK {
		t.Fatalf("status %d\n%s", form.status, form.body)
	}
	for _, want := range []string{`name="action" value="lookup"`, ">Find jobcenter</button>", `<details class="details neworder-optional">`,
		"Valgfrit – flere oplysninger om jobbet"} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the employer's form lacks %q", want)
		}
	}
	// Required: the task, the workplace; the title, occupation and positions are not.
	for name, required := range map[string]bool{"description": true, "workplace.address": true, "workplace.postal_code": true,
		"title": false, "occupation_code": false, "positions": false} {
		tag := regexpFind(t, form.body, `(<(?:input|textarea)[^>]* name="`+regexp.QuoteMeta(name)+`"[^>]*>)`)
		if strings.Contains(tag, " required") != required {
			t.Errorf("%s: %s, want required=%v", name, tag, required)
		}
	}
	for _, unwanted := range []string{`name="company_cvr"`, `name="kind"`, `name="contact_person.name"`} {
		if strings.Contains(form.body, unwanted) {
			t.Errorf("the employer's form has %q", unwanted)
		}
	}
	key := regexpFind(t, form.body, `name="idempotency_key" value="([^"]+)"`)
	v := url.Values{"csrf_token": {form.csrf(t)}, "idempotency_key": {key}, "jobcenter_suggested": {""}, "action": {"lookup"},
		"description": {"Vi søger en tømrer.\nGerne med erfaring."}, "workplace.address": {"Søren Frichs Vej 38"}, "workplace.postal_code": {"8000"},
		"responsible_jobcenter": {""}, "title": {""}, "positions": {""}}
	look := b.post("/job-orders", v)
	for _, want := range []string{`<option value="751" selected>Jobcenter Aarhus</option>`, "Foreslået ud fra postnummer 8000: Jobcenter Aarhus.",
		`name="jobcenter_suggested" value="751"`, ">Vi søger en tømrer.\nGerne med erfaring.</textarea>", `value="Søren Frichs Vej 38"`, "Kommune: Aarhus"} {
		if !strings.Contains(look.body, want) {
			t.Errorf("after Find jobcenter the form lacks %q", want)
		}
	}
	if look.status != http.StatusOK || strings.Contains(look.body, `data-module="error-summary"`) {
		t.Errorf("Find jobcenter: %d, or it shows errors", look.status)
	}
	// Only suggested: a new postal code moves it.
	v.Set("jobcenter_suggested", "751")
	v.Set("responsible_jobcenter", "751")
	v.Set("workplace.postal_code", "1620")
	if moved := b.post("/job-orders", v); !strings.Contains(moved.body, `<option value="101" selected>`) || !strings.Contains(moved.body, `name="jobcenter_suggested" value="101"`) {
		t.Error("a suggested job centre does not follow the new postal code")
	}
	// Chosen by the employer: it stays.
	v.Set("responsible_jobcenter", "461")
	if kept := b.post("/job-orders", v); !strings.Contains(kept.body, `<option value="461" selected>`) || !strings.Contains(kept.body, "Foreslået ud fra postnummer 1620: Jobcenter København.") {
		t.Error("the employer's own choice of job centre is not kept")
	}
	// A postal code in two municipalities: nothing is suggested until the municipality is chosen.
	v.Set("responsible_jobcenter", "")
	v.Set("jobcenter_suggested", "")
	v.Set("workplace.postal_code", "8300")
	amb := b.post("/job-orders", v)
	if !strings.Contains(amb.body, `<option value="727">Odder</option>`) || strings.Contains(amb.body, "Foreslået ud fra") {
		t.Error("8300 lies in Odder and Aarhus: the municipality is asked for first")
	}
	v.Set("workplace.municipality_code", "727")
	if chosen := b.post("/job-orders", v); !strings.Contains(chosen.body, `<option value="727" selected>Jobcenter Odder</option>`) {
		t.Error("the chosen municipality's job centre is not pre-selected")
	}

	// Sent with only the required fields: the order goes to the pre-selected job centre, with
	// the description's first line as its title and one position.
	v.Del("action")
	v.Set("workplace.postal_code", "8000")
	v.Del("workplace.municipality_code")
	v.Set("responsible_jobcenter", "751")
	res := b.post("/job-orders", v)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/job-orders/") {
		t.Fatalf("create: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	var o models.JobOrder
	if err := tc.db.Take(&o, "id = ?", strings.TrimPrefix(res.header.Get("Location"), "/job-orders/")).Error; err != nil {
		t.Fatal(err)
	}
	if o.CompanyCVR != employer.CVR || o.ResponsibleJobcenter != "751" || o.Title != "Vi søger en tømrer." || o.Positions != 1 || o.OccupationCode != "" ||
		o.WorkplaceMunicipalityCode != "751" || o.Kind != models.KindOrdinary {
		t.Errorf("stored %+v", o)
	}
}

// A refused employer's form shows the design system's error summary with everything typed kept;
// an error in the optional group opens it, so the summary's link lands on a visible field.
func TestEmployersNewOrderRefusedShowsTheErrorSummaryAndKeepsWhatWasTyped(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, employer))
	form := b.get("/job-orders/new")
	v := url.Values{"csrf_token": {form.csrf(t)}, "idempotency_key": {regexpFind(t, form.body, `name="idempotency_key" value="([^"]+)"`)},
		"description": {""}, "workplace.address": {"Søren Frichs Vej 38"}, "workplace.postal_code": {"8000"}, "responsible_jobcenter": {"101"},
		"title": {""}, "positions": {""}}
	res := b.post("/job-orders", v)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	// The title comes from the description: only the description is asked for.
	if strings.Contains(res.body, `href="#field-title"`) {
		t.Error("an employer without a description is asked for a title too")
	}
	v.Set("title", "Tømrer")
	res = b.post("/job-orders", v)
	for _, want := range []string{`data-module="error-summary"`, `href="#field-description"`, "Beskriv opgaven (højst 5.000 tegn).",
		`value="Søren Frichs Vej 38"`, `value="8000"`, `<option value="101" selected>`, `name="title" value="Tømrer"`, `<details class="details neworder-optional">`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	v.Set("description", "Vi søger en tømrer.")
	v.Set("positions", "to")
	res = b.post("/job-orders", v)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-positions"`) || !strings.Contains(res.body, `<details class="details neworder-optional" open>`) {
		t.Errorf("positions as text: %d, the optional group not open or no link to the field", res.status)
	}
	// No job centre serves the municipality: the employer is asked to choose one, in its own words.
	if err := tc.db.Where("municipality_code = ?", "751").Delete(&models.JobcenterMunicipality{}).Error; err != nil {
		t.Fatal(err)
	}
	v.Set("positions", "")
	v.Set("responsible_jobcenter", "")
	res = b.post("/job-orders", v)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Vælg det jobcenter, der skal have jobordren.") {
		t.Errorf("no job centre serving the workplace: %d\n%s", res.status, res.body)
	}
	var n int64
	tc.db.Model(&models.JobOrder{}).Count(&n)
	if n != 0 {
		t.Fatalf("refused forms stored %d orders", n)
	}
}
