package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// Defaults of RetentionWorkflow's input when the schedule leaves them out.
const (
	defaultRetentionBatchSize  = 500
	defaultRetentionMaxBatches = 200
)

// RetentionWorkflow is the daily deletion run the retention schedule starts: for every kind of
// personal data in joborder.RetentionKinds it runs batches (DeleteExpired, each one transaction)
// until a batch comes back short, or MaxBatches ran (the rest is due again tomorrow and the
// result says so). Every batch counts back from the same time, the run's start. It carries kinds
// and counts only, no IDs of people, and never touches the key figures.
func RetentionWorkflow(ctx workflow.Context, in joborder.RetentionInput) (joborder.RetentionResult, error) {
	if in.BatchSize <= 0 {
		in.BatchSize = defaultRetentionBatchSize
	}
	if in.MaxBatches <= 0 {
		in.MaxBatches = defaultRetentionMaxBatches
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	now := workflow.Now(ctx).UnixMilli()
	var a *activities.Activities
	var res joborder.RetentionResult
	for _, kind := range joborder.RetentionKinds {
		if kind == joborder.RetentionInactiveCandidates &&
			workflow.GetVersion(ctx, joborder.RetentionInactiveCandidatesVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			continue // a run recorded before the kind existed
		}
		if kind == joborder.RetentionRemovedContacts &&
			workflow.GetVersion(ctx, joborder.RetentionRemovedContactsVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			continue // a run recorded before the kind existed
		}
		c := joborder.RetentionCount{Kind: kind}
		for {
			if c.Batches == in.MaxBatches {
				c.More = true
				break
			}
			var b joborder.RetentionBatchResult
			err := workflow.ExecuteActivity(ctx, a.DeleteExpired, joborder.RetentionBatchInput{
				Kind: kind, BatchSize: in.BatchSize, NowUnixMilli: now, RemovedContacts: in.RemovedContacts}).Get(ctx, &b)
			if err != nil {
				return res, err
			}
			c.Batches++
			c.Count += b.Count
			if b.Count < in.BatchSize {
				break
			}
		}
		res.Counts = append(res.Counts, c)
	}
	return res, nil
}
