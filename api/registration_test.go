package api

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// Case systems as clients (issue #16 point 4): a system of job centre 751 registers orders by
// its own key, and acts as the job centre on them.
var (
	system751 = auth.Principal{Subject: "momentum-751", Role: auth.RoleSystem, Jobcenter: "751", Name: "KMD Momentum Aarhus"}
	system101 = auth.Principal{Subject: "momentum-101", Role: auth.RoleSystem, Jobcenter: "101"}
)

func registration(externalID string) map[string]any {
	body := validOrder()
	body["source_system"] = "momentum"
	body["external_id"] = externalID
	return body
}

func (a *testAPI) historyTypes(orderID string) []string {
	a.t.Helper()
	var types []string
	if err := a.db.Model(&models.JobOrderEvent{}).Where("job_order_id = ?", orderID).Order("id").Pluck("type", &types).Error; err != nil {
		a.t.Fatal(err)
	}
	return types
}

func TestTheSameSystemRegistrationTwiceGivesOneOrderWith200(t *testing.T) {
	a := newTestAPI(t)
	first := a.do(http.MethodPost, "/api/v1/job-orders", &system751, registration("JO-1"))
	if first.status != http.StatusCreated {
		t.Fatalf("first registration: %d %s", first.status, first.body)
	}
	var o JobOrderResponse
	first.json(t, &o)
	if o.SourceSystem != "momentum" || o.ExternalID != "JO-1" || o.ResponsibleJobcenter != "751" {
		t.Fatalf("registered order: %+v", o)
	}
	again := a.do(http.MethodPost, "/api/v1/job-orders", &system751, registration("JO-1"))
	if again.status != http.StatusOK {
		t.Fatalf("the same registration again: %d %s, want 200", again.status, again.body)
	}
	var o2 JobOrderResponse
	again.json(t, &o2)
	if o2.ID != o.ID || again.header.Get("Location") != "/api/v1/job-orders/"+o.ID {
		t.Fatalf("the second registration answered order %s (Location %q), want %s", o2.ID, again.header.Get("Location"), o.ID)
	}
	if n := a.countOrders(); n != 1 {
		t.Fatalf("%d orders after registering the same order twice, want 1", n)
	}
	if n := a.wf.startedCount(); n != 1 {
		t.Fatalf("%d workflows started, want 1", n)
	}
	if types := a.historyTypes(o.ID); slices.Contains(types, string(joborder.EventDetailsCorrected)) || types[0] != string(joborder.EventCreated) {
		t.Fatalf("an unchanged registration must record nothing: history %v", types)
	}
	// Another external_id is another order.
	if r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, registration("JO-2")); r.status != http.StatusCreated {
		t.Fatalf("another external_id: %d %s", r.status, r.body)
	}
}

func TestAChangedSystemRegistrationCorrectsTheOrder(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(system751, registration("JO-7"))
	changed := registration("JO-7")
	changed["title"] = "Tømrer til tagrenovering"
	changed["positions"] = 3
	delete(changed, "start_date") // a registration is the whole order: no start date any more
	r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, changed)
	if r.status != http.StatusOK {
		t.Fatalf("changed registration: %d %s", r.status, r.body)
	}
	var got JobOrderResponse
	r.json(t, &got)
	if got.ID != o.ID || got.Title != "Tømrer til tagrenovering" || got.Positions != 3 || got.StartDate != nil {
		t.Fatalf("the changed registration answered %+v", got)
	}
	var stored models.JobOrder
	if err := a.db.Take(&stored, "id = ?", o.ID).Error; err != nil {
		t.Fatal(err)
	}
	if stored.Title != "Tømrer til tagrenovering" || stored.Positions != 3 || stored.StartDate != nil {
		t.Fatalf("stored after the change: title %q positions %d start %v", stored.Title, stored.Positions, stored.StartDate)
	}
	// Positions move the workflow's deadlines, so the correction went to the workflow, with
	// exactly the changed fields, as a PATCH would have sent it.
	i := slices.Index(a.wf.updates, joborder.UpdateCorrectDetails)
	if i < 0 {
		t.Fatalf("no %s update sent; updates %v", joborder.UpdateCorrectDetails, a.wf.updates)
	}
	in := a.wf.updateArgs[i].(joborder.CorrectDetailsInput)
	if in.Positions != 3 || in.Actor.ID != system751.Subject || in.Actor.Role != auth.RoleSystem ||
		!slices.Equal(in.Fields, []string{"title", "positions", "start_date"}) {
		t.Fatalf("correction sent: %+v", in)
	}
	if n := a.countOrders(); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

func TestConcurrentSystemRegistrationsOfOneOrderStoreOne(t *testing.T) {
	a := newTestAPI(t)
	const n = 6
	var wg sync.WaitGroup
	results := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = a.do(http.MethodPost, "/api/v1/job-orders", &system751, registration("JO-RACE"))
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	created := 0
	for _, r := range results {
		if r.status != http.StatusCreated && r.status != http.StatusOK {
			t.Fatalf("a concurrent registration answered %d %s", r.status, r.body)
		}
		if r.status == http.StatusCreated {
			created++
		}
		var o JobOrderResponse
		r.json(t, &o)
		ids[o.ID] = true
	}
	if len(ids) != 1 || created != 1 || a.countOrders() != 1 {
		t.Fatalf("%d concurrent registrations: %d order IDs, %d answered 201, %d stored; want 1, 1, 1", n, len(ids), created, a.countOrders())
	}
}

func TestSourceSystemAndExternalIDAreRequiredFromSystemsAndRefusedFromOthers(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, validOrder())
	if p := problemOf(t, r); r.status != http.StatusUnprocessableEntity || !namesField(p, "source_system") || !namesField(p, "external_id") {
		t.Fatalf("a system registration without its key: %d %s", r.status, r.body)
	}
	for _, p := range []auth.Principal{caseworker, employer} {
		r := a.do(http.MethodPost, "/api/v1/job-orders", &p, registration("JO-3"))
		if pr := problemOf(t, r); r.status != http.StatusUnprocessableEntity || !namesField(pr, "source_system") || !namesField(pr, "external_id") {
			t.Fatalf("%s sending a case system's key: %d %s", p.Role, r.status, r.body)
		}
	}
	bad := registration("JO-4")
	bad["source_system"] = "KMD Momentum"
	if r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, bad); r.status != http.StatusUnprocessableEntity || !namesField(problemOf(t, r), "source_system") {
		t.Fatalf("a source_system with a space: %d %s", r.status, r.body)
	}
	if n := a.countOrders(); n != 0 {
		t.Fatalf("%d orders stored by refused registrations", n)
	}
}

func TestARegistrationNamingAnotherJobcentresOrderIsAConflict(t *testing.T) {
	a := newTestAPI(t)
	a.createOrder(system751, registration("JO-5"))
	body := registration("JO-5")
	body["responsible_jobcenter"] = "101"
	body["workplace"] = map[string]any{"address": "Rådhuspladsen 1", "postal_code": "1550"}
	r := a.do(http.MethodPost, "/api/v1/job-orders", &system101, body)
	if r.status != http.StatusConflict || !namesField(problemOf(t, r), "external_id") {
		t.Fatalf("101's system registering 751's key: %d %s", r.status, r.body)
	}
	if n := a.countOrders(); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

func TestARegistrationCannotMoveTheOrderToAnotherCompany(t *testing.T) {
	a := newTestAPI(t)
	a.createOrder(system751, registration("JO-6"))
	body := registration("JO-6")
	body["company_cvr"] = otherEmployer.CVR
	r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, body)
	if r.status != http.StatusUnprocessableEntity || !namesField(problemOf(t, r), "company_cvr") {
		t.Fatalf("a registration with another CVR: %d %s", r.status, r.body)
	}
}

func TestASystemActsAsItsJobcentreOnItsOrders(t *testing.T) {
	a := newTestAPI(t)
	own := a.createOrder(caseworker, validOrder()) // 751's order, not registered by the system
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+own.ID, &system751, nil); r.status != http.StatusOK {
		t.Fatalf("751's system reading 751's order: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+own.ID+"/notes", &system751, map[string]any{"text": "Fra Momentum", "visibility": "internal"}); r.status != http.StatusCreated {
		t.Fatalf("751's system writing a note: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPatch, "/api/v1/job-orders/"+own.ID, &system751, map[string]any{"title": "Tømrer, rettet fra Momentum"}); r.status != http.StatusOK {
		t.Fatalf("751's system correcting details: %d %s", r.status, r.body)
	}
	// Another job centre's system sees 751's internal order as nobody's.
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+own.ID, &system101, nil); r.status != http.StatusNotFound {
		t.Fatalf("101's system reading 751's internal order: %d", r.status)
	}
	var list JobOrderList
	r := a.do(http.MethodGet, "/api/v1/job-orders", &system101, nil)
	r.json(t, &list)
	if r.status != http.StatusOK || listHas(list, own.ID) {
		t.Fatalf("101's system's list holds 751's internal order: %d %s", r.status, r.body)
	}
	// What only a person does stays with people.
	if r := a.do(http.MethodGet, "/api/v1/candidates?q=tømrer", &system751, nil); r.status != http.StatusForbidden {
		t.Fatalf("a system searching candidates: %d %s", r.status, r.body)
	}
}

func TestARegistrationOfAClosedOrderAnswersUnchangedButRefusesAChange(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(system751, registration("JO-8"))
	// The workflow stand-in projects nothing, so the order is closed where the workflow's
	// projection would close it: in the stored row.
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("status", models.StatusClosed).Error; err != nil {
		t.Fatal(err)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, registration("JO-8")); r.status != http.StatusOK {
		t.Fatalf("an unchanged registration of a closed order: %d %s", r.status, r.body)
	}
	changed := registration("JO-8")
	changed["title"] = "Tømrer, ny titel"
	r := a.do(http.MethodPost, "/api/v1/job-orders", &system751, changed)
	if r.status != http.StatusConflict || problemOf(t, r).Type != problemType("command-rejected") {
		t.Fatalf("a changed registration of a closed order: %d %s", r.status, r.body)
	}
}
