package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/feed"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// Sender makes delivery attempts: it reads the event, the endpoint and its secrets from the
// database (none of them travels through Temporal), signs, sends and records the attempt.
type Sender struct {
	DB     *gorm.DB
	Client *http.Client
	Now    func() time.Time
}

// NewSender returns a sender whose client refuses non-public addresses unless allowPrivate.
func NewSender(db *gorm.DB, allowPrivate bool) *Sender {
	return &Sender{DB: db, Client: NewClient(allowPrivate), Now: time.Now}
}

// Attempt makes one attempt at delivering the event to the subscription and records it in the
// delivery log. HTTP outcomes are results, not errors: an error means the database could not
// be read or written, and the attempt may be repeated.
func (s *Sender) Attempt(ctx context.Context, subscriptionID, eventID string) (joborder.WebhookAttemptResult, error) {
	db := s.DB.WithContext(ctx)
	var sub models.WebhookSubscription
	err := db.Take(&sub, "id = ?", subscriptionID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !sub.Enabled) {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookSkipped}, s.finish(ctx, subscriptionID, eventID, models.WebhookSkipped)
	}
	if err != nil {
		return joborder.WebhookAttemptResult{}, err
	}
	var ev models.FeedEvent
	err = db.Take(&ev, "id = ?", eventID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookSkipped}, s.finish(ctx, subscriptionID, eventID, models.WebhookSkipped)
	}
	if err != nil {
		return joborder.WebhookAttemptResult{}, err
	}
	body, err := json.Marshal(feed.FromModel(&ev))
	if err != nil {
		return joborder.WebhookAttemptResult{}, err
	}
	if err := s.ensureDelivery(ctx, subscriptionID, eventID, ev.Type); err != nil {
		return joborder.WebhookAttemptResult{}, err
	}
	// A worker that stopped after recording the endpoint's 2xx but before Temporal heard of it
	// gets this attempt again: the log says it was delivered, so it is not sent twice. (A replay
	// starts only from failed, so a succeeded delivery is never meant to be sent again.)
	var d models.WebhookDelivery
	if err := db.Take(&d, "subscription_id = ? AND event_id = ?", subscriptionID, eventID).Error; err != nil {
		return joborder.WebhookAttemptResult{}, err
	}
	if d.Status == models.WebhookSucceeded {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookDelivered, StatusCode: d.LastStatusCode}, nil
	}
	if waiting, err := s.awaitEarlier(ctx, subscriptionID, &ev); err != nil || waiting {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookWaiting}, err
	}
	res, errText := s.send(ctx, &sub, eventID, body)
	return res, s.record(ctx, &sub, eventID, res, errText)
}

// OrderWait is how long one attempt waits for an earlier event of the same order to be
// delivered to the subscription before it answers WebhookWaiting; usually the earlier one is
// a moment ahead, so the wait ends well before this.
var OrderWait = 5 * time.Second

// awaitEarlier waits up to OrderWait while a delivery of an earlier event (a lower sequence
// number) of the same order to the same subscription is still pending, and tells whether one
// still is. The dispatcher writes delivery rows in feed order, so an earlier event's row exists
// before a later one's workflow starts.
func (s *Sender) awaitEarlier(ctx context.Context, subscriptionID string, ev *models.FeedEvent) (bool, error) {
	deadline := time.Now().Add(OrderWait)
	for {
		var n int64
		err := s.DB.WithContext(ctx).Model(&models.WebhookDelivery{}).
			Joins("JOIN feed_events ON feed_events.id = webhook_deliveries.event_id").
			Where("webhook_deliveries.subscription_id = ? AND webhook_deliveries.status = ? AND feed_events.job_order_id = ? AND feed_events.sequence < ?",
				subscriptionID, models.WebhookPending, ev.JobOrderID, ev.Sequence).
			Count(&n).Error
		if err != nil || n == 0 {
			return false, err
		}
		if !time.Now().Before(deadline) {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// PingResult is what a test ping came to.
type PingResult struct {
	Delivered  bool   `json:"delivered"`
	StatusCode int    `json:"status_code"`
	Error      string `json:"error,omitempty"`
	EventID    string `json:"event_id"`
}

// Ping sends one test event (type webhook.test) to the subscription now, whether or not it is
// enabled, and records it in its delivery log. A 410 answer disables it, as in a delivery.
func (s *Sender) Ping(ctx context.Context, sub *models.WebhookSubscription) (PingResult, error) {
	id := "ping_" + uuid.NewString()
	body, err := json.Marshal(map[string]any{"id": id, "type": joborder.FeedPing, "timestamp": s.Now().UTC(),
		"data": map[string]string{"subscription_id": sub.ID}})
	if err != nil {
		return PingResult{}, err
	}
	if err := s.ensureDelivery(ctx, sub.ID, id, string(joborder.FeedPing)); err != nil {
		return PingResult{}, err
	}
	res, errText := s.send(ctx, sub, id, body)
	if err := s.record(ctx, sub, id, res, errText); err != nil {
		return PingResult{}, err
	}
	if res.Outcome == joborder.WebhookRetry {
		// A ping is not retried: its log entry says it failed.
		if err := s.finish(ctx, sub.ID, id, models.WebhookFailed); err != nil {
			return PingResult{}, err
		}
	}
	return PingResult{Delivered: res.Outcome == joborder.WebhookDelivered, StatusCode: res.StatusCode, Error: errText, EventID: id}, nil
}

// Abandon records that the delivery used up its schedule.
func (s *Sender) Abandon(ctx context.Context, subscriptionID, eventID string) error {
	return s.finish(ctx, subscriptionID, eventID, models.WebhookFailed)
}

func (s *Sender) ensureDelivery(ctx context.Context, subscriptionID, eventID, typ string) error {
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&models.WebhookDelivery{
		SubscriptionID: subscriptionID, EventID: eventID, EventType: typ, Status: models.WebhookPending, CreatedAt: s.Now().UTC(),
	}).Error
}

// finish sets a pending delivery's final status (one that succeeded or failed keeps its own).
func (s *Sender) finish(ctx context.Context, subscriptionID, eventID, status string) error {
	return s.DB.WithContext(ctx).Model(&models.WebhookDelivery{}).
		Where("subscription_id = ? AND event_id = ? AND status = ?", subscriptionID, eventID, models.WebhookPending).
		Update("status", status).Error
}

// send makes the HTTP request; the second result says why an attempt failed (no personal data:
// the status, or the transport's error).
func (s *Sender) send(ctx context.Context, sub *models.WebhookSubscription, id string, body []byte) (joborder.WebhookAttemptResult, string) {
	now := s.Now()
	secrets := []string{sub.Secret}
	if sub.PreviousSecret != "" && sub.PreviousSecretExpiresAt != nil && now.Before(*sub.PreviousSecretExpiresAt) {
		secrets = append(secrets, sub.PreviousSecret)
	}
	sig, err := SignatureHeader(secrets, id, now, body)
	if err != nil {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry}, "signing: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry}, "request: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "jobordre-webhooks/1")
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	resp, err := s.Client.Do(req)
	if err != nil {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry}, truncate(err.Error())
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	res := joborder.WebhookAttemptResult{StatusCode: resp.StatusCode}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		res.Outcome = joborder.WebhookDelivered
		return res, ""
	case code == http.StatusGone:
		res.Outcome = joborder.WebhookGone
	case code == http.StatusTooManyRequests || code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		res.Outcome, res.RetryAfter = joborder.WebhookRetry, RetryAfter(resp.Header.Get("Retry-After"), now)
	default:
		res.Outcome = joborder.WebhookRetry
	}
	return res, fmt.Sprintf("the endpoint answered %d", resp.StatusCode)
}

// record writes the attempt into the delivery log; a 410 disables the subscription.
func (s *Sender) record(ctx context.Context, sub *models.WebhookSubscription, eventID string, res joborder.WebhookAttemptResult, errText string) error {
	now := s.Now().UTC()
	updates := map[string]any{
		"attempts": gorm.Expr("attempts + 1"), "last_status_code": res.StatusCode, "last_error": errText, "last_attempt_at": now,
	}
	switch res.Outcome {
	case joborder.WebhookDelivered:
		updates["status"], updates["delivered_at"] = models.WebhookSucceeded, now
	case joborder.WebhookGone:
		updates["status"] = models.WebhookFailed
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.WebhookDelivery{}).Where("subscription_id = ? AND event_id = ?", sub.ID, eventID).Updates(updates).Error; err != nil {
			return err
		}
		if res.Outcome != joborder.WebhookGone {
			return nil
		}
		return tx.Model(&models.WebhookSubscription{}).Where("id = ?", sub.ID).
			Updates(map[string]any{"enabled": false, "disabled_reason": DisabledGone, "updated_at": now}).Error
	})
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date) as a delay from now, capped at
// joborder.WebhookMaxRetryAfter; 0 when absent or unreadable.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(joborder.WebhookMaxRetryAfter/time.Second) {
			return joborder.WebhookMaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), joborder.WebhookMaxRetryAfter)
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}
