package integration

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

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
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "jobordre"}, workflows.JobOrderWorkflowName,
		workflows.JobOrderInput{JobOrderID: o.ID, ResponsibleJobcenter: "751", OccupationCode: "7115", CreatedAt: time.Now().UTC(),
			Positions: 1, Policy: pol, MaxEventsBeforeContinueAsNew: 25})
	if err != nil {
		t.Fatal(err)
	}
	const n = 120
	actor := workflows.Actor{ID: "caseworker-1", Role: "caseworker"}
	due := time.Now().Add(24 * time.Hour).UTC()
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			fid := fmt.Sprintf("f-%03d", i)
			if err := update(ctx, c, id, workflows.UpdateAddFollowUp, workflows.AddFollowUpInput{Actor: actor, FollowUpID: fid, Due: due}); err != nil {
				errs <- fmt.Errorf("add %s: %w", fid, err)
				return
			}
			if err := update(ctx, c, id, workflows.UpdateCompleteFollowUp, workflows.CompleteFollowUpInput{Actor: actor, FollowUpID: fid}); err != nil {
				errs <- fmt.Errorf("complete %s: %w", fid, err)
			}
		}(i)
		go func() {
			defer wg.Done()
			if err := c.SignalWorkflow(ctx, id, "", workflows.SignalEventRecorded, workflows.EventRecordedSignal{At: time.Now().UTC()}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var live workflows.LiveState
	waitFor(t, 20*time.Second, func() (bool, string) {
		v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryLiveState)
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

func update(ctx context.Context, c client.Client, id, name string, arg any) error {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	var live workflows.LiveState
	return h.Get(ctx, &live)
}
