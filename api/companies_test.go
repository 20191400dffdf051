package api

import (
	"net/http"
	"testing"

	"jobordre/internal/auth"
)

func TestTheFirstContactIsTheMainContactAndOnlyTheMainContactEditsTheCompany(t *testing.T) {
	a := newTestAPI(t)
	// A job centre creates an order for the company before it registers.
	o := a.createOrder(caseworker, validOrder())
	r := a.do(http.MethodPost, "/api/v1/companies", &employer, map[string]any{"cvr": employer.CVR, "name": "Tømrerfirmaet ApS", "industry_code": "43.32.00"})
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var c struct {
		Contacts []struct {
			ID   string
			Main bool
		}
	}
	r.json(t, &c)
	if len(c.Contacts) != 1 || !c.Contacts[0].Main || c.Contacts[0].ID != employer.Subject {
		t.Fatalf("main contact: %s", r.body)
	}
	if r := a.do(http.MethodPost, "/api/v1/companies", &employer, map[string]any{"cvr": employer.CVR, "name": "Igen"}); r.status != 409 {
		t.Fatalf("registering twice: %d", r.status)
	}
	colleague := auth.Principal{Subject: "emp-colleague", Role: auth.RoleEmployer, CVR: employer.CVR}
	if r := a.do(http.MethodPost, "/api/v1/companies/"+employer.CVR+"/contacts", &employer, map[string]any{"id": colleague.Subject, "name": "Kollega", "email": "kollega@firma.example"}); r.status != 201 {
		t.Fatalf("add contact: %d %s", r.status, r.body)
	}
	// Every contact reads the company's orders, including the one made before registration.
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &colleague, nil); r.status != 200 {
		t.Fatalf("colleague reading the order: %d", r.status)
	}
	if r := a.do(http.MethodPatch, "/api/v1/companies/"+employer.CVR, &colleague, map[string]any{"name": "Nyt navn"}); r.status != 403 {
		t.Fatalf("a contact who is not the main contact editing: %d", r.status)
	}
	if r := a.do(http.MethodPut, "/api/v1/companies/"+employer.CVR+"/main-contact", &employer, map[string]any{"contact_id": colleague.Subject}); r.status != 200 {
		t.Fatalf("hand over: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPatch, "/api/v1/companies/"+employer.CVR, &colleague, map[string]any{"name": "Nyt navn"}); r.status != 200 {
		t.Fatalf("the new main contact editing: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPatch, "/api/v1/companies/"+employer.CVR, &employer, map[string]any{"name": "Gammelt navn"}); r.status != 403 {
		t.Fatalf("the former main contact editing: %d", r.status)
	}
	for name, body := range map[string]map[string]any{
		"bad industry": {"industry_code": "99.99.99"},
		"empty name":   {"name": ""},
	} {
		if r := a.do(http.MethodPatch, "/api/v1/companies/"+employer.CVR, &colleague, body); r.status != 422 {
			t.Errorf("%s: %d", name, r.status)
		}
	}
	if r := a.do(http.MethodPost, "/api/v1/companies", &otherEmployer, map[string]any{"cvr": employer.CVR, "name": "Kaprer"}); r.status != 422 {
		t.Fatalf("registering another company's CVR: %d", r.status)
	}
}
