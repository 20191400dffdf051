package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// How an outbox dispatcher works (activities.DispatchOutbox). Each activity dispatches for
// dispatchPeriod and returns; the workflow starts the next at once, and continues as new after
// dispatchRunsPerHistory of them, so its history stays a few hundred events long.
const (
	dispatchPeriod         = 5 * time.Minute
	dispatchRunsPerHistory = 50
	dispatchBatchSize      = 200
	dispatchConcurrency    = 16
	// dispatchHeartbeatTimeout: a dispatcher whose worker died is noticed this soon and its
	// activity starts again on a live worker. The activity heartbeats after every row and at
	// least every dispatchIdlePoll when idle.
	dispatchHeartbeatTimeout = 20 * time.Second
)

// OutboxDispatcherWorkflow keeps one shard of the mail outbox delivered: it runs DispatchOutbox,
// one bounded activity after another, for as long as the service runs. The worker starts one
// per shard (joborder.OutboxDispatcherWorkflowID) at start-up. Its history holds shard numbers
// and counts only.
func OutboxDispatcherWorkflow(ctx workflow.Context, in joborder.OutboxDispatcherInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: dispatchPeriod + 2*time.Minute,
		HeartbeatTimeout:    dispatchHeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: []string{joborder.ErrInvalidInput},
		},
	})
	var a *activities.Activities
	for range dispatchRunsPerHistory {
		var res activities.DispatchOutboxResult
		err := workflow.ExecuteActivity(ctx, a.DispatchOutbox, activities.DispatchOutboxInput{
			Shard: in.Shard, Shards: in.Shards, For: dispatchPeriod, BatchSize: dispatchBatchSize, Concurrency: dispatchConcurrency,
		}).Get(ctx, &res)
		if err != nil {
			// A non-retryable error (a worker without a sender, bad input): wait and try
			// again, on whichever worker takes it, rather than end the shard's dispatcher,
			// which nothing would start again before the next worker start.
			workflow.GetLogger(ctx).Warn("outbox dispatch stopped", "shard", in.Shard, "error", err)
			if err := workflow.Sleep(ctx, time.Minute); err != nil {
				return err
			}
		}
	}
	return workflow.NewContinueAsNewError(ctx, OutboxDispatcherWorkflow, in)
}
