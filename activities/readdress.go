package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/companies"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// ReaddressWindow is how old an employer mail written without an address (no_address) may be
// and still be sent once the company has a contact person: a month-old "we received your
// order" is still news, a year-old one is not.
const ReaddressWindow = 30 * 24 * time.Hour

// ReaddressEmployerRows gives the employer mails of the orders that were written without an
// address (the company had no contact person then) the address the order's employer has now
// (companies.MailContact) and has each delivered with deliver (notify.Sender.Deliver); it
// returns how many it sent on. Only what is still sound is sent: rows of orders that are not
// closed, at most ReaddressWindow old, and of each template only the latest row, since every
// mail shows the order as it is at send time (an older row of the same template would say the
// same again). Rows it leaves stay no_address. When deliver fails, the row is put back to
// no_address (the reconciler's sweep, OrdersWithWaitingEmployerMail, tries again), so no row
// is left pending without a delivery. Calling it again sends nothing twice.
func (a *Activities) ReaddressEmployerRows(ctx context.Context, orderIDs []string, deliver func(ctx context.Context, key string) error) (int, error) {
	db := a.DB.WithContext(ctx)
	sent := 0
	for _, id := range orderIDs {
		var order models.JobOrder
		err := db.Take(&order, "id = ?", id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return sent, err
		}
		if order.Status == models.StatusClosed {
			continue
		}
		var rows []models.OutboxMessage
		if err := db.Where("job_order_id = ? AND recipient_role = ? AND status = ? AND created_at > ?",
			id, joborder.RecipientEmployer, models.OutboxNoAddress, a.Now().Add(-ReaddressWindow)).
			Where("NOT EXISTS (?)", latestOfTemplate(db)).
			Order("id").Find(&rows).Error; err != nil {
			return sent, fmt.Errorf("load waiting employer mails: %w", err)
		}
		if len(rows) == 0 {
			continue
		}
		c, err := companies.MailContact(db, &order)
		if err != nil {
			return sent, err
		}
		if c == nil {
			continue
		}
		for _, row := range rows {
			res := db.Model(&models.OutboxMessage{}).Where("id = ? AND status = ?", row.ID, models.OutboxNoAddress).
				Updates(map[string]any{"recipient_id": c.ID, "recipient_email": c.Email, "language": lang(c.Language), "status": models.OutboxPending})
			if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
				continue // the contact has this notification already
			}
			if res.Error != nil {
				return sent, fmt.Errorf("readdress outbox row %d: %w", row.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				continue // readdressed concurrently
			}
			if err := deliver(ctx, row.IdempotencyKey); err != nil {
				back := db.Model(&models.OutboxMessage{}).Where("id = ? AND status = ? AND attempts = ?", row.ID, models.OutboxPending, row.Attempts).
					Updates(map[string]any{"recipient_id": row.RecipientID, "recipient_email": row.RecipientEmail, "language": row.Language, "status": models.OutboxNoAddress})
				return sent, errors.Join(err, back.Error)
			}
			sent++
		}
	}
	return sent, nil
}

// latestOfTemplate is the subquery for "a later employer row of the same order and template".
func latestOfTemplate(db *gorm.DB) *gorm.DB {
	return db.Table("outbox_messages AS later").Select("1").
		Where("later.job_order_id = outbox_messages.job_order_id AND later.template = outbox_messages.template").
		Where("later.recipient_role = outbox_messages.recipient_role AND later.id > outbox_messages.id")
}

// OrdersWithWaitingEmployerMail lists (at most limit) orders with an employer mail that
// ReaddressEmployerRows would send now: a latest no_address row within ReaddressWindow, of an
// order not closed, whose company has a contact person with an address. The worker's
// reconciler readdresses them, so a registration or a new contact whose immediate readdressing
// failed, or a contact whose address arrived later, still gets the mail.
func (a *Activities) OrdersWithWaitingEmployerMail(ctx context.Context, limit int) ([]string, error) {
	db := a.DB.WithContext(ctx)
	var ids []string
	err := db.Table("outbox_messages").Distinct("outbox_messages.job_order_id").
		Joins("JOIN job_orders ON job_orders.id = outbox_messages.job_order_id").
		Where("outbox_messages.recipient_role = ? AND outbox_messages.status = ? AND outbox_messages.created_at > ?",
			joborder.RecipientEmployer, models.OutboxNoAddress, a.Now().Add(-ReaddressWindow)).
		Where("job_orders.status <> ?", models.StatusClosed).
		Where("NOT EXISTS (?)", latestOfTemplate(db)).
		Where("EXISTS (?)", db.Table("company_contacts").Select("1").
			Where("company_contacts.cvr = job_orders.company_cvr AND company_contacts.email <> '' AND company_contacts.removed_at IS NULL")).
		Limit(limit).Pluck("outbox_messages.job_order_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("find waiting employer mails: %w", err)
	}
	return ids, nil
}
