package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// A dispatcher runs one bounded DispatchOutbox after another for its shard, goes on after an
// activity that failed for good (after a pause), and continues as new after
// dispatchRunsPerHistory of them.
func TestTheOutboxDispatcherKeepsDispatchingItsShardAndContinuesAsNew(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(OutboxDispatcherWorkflow, workflow.RegisterOptions{Name: joborder.OutboxDispatcherWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	var a *activities.Activities
	var calls []activities.DispatchOutboxInput
	env.OnActivity(a.DispatchOutbox, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DispatchOutboxInput) (activities.DispatchOutboxResult, error) {
		calls = append(calls, in)
		if len(calls) == 3 {
			return activities.DispatchOutboxResult{}, temporal.NewNonRetryableApplicationError("no sender", joborder.ErrMisconfigured, nil)
		}
		return activities.DispatchOutboxResult{Delivered: 1}, nil
	})
	env.ExecuteWorkflow(joborder.OutboxDispatcherWorkflowName, joborder.OutboxDispatcherInput{Shard: 1, Shards: 2})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the dispatcher ended with %v, want continue-as-new", err)
	}
	if len(calls) != dispatchRunsPerHistory {
		t.Fatalf("%d dispatch runs, want %d", len(calls), dispatchRunsPerHistory)
	}
	for _, in := range calls {
		if in.Shard != 1 || in.Shards != 2 || in.For != dispatchPeriod || in.BatchSize != dispatchBatchSize || in.Concurrency != dispatchConcurrency {
			t.Fatalf("dispatch input %+v", in)
		}
	}
	if can.WorkflowType.Name != joborder.OutboxDispatcherWorkflowName {
		t.Fatalf("continued as %s", can.WorkflowType.Name)
	}
	if id := joborder.OutboxDispatcherWorkflowID(1); id != "outbox-dispatcher/1" {
		t.Fatal(id)
	}
}
