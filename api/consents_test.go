package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/models"
)

func consentBody(cvr string, target map[string]any) map[string]any {
	body := map[string]any{"employer_cvr": cvr, "purpose": "Formidling af CV til stillingen", "data_categories": []string{"cv"},
		"given_at": time.Now().Add(-time.Hour).UTC(), "method": "written"}
	for k, v := range target {
		body[k] = v
	}
	return body
}

func TestAConsentNamesOneOrderOfTheEmployerOrOneOfItsWorkplaces(t *testing.T) {
	a := newTestAPI(t)
	order := a.createOrder(employer, validOrder()) // workplace Søren Frichs Vej 38, 8000
	otherOrder := a.createOrder(otherEmployer, func() map[string]any { b := validOrder(); b["company_cvr"] = otherEmployer.CVR; return b }())
	cid := a.candidate(aarhusCW, "Sofie Jensen", false)
	path := "/api/v1/candidates/" + cid + "/consents"
	for name, c := range map[string]struct {
		body  map[string]any
		field string
	}{
		"an order of another employer": {consentBody(employer.CVR, map[string]any{"job_order_id": otherOrder.ID}), "job_order_id"},
		"an order that does not exist": {consentBody(employer.CVR, map[string]any{"job_order_id": "3f6b2c1e-8d4a-4f7b-9c2e-5a1d0b7e9f42"}), "job_order_id"},
		"both an order and a workplace": {consentBody(employer.CVR, map[string]any{"job_order_id": order.ID,
			"workplace": map[string]any{"address": "Søren Frichs Vej 38", "postal_code": "8000"}}), "workplace"},
		"neither":                           {consentBody(employer.CVR, nil), "job_order_id"},
		"a workplace without a postal code": {consentBody(employer.CVR, map[string]any{"workplace": map[string]any{"address": "Søren Frichs Vej 38", "postal_code": ""}}), "workplace.postal_code"},
	} {
		r := a.do(http.MethodPost, path, &aarhusCW, c.body)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", name, r.status, r.body, c.field)
		}
	}
	var n int64
	a.db.Model(&models.Consent{}).Count(&n)
	if n != 0 {
		t.Fatalf("refused consents were stored: %d", n)
	}

	// A workplace consent covers the employer's orders at that address only.
	a.consentAt(aarhusCW, cid, employer.CVR, "søren  frichs vej 38,", "8000")
	if r := a.refer(aarhusCW, order.ID, cid); r.status != http.StatusCreated {
		t.Fatalf("order at the consent's workplace: %d %s", r.status, r.body)
	}
	elsewhere := validOrder()
	elsewhere["workplace"] = map[string]any{"address": "Vestergade 1", "postal_code": "8000", "municipality_code": "751"}
	o2 := a.createOrder(employer, elsewhere)
	if r := a.refer(aarhusCW, o2.ID, cid); r.status != http.StatusUnprocessableEntity || problemOf(t, r).Type != problemType("consent-missing") {
		t.Fatalf("order at another workplace of the employer: %d %s", r.status, r.body)
	}

	// An order consent covers that order only.
	cid2 := a.candidate(aarhusCW, "Bo Madsen", false)
	a.consent(aarhusCW, cid2, employer.CVR, order.ID)
	if r := a.refer(aarhusCW, o2.ID, cid2); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("another order of the employer under an order consent: %d %s", r.status, r.body)
	}
	if r := a.refer(aarhusCW, order.ID, cid2); r.status != http.StatusCreated {
		t.Fatalf("the order the consent names: %d %s", r.status, r.body)
	}
}

func TestACandidatesConsentsAreListedNewestFirstForTheHomeJobcentre(t *testing.T) {
	a := newTestAPI(t)
	order := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Sofie Jensen", false)
	first := a.consentAt(aarhusCW, cid, employer.CVR, "Søren Frichs Vej 38", "8000")
	time.Sleep(10 * time.Millisecond)
	second := a.consent(aarhusCW, cid, employer.CVR, order.ID)
	var list struct {
		Items []struct {
			ID         string
			JobOrderID *string `json:"job_order_id"`
			Workplace  *struct {
				Address    string
				PostalCode string `json:"postal_code"`
			}
		}
	}
	r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/consents", &aarhusCW, nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r.json(t, &list)
	if len(list.Items) != 2 || list.Items[0].ID != second || list.Items[1].ID != first || list.Items[1].Workplace == nil ||
		list.Items[1].Workplace.PostalCode != "8000" || list.Items[0].JobOrderID == nil || *list.Items[0].JobOrderID != order.ID {
		t.Fatalf("consents: %s", r.body)
	}
	if r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/consents", &otherCW, nil); r.status != http.StatusNotFound {
		t.Fatalf("another job centre: %d", r.status)
	}
}

func TestWithdrawingAConsentHidesTheCVsSentUnderItFromTheEmployerAtOnce(t *testing.T) {
	a := newTestAPI(t)
	order := a.createOrder(employer, validOrder())
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", order.ID).Update("coordinator_id", aarhusCW.Subject).Error; err != nil {
		t.Fatal(err)
	}
	cid := a.candidate(aarhusCW, "Sofie Jensen", false)
	consent := a.consent(aarhusCW, cid, employer.CVR, order.ID)
	var ref struct{ ID string }
	r := a.refer(aarhusCW, order.ID, cid)
	if r.status != http.StatusCreated {
		t.Fatalf("refer: %d %s", r.status, r.body)
	}
	r.json(t, &ref)
	if v := a.employerView(employer, order.ID); len(v) != 1 {
		t.Fatalf("before: employer sees %d CVs", len(v))
	}
	if r := a.do(http.MethodDelete, "/api/v1/candidates/"+cid+"/consents/"+consent, &aarhusCW, nil); r.status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	if v := a.employerView(employer, order.ID); len(v) != 0 {
		t.Fatalf("after the withdrawal the employer still sees %+v", v)
	}
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+order.ID+"/referrals/"+ref.ID+"/archive", &employer, map[string]any{"archived": true}); r.status != http.StatusNotFound {
		t.Fatalf("the employer still acts on the hidden referral: %d", r.status)
	}
	var staff struct {
		Items []struct{ ID, Status, WithdrawnReason string }
	}
	a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/referrals", &aarhusCW, nil).json(t, &staff)
	if len(staff.Items) != 1 || staff.Items[0].Status != models.ReferralWithdrawn {
		t.Fatalf("job centre's view: %+v", staff)
	}
	var raw struct {
		Items []map[string]any
	}
	a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/referrals", &aarhusCW, nil).json(t, &raw)
	if raw.Items[0]["withdrawn_reason"] != models.WithdrawnConsent {
		t.Fatalf("withdrawn_reason: %+v", raw.Items[0])
	}
	for _, p := range []struct {
		who  string
		hist string
	}{{"employer", string(a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/history", &employer, nil).body)},
		{"job centre", string(a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/history", &aarhusCW, nil).body)}} {
		if !strings.Contains(p.hist, `"type":"referral-withdrawn"`) || !strings.Contains(p.hist, `"withdrawn_reason":"consent_withdrawn"`) {
			t.Errorf("%s's history lacks the withdrawal: %s", p.who, p.hist)
		}
	}
	// The coordinator is told by mail, once.
	key := joborder.WorkflowID(order.ID) + "/consent-withdrawn/" + ref.ID
	var rows []models.OutboxMessage
	a.db.Where("idempotency_key = ?", key).Find(&rows)
	if len(rows) != 1 || rows[0].Template != joborder.TemplateConsentWithdrawn || rows[0].RecipientID != aarhusCW.Subject ||
		rows[0].RecipientRole != joborder.RecipientCoordinator {
		t.Fatalf("coordinator notice: %+v", rows)
	}
	if !containsID(a.notices.keys(), key) {
		t.Fatalf("the notice was not sent for delivery: %v", a.notices.keys())
	}
	// No new referral can rely on it; a fresh consent brings the candidate back.
	if r := a.refer(aarhusCW, order.ID, cid); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("re-referral on the withdrawn consent: %d %s", r.status, r.body)
	}
	a.consent(aarhusCW, cid, employer.CVR, order.ID)
	if r := a.refer(aarhusCW, order.ID, cid); r.status != http.StatusCreated {
		t.Fatalf("re-referral on a new consent: %d %s", r.status, r.body)
	}
	if v := a.employerView(employer, order.ID); len(v) != 1 {
		t.Fatalf("the employer does not see the CV sent on the new consent: %+v", v)
	}
}
