package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// The outbox dispatcher (issue #14): instead of one Deliver activity, with its workflow tasks,
// per notification, a few long-running DispatchOutbox activities (one per shard of the outbox,
// each in its own OutboxDispatcherWorkflow) take every due row through the same state machine
// as Deliver (deliverRow), many at a time. A reminder then costs its order's workflow one
// workflow task (the timer, the local activities that write the event and the outbox rows) and
// the mail costs Temporal nothing more. The exactly-once analysis is Deliver's (docs/email.md):
// a row is claimed (pending → sending, attempts+1) by a compare-and-set before the provider is
// called, so two dispatchers, or a dispatcher and an old run's Deliver, never both send it.

// sendingStaleAfter is how long a row may stay sending before a dispatcher treats its attempt
// as interrupted: longer than one send (mail.sendGridTimeout, 30 s) plus the writes after it
// (postSendTimeout), so an attempt still in progress elsewhere is never taken for a dead one.
const sendingStaleAfter = 90 * time.Second

// dispatchIdlePoll is how often an idle dispatcher looks for new rows when nothing woke it: a
// row written by another worker process waits at most this long.
const dispatchIdlePoll = 250 * time.Millisecond

// Retry delays of a row the provider did not take (429, 5xx, no answer) when it named none:
// doubling from dispatchRetryBase up to dispatchRetryMax, like deliverCtx's retry policy.
const (
	dispatchRetryBase = 2 * time.Second
	dispatchRetryMax  = 5 * time.Minute
)

// DispatchOutboxInput says which rows a dispatcher owns and how it works.
type DispatchOutboxInput struct {
	// Shard of Shards: the dispatcher takes the rows whose ID modulo Shards is Shard.
	Shard, Shards int
	// For is how long the activity keeps dispatching before it returns; its workflow then
	// starts the next one (a bounded activity keeps retries and history small).
	For time.Duration
	// BatchSize is how many due rows one query takes; Concurrency how many are sent at once.
	BatchSize, Concurrency int
}

// DispatchOutboxResult counts what one DispatchOutbox call did. Counts only: it is kept in the
// dispatcher's history.
type DispatchOutboxResult struct {
	Delivered int // rows handed to the provider (or found already accepted)
	Failed    int // rows the provider refused for good
	Notices   int // delivery_failed notices written about refused rows
	Later     int // attempts the provider did not take yet (the row is due again later)
}

func (r *DispatchOutboxResult) add(out outcome) {
	switch out.kind {
	case outcomeDelivered:
		r.Delivered++
	case outcomeFailed:
		r.Failed++
		r.Notices += out.notices
	case outcomeLater:
		r.Later++
	}
}

// OutboxWaker wakes the dispatchers of this process when rows were written, so a mail written
// here goes out at once instead of at the next poll. The zero value is not usable; NewOutboxWaker.
type OutboxWaker struct {
	mu      sync.Mutex
	waiting []chan struct{}
}

// NewOutboxWaker returns a waker with no dispatcher waiting.
func NewOutboxWaker() *OutboxWaker { return &OutboxWaker{} }

// Wake tells every dispatcher waiting in this process to look again.
func (w *OutboxWaker) Wake() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.waiting {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// channel registers a dispatcher; release unregisters it.
func (w *OutboxWaker) channel() (c chan struct{}, release func()) {
	c = make(chan struct{}, 1)
	if w == nil {
		return c, func() {}
	}
	w.mu.Lock()
	w.waiting = append(w.waiting, c)
	w.mu.Unlock()
	return c, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for i, x := range w.waiting {
			if x == c {
				w.waiting = append(w.waiting[:i], w.waiting[i+1:]...)
				return
			}
		}
	}
}

// DispatchOutbox delivers the due outbox rows of its shard until in.For has passed: the pending
// rows whose next attempt is due, and the rows left sending by an interrupted attempt (after
// sendingStaleAfter; deliverRow then finishes one the provider had accepted and waits
// MailOptions.UnknownOutcomeWait before sending one whose outcome is unknown). A row the
// provider did not take yet gets its next attempt time; a 429 also pauses the shard until the
// provider's reset. A database error ends the activity with a retryable error (Temporal
// retries it; rows already settled stay settled).
func (a *Activities) DispatchOutbox(ctx context.Context, in DispatchOutboxInput) (DispatchOutboxResult, error) {
	var res DispatchOutboxResult
	if in.Shards < 1 || in.Shard < 0 || in.Shard >= in.Shards || in.For <= 0 || in.BatchSize < 1 || in.Concurrency < 1 {
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("invalid dispatcher input %+v", in), joborder.ErrInvalidInput, nil)
	}
	if a.Mail == nil {
		return res, temporal.NewNonRetryableApplicationError("the worker has no e-mail sender", joborder.ErrMisconfigured, nil)
	}
	wake, release := a.OutboxWaker.channel()
	defer release()
	// When the worker stops, take no more rows and return once the sends in flight are
	// recorded (the worker waits WorkerStopTimeout for that): a send cut off mid-request would
	// leave its row's outcome unknown, and that costs a wait and maybe a duplicate.
	var stopping <-chan struct{}
	if activity.IsActivity(ctx) {
		stopping = activity.GetWorkerStopChannel(ctx)
	}
	end := time.Now().Add(in.For)
	for time.Now().Before(end) && !closed(stopping) {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, res)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rows, err := a.dueRows(ctx, in)
		if err != nil {
			return res, err
		}
		if len(rows) == 0 {
			idle := time.NewTimer(min(dispatchIdlePoll, time.Until(end)))
			select {
			case <-ctx.Done():
			case <-stopping:
			case <-wake:
			case <-idle.C:
			}
			idle.Stop()
			continue
		}
		pause, err := a.dispatchBatch(ctx, rows, in.Concurrency, stopping, &res)
		if err != nil {
			return res, err
		}
		if pause > 0 {
			// The provider is rate limiting: every row waits, not only the ones refused.
			t := time.NewTimer(min(pause, time.Until(end)))
			select {
			case <-ctx.Done():
			case <-stopping:
			case <-t.C:
			}
			t.Stop()
		}
	}
	return res, nil
}

// closed tells whether c is closed (a nil channel never is).
func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// dueRows is at most a batch of the shard's rows due for an attempt now, oldest first.
func (a *Activities) dueRows(ctx context.Context, in DispatchOutboxInput) ([]models.OutboxMessage, error) {
	now := a.Now()
	var rows []models.OutboxMessage
	err := a.DB.WithContext(ctx).
		Where("(status = ? OR (status = ? AND last_attempt_at <= ?)) AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
			models.OutboxPending, models.OutboxSending, now.Add(-sendingStaleAfter), now).
		Where("id % ? = ?", in.Shards, in.Shard).
		Order("id").Limit(in.BatchSize).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load due outbox rows: %w", err)
	}
	return rows, nil
}

// dispatchBatch delivers rows, concurrency at a time, and sets the next attempt of each the
// provider did not take; once stopping closes it starts no more. pause is how long the provider
// asked every sender to wait (429).
func (a *Activities) dispatchBatch(ctx context.Context, rows []models.OutboxMessage, concurrency int, stopping <-chan struct{}, res *DispatchOutboxResult) (pause time.Duration, err error) {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	slots := make(chan struct{}, concurrency)
	for _, row := range rows {
		slots <- struct{}{}
		if closed(stopping) {
			<-slots
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			out, err := a.deliverRow(ctx, row)
			if err == nil && out.kind == outcomeLater {
				err = a.deferRow(ctx, row, out)
			} else if err != nil && ctx.Err() == nil {
				// The database refused this row's write: the row waits (dispatchErrorDelay) and
				// the rest of the shard goes on. The activity still fails after the batch, so the
				// error is seen in Temporal, and is retried at once (rowFailure).
				if derr := a.deferRow(ctx, row, outcome{after: dispatchErrorDelay}); derr == nil {
					err = rowFailure{id: row.ID, err: err}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, *res) // a batch of slow sends outlasts the heartbeat timeout
			}
			if err != nil {
				if firstErr == nil || isRowFailure(firstErr) && !isRowFailure(err) {
					firstErr = err
				}
				return
			}
			res.add(out)
			if out.status == 429 && out.after > pause {
				pause = out.after
			}
		}()
	}
	wg.Wait()
	var rf rowFailure
	if errors.As(firstErr, &rf) {
		// Reported, not waited for: the next attempt starts at once and skips the deferred row.
		// The message names the row only; the cause is the database's error, which the
		// worker's interceptor scrubs before Temporal keeps it (worker.ScrubFailure).
		return pause, temporal.NewApplicationErrorWithOptions(fmt.Sprintf("outbox row %d deferred after a database error", rf.id),
			joborder.ErrDeliveryRetry, temporal.ApplicationErrorOptions{Cause: rf.err, NextRetryDelay: rowFailureRetry})
	}
	return pause, firstErr
}

// dispatchErrorDelay is how long a row waits after the database refused one of its writes; the
// row's attempts do not count it (no send was made), so the wait does not grow.
const dispatchErrorDelay = time.Minute

// rowFailureRetry is how soon a dispatcher that failed because of one row is started again.
const rowFailureRetry = 200 * time.Millisecond

// rowFailure is a database error on one row that was deferred: it fails the activity, but the
// shard need not wait for it.
type rowFailure struct {
	id  uint64
	err error
}

func (f rowFailure) Error() string { return f.err.Error() }
func (f rowFailure) Unwrap() error { return f.err }

func isRowFailure(err error) bool {
	var rf rowFailure
	return errors.As(err, &rf)
}

// deferRow sets when a row the provider did not take is tried again: when the provider said,
// or when the wait for an unknown outcome ends, or else after the doubling backoff.
func (a *Activities) deferRow(ctx context.Context, row models.OutboxMessage, out outcome) error {
	delay := out.after
	if delay <= 0 {
		// row.Attempts is the count before this attempt's claim.
		delay = dispatchRetryBase
		for i := 0; i < row.Attempts && delay < dispatchRetryMax; i++ {
			delay *= 2
		}
		delay = min(delay, dispatchRetryMax)
	}
	next := a.Now().Add(delay)
	if err := a.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ?", row.ID).
		Update("next_attempt_at", next).Error; err != nil {
		return fmt.Errorf("set the next attempt of outbox row %d: %w", row.ID, err)
	}
	return nil
}
