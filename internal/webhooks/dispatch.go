package webhooks

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/feed"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// Starter starts the delivery workflow of one event and subscription; a delivery already started
// (or finished) for the pair is no error.
type Starter interface {
	StartDelivery(ctx context.Context, subscriptionID, eventID string) error
	// ReplayDelivery starts the pair's workflow again after it failed (used up its schedule).
	ReplayDelivery(ctx context.Context, subscriptionID, eventID string) error
}

// TemporalStarter starts delivery workflows on Temporal.
type TemporalStarter struct {
	Client    client.Client
	TaskQueue string
}

// StartDelivery starts joborder.WebhookDeliveryWorkflowID(sub, event), refusing a duplicate of
// any earlier run: a dispatcher that sees the same event twice sends it once.
func (t TemporalStarter) StartDelivery(ctx context.Context, subscriptionID, eventID string) error {
	return t.start(ctx, subscriptionID, eventID, enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
}

// ReplayDelivery starts the pair's workflow again only if its last run failed.
func (t TemporalStarter) ReplayDelivery(ctx context.Context, subscriptionID, eventID string) error {
	return t.start(ctx, subscriptionID, eventID, enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
}

func (t TemporalStarter) start(ctx context.Context, subscriptionID, eventID string, reuse enums.WorkflowIdReusePolicy) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: joborder.WebhookDeliveryWorkflowID(subscriptionID, eventID), TaskQueue: t.TaskQueue,
		WorkflowIDReusePolicy: reuse, WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, joborder.WebhookDeliveryWorkflowName, joborder.WebhookDeliveryInput{SubscriptionID: subscriptionID, EventID: eventID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return ErrAlreadyStarted
	}
	return err
}

// ErrAlreadyStarted says the pair's delivery workflow exists already (running, or a run that may
// not be repeated).
var ErrAlreadyStarted = errors.New("the delivery was started already")

// dispatcherCursor names the dispatcher's row in feed_cursors.
const dispatcherCursor = "webhooks"

// Dispatcher reads the feed from its stored cursor and starts one delivery workflow per event
// and matching enabled subscription. Several dispatchers (one per worker) may run: the workflow
// ID refuses a second start, and the delivery row is unique per pair.
type Dispatcher struct {
	DB      *gorm.DB
	Feed    *feed.Service
	Starter Starter
	Log     *slog.Logger
}

// Run dispatches every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := d.Dispatch(ctx); err != nil && ctx.Err() == nil && d.Log != nil {
			d.Log.Warn("webhook dispatcher could not start deliveries; it tries again", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Dispatch starts the deliveries of every event after the cursor and moves the cursor past each
// event once all its deliveries are started; it returns how many it started.
func (d *Dispatcher) Dispatch(ctx context.Context) (int, error) {
	db := d.DB.WithContext(ctx)
	cur := models.FeedCursor{Name: dispatcherCursor}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&cur).Error; err != nil {
		return 0, err
	}
	if err := db.Take(&cur, "name = ?", dispatcherCursor).Error; err != nil {
		return 0, err
	}
	at := feed.Cursor{TxID: cur.TxID, Position: cur.Position}
	started := 0
	for {
		events, err := d.Feed.After(ctx, at, 200)
		if err != nil || len(events) == 0 {
			return started, err
		}
		var subs []models.WebhookSubscription
		if err := db.Where("enabled = ?", true).Find(&subs).Error; err != nil {
			return started, err
		}
		for i := range events {
			ev := &events[i]
			for j := range subs {
				if !Matches(&subs[j], ev) {
					continue
				}
				if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.WebhookDelivery{
					SubscriptionID: subs[j].ID, EventID: ev.ID, EventType: ev.Type, Status: models.WebhookPending, CreatedAt: time.Now().UTC(),
				}).Error; err != nil {
					return started, err
				}
				switch err := d.Starter.StartDelivery(ctx, subs[j].ID, ev.ID); {
				case err == nil:
					started++
				case errors.Is(err, ErrAlreadyStarted):
				default:
					return started, err
				}
			}
			at = feed.CursorOf(ev)
			if err := db.Model(&models.FeedCursor{}).Where("name = ?", dispatcherCursor).
				Updates(map[string]any{"tx_id": at.TxID, "position": at.Position, "updated_at": time.Now().UTC()}).Error; err != nil {
				return started, err
			}
		}
	}
}

// Matches tells whether the subscription receives the event: enabled, the event's type is one
// of its types (or it takes all), the order's job centre is its scope (or it takes all: admins'
// subscriptions), and the event happened after it was created.
func Matches(sub *models.WebhookSubscription, ev *models.FeedEvent) bool {
	if !sub.Enabled || ev.OccurredAt.Before(sub.CreatedAt) {
		return false
	}
	if sub.Jobcenter != "" && sub.Jobcenter != ev.Jobcenter {
		return false
	}
	if sub.Types == "" {
		return true
	}
	for _, t := range strings.Split(sub.Types, ",") {
		if t == ev.Type {
			return true
		}
	}
	return false
}
