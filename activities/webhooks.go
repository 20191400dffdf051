package activities

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
)

// AttemptWebhook makes one attempt at delivering a feed event to a webhook subscription: the
// sender reads the event, the endpoint and its secrets from the database, signs, sends and
// records the attempt in the delivery log. An HTTP answer is a result; an error means the
// database failed and the attempt may run again.
func (a *Activities) AttemptWebhook(ctx context.Context, in joborder.WebhookDeliveryInput) (joborder.WebhookAttemptResult, error) {
	if a.Webhooks == nil {
		return joborder.WebhookAttemptResult{}, temporal.NewNonRetryableApplicationError("this worker has no webhook sender", joborder.ErrMisconfigured, nil)
	}
	if in.SubscriptionID == "" || in.EventID == "" {
		return joborder.WebhookAttemptResult{}, temporal.NewNonRetryableApplicationError("a delivery needs a subscription and an event", joborder.ErrInvalidInput, nil)
	}
	return a.Webhooks.Attempt(ctx, in.SubscriptionID, in.EventID)
}

// AbandonWebhook records in the delivery log that a delivery used up its retry schedule.
func (a *Activities) AbandonWebhook(ctx context.Context, in joborder.WebhookDeliveryInput) error {
	if a.Webhooks == nil {
		return temporal.NewNonRetryableApplicationError("this worker has no webhook sender", joborder.ErrMisconfigured, nil)
	}
	return a.Webhooks.Abandon(ctx, in.SubscriptionID, in.EventID)
}
