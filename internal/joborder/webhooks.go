package joborder

import "time"

// Webhook delivery: one WebhookDeliveryWorkflow per feed event and subscription. Its input
// carries the two IDs only; the activity reads the event, the endpoint and its secrets from the
// database.

// WebhookDeliveryWorkflowName is the registered name of the workflow that delivers one event to
// one webhook subscription.
const WebhookDeliveryWorkflowName = "WebhookDeliveryWorkflow"

// WebhookDeliveryWorkflowID is the delivery's workflow ID, made of the subscription and the
// event: starting it again for the same pair is refused, so no event is sent twice.
func WebhookDeliveryWorkflowID(subscriptionID, eventID string) string {
	return "webhook-delivery/" + subscriptionID + "/" + eventID
}

// WebhookDeliveryInput is the delivery workflow's input.
type WebhookDeliveryInput struct {
	SubscriptionID string
	EventID        string
}

// WebhookRetrySchedule is the Standard Webhooks retry schedule: the delay before each attempt
// (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). A Retry-After answer
// lengthens the next delay, never shortens it.
var WebhookRetrySchedule = []time.Duration{
	0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour,
}

// WebhookMaxRetryAfter caps how long a Retry-After answer may delay the next attempt.
const WebhookMaxRetryAfter = 24 * time.Hour

// Outcomes of one webhook delivery attempt (WebhookAttemptResult.Outcome).
const (
	// WebhookDelivered: the endpoint answered 2xx.
	WebhookDelivered = "delivered"
	// WebhookRetry: any other answer, a timeout or a refused connection; try again on schedule
	// (or after RetryAfter).
	WebhookRetry = "retry"
	// WebhookGone: the endpoint answered 410 Gone; the subscription is disabled.
	WebhookGone = "gone"
	// WebhookSkipped: the subscription is disabled or deleted, or the event is gone; nothing sent.
	WebhookSkipped = "skipped"
	// WebhookWaiting: an earlier event of the same order is still on its way to this
	// subscription; nothing sent, and the attempt does not count against the schedule. Events
	// of one order reach a subscription in sequence (data.sequence).
	WebhookWaiting = "waiting"
)

// WebhookMaxOrderWait caps the delivery workflow's pause between two looks at whether an
// earlier event of the order has been delivered (1 s, doubled each time, up to this).
const WebhookMaxOrderWait = 10 * time.Minute

// WebhookAttemptResult is what one delivery attempt came to.
type WebhookAttemptResult struct {
	Outcome string
	// StatusCode is the endpoint's HTTP status (0: no answer).
	StatusCode int
	// RetryAfter is the endpoint's Retry-After (429, 502, 503, 504), 0 when it gave none.
	RetryAfter time.Duration
}

// ErrWebhookAbandoned is the error type of a delivery workflow that used up its schedule; its
// workflow ID may be started again (a replay).
const ErrWebhookAbandoned = "WebhookAbandoned"
