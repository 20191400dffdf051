package activities

import (
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/mail"
	"jobordre/models"
)

// Template data of the referral flow. It reads the referral feature's tables by name (referrals:
// job_order_id, sent_at; candidates: id, name, email), so e-mail does not depend on that
// package's Go types.

// referredCount is the number of candidates sent to the row's order since the previous
// candidates_referred mail to the same recipient, up to this row: the "new candidates" the mail
// announces. It never names them.
func referredCount(db *gorm.DB, row models.OutboxMessage) (int, error) {
	var prev models.OutboxMessage
	since := time.Unix(0, 0).UTC()
	err := db.Select("id", "created_at").
		Where("job_order_id = ? AND template = ? AND recipient_id = ? AND id < ?", row.JobOrderID, row.Template, row.RecipientID, row.ID).
		Order("id DESC").Take(&prev).Error
	switch {
	case err == nil:
		since = prev.CreatedAt
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return 0, err
	}
	var n int64
	err = db.Table("referrals").
		Where("job_order_id = ? AND sent_at IS NOT NULL AND sent_at > ? AND sent_at <= ?", row.JobOrderID, since, row.CreatedAt).
		Count(&n).Error
	return int(n), err
}

// candidate reads the candidate a candidate row is addressed to (recipient ID candidate:<id>).
func candidate(db *gorm.DB, row models.OutboxMessage) (*mail.Person, error) {
	id, ok := strings.CutPrefix(row.RecipientID, candidatePrefix)
	if !ok {
		return nil, nil
	}
	var c struct {
		Name  string
		Email string
	}
	err := db.Table("candidates").Select("name", "email").Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &mail.Person{Name: c.Name, Email: c.Email}, nil
}
