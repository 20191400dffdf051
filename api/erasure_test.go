package api

import (
	"net/http"
	"strings"
	"testing"

	"jobordre/internal/referrals"
)

// DELETE /api/v1/candidates/{id} erases a candidate of the caller's job centre: without a body,
// with an empty or blank reason or without the field it is 422 naming reason and nothing is
// erased; with a reason it answers the audit record; the employer's list no longer holds the CV,
// the candidate search no longer finds the candidate; a second DELETE is 404.
func TestDeletingACandidateNeedsAReasonErasesThemAndIsNotRepeated(t *testing.T) {
	a := newTestAPI(t)
	id := a.candidate(caseworker, "Karen Slettes", true)
	order := a.createOrder(employer, validOrder()).ID
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+order+"/referrals", &caseworker, map[string]any{"candidate_id": id}); r.status != http.StatusCreated {
		t.Fatalf("refer: %d %s", r.status, r.body)
	}
	for name, body := range map[string]any{"no body": nil, "no field": map[string]any{}, "empty": map[string]any{"reason": ""}, "blank": map[string]any{"reason": "   "}} {
		r := a.do(http.MethodDelete, "/api/v1/candidates/"+id, &caseworker, body)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", name, r.status, r.body)
			continue
		}
		if p := problemOf(t, r); len(p.Errors) != 1 || p.Errors[0].Field != "reason" {
			t.Errorf("%s: %+v, want the problem to name reason", name, p)
		}
	}
	if r := a.do(http.MethodGet, "/api/v1/candidates/"+id, &caseworker, nil); r.status != http.StatusOK {
		t.Fatalf("after the refused deletions: %d", r.status)
	}
	r := a.do(http.MethodDelete, "/api/v1/candidates/"+id, &caseworker, map[string]any{"reason": "Borgerens anmodning"})
	if r.status != http.StatusOK {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	var got referrals.Erasure
	r.json(t, &got)
	if got.CandidateID != id || got.ErasedBy != caseworker.Subject || got.Reason != "Borgerens anmodning" || got.Deleted.Referrals != 1 {
		t.Errorf("answer %+v", got)
	}
	if strings.Contains(string(r.body), "Karen") {
		t.Errorf("the answer names the erased candidate: %s", r.body)
	}
	for _, path := range []string{"/api/v1/candidates/" + id, "/api/v1/candidates?q=Karen"} {
		r := a.do(http.MethodGet, path, &caseworker, nil)
		if strings.Contains(string(r.body), "Karen") || (r.status != http.StatusNotFound && r.status != http.StatusOK) {
			t.Errorf("GET %s after: %d %s", path, r.status, r.body)
		}
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+order+"/referrals", &employer, nil); r.status != http.StatusOK || strings.Contains(string(r.body), "Karen") {
		t.Errorf("the employer's list after: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodDelete, "/api/v1/candidates/"+id, &caseworker, map[string]any{"reason": "Igen"}); r.status != http.StatusNotFound {
		t.Errorf("second DELETE: %d %s, want 404", r.status, r.body)
	}
}
