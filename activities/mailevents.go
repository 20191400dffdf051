package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/models"
)

// RecordMailEvents records SendGrid Event Webhook events on the outbox rows they belong to. A
// row is found by its custom_args (idempotency_key) and the event's address, or by the
// sg_message_id prefix (the provider message ID). processed fills in a missing message ID (it
// closes the unknown-outcome window, see docs/email.md), delivered and deferred are kept as the
// provider status, and bounce and dropped mark the row failed, add delivery-bounced to the
// order's history and, for recipients outside the job centre (the employer, a candidate), write
// a delivery_failed notice to the order's coordinator. Events for unknown rows and engagement
// events (open, click, ...) are ignored. Recording is idempotent: SendGrid may post an event
// twice. It returns the idempotency keys of the notices, which the caller has delivered.
//
// It is a plain function, not an activity: the API process calls it from the webhook handler.
func RecordMailEvents(ctx context.Context, db *gorm.DB, now func() time.Time, events []mail.Event) ([]string, error) {
	if now == nil {
		now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	}
	a := &Activities{DB: db, Now: now}
	var keys []string
	for _, e := range events {
		kind := strings.ToLower(strings.TrimSpace(e.Event))
		switch kind {
		case "processed", "deferred", "delivered", "bounce", "dropped":
		default:
			continue
		}
		row, found, err := a.eventRow(ctx, e)
		if err != nil {
			return keys, err
		}
		if !found {
			continue
		}
		key, err := a.applyEvent(ctx, row, e, kind)
		if err != nil {
			return keys, fmt.Errorf("record %s for outbox row %d: %w", kind, row.ID, err)
		}
		if key != "" {
			keys = append(keys, key)
		}
	}
	return keys, nil
}

// eventRow finds the outbox row an event is about.
func (a *Activities) eventRow(ctx context.Context, e mail.Event) (models.OutboxMessage, bool, error) {
	db := a.DB.WithContext(ctx)
	msgID := e.ProviderMessageID()
	if e.IdempotencyKey != "" && e.Email != "" {
		var rows []models.OutboxMessage
		if err := db.Where("idempotency_key = ? AND LOWER(recipient_email) = ?", e.IdempotencyKey, strings.ToLower(e.Email)).
			Order("id").Find(&rows).Error; err != nil {
			return models.OutboxMessage{}, false, err
		}
		for _, r := range rows {
			if msgID != "" && r.ProviderMessageID == msgID {
				return r, true, nil
			}
		}
		if len(rows) > 0 {
			return rows[0], true, nil
		}
	}
	if msgID == "" {
		return models.OutboxMessage{}, false, nil
	}
	var row models.OutboxMessage
	err := db.Where("provider_message_id = ?", msgID).Order("id").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, false, nil
	}
	return row, err == nil, err
}

// applyEvent records one event; it returns the key of a delivery_failed notice it wrote.
func (a *Activities) applyEvent(ctx context.Context, row models.OutboxMessage, e mail.Event, kind string) (string, error) {
	at := e.At
	if at.IsZero() {
		at = a.Now()
	}
	msgID := e.ProviderMessageID()
	var notice string
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Read the row again inside the transaction: the webhook may race a Deliver attempt.
		if err := tx.Take(&row, "id = ?", row.ID).Error; err != nil {
			return err
		}
		set := map[string]any{}
		if row.ProviderMessageID == "" && msgID != "" {
			set["provider_message_id"] = msgID
		}
		settled := row.ProviderStatus == "delivered" || row.ProviderStatus == "bounce" || row.ProviderStatus == "dropped"
		switch kind {
		case "processed", "deferred":
			if !settled {
				set["provider_status"] = kind
			}
			if row.Status == models.OutboxSending {
				// The provider has the message: the unknown outcome of the last attempt is known.
				set["status"], set["delivered_at"] = models.OutboxDelivered, at
			}
		case "delivered":
			set["provider_status"] = kind
			if row.Status == models.OutboxPending || row.Status == models.OutboxSending {
				set["status"], set["delivered_at"] = models.OutboxDelivered, at
			}
		case "bounce", "dropped":
			reason := kind
			if e.Type != "" && e.Type != kind {
				reason += " (" + e.Type + ")"
			}
			if e.Reason != "" {
				reason += ": " + e.Reason
			}
			set["provider_status"], set["status"], set["last_error"] = kind, models.OutboxFailed, mail.Truncate(reason, 2000)
		}
		if len(set) > 0 {
			if err := tx.Model(&models.OutboxMessage{}).Where("id = ?", row.ID).Updates(set).Error; err != nil {
				return err
			}
		}
		if kind != "bounce" && kind != "dropped" {
			return nil
		}
		details := map[string]string{"template": row.Template, "recipient_role": row.RecipientRole, "outbox_id": strconv.FormatUint(row.ID, 10), "event": kind}
		if e.Status != "" {
			details["smtp_status"] = e.Status
		}
		// Staff addresses are only shown in the history; the coordinator is not mailed about
		// (possibly) their own address, nor about a notice that itself bounced.
		notify := joborder.ExternalRecipient(row.RecipientRole) && row.Template != joborder.TemplateDeliveryFailed
		if _, err := a.recordUndelivered(ctx, tx, row, joborder.EventDeliveryBounced, joborder.ReasonBounced, details, notify); err != nil {
			return err
		}
		if notify {
			notice = joborder.NoticeKey(row.IdempotencyKey, joborder.ReasonBounced, row.ID)
		}
		return nil
	})
	return notice, err
}
