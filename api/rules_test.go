package api

import (
	"net/http"
	"strings"
	"testing"

	"jobordre/internal/joborder"
)

// lastUpdate is the argument of the last update the API sent to a workflow.
func (r *recordingWorkflows) lastUpdate() any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.updateArgs) == 0 {
		return nil
	}
	return r.updateArgs[len(r.updateArgs)-1]
}

// STAR's guide: the job centre's close reasons "cannot be seen by the employer". An employer
// closes (or pauses) its order without one; the order is closed as closed_by_employer.
func TestAnEmployerClosesItsOrderWithoutPickingAnInternalReason(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", &employer, map[string]any{"status": "closed", "reason": "filled"})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"reason"`) || !strings.Contains(string(r.body), "must be left out") {
		t.Fatalf("employer naming a reason: %d %s", r.status, r.body)
	}
	// A reason is refused with every other problem of the request, not alone: here an until,
	// which only a pause takes.
	r = a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", &employer, map[string]any{"status": "closed", "reason": "filled", "until": "2099-01-01T08:00:00Z"})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"reason"`) || !strings.Contains(string(r.body), `"field":"until"`) {
		t.Fatalf("employer naming a reason and an until: %d %s, want both fields named", r.status, r.body)
	}
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", &employer, map[string]any{"status": "closed"}); r.status != http.StatusOK {
		t.Fatalf("employer closing: %d %s", r.status, r.body)
	}
	if in, ok := a.wf.lastUpdate().(joborder.SetStatusInput); !ok || in.Reason != joborder.CloseReasonClosedByEmployer {
		t.Fatalf("the workflow was told %+v, want reason %s", a.wf.lastUpdate(), joborder.CloseReasonClosedByEmployer)
	}
	o2 := a.createOrder(employer, validOrder())
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o2.ID+"/status", &employer, map[string]any{"status": "temporarily_inactive"}); r.status != http.StatusOK {
		t.Fatalf("employer pausing: %d %s", r.status, r.body)
	}
	// The job centre picks one of its own reasons; closed_by_employer is not one of them.
	r = a.do(http.MethodPut, "/api/v1/job-orders/"+o2.ID+"/status", &caseworker, map[string]any{"status": "closed", "reason": joborder.CloseReasonClosedByEmployer})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("job centre picking closed_by_employer: %d %s", r.status, r.body)
	}
}

// Correcting the occupation goes to the workflow, which applies the shortage rule.
func TestCorrectingTheOccupationTellsTheWorkflow(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, validOrder())
	if r := a.do(http.MethodPatch, "/api/v1/job-orders/"+o.ID, &caseworker, map[string]any{"occupation_code": "2221"}); r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if in, ok := a.wf.lastUpdate().(joborder.CorrectDetailsInput); !ok || in.OccupationCode != "2221" {
		t.Fatalf("the workflow was told %+v, want occupation 2221", a.wf.lastUpdate())
	}
}
