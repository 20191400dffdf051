package store

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// backfillOutboxReasons gives outbox rows written before notifications carried their reason
// (an escalation's cause, what a delivery_failed notice is about) the reason and subject that
// their keys spelled then, so a row still pending at the upgrade renders as it would have. It
// is the one place that still reads a key; rows written since never need it, and once none is
// left it does nothing.
func backfillOutboxReasons(db *gorm.DB) error {
	var rows []models.OutboxMessage
	if err := db.Select("id", "idempotency_key", "template").
		Where("reason = '' AND template IN ?", []string{joborder.TemplateEscalation, joborder.TemplateDeliveryFailed}).
		Find(&rows).Error; err != nil {
		return fmt.Errorf("find outbox rows without a reason: %w", err)
	}
	for _, r := range rows {
		set := map[string]any{}
		switch r.Template {
		case joborder.TemplateEscalation:
			set["reason"] = joborder.ReasonContact
			if strings.Contains(r.IdempotencyKey, "/close-out-escalation/") {
				set["reason"] = joborder.ReasonCloseOut
			}
		case joborder.TemplateDeliveryFailed:
			for _, reason := range []string{joborder.ReasonRefused, joborder.ReasonBounced} {
				infix := joborder.NoticeKeyInfix(reason)
				i := strings.LastIndex(r.IdempotencyKey, infix)
				if i < 0 {
					continue
				}
				if id, err := strconv.ParseUint(r.IdempotencyKey[i+len(infix):], 10, 64); err == nil {
					set["reason"], set["about_outbox_id"] = reason, id
					break
				}
			}
		}
		if len(set) == 0 {
			continue
		}
		if err := db.Model(&models.OutboxMessage{}).Where("id = ?", r.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("backfill outbox row %d: %w", r.ID, err)
		}
	}
	return nil
}

// backfillSharedAt dates the sharing of orders shared before job_orders.shared_at existed with
// their last change, so they do not all turn up at once as new in every inbox they reach.
// Orders projected since carry the time they reached their level.
func backfillSharedAt(db *gorm.DB) error {
	err := db.Model(&models.JobOrder{}).Where("shared_at IS NULL AND sharing <> ?", models.SharingInternal).
		UpdateColumn("shared_at", gorm.Expr("updated_at")).Error
	if err != nil {
		return fmt.Errorf("backfill job_orders.shared_at: %w", err)
	}
	return nil
}
