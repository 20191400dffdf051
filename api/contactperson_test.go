package api

import (
	"net/http"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// orderBody is validOrder changed by f.
func orderBody(f func(map[string]any)) map[string]any {
	b := validOrder()
	f(b)
	return b
}

// fieldsOf lists the fields a 422 names.
func fieldsOf(t *testing.T, r response) []string {
	t.Helper()
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", r.status, r.body)
	}
	var out []string
	for _, e := range problemOf(t, r).Errors {
		out = append(out, e.Field)
	}
	return out
}

func contactEvents(t *testing.T, a *testAPI, orderID string) []models.JobOrderEvent {
	t.Helper()
	var events []models.JobOrderEvent
	if err := a.db.Where("job_order_id = ? AND type = ?", orderID, string(joborder.EventContactPersonChanged)).Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	return events
}

func TestACaseworkerNamesAnUnregisteredCompanyAndTheContactPersonItSpokeTo(t *testing.T) {
	a := newTestAPI(t)
	// Without a name for a CVR nothing is known about, the order is refused and nothing stored.
	r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, orderBody(func(b map[string]any) { delete(b, "company_name") }))
	if f := fieldsOf(t, r); len(f) != 1 || f[0] != "company_name" {
		t.Fatalf("fields %v", f)
	}
	// Bad contact fields and a bad postal code are named together.
	r = a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, orderBody(func(b map[string]any) {
		b["company_postal_code"] = "0001"
		b["contact_person"] = map[string]any{"name": "", "email": "hanne at firma", "phone": "12"}
	}))
	if f := strings.Join(fieldsOf(t, r), ","); f != "company_postal_code,contact_person.name,contact_person.email,contact_person.phone" {
		t.Fatalf("fields %s", f)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, orderBody(func(b map[string]any) {
		b["contact_person"] = map[string]any{"contact_id": "nobody"}
	})); strings.Join(fieldsOf(t, r), ",") != "contact_person.contact_id" {
		t.Fatalf("unknown contact: %s", r.body)
	}
	if n := a.countOrders(); n != 0 {
		t.Fatalf("%d orders stored from bad input", n)
	}
	var n int64
	a.db.Model(&models.Company{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d companies stored from bad input", n)
	}

	o := a.createOrder(caseworker, orderBody(func(b map[string]any) {
		b["company_address"], b["company_postal_code"] = "Industrivej 4", "8200"
		b["contact_person"] = map[string]any{"name": " Hanne Hansen ", "email": "hanne@byg.example", "phone": "+45 86 12 34 56"}
	}))
	if o.CompanyName != "Tømrerfirmaet ApS" || o.ContactPerson == nil || o.ContactPerson.Name != "Hanne Hansen" ||
		o.ContactPerson.Email != "hanne@byg.example" || o.ContactPerson.Phone != "+45 86 12 34 56" {
		t.Fatalf("created: %+v %+v", o, o.ContactPerson)
	}
	var co struct {
		Name, Address      string
		PostalCode         string `json:"postal_code"`
		Registered         bool
		CreatedByJobcenter string `json:"created_by_jobcenter"`
		Contacts           []struct{ ID, Name, Email, Phone string }
	}
	a.do(http.MethodGet, "/api/v1/companies/"+employer.CVR, &caseworker, nil).json(t, &co)
	if co.Name != "Tømrerfirmaet ApS" || co.Address != "Industrivej 4" || co.PostalCode != "8200" || co.Registered || co.CreatedByJobcenter != "751" || len(co.Contacts) != 1 || co.Contacts[0].ID != o.ContactPerson.ID {
		t.Fatalf("company: %+v", co)
	}
	// The name shows in the lists; a second order names the same person by e-mail and gets
	// the same contact, not a copy.
	o2 := a.createOrder(caseworker, orderBody(func(b map[string]any) {
		delete(b, "company_name")
		b["contact_person"] = map[string]any{"name": "Hanne H.", "email": "HANNE@byg.example"}
	}))
	if o2.ContactPerson == nil || o2.ContactPerson.ID != o.ContactPerson.ID {
		t.Fatalf("same person twice: %+v", o2.ContactPerson)
	}
	var list JobOrderList
	a.do(http.MethodGet, "/api/v1/job-orders", &caseworker, nil).json(t, &list)
	if len(list.Items) != 2 || list.Items[0].CompanyName != "Tømrerfirmaet ApS" || list.Items[1].CompanyName != "Tømrerfirmaet ApS" {
		t.Fatalf("list: %+v", list.Items)
	}
	// Another job centre reading a shared order sees the name, not the contact person.
	a.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("sharing", models.SharingNational)
	var shared JobOrderResponse
	r = a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &otherCW, nil)
	r.json(t, &shared)
	if shared.CompanyName != "Tømrerfirmaet ApS" || shared.ContactPerson != nil || strings.Contains(string(r.body), "hanne@") {
		t.Fatalf("other job centre: %s", r.body)
	}
}

func TestTheCompanyTakesOverWhenItRegistersAndItsMainContactGetsTheOrdersWithoutOne(t *testing.T) {
	a := newTestAPI(t)
	without := a.createOrder(caseworker, validOrder())
	if without.ContactPerson != nil {
		t.Fatalf("a contact person out of nowhere: %+v", without.ContactPerson)
	}
	named := a.createOrder(caseworker, orderBody(func(b map[string]any) {
		b["contact_person"] = map[string]any{"name": "Hanne Hansen", "email": "hanne@byg.example"}
	}))
	main := auth.Principal{Subject: "emp-main", Role: auth.RoleEmployer, CVR: employer.CVR, Name: "Mads Jensen", Email: "mads@byg.example"}
	r := a.do(http.MethodPost, "/api/v1/companies", &main, map[string]any{"cvr": employer.CVR, "name": "Byg & Tag ApS", "industry_code": "43.32.00"})
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var co struct {
		Name       string
		Registered bool
		Contacts   []struct {
			ID   string
			Main bool
		}
	}
	r.json(t, &co)
	if co.Name != "Byg & Tag ApS" || !co.Registered || len(co.Contacts) != 2 {
		t.Fatalf("taken over: %s", r.body)
	}
	if r := a.do(http.MethodPost, "/api/v1/companies", &main, map[string]any{"cvr": employer.CVR, "name": "Igen"}); r.status != 409 {
		t.Fatalf("registering twice: %d", r.status)
	}
	var got JobOrderResponse
	a.do(http.MethodGet, "/api/v1/job-orders/"+without.ID, &caseworker, nil).json(t, &got)
	if got.ContactPerson == nil || got.ContactPerson.ID != main.Subject || got.CompanyName != "Byg & Tag ApS" {
		t.Fatalf("order without a contact: %+v", got.ContactPerson)
	}
	if ev := contactEvents(t, a, without.ID); len(ev) != 1 || !strings.Contains(ev[0].Details, joborder.ContactReasonCompanyRegistered) || !ev[0].EmployerVisible {
		t.Fatalf("history: %+v", ev)
	}
	a.do(http.MethodGet, "/api/v1/job-orders/"+named.ID, &caseworker, nil).json(t, &got)
	if got.ContactPerson == nil || got.ContactPerson.Name != "Hanne Hansen" {
		t.Fatalf("the named contact stays: %+v", got.ContactPerson)
	}
	if ev := contactEvents(t, a, named.ID); len(ev) != 0 {
		t.Fatalf("named order's history: %+v", ev)
	}
	// From now on a caseworker's order without a contact person gets the main contact, and a
	// name given for the registered company is not used.
	later := a.createOrder(caseworker, orderBody(func(b map[string]any) { b["company_name"] = "Et andet navn" }))
	if later.ContactPerson == nil || later.ContactPerson.ID != main.Subject || later.CompanyName != "Byg & Tag ApS" {
		t.Fatalf("later order: %+v %q", later.ContactPerson, later.CompanyName)
	}
}

func TestARemovedContactPersonHandsTheirOrdersToTheMainContact(t *testing.T) {
	a := newTestAPI(t)
	main := auth.Principal{Subject: "emp-main", Role: auth.RoleEmployer, CVR: employer.CVR, Name: "Mads Jensen", Email: "mads@byg.example"}
	if r := a.do(http.MethodPost, "/api/v1/companies", &main, map[string]any{"cvr": employer.CVR, "name": "Byg & Tag ApS"}); r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	o := a.createOrder(caseworker, orderBody(func(b map[string]any) {
		b["contact_person"] = map[string]any{"name": "Hanne Hansen", "email": "hanne@byg.example"}
	}))
	hanne := o.ContactPerson.ID
	path := "/api/v1/companies/" + employer.CVR + "/contacts/"
	if r := a.do(http.MethodDelete, path+main.Subject, &main, nil); r.status != 409 {
		t.Fatalf("removing the main contact: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodDelete, path+hanne, &caseworker, nil); r.status != 403 {
		t.Fatalf("a job centre removing a registered company's contact: %d", r.status)
	}
	if r := a.do(http.MethodDelete, path+hanne, &employer, nil); r.status != 403 {
		t.Fatalf("a contact who is not the main contact: %d", r.status)
	}
	if r := a.do(http.MethodDelete, path+"nobody", &main, nil); r.status != 404 {
		t.Fatalf("unknown contact: %d", r.status)
	}
	r := a.do(http.MethodDelete, path+hanne, &main, nil)
	if r.status != 200 || strings.Contains(string(r.body), hanne) {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	var got JobOrderResponse
	a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &caseworker, nil).json(t, &got)
	if got.ContactPerson == nil || got.ContactPerson.ID != main.Subject {
		t.Fatalf("after removal: %+v", got.ContactPerson)
	}
	if ev := contactEvents(t, a, o.ID); len(ev) != 1 || !strings.Contains(ev[0].Details, `"previous_contact_id":"`+hanne+`"`) || !strings.Contains(ev[0].Details, joborder.ContactReasonContactRemoved) {
		t.Fatalf("history: %+v", ev)
	}
	// A removed person can no longer be named.
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/contact-person", &caseworker, map[string]any{"contact_id": hanne}); strings.Join(fieldsOf(t, r), ",") != "contact_id" {
		t.Fatalf("naming a removed contact: %s", r.body)
	}
}

func TestTheJobCentreAndTheCompanyNameTheOrdersContactPerson(t *testing.T) {
	a := newTestAPI(t)
	employer := employer
	employer.Email = "emp-1@byg.example" // the directory stores the address from the token
	o := a.createOrder(employer, validOrder())
	if o.ContactPerson == nil || o.ContactPerson.ID != employer.Subject {
		t.Fatalf("the creating employer is the contact: %+v", o.ContactPerson)
	}
	path := "/api/v1/job-orders/" + o.ID + "/contact-person"
	// The job centre enters the person it spoke to.
	r := a.do(http.MethodPut, path, &caseworker, map[string]any{"name": "Hanne Hansen", "email": "hanne@byg.example", "phone": "86 12 34 56"})
	var got JobOrderResponse
	r.json(t, &got)
	if r.status != 200 || got.ContactPerson == nil || got.ContactPerson.Name != "Hanne Hansen" || got.Live == nil {
		t.Fatalf("set by the job centre: %d %s", r.status, r.body)
	}
	hanne := got.ContactPerson.ID
	// The company hands it back to its own person; an employer cannot enter a new person.
	if r := a.do(http.MethodPut, path, &employer, map[string]any{"name": "Ny Person", "email": "ny@byg.example"}); strings.Join(fieldsOf(t, r), ",") != "contact_id" {
		t.Fatalf("employer entering a person: %s", r.body)
	}
	if r := a.do(http.MethodPut, path, &employer, map[string]any{"contact_id": employer.Subject}); r.status != 200 {
		t.Fatalf("set by the employer: %d %s", r.status, r.body)
	}
	for name, tc := range map[string]struct {
		p      auth.Principal
		body   map[string]any
		status int
		fields string
	}{
		"nothing":          {caseworker, map[string]any{}, 422, "contact_id"},
		"both":             {caseworker, map[string]any{"contact_id": hanne, "name": "X", "email": "x@y.example"}, 422, "contact_id"},
		"another company":  {otherEmployer, map[string]any{"contact_id": hanne}, 404, ""},
		"admin":            {admin, map[string]any{"contact_id": hanne}, 403, ""},
		"a bad e-mail":     {caseworker, map[string]any{"name": "X", "email": "Hanne <h@y.example>"}, 422, "email"},
		"an unknown field": {caseworker, map[string]any{"contact": hanne}, 400, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := a.do(http.MethodPut, path, &tc.p, tc.body)
			if r.status != tc.status {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tc.fields != "" && strings.Join(fieldsOf(t, r), ",") != tc.fields {
				t.Fatalf("fields: %s", r.body)
			}
		})
	}
	ev := contactEvents(t, a, o.ID)
	if len(ev) != 2 || !strings.Contains(ev[0].Details, `"contact_id":"`+hanne+`"`) || !strings.Contains(ev[1].Details, `"previous_contact_id":"`+hanne+`"`) {
		t.Fatalf("history: %+v", ev)
	}
	// Naming the current contact again changes nothing.
	a.do(http.MethodPut, path, &employer, map[string]any{"contact_id": employer.Subject})
	if n := len(contactEvents(t, a, o.ID)); n != 2 {
		t.Fatalf("%d entries after naming the same person", n)
	}
}

func TestTheJobCentreThatStoredAnUnregisteredCompanyRemovesItsContactsAndARemovedContactCanBeAddedAgain(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, orderBody(func(b map[string]any) {
		b["contact_person"] = map[string]any{"name": "Hanne Hansen", "email": "hanne@byg.example"}
	}))
	hanne := o.ContactPerson.ID
	path := "/api/v1/companies/" + employer.CVR + "/contacts/" + hanne
	// Another job centre did not store the company; the company's own people are not its main
	// contact before it registers.
	if r := a.do(http.MethodDelete, path, &otherCW, nil); r.status != 403 {
		t.Fatalf("another job centre: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodDelete, path, &employer, nil); r.status != 403 {
		t.Fatalf("an employer of the unregistered company: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodDelete, path, &caseworker, nil); r.status != 200 {
		t.Fatalf("the job centre that stored it: %d %s", r.status, r.body)
	}
	// No main contact to hand the order to: it has none until the company registers.
	var stored models.JobOrder
	a.db.Take(&stored, "id = ?", o.ID)
	if stored.ContactID != nil {
		t.Fatalf("contact after removal: %v", *stored.ContactID)
	}
	if ev := contactEvents(t, a, o.ID); len(ev) != 1 || !strings.Contains(ev[0].Details, `"contact_id":""`) {
		t.Fatalf("history: %+v", ev)
	}
	// The company registers: its main contact takes the order; a removed person added again by
	// the main contact is a contact once more.
	main := auth.Principal{Subject: "emp-main", Role: auth.RoleEmployer, CVR: employer.CVR, Name: "Mads Jensen", Email: "mads@byg.example"}
	if r := a.do(http.MethodPost, "/api/v1/companies", &main, map[string]any{"cvr": employer.CVR, "name": "Byg & Tag ApS"}); r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	a.db.Take(&stored, "id = ?", o.ID)
	if stored.ContactID == nil || *stored.ContactID != main.Subject {
		t.Fatalf("after registration: %v", stored.ContactID)
	}
	r := a.do(http.MethodPost, "/api/v1/companies/"+employer.CVR+"/contacts", &main, map[string]any{"id": hanne, "name": "Hanne Hansen", "email": "hanne@byg.example", "phone": "+45 86 12 34 56"})
	if r.status != 201 || !strings.Contains(string(r.body), `"phone":"+45 86 12 34 56"`) {
		t.Fatalf("adding the removed contact again: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/contact-person", &caseworker, map[string]any{"contact_id": hanne}); r.status != 200 {
		t.Fatalf("naming her again: %d %s", r.status, r.body)
	}
}
