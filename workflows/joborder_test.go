package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/internal/temporalx"
	"jobordre/models"
)

func TestNewOrderIsOpenInternalWithoutCoordinatorAndKeepsRunning(t *testing.T) {
	h := newHarness(t)
	var state joborder.LiveState
	h.queryAt(time.Minute, &state)
	in := input("a1")
	in.Policy = policy0() // the zero policy means the defaults
	h.run(in, time.Hour)
	if err := h.env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("the open order must still be waiting (ended only by cancellation), got %v", err)
	}
	if state.Status != models.StatusOpen || state.Sharing != models.SharingInternal || state.Coordinator != nil {
		t.Fatalf("new order: got status %q sharing %q coordinator %v", state.Status, state.Sharing, state.Coordinator)
	}
	if state.JobOrderID != "a1" || state.ResponsibleJobcenter != "751" || !state.OpenedAt.Equal(created) {
		t.Fatalf("identity: got %+v", state)
	}
	if !state.Policy.WorkingDaysOnly || state.Policy.EscalateAfter != 3 {
		t.Fatalf("zero policy should become the defaults: %+v", state.Policy)
	}
}

func TestNewOrderTellsCaseworkersAndEmployer(t *testing.T) {
	h := newHarness(t)
	h.run(input("a1"), time.Minute)
	if got := h.sent(joborder.TemplateNewOrder); len(got) != 1 || got[0].Role != "caseworkers" || got[0].Key != "job-order/a1/new-order/1" || got[0].At != 0 {
		t.Errorf("new_order: %+v", got)
	}
	if got := h.sent(joborder.TemplateOrderReceived); len(got) != 1 || got[0].Role != "employer" || got[0].Key != "job-order/a1/order-received/1" {
		t.Errorf("order_received: %+v", got)
	}
}

func TestNewOrderIndexesStatusSharingAndJobcenter(t *testing.T) {
	h := newHarness(t)
	var upserted temporal.SearchAttributes
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		upserted = args.Get(0).(temporal.SearchAttributes)
	}).Return(nil).Once()
	in := input("a2")
	in.ResponsibleJobcenter = "101"
	h.run(in, time.Minute)
	h.env.AssertExpectations(t)
	for key, want := range map[string]string{
		temporalx.SAStatus:               models.StatusOpen,
		temporalx.SASharingLevel:         models.SharingInternal,
		temporalx.SAResponsibleJobcenter: "101",
	} {
		got, ok := upserted.GetKeyword(temporal.NewSearchAttributeKeyKeyword(key))
		if !ok || got != want {
			t.Errorf("search attribute %s: got %q (set %v), want %q", key, got, ok, want)
		}
	}
	if _, ok := upserted.GetKeyword(temporal.NewSearchAttributeKeyKeyword(temporalx.SACoordinator)); ok {
		t.Error("a new order has no coordinator to index")
	}
}

func TestInputWithoutIDsFailsWithoutRetry(t *testing.T) {
	h := newHarness(t)
	h.env.ExecuteWorkflow(JobOrderWorkflow, JobOrderInput{})
	var appErr *temporal.ApplicationError
	err := h.env.GetWorkflowError()
	if err == nil || !asApplicationError(err, &appErr) || !appErr.NonRetryable() {
		t.Fatalf("want a non-retryable application error, got %v", err)
	}
}

func TestWorkflowIDRoundTrips(t *testing.T) {
	id := "3f0e5c1a-8a5b-4d6e-9a53-0b8c7f2d1e4a"
	if got := joborder.WorkflowID(id); got != "job-order/"+id {
		t.Fatalf("workflow ID: %s", got)
	}
	back, ok := joborder.IDFromWorkflowID(joborder.WorkflowID(id))
	if !ok || back != id {
		t.Fatalf("round trip: %q %v", back, ok)
	}
	if _, ok := joborder.IDFromWorkflowID("other/" + id); ok {
		t.Fatal("a foreign workflow ID is not a job order's")
	}
}
