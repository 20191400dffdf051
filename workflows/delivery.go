package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// E-mail delivery. Every Notify writes the outbox rows of one business event; the outbox
// dispatchers (OutboxDispatcherWorkflow, activities.DispatchOutbox) send them, many at a time,
// outside the order's workflow, so a notification costs the order no activity and no workflow
// task of its own (issue #14).
//
// Runs recorded before the dispatchers (deliverVersion) followed every Notify, once it had
// succeeded, by a Deliver of the same idempotency key in its own coroutine with its own retry
// policy, and waited for the deliveries in flight before ending or continuing as new; they
// replay so. Their rows are the dispatchers' too: a row's claim (a compare-and-set) decides who
// sends it, never both.

// deliverChangeID versions the delivery step: histories recorded before it existed replay
// without it (workflow.GetVersion answers DefaultVersion there), those recorded with
// deliverVersion with a Deliver after each Notify; new runs leave delivery to the dispatchers.
const (
	deliverChangeID   = "deliver-outbox"
	deliverVersion    = 1
	dispatcherVersion = 2
)

// DeliverOutboxWorkflow durably delivers one notification's outbox rows with the same retry
// policy the order workflows use.
func DeliverOutboxWorkflow(ctx workflow.Context, in joborder.DeliverOutboxInput) (activities.DeliverResult, error) {
	var res activities.DeliverResult
	err := workflow.ExecuteActivity(deliverCtx(ctx), acts.Deliver, activities.DeliverInput{IdempotencyKey: in.IdempotencyKey}).Get(ctx, &res)
	return res, err
}

// deliverHeartbeatTimeout is how long Deliver may go without a heartbeat: more than one send
// (mail.sendGridTimeout, 30 s) and the writes after it.
const deliverHeartbeatTimeout = 45 * time.Second

// deliverCtx are Deliver's activity options: unlimited attempts with backoff up to 5 minutes
// (a 429 answer sets the next delay itself); a worker without a sender is not retried. A
// permanent refusal is no error: Deliver records it and returns nil.
func deliverCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		// Deliver heartbeats before each row; a worker that dies mid-delivery is noticed
		// after this long instead of the full start-to-close timeout (one send is bounded
		// by the SendGrid client's 30 s).
		HeartbeatTimeout: deliverHeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			MaximumAttempts:        0,
			NonRetryableErrorTypes: []string{joborder.ErrInvalidInput, joborder.ErrMisconfigured},
		},
	})
}

// outbox is the run's delivery bookkeeping.
type outbox struct {
	root     workflow.Context // the workflow's own context: deliveries outlive the handler that caused them
	queued   []queuedDelivery // Notify calls whose Deliver is not started yet
	inFlight int              // Deliver coroutines running
}

type queuedDelivery struct {
	key      string
	notified workflow.Future
}

// executeNotify runs Notify and queues the Deliver of its key; every notification goes through here.
func (r *run) executeNotify(ctx workflow.Context, in activities.NotifyInput) workflow.Future {
	f := r.dbActivity(ctx, acts.Notify, in)
	r.outbox.queued = append(r.outbox.queued, queuedDelivery{key: in.IdempotencyKey, notified: f})
	return f
}

// startDeliveries starts a Deliver for every queued notification, each in its own coroutine that
// first waits for its Notify (a failed Notify has nothing to deliver). wait calls it once the
// futures of a command or timer are done, so the order's projection (coordinator) is written
// before the mail is rendered.
func (r *run) startDeliveries(ctx workflow.Context) {
	if len(r.outbox.queued) == 0 {
		return
	}
	queued := r.outbox.queued
	r.outbox.queued = nil
	if v := workflow.GetVersion(ctx, deliverChangeID, workflow.DefaultVersion, dispatcherVersion); v != deliverVersion {
		return // a history from before e-mail delivery, or the dispatchers deliver
	}
	root := r.outbox.root
	if root == nil {
		root = ctx
	}
	for _, q := range queued {
		r.outbox.inFlight++
		workflow.Go(root, func(gctx workflow.Context) {
			defer func() { r.outbox.inFlight-- }()
			if err := q.notified.Get(gctx, nil); err != nil {
				return
			}
			var res activities.DeliverResult
			err := workflow.ExecuteActivity(deliverCtx(gctx), acts.Deliver, activities.DeliverInput{IdempotencyKey: q.key}).Get(gctx, &res)
			if err != nil {
				r.logger.Warn("delivery stopped", "key", q.key, "error", err)
			}
		})
	}
}

// settled tells whether no update handler and no delivery is still running: the run may end.
func (r *run) settled(ctx workflow.Context) bool {
	return workflow.AllHandlersFinished(ctx) && r.outbox.inFlight == 0
}
