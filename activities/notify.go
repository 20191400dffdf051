package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/auth"
	"jobordre/internal/companies"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// Recipient IDs of addressees who are not a caseworker or contact person (those are their
// subject IDs): the job centre's shared mailbox, a company without a known contact, a candidate.
const (
	jobcenterPrefix = "jobcenter:"
	companyPrefix   = "company:"
	candidatePrefix = joborder.CandidateRecipientPrefix
)

// recipient is one resolved addressee of a notification.
type recipient struct {
	id, email, language string
}

// Notify resolves the recipients of a notification from the database as they are now and writes
// one outbox row per recipient. Rows are keyed by (IdempotencyKey, recipient), so a retried
// activity or a replayed event adds nothing. Delivery is the sender's job.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	if in.IdempotencyKey == "" || in.Template == "" {
		return NotifyResult{}, temporal.NewNonRetryableApplicationError("notification needs a template and an idempotency key", joborder.ErrInvalidInput, nil)
	}
	db := a.DB.WithContext(ctx)
	var order models.JobOrder
	if err := db.Take(&order, "id = ?", in.JobOrderID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return NotifyResult{}, temporal.NewNonRetryableApplicationError("job order "+in.JobOrderID+" is not in the database", joborder.ErrNotFound, err)
		}
		return NotifyResult{}, err
	}
	recipients, err := a.resolve(db, &order, in)
	if err != nil {
		return NotifyResult{}, err
	}
	if len(recipients) == 0 {
		// Nobody to write to: the referral's candidate was erased (or the referral anonymised)
		// before the notification was written.
		return NotifyResult{}, nil
	}
	now := a.Now()
	var about *uint64
	if in.AboutOutboxID != 0 {
		about = &in.AboutOutboxID
	}
	rows := make([]models.OutboxMessage, 0, len(recipients))
	for _, r := range recipients {
		status := models.OutboxPending
		if r.email == "" {
			status = models.OutboxNoAddress
		}
		rows = append(rows, models.OutboxMessage{
			IdempotencyKey: in.IdempotencyKey, RecipientID: r.id, RecipientRole: in.RecipientRole,
			RecipientEmail: r.email, Language: r.language, Template: in.Template, JobOrderID: in.JobOrderID,
			Status: status, Reason: in.Reason, AboutOutboxID: about, CreatedAt: now,
		})
	}
	// The outbox rows and the history entry saying who was notified are written together; a
	// retry finds the rows there (created is 0) and so never writes the entry twice.
	var created int64
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
		if res.Error != nil {
			return fmt.Errorf("write outbox: %w", res.Error)
		}
		created = res.RowsAffected
		if created == 0 {
			return nil
		}
		_, err := history.Append(tx, history.Entry{
			JobOrderID: in.JobOrderID, Type: joborder.EventNotificationSent, At: now,
			Key:     joborder.EventKey(in.JobOrderID, joborder.EventNotificationSent, strings.TrimPrefix(in.IdempotencyKey, joborder.WorkflowID(in.JobOrderID)+"/")),
			Details: map[string]string{"template": in.Template, "recipient_role": in.RecipientRole},
		})
		return err
	})
	if err != nil {
		return NotifyResult{}, err
	}
	if created > 0 {
		a.OutboxWaker.Wake() // this process's outbox dispatchers send the rows now
	}
	return NotifyResult{Created: int(created)}, nil
}

// resolve finds who a recipient role means for this order right now.
func (a *Activities) resolve(db *gorm.DB, o *models.JobOrder, in NotifyInput) ([]recipient, error) {
	role, coordinatorID := in.RecipientRole, in.CoordinatorID
	switch role {
	case joborder.RecipientCandidate, joborder.RecipientProposer:
		return a.referralParty(db, o, role, in.ReferralID)
	case joborder.RecipientSecureLink:
		if gone, err := referralAnonymised(db, o, in.ReferralID); gone || err != nil {
			return nil, err
		}
		return secureLinkRecipient(db, o, in.ReferralID)
	case joborder.RecipientCaseworkers:
		return a.staff(db, o.ResponsibleJobcenter, auth.RoleCaseworker)
	case joborder.RecipientManagers:
		return a.staff(db, o.ResponsibleJobcenter, auth.RoleManager)
	case joborder.RecipientCoordinator:
		if coordinatorID == nil {
			// No coordinator yet: the job centre's managers answer for the order.
			return a.staff(db, o.ResponsibleJobcenter, auth.RoleManager)
		}
		var cw models.Caseworker
		// A removed coordinator (one who left; a reopened order can still name them) has no
		// address any more: the managers answer for the order as when there is none.
		err := db.Take(&cw, "id = ? AND removed_at IS NULL", *coordinatorID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return a.staff(db, o.ResponsibleJobcenter, auth.RoleManager)
		}
		if err != nil {
			return nil, err
		}
		return []recipient{{id: cw.ID, email: cw.Email, language: lang(cw.Language)}}, nil
	case joborder.RecipientEmployer:
		// The order's contact person, or the company's main contact, or another of its contacts
		// with an address: read now, never carried by the workflow.
		c, err := companies.MailContact(db, o)
		if err != nil {
			return nil, err
		}
		if c != nil {
			return []recipient{{id: c.ID, email: c.Email, language: lang(c.Language)}}, nil
		}
		// The company has no contact person with an address yet: record the message for the
		// company without one; ReaddressEmployerRows gives it one when the company gets a contact.
		return []recipient{{id: companyPrefix + o.CompanyCVR, language: "da"}}, nil
	}
	return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("unknown recipient role %q", role), joborder.ErrInvalidInput, nil)
}

// staff lists the job centre's present people in a role (not those removed); with none, the job centre's shared mailbox.
func (a *Activities) staff(db *gorm.DB, jobcenter, role string) ([]recipient, error) {
	var people []models.Caseworker
	if err := db.Where("jobcenter = ? AND role = ? AND removed_at IS NULL", jobcenter, role).Order("id").Find(&people).Error; err != nil {
		return nil, err
	}
	out := make([]recipient, 0, len(people))
	for _, p := range people {
		out = append(out, recipient{id: p.ID, email: p.Email, language: lang(p.Language)})
	}
	if len(out) > 0 {
		return out, nil
	}
	var jc models.Jobcenter
	if err := db.Take(&jc, "code = ?", jobcenter).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	return []recipient{{id: jobcenterPrefix + jobcenter, email: jc.MailboxEmail, language: "da"}}, nil
}

func lang(l string) string {
	if l == "en" {
		return "en"
	}
	return "da"
}

// referralParty resolves the candidate or the proposing caseworker of a referral of the order.
func (a *Activities) referralParty(db *gorm.DB, o *models.JobOrder, role, referralID string) ([]recipient, error) {
	var ref models.Referral
	err := db.Take(&ref, "id = ? AND job_order_id = ?", referralID, o.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, temporal.NewNonRetryableApplicationError("referral "+referralID+" is not a referral of order "+o.ID, joborder.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	if role == joborder.RecipientCandidate {
		if ref.AnonymisedAt != nil {
			return nil, nil // the candidate was erased: no one to tell
		}
		var c models.Candidate
		if err := db.Take(&c, "id = ?", ref.CandidateID).Error; err != nil {
			return nil, err
		}
		return []recipient{{id: candidatePrefix + c.ID, email: c.Email, language: lang(c.Language)}}, nil
	}
	var cw models.Caseworker
	err = db.Take(&cw, "id = ?", ref.ProposedBy).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return []recipient{{id: ref.ProposedBy, language: "da"}}, nil
	}
	if err != nil {
		return nil, err
	}
	return []recipient{{id: cw.ID, email: cw.Email, language: lang(cw.Language)}}, nil
}

// referralAnonymised tells whether the order's referral was unlinked from its candidate (the
// candidate erased, or the order's retention period over): its candidate and secure link are gone.
func referralAnonymised(db *gorm.DB, o *models.JobOrder, referralID string) (bool, error) {
	var n int64
	err := db.Model(&models.Referral{}).Where("id = ? AND job_order_id = ? AND anonymised_at IS NOT NULL", referralID, o.ID).Count(&n).Error
	return n > 0, err
}
