package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/internal/joborder"
)

// WebhookDeliveryWorkflow delivers one feed event to one webhook subscription on the Standard
// Webhooks retry schedule (joborder.WebhookRetrySchedule) with durable timers: attempts at once,
// after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, each delay lengthened to the
// endpoint's Retry-After when it sent one. It stops at the first 2xx, when the subscription is
// disabled or deleted, or at a 410 (which disables the subscription). Having used up the
// schedule, or after a 410, it fails with joborder.ErrWebhookAbandoned, so a replay may start the
// same workflow ID again; while it runs or after a success, its ID refuses a second start.
//
// Events of one order reach a subscription in sequence: while an earlier one is still pending
// for the subscription, the activity answers WebhookWaiting and the workflow looks again later,
// without using up an attempt.
//
// The input is two IDs; the activity reads the event, the URL and the secrets from the database.
func WebhookDeliveryWorkflow(ctx workflow.Context, in joborder.WebhookDeliveryInput) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// One attempt's HTTP call is bounded by 15 s; the rest is the database.
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 10,
			NonRetryableErrorTypes: []string{joborder.ErrInvalidInput, joborder.ErrMisconfigured},
		},
	})
	var retryAfter time.Duration
	for i, delay := range joborder.WebhookRetrySchedule {
		if wait := max(delay, retryAfter); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return err
			}
		}
		var res joborder.WebhookAttemptResult
		// An earlier event of the same order still on its way: look again, 1 s later, then
		// doubling up to WebhookMaxOrderWait; the waiting is no attempt of the schedule.
		for pause := time.Second; ; pause = longerPause(pause) {
			res = joborder.WebhookAttemptResult{}
			if err := workflow.ExecuteActivity(actx, acts.AttemptWebhook, in).Get(ctx, &res); err != nil {
				if isMisuse(err) {
					return err
				}
				// The database failed through the activity's own retries: a failed attempt.
				workflow.GetLogger(ctx).Warn("webhook attempt failed", "attempt", i+1, "error", err)
				res = joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry}
			}
			if res.Outcome != joborder.WebhookWaiting {
				break
			}
			if err := workflow.Sleep(ctx, pause); err != nil {
				return err
			}
		}
		switch res.Outcome {
		case joborder.WebhookDelivered, joborder.WebhookSkipped:
			return nil
		case joborder.WebhookGone:
			return temporal.NewNonRetryableApplicationError("the endpoint answered 410 Gone; the subscription is disabled", joborder.ErrWebhookAbandoned, nil)
		}
		retryAfter = res.RetryAfter
	}
	if err := workflow.ExecuteActivity(actx, acts.AbandonWebhook, in).Get(ctx, nil); err != nil {
		return err
	}
	return temporal.NewNonRetryableApplicationError("no attempt on the retry schedule was answered with 2xx", joborder.ErrWebhookAbandoned, nil)
}

// isMisuse tells whether an attempt failed because the worker or the input is wrong, which no
// later attempt mends.
func isMisuse(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && (appErr.Type() == joborder.ErrInvalidInput || appErr.Type() == joborder.ErrMisconfigured)
}

// longerPause doubles the pause between looks at an earlier event, up to WebhookMaxOrderWait.
func longerPause(d time.Duration) time.Duration {
	if d *= 2; d > joborder.WebhookMaxOrderWait {
		return joborder.WebhookMaxOrderWait
	}
	return d
}
