package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/internal/policy"
	"jobordre/workflows"
)

// A long-running order continues as new many times on a real server without losing any of the
// hundreds of commands and signals sent to it while it does.
func TestLongRunningOrderContinuesAsNewWithoutLosingCommandsOrSignals(t *testing.T) {
	s := startStack(t, stackConfig(t.TempDir(), pgtest.NewDatabase(t)))
	var o order
	created := call(t, http.MethodPost, s.HTTPURL+"/api/v1/job-orders", s.Tokens["caseworker"], readmeOrder())
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	created.decode(t, &o)
	c := temporalClient(t, s)
	ctx := context.Background()

	// A second workflow for the same order, with a small continue-as-new bound.
	id := "job-order-long/" + o.ID
	pol := policy.Defaults()
	pol.WorkingDaysOnly = false
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "jobordre"}, joborder.WorkflowName,
		workflows.JobOrderInput{JobOrderID: o.ID, ResponsibleJobcenter: "751", OccupationCode: "7115", CreatedAt: time.Now().UTC(),
			Positions: 1, Policy: pol, MaxEventsBeforeContinueAsNew: 25})
	if err != nil {
		t.Fatal(err)
	}
	const n = 120
	actor := joborder.Actor{ID: "caseworker-1", Role: "caseworker"}
	due := time.Now().Add(24 * time.Hour).UTC()
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			fid := fmt.Sprintf("f-%03d", i)
			if err := update(ctx, c, id, joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: actor, FollowUpID: fid, Due: due}); err != nil {
				errs <- fmt.Errorf("add %s: %w", fid, err)
				return
			}
			if err := update(ctx, c, id, joborder.UpdateCompleteFollowUp, joborder.CompleteFollowUpInput{Actor: actor, FollowUpID: fid}); err != nil {
				errs <- fmt.Errorf("complete %s: %w", fid, err)
			}
		}(i)
		go func() {
			defer wg.Done()
			if err := c.SignalWorkflow(ctx, id, "", joborder.SignalEventRecorded, joborder.EventRecordedSignal{At: time.Now().UTC()}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var live joborder.LiveState
	waitFor(t, 20*time.Second, func() (bool, string) {
		v, err := c.QueryWorkflow(ctx, id, "", joborder.QueryLiveState)
		if err != nil {
			return false, err.Error()
		}
		if err := v.Get(&live); err != nil {
			return false, err.Error()
		}
		done := 0
		for _, f := range live.FollowUps {
			if f.Done {
				done++
			}
		}
		return len(live.FollowUps) == n && done == n, fmt.Sprintf("%d follow-ups, %d done", len(live.FollowUps), done)
	})
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetExecution().GetRunId() == run.GetRunID() {
		t.Fatal("the order never continued as new")
	}
	checkReplay(t, c, id, "long-running-continued-as-new", personalData...)
}

// update sends a command the way a careful client does: with its own update ID, retrying that
// same ID when waiting for the outcome times out (an update in flight while the run continues as
// new can lose its outcome). The workflow remembers applied update IDs across runs, so a retry is
// never applied twice; the test's exact counts prove it.
func update(ctx context.Context, c client.Client, id, name string, arg any) error {
	updateID := uuid.NewString()
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		var h client.WorkflowUpdateHandle
		h, err = c.UpdateWorkflow(attemptCtx, client.UpdateWorkflowOptions{
			UpdateID: updateID, WorkflowID: id, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			var live joborder.LiveState
			err = h.Get(attemptCtx, &live)
		}
		cancel()
		if err == nil || !isTimeout(err) {
			return err
		}
	}
	return err
}

func isTimeout(err error) bool {
	var timeout *serviceerror.DeadlineExceeded
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &timeout) ||
		strings.Contains(err.Error(), "Timeout or cancellation waiting for update")
}
