package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/retention"
	"jobordre/internal/telemetry"
)

// DeleteExpired runs one batch of the deletion workflow: at most in.BatchSize rows of in.Kind
// whose retention period ran out before in.NowUnixMilli, in one transaction (internal/retention).
// Re-running it after a kill or a lost completion changes nothing twice. The count goes into the
// result and into the process's metrics (telemetry.RetentionDeletedMetric, by kind).
func (a *Activities) DeleteExpired(ctx context.Context, in joborder.RetentionBatchInput) (joborder.RetentionBatchResult, error) {
	d := retention.Deleter{DB: a.DB}
	if in.RemovedContacts != "" {
		p, err := policy.ParseDuration(in.RemovedContacts)
		if err != nil {
			// The period comes from the worker's validated configuration; a bad one will not get
			// better by retrying.
			return joborder.RetentionBatchResult{}, temporal.NewNonRetryableApplicationError(
				"retention: removed_contacts period is not an ISO 8601 duration", joborder.ErrInvalidInput, nil)
		}
		d.RemovedContacts = p
	}
	n, err := d.Batch(ctx, in.Kind, in.BatchSize, time.UnixMilli(in.NowUnixMilli).UTC())
	if err != nil {
		return joborder.RetentionBatchResult{}, err
	}
	if n > 0 && activity.IsActivity(ctx) {
		telemetry.CountRetention(activity.GetMetricsHandler(ctx), in.Kind, n)
	}
	return joborder.RetentionBatchResult{Count: n}, nil
}
