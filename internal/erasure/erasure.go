// Package erasure erases a candidate: in the caller's transaction it deletes the candidate's row
// (name, e-mail, CV), the CV's search index rows, consents, CV access log entries and the secure
// links of the candidate's referrals; it unlinks the referrals from the candidate the way the
// retention schedule's referral_data kind does (AnonymiseReferrals, used by both), so they stay
// as anonymous rows and the key figures are unchanged; it stops the candidate's mails that have
// not gone out yet (status cancelled) and clears the addresses of those that have; and it writes
// the audit record (models.Erasure), which holds counts and never the deleted data.
//
// It is the one core both erasure on request (referrals.Service.EraseCandidate) and the
// schedule's inactive_candidates kind (internal/retention) call. It imports no service, so both
// can.
package erasure

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/cvindex"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// MailboxTable is the dev mailbox's table of rendered copies of delivered mails
// (internal/mail.MailboxMessage), present only where the local mailbox is the sender.
const MailboxTable = "mailbox_messages"

// ErrGone is returned when the candidate is not there (any more): erased already, by another
// request or the schedule, or never of that job centre. Nothing was changed.
var ErrGone = errors.New("erasure: no such candidate (erased already?)")

// Actor is who erases: a staff member, or the deletion schedule (ScheduleActor).
type Actor struct {
	ID, Role string
}

// ScheduleActor is the actor of the deletion schedule's erasures of inactive candidates.
var ScheduleActor = Actor{ID: "retention", Role: "system"}

// Request is one erasure.
type Request struct {
	CandidateID string
	// Jobcenter is the candidate's home job centre; a candidate of another is not erased (ErrGone).
	Jobcenter string
	Actor     Actor
	// Reason is stored in the audit record only, never sent to Temporal.
	Reason string
	Now    time.Time
}

// OpenReferral is a sent (or hired) referral of the erased candidate to an order that is not
// closed: its coordinator is told the CV is gone (by the order's workflow, IDs only).
type OpenReferral struct {
	ReferralID, JobOrderID string
}

// Result is what an erasure did.
type Result struct {
	Record models.Erasure
	Open   []OpenReferral
}

// AnonymiseReferrals unlinks the referrals with the given IDs from their candidate and clears
// their free text: CandidateID becomes the referral's own ID (unique within the order like a
// candidate's, and pointing at nobody), the job centre's note, the rejection's reason, the
// employer's note and archive mark and the consent reference are cleared, and the referral's
// secure link (the recipient's address and the way to the CV) is deleted. Status, channel and
// times stay: the key figures are derived from them. Only referrals not anonymised yet are
// changed; it returns how many. The retention schedule's referral_data kind and Erase both use it.
func AnonymiseReferrals(tx *gorm.DB, ids []any, now time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if err := tx.Where("referral_id IN ?", ids).Delete(&models.SecureLink{}).Error; err != nil {
		return 0, err
	}
	res := tx.Model(&models.Referral{}).Where("id IN ? AND anonymised_at IS NULL", ids).UpdateColumns(map[string]any{
		"candidate_id": gorm.Expr("id"), "note": "", "reject_reason": "", "employer_note": "",
		"employer_archived": false, "consent_id": nil, "anonymised_at": now.UTC(),
	})
	return res.RowsAffected, res.Error
}

// Erase erases one candidate in tx (the caller's transaction: everything or nothing). The
// candidate's row is deleted first, so of two erasures of the same candidate at once one waits
// for the other's row lock and then finds nothing (ErrGone).
func Erase(tx *gorm.DB, r Request) (Result, error) {
	now := r.Now.UTC()
	id := r.CandidateID
	rec := models.Erasure{ID: uuid.NewString(), CandidateID: id, Jobcenter: r.Jobcenter, ActorID: r.Actor.ID, ActorRole: r.Actor.Role,
		Reason: r.Reason, ErasedAt: now}
	res := tx.Where("id = ? AND home_jobcenter = ?", id, r.Jobcenter).Delete(&models.Candidate{})
	if res.Error != nil {
		return Result{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Result{}, ErrGone
	}
	var out Result
	if err := tx.Table("referrals AS r").Select("r.id AS referral_id, r.job_order_id").
		Joins("JOIN job_orders o ON o.id = r.job_order_id").
		Where("r.candidate_id = ? AND r.status IN ? AND o.status <> ?", id, []string{models.ReferralSent, models.ReferralHired}, models.StatusClosed).
		Order("r.id").Scan(&out.Open).Error; err != nil {
		return Result{}, err
	}
	var refIDs []string
	if err := tx.Model(&models.Referral{}).Where("candidate_id = ?", id).Order("id").Pluck("id", &refIDs).Error; err != nil {
		return Result{}, err
	}
	recipients := []string{joborder.CandidateRecipientPrefix + id}
	if len(refIDs) > 0 {
		var links []string
		if err := tx.Model(&models.SecureLink{}).Where("referral_id IN ?", refIDs).Order("id").Pluck("id", &links).Error; err != nil {
			return Result{}, err
		}
		for _, l := range links {
			recipients = append(recipients, joborder.SecureLinkRecipientPrefix+l)
		}
		rec.SecureLinks = int64(len(links))
		keys := make([]any, len(refIDs))
		for i, v := range refIDs {
			keys[i] = v
		}
		n, err := AnonymiseReferrals(tx, keys, now)
		if err != nil {
			return Result{}, err
		}
		rec.Referrals = n
	}
	// Consents: the candidate's referrals no longer name them (above); no other referral can.
	res = tx.Where("candidate_id = ?", id).Delete(&models.Consent{})
	if res.Error != nil {
		return Result{}, res.Error
	}
	rec.Consents = res.RowsAffected
	res = tx.Where("candidate_id = ?", id).Delete(&models.CVAccess{})
	if res.Error != nil {
		return Result{}, res.Error
	}
	rec.CVReads = res.RowsAffected
	if err := stopMails(tx, recipients, joborder.CandidateRecipientPrefix+id, &rec); err != nil {
		return Result{}, err
	}
	if _, err := cvindex.Remove(tx, id); err != nil {
		return Result{}, err
	}
	if err := tx.Create(&rec).Error; err != nil {
		return Result{}, err
	}
	out.Record = rec
	return out, nil
}

// stopMails cancels the pending mails to the recipients (the candidate and the secure links of
// the candidate's referrals) and clears their addresses; clears the address and error text of
// the candidate's own mails that went out or failed; and deletes the dev mailbox's copies of
// those. A mail being sent (status sending) is left alone: its delivery settles it as usual
// (docs/privacy.md).
func stopMails(tx *gorm.DB, recipients []string, candidate string, rec *models.Erasure) error {
	res := tx.Model(&models.OutboxMessage{}).Where("recipient_id IN ? AND status = ?", recipients, models.OutboxPending).
		UpdateColumns(map[string]any{"status": models.OutboxCancelled, "recipient_email": "", "last_error": ""})
	if res.Error != nil {
		return res.Error
	}
	rec.MailsStopped = res.RowsAffected
	res = tx.Model(&models.OutboxMessage{}).
		Where("recipient_id = ? AND status NOT IN ?", candidate, []string{models.OutboxPending, models.OutboxSending, models.OutboxCancelled}).
		Where("(COALESCE(recipient_email, '') <> '' OR COALESCE(last_error, '') <> '')").
		UpdateColumns(map[string]any{"recipient_email": "", "last_error": ""})
	if res.Error != nil {
		return res.Error
	}
	rec.MailsCleared = res.RowsAffected
	if tx.Migrator().HasTable(MailboxTable) {
		res = tx.Exec("DELETE FROM "+MailboxTable+" WHERE outbox_id IN (?)",
			tx.Model(&models.OutboxMessage{}).Select("id").Where("recipient_id = ? AND status <> ?", candidate, models.OutboxSending))
		if res.Error != nil {
			return res.Error
		}
		rec.MailboxCopies = res.RowsAffected
	}
	return nil
}
