package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jobordre/models"
)

func TestNewOrderFormStartsAsTheServiceWouldCompleteIt(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	form := b.get("/job-orders/new")
	if form.status != http.StatusOK {
		t.Fatalf("status %d\n%s", form.status, form.body)
	}
	for _, want := range []string{"<h1>Opret jobordre</h1>", `<option value="751" selected>Jobcenter Aarhus</option>`, `name="positions" value="1"`,
		`name="kind" value="ordinary" checked`, `<datalist id="isco-unit-groups">`, `<option value="7115 Carpenters and joiners">`,
		`name="company_cvr"`, `name="idempotency_key" value="`, `hx-get="/job-orders/new"`, `name="start_date.day"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if strings.Contains(form.body, `<option value="711 `) {
		t.Error("an order's occupation picker offers groups above unit groups")
	}
	// What htmx asks for as the CVR and the postal code are typed.
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	if res := b.get("/job-orders/new?company_cvr=10103940"); !strings.Contains(res.body, "Virksomhed: Byg &amp; Tag ApS") {
		t.Error("the company's name is not shown for its CVR")
	}
	if res := b.get("/job-orders/new?company_cvr=12345674"); !strings.Contains(res.body, "ikke registreret hos os endnu") {
		t.Error("an unregistered CVR is not said to be one")
	}
	res := b.get("/job-orders/new?workplace.postal_code=8300")
	for _, want := range []string{`<select class="form-select" id="field-workplace.municipality_code" name="workplace.municipality_code"`,
		`<option value="727">Odder</option>`, `<option value="751">Aarhus</option>`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("postal code 8300 lacks %q", want)
		}
	}
	if res := b.get("/job-orders/new?workplace.postal_code=8000"); !strings.Contains(res.body, "Kommune: Aarhus") || strings.Contains(res.body, `name="workplace.municipality_code"`) {
		t.Error("postal code 8000 lies in Aarhus alone")
	}

	eb := tc.browser()
	eb.follow(eb.login(tc, employer))
	form = eb.get("/job-orders/new")
	if form.status != http.StatusOK || strings.Contains(form.body, `name="company_cvr"`) || !strings.Contains(form.body, `<option value="" selected>Ud fra arbejdsstedets kommune</option>`) ||
		!strings.Contains(form.body, "CVR 10103940") || !strings.Contains(form.body, `class="details neworder-optional"`) {
		t.Errorf("the employer's form: %d\n%s", form.status, form.body)
	}
}

func TestNewOrderRefusedAtEachFieldKeepsEverythingTypedAndOffersTheAmbiguousPostalCodesMunicipalities(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	form := b.get("/job-orders/new")
	key := regexpFind(t, form.body, `name="idempotency_key" value="([^"]+)"`)
	v := url.Values{"csrf_token": {form.csrf(t)}, "idempotency_key": {key}, "company_cvr": {"10103940"}, "title": {""},
		"description": {"To tømrere til tage.\nStart i januar."}, "occupation_code": {"7115 Carpenters and joiners"}, "positions": {"to"},
		"kind": {"ordinary"}, "start_date.day": {"30"}, "start_date.month": {"2"}, "start_date.year": {"2027"},
		"workplace.address": {"Rådhuspladsen 1"}, "workplace.postal_code": {"8300"}, "responsible_jobcenter": {"751"}, "wished_coordinator": {"Anna"}}
	res := b.post("/job-orders", v)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	for _, want := range []string{`data-module="error-summary"`, `href="#field-title"`, `href="#field-positions"`, `href="#field-start_date"`,
		`href="#field-workplace.municipality_code"`, "Postnummeret ligger i flere kommuner. Vælg kommunen.", "Skriv antallet af stillinger som et tal",
		`<option value="727">Odder</option>`, `value="to"`, `value="7115 Carpenters and joiners"`, ">To tømrere til tage.\nStart i januar.</textarea>",
		`name="start_date.day" value="30"`, `value="Rådhuspladsen 1"`, `value="8300"`, `value="Anna"`, `name="idempotency_key" value="` + key + `"`,
		"<title>Fejl: Opret jobordre – Jobordre</title>"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	var n int64
	tc.db.Model(&models.JobOrder{}).Count(&n)
	if n != 0 {
		t.Fatalf("a refused form stored %d orders", n)
	}
	v.Set("title", "Tømrer til tage")
	v.Set("company_name", "Byg & Tag ApS")
	v.Set("positions", "2")
	v.Set("start_date.day", "4")
	v.Set("start_date.month", "1")
	v.Set("workplace.municipality_code", "751")
	v.Set("application_deadline.day", "15")
	v.Set("application_deadline.month", "12")
	v.Set("application_deadline.year", "2026")
	res = b.post("/job-orders", v)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/job-orders/") {
		t.Fatalf("create: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	id := strings.TrimPrefix(res.header.Get("Location"), "/job-orders/")
	var o models.JobOrder
	if err := tc.db.Take(&o, "id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	if o.WorkplaceMunicipalityCode != "751" || o.WorkplacePostalCode != "8300" || o.OccupationCode != "7115" || o.Positions != 2 ||
		o.StartDate == nil || o.StartDate.String() != "2027-01-04" || o.ApplicationDeadline.String() != "2026-12-15" || o.ResponsibleJobcenter != "751" ||
		o.WishedCoordinator != "Anna" || o.Description != "To tømrere til tage.\nStart i januar." {
		t.Errorf("stored %+v", o)
	}
	// The same form sent twice (a double click, a reload) makes one order.
	again := b.post("/job-orders", v)
	if again.status != http.StatusSeeOther || again.header.Get("Location") != res.header.Get("Location") {
		t.Errorf("a resent form: %d %s, want the first order", again.status, again.header.Get("Location"))
	}
	// Changed and sent again with the old key: a new order needs a new send, and says so.
	v.Set("title", "Tømrer til vinduer")
	changed := b.post("/job-orders", v)
	if changed.status != http.StatusUnprocessableEntity || !strings.Contains(changed.body, "Formularen var allerede sendt") || strings.Contains(changed.body, `value="`+key+`"`) {
		t.Errorf("a changed resend: %d", changed.status)
	}
	tc.db.Model(&models.JobOrder{}).Count(&n)
	if n != 1 {
		t.Errorf("%d orders stored, want 1", n)
	}
}

func TestNewOrderSaysWhyAWageSubsidyIsNotAJobOrderAndLooksTheCompanyUpWithoutCreating(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	form := b.get("/job-orders/new")
	v := url.Values{"csrf_token": {form.csrf(t)}, "company_cvr": {"10103940"}, "title": {"Løntilskud"}, "description": {"x"}, "occupation_code": {"7115"},
		"positions": {"1"}, "kind": {"other"}, "workplace.address": {"Vej 1"}, "workplace.postal_code": {"8000"}, "responsible_jobcenter": {"751"}}
	res := b.post("/job-orders", v)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-kind"`) || !strings.Contains(res.body, "Løntilskud, fleksjob og lignende er ikke jobordrer") ||
		!strings.Contains(res.body, `name="kind" value="other" checked`) {
		t.Errorf("kind other: %d\n%s", res.status, res.body)
	}
	v.Set("kind", "ordinary")
	v.Set("action", "lookup")
	res = b.post("/job-orders", v)
	if res.status != http.StatusOK || !strings.Contains(res.body, "Virksomhed: Byg &amp; Tag ApS") || strings.Contains(res.body, "error-summary") {
		t.Errorf("lookup: %d", res.status)
	}
	var n int64
	tc.db.Model(&models.JobOrder{}).Count(&n)
	if n != 0 {
		t.Errorf("%d orders stored, want none", n)
	}
}

// regexpFind is the first group of pattern's first match in s.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in\n%s", pattern, s)
	}
	return m[1]
}

func TestNewOrderAsksTheNameOfAnUnknownCompanyAndOffersItsContactPersons(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	// Nothing is known of the CVR: its name is asked for, and a new contact person's fields.
	res := b.get("/job-orders/new?company_cvr=12345674")
	for _, want := range []string{`name="company_name"`, `name="company_address"`, `name="company_postal_code"`, `name="contact_person.name"`,
		`type="email" id="field-contact_person.email"`, `type="tel" id="field-contact_person.phone"`, "får jobordren en kontaktperson, når virksomheden registrerer sig"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("an unknown CVR's form lacks %q", want)
		}
	}
	if strings.Contains(res.body, `name="contact_person.contact_id"`) {
		t.Error("a company without contacts offers a choice of them")
	}
	// A registered company with contacts: no name fields, its contacts to choose from.
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS", MainContactID: "emp-main"}).Error; err != nil {
		t.Fatal(err)
	}
	if err := tc.db.Create(&[]models.CompanyContact{{ID: "emp-main", CVR: "10103940", Name: "Mads Jensen", Email: "mads@byg.example"},
		{ID: "emp-2", CVR: "10103940", Name: "Lone Larsen", Email: "lone@byg.example"}}).Error; err != nil {
		t.Fatal(err)
	}
	res = b.get("/job-orders/new?company_cvr=10103940")
	for _, want := range []string{"Virksomhed: Byg &amp; Tag ApS", `name="contact_person.contact_id"`, `<option value="emp-2">Lone Larsen (lone@byg.example)</option>`,
		`<option value="emp-main">Mads Jensen (mads@byg.example) – hovedkontaktperson</option>`, "bliver virksomhedens hovedkontaktperson kontaktperson"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("a registered company's form lacks %q", want)
		}
	}
	if strings.Contains(res.body, `name="company_name"`) {
		t.Error("a registered company's name is asked for")
	}
	// Choosing a contact and entering a new one as well is refused at the choice.
	form := b.get("/job-orders/new")
	v := url.Values{"csrf_token": {form.csrf(t)}, "company_cvr": {"10103940"}, "title": {"Tømrer"}, "description": {"x"}, "occupation_code": {"7115"},
		"positions": {"1"}, "kind": {"ordinary"}, "workplace.address": {"Vej 1"}, "workplace.postal_code": {"8000"}, "responsible_jobcenter": {"751"},
		"contact_person.contact_id": {"emp-2"}, "contact_person.name": {"Ny Person"}, "contact_person.email": {"ny@byg.example"}}
	res = b.post("/job-orders", v)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-contact_person.contact_id"`) || !strings.Contains(res.body, "ikke begge dele") {
		t.Fatalf("both: %d\n%s", res.status, res.body)
	}
	v.Del("contact_person.name")
	v.Del("contact_person.email")
	res = b.post("/job-orders", v)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.status, res.body)
	}
	var o models.JobOrder
	if err := tc.db.Take(&o, "id = ?", strings.TrimPrefix(res.header.Get("Location"), "/job-orders/")).Error; err != nil {
		t.Fatal(err)
	}
	if o.ContactID == nil || *o.ContactID != "emp-2" {
		t.Errorf("contact %v", o.ContactID)
	}
	page := b.get(res.header.Get("Location"))
	if !strings.Contains(page.body, `Lone Larsen, <a href="mailto:lone@byg.example">`) {
		t.Error("the order's page does not show its contact person")
	}
}
