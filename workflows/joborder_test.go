package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"jobordre/internal/temporalx"
	"jobordre/models"
)

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(JobOrderWorkflow, workflowRegisterOptions())
	return env
}

func TestNewOrderIsOpenInternalWithoutCoordinatorAndKeepsRunning(t *testing.T) {
	env := newEnv(t)
	created := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var state LiveState
	// Query after the first workflow task, while the order waits for commands.
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryLiveState)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		if err := v.Get(&state); err != nil {
			t.Fatal(err)
		}
	}, time.Minute)
	// The order has no reason to finish on its own; stop the test run after an hour of workflow time.
	env.SetTestTimeout(10 * time.Second)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Hour)
	env.ExecuteWorkflow(JobOrderWorkflow, JobOrderInput{JobOrderID: "a1", ResponsibleJobcenter: "751", OccupationCode: "7115", CreatedAt: created})

	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not end after cancellation")
	}
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("the open order must still be waiting (ended only by cancellation), got %v", err)
	}
	if state.Status != models.StatusOpen || state.Sharing != models.SharingInternal || state.Coordinator != nil {
		t.Fatalf("new order: got status %q sharing %q coordinator %v", state.Status, state.Sharing, state.Coordinator)
	}
	if state.JobOrderID != "a1" || state.ResponsibleJobcenter != "751" || !state.OpenedAt.Equal(created) {
		t.Fatalf("identity: got %+v", state)
	}
}

func TestNewOrderIndexesStatusSharingAndJobcenter(t *testing.T) {
	env := newEnv(t)
	var upserted temporal.SearchAttributes
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		upserted = args.Get(0).(temporal.SearchAttributes)
	}).Return(nil).Once()
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Minute)
	env.ExecuteWorkflow(JobOrderWorkflow, JobOrderInput{JobOrderID: "a2", ResponsibleJobcenter: "101", CreatedAt: time.Now()})
	env.AssertExpectations(t)
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
	env := newEnv(t)
	env.ExecuteWorkflow(JobOrderWorkflow, JobOrderInput{})
	var appErr *temporal.ApplicationError
	err := env.GetWorkflowError()
	if err == nil || !asApplicationError(err, &appErr) || !appErr.NonRetryable() {
		t.Fatalf("want a non-retryable application error, got %v", err)
	}
}

func TestWorkflowIDRoundTrips(t *testing.T) {
	id := "3f0e5c1a-8a5b-4d6e-9a53-0b8c7f2d1e4a"
	if got := JobOrderWorkflowID(id); got != "job-order/"+id {
		t.Fatalf("workflow ID: %s", got)
	}
	back, ok := JobOrderIDFromWorkflowID(JobOrderWorkflowID(id))
	if !ok || back != id {
		t.Fatalf("round trip: %q %v", back, ok)
	}
	if _, ok := JobOrderIDFromWorkflowID("other/" + id); ok {
		t.Fatal("a foreign workflow ID is not a job order's")
	}
}
