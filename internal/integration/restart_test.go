package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"jobordre/internal/joborder"
)

// The dev default (SQLite for app data and Temporal, both in the data dir) must survive a stop
// and start: the order, its workflow, and the workflow's state.
func TestOrderAndItsRunningWorkflowSurviveStoppingAndStartingDev(t *testing.T) {
	dir := t.TempDir()
	cfg := stackConfig(dir, "")
	first := startStack(t, cfg)
	created := call(t, http.MethodPost, first.HTTPURL+"/api/v1/job-orders", first.Tokens["employer"], readmeOrder())
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	var o order
	created.decode(t, &o)
	if err := first.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	second := startStack(t, cfg)
	// Tokens are signed with the secret kept in the data dir, so the first stack's still work.
	// The live state may take a few seconds to come back: a workflow task the first stack's worker
	// had in hand (or had on its sticky queue) is only handed to the new worker once it times out
	// (sticky schedule-to-start 5 s, task timeout 10 s), and a query waits behind it. Until then
	// the API answers from the database with live_error, which is what it should do.
	waitFor(t, 30*time.Second, func() (bool, string) {
		var got order
		// The live state is the job centre's view (an employer's answer has none), so a
		// caseworker of the responsible job centre reads it.
		r := call(t, http.MethodGet, second.HTTPURL+"/api/v1/job-orders/"+o.ID, first.Tokens["caseworker"], nil)
		if r.status != 200 {
			t.Fatalf("after restart: %d %s", r.status, r.body)
		}
		r.decode(t, &got)
		if got.ID != o.ID {
			t.Fatalf("after restart: another order: %s", r.body)
		}
		return got.Live != nil && got.Live.Status == "open", string(r.body)
	})
	desc, err := temporalClient(t, second).DescribeWorkflowExecution(context.Background(), joborder.WorkflowID(o.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow after restart: %v", st)
	}
	checkReplay(t, temporalClient(t, second), joborder.WorkflowID(o.ID), "restart-survives", personalData...)
}
