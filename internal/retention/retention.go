// Package retention deletes or anonymises the personal data whose retention period has run out
// (policy.Retention, per job centre, counted from the close of the order the data belongs to;
// removed company contact persons: one national period, Deleter.RemovedContacts, from the removal).
// One call of Batch is one transaction over at most a batch of rows of one kind; every write is
// conditioned on the row still holding what it clears, so a batch killed before its commit
// changes nothing, and a batch run again after its commit finds nothing: each row is counted once.
//
// The key figures (job_order_facts and the kpi_monthly* aggregates) are never written here, and
// the rows they are derived from keep what they need: a referral is unlinked from its candidate
// but keeps its order, status and times, so a fact rebuilt later comes out the same.
package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/erasure"
	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/store"
	"jobordre/models"
)

// mailboxTable is the dev mailbox's copy of delivered mails, present only where the local
// mailbox is the sender.
const mailboxTable = erasure.MailboxTable

// DefaultRemovedContacts is the national period after a contact person's removal when their
// name, e-mail and phone are cleared, unless the worker is configured otherwise
// (JOBORDRE_RETENTION_REMOVED_CONTACTS): half a year, as long as a closed order's referral data,
// so the job centre can still see whom it dealt with during the follow-up and a complaint.
const DefaultRemovedContacts = "P180D"

// Deleter runs the deletion batches on DB.
type Deleter struct {
	DB *gorm.DB
	// RemovedContacts is the removed_contacts kind's national period; zero: DefaultRemovedContacts.
	RemovedContacts policy.Duration
	// beforeCommit, when set (tests), runs inside each batch's transaction after its writes.
	beforeCommit func(ctx context.Context, kind string) error
}

// kind is one kind of data with its period, the rows of it due for deletion, and what deleting
// one batch of them does.
type kind struct {
	period func(policy.Retention) policy.Duration
	// due selects the keys of at most limit rows due in the given closed orders (a subquery).
	due func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error)
	// apply deletes or anonymises the rows with the keys, only those still holding data, and
	// returns how many it changed.
	apply func(tx *gorm.DB, keys []any, now time.Time) (int64, error)
	// dueIn, when set, replaces due for a kind not counted from an order's close: the keys of
	// at most limit rows of the job centre due at cutoff. jobcenters then lists the job centres
	// to look in (default: those with closed orders).
	dueIn      func(tx *gorm.DB, jobcenter string, cutoff time.Time, limit int) ([]any, error)
	jobcenters func(db *gorm.DB) ([]string, error)
	// dueNational, when set, replaces both for a kind with one national period
	// (Deleter.RemovedContacts): the keys of at most limit rows due at cutoff.
	dueNational func(tx *gorm.DB, cutoff time.Time, limit int) ([]any, error)
}

var kinds = map[string]kind{
	joborder.RetentionReferralData: {
		period: func(r policy.Retention) policy.Duration { return r.ReferralData },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return stringKeys(tx.Model(&models.Referral{}).Where("job_order_id IN (?) AND anonymised_at IS NULL", orders), "id", limit)
		},
		// The referral is unlinked from its candidate, its free text cleared and its secure link
		// (the recipient's address, the way to the CV) deleted, exactly as when the candidate is
		// erased; status, channel and times stay for the key figures.
		apply: erasure.AnonymiseReferrals,
	},
	joborder.RetentionEmployerNotes: {
		period: func(r policy.Retention) policy.Duration { return r.EmployerNotes },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return stringKeys(tx.Model(&models.Referral{}).Where("job_order_id IN (?)", orders).Where(employerNoted, true), "id", limit)
		},
		apply: func(tx *gorm.DB, keys []any, _ time.Time) (int64, error) {
			res := tx.Model(&models.Referral{}).Where("id IN ?", keys).Where(employerNoted, true).
				UpdateColumns(map[string]any{"employer_note": "", "employer_archived": false})
			return res.RowsAffected, res.Error
		},
	},
	joborder.RetentionConsents: {
		period: func(r policy.Retention) policy.Duration { return r.Consents },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return stringKeys(tx.Model(&models.Consent{}).Where("job_order_id IN (?)", orders), "id", limit)
		},
		apply: func(tx *gorm.DB, keys []any, _ time.Time) (int64, error) {
			if err := tx.Model(&models.Referral{}).Where("consent_id IN ?", keys).UpdateColumn("consent_id", nil).Error; err != nil {
				return 0, err
			}
			res := tx.Where("id IN ?", keys).Delete(&models.Consent{})
			return res.RowsAffected, res.Error
		},
	},
	joborder.RetentionCVAccessLog: {
		period: func(r policy.Retention) policy.Duration { return r.CVAccessLog },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return uintKeys(tx.Model(&models.CVAccess{}).Where("job_order_id IN (?)", orders), limit)
		},
		apply: func(tx *gorm.DB, keys []any, _ time.Time) (int64, error) {
			res := tx.Where("id IN ?", keys).Delete(&models.CVAccess{})
			return res.RowsAffected, res.Error
		},
	},
	joborder.RetentionOutboxMail: {
		period: func(r policy.Retention) policy.Duration { return r.OutboxMail },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return uintKeys(tx.Model(&models.OutboxMessage{}).Where("job_order_id IN (?)", orders).Scopes(outboxSettled).Where(outboxAddressed), limit)
		},
		apply: func(tx *gorm.DB, keys []any, _ time.Time) (int64, error) {
			if tx.Migrator().HasTable(mailboxTable) {
				if err := tx.Exec("DELETE FROM "+mailboxTable+" WHERE outbox_id IN ?", keys).Error; err != nil {
					return 0, err
				}
			}
			// A row still pending or sending is being delivered and keeps its address; a settled
			// row keeps its template, status and times (the order's history and the key figures
			// read them), not whom it went to.
			res := tx.Model(&models.OutboxMessage{}).Where("id IN ?", keys).Scopes(outboxSettled).Where(outboxAddressed).
				UpdateColumns(map[string]any{"recipient_email": "", "last_error": ""})
			return res.RowsAffected, res.Error
		},
	},
	joborder.RetentionOrderDescription: {
		period: func(r policy.Retention) policy.Duration { return r.OrderFreeText },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return stringKeys(tx.Model(&models.JobOrder{}).Where("id IN (?) AND description <> ''", orders), "id", limit)
		},
		apply: func(tx *gorm.DB, keys []any, _ time.Time) (int64, error) {
			// UpdateColumns leaves updated_at alone: a closed order's updated_at decides whether a
			// policy change still reaches it (store.PolicyRecipients).
			res := tx.Model(&models.JobOrder{}).Where("id IN ? AND description <> ''", keys).UpdateColumn("description", "")
			return res.RowsAffected, res.Error
		},
	},
	joborder.RetentionInactiveCandidates: {
		period: func(r policy.Retention) policy.Duration { return r.InactiveCandidates },
		jobcenters: func(db *gorm.DB) ([]string, error) {
			var out []string
			err := db.Model(&models.Candidate{}).Distinct().Order("home_jobcenter").Pluck("home_jobcenter", &out).Error
			return out, err
		},
		dueIn: func(tx *gorm.DB, jobcenter string, cutoff time.Time, limit int) ([]any, error) {
			return stringKeys(InactiveCandidates(tx, jobcenter, cutoff), "id", limit)
		},
		apply: eraseInactive,
	},
	joborder.RetentionRemovedContacts: {
		dueNational: func(tx *gorm.DB, cutoff time.Time, limit int) ([]any, error) {
			return stringKeys(tx.Model(&models.CompanyContact{}).Where("removed_at IS NOT NULL AND removed_at < ?", cutoff.UTC()).
				Where(contactNamed), "id", limit)
		},
		// The row and its ID stay: the orders' histories, the CV access log and secure links
		// name the contact by ID, and read an empty name as "a former contact person". Only a
		// contact still removed is cleared (one added back meanwhile keeps their data).
		apply: func(tx *gorm.DB, keys []any, now time.Time) (int64, error) {
			res := tx.Model(&models.CompanyContact{}).Where("id IN ? AND removed_at IS NOT NULL", keys).Where(contactNamed).
				UpdateColumns(map[string]any{"name": "", "email": "", "phone": "", "updated_at": now})
			return res.RowsAffected, res.Error
		},
	},
	joborder.RetentionOrderNotes: {
		period: func(r policy.Retention) policy.Duration { return r.OrderFreeText },
		due: func(tx *gorm.DB, orders *gorm.DB, limit int) ([]any, error) {
			return stringKeys(tx.Model(&models.JobOrderNote{}).Where("job_order_id IN (?) AND text <> ''", orders), "id", limit)
		},
		apply: func(tx *gorm.DB, keys []any, _ time.Time) (int64, error) {
			res := tx.Model(&models.JobOrderNote{}).Where("id IN ? AND text <> ''", keys).UpdateColumn("text", "")
			return res.RowsAffected, res.Error
		},
	},
}

// contactNamed matches contact persons still holding a name, an e-mail or a phone.
const contactNamed = "(COALESCE(name, '') <> '' OR COALESCE(email, '') <> '' OR COALESCE(phone, '') <> '')"

// employerNoted matches referrals with an employer's note or archive mark.
const employerNoted = "(employer_note <> '' OR employer_archived = ?)"

// outboxAddressed matches outbox rows that still name a recipient's address or an error text
// (which may quote it).
const outboxAddressed = "(COALESCE(recipient_email, '') <> '' OR COALESCE(last_error, '') <> '')"

// outboxSettled keeps the outbox rows no delivery is working on (not pending, not sending).
func outboxSettled(q *gorm.DB) *gorm.DB {
	return q.Where("status NOT IN ?", []string{models.OutboxPending, models.OutboxSending})
}

// Batch deletes or anonymises at most batchSize rows of kind that are due at now, in one
// transaction, and returns how many rows it changed.
func (d *Deleter) Batch(ctx context.Context, kindName string, batchSize int, now time.Time) (int, error) {
	k, ok := kinds[kindName]
	if !ok {
		return 0, fmt.Errorf("retention: unknown kind %q", kindName)
	}
	if batchSize <= 0 {
		return 0, fmt.Errorf("retention: batch size %d", batchSize)
	}
	db := d.DB.WithContext(ctx)
	if k.dueNational != nil {
		return d.nationalBatch(ctx, kindName, k, batchSize, now)
	}
	var jobcenters []string
	if k.jobcenters != nil {
		var err error
		if jobcenters, err = k.jobcenters(db); err != nil {
			return 0, fmt.Errorf("retention: job centres of %s: %w", kindName, err)
		}
	} else if err := db.Model(&models.JobOrder{}).Where("status = ?", models.StatusClosed).
		Distinct().Order("responsible_jobcenter").Pluck("responsible_jobcenter", &jobcenters).Error; err != nil {
		return 0, fmt.Errorf("retention: job centres with closed orders: %w", err)
	}
	var changed int64
	err := db.Transaction(func(tx *gorm.DB) error {
		var keys []any
		for _, jc := range jobcenters {
			if len(keys) >= batchSize {
				break
			}
			p, err := store.LoadPolicy(ctx, tx, jc)
			if err != nil {
				return err
			}
			cutoff := Cutoff(now, k.period(p.RetentionOrDefault()))
			var more []any
			if k.dueIn != nil {
				more, err = k.dueIn(tx, jc, cutoff, batchSize-len(keys))
			} else {
				more, err = k.due(tx, ClosedBefore(tx, jc, cutoff), batchSize-len(keys))
			}
			if err != nil {
				return fmt.Errorf("retention: %s due in job centre %s: %w", kindName, jc, err)
			}
			keys = append(keys, more...)
		}
		if len(keys) == 0 {
			return nil
		}
		n, err := k.apply(tx, keys, now.UTC())
		if err != nil {
			return fmt.Errorf("retention: %s: %w", kindName, err)
		}
		changed = n
		if d.beforeCommit != nil {
			return d.beforeCommit(ctx, kindName)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(changed), nil
}

// nationalBatch is Batch for a kind with the national period (Deleter.RemovedContacts).
func (d *Deleter) nationalBatch(ctx context.Context, kindName string, k kind, batchSize int, now time.Time) (int, error) {
	period := d.RemovedContacts
	if period.IsZero() {
		period = policy.MustParseDuration(DefaultRemovedContacts)
	}
	cutoff := Cutoff(now, period)
	var changed int64
	err := d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		keys, err := k.dueNational(tx, cutoff, batchSize)
		if err != nil {
			return fmt.Errorf("retention: %s due: %w", kindName, err)
		}
		if len(keys) == 0 {
			return nil
		}
		n, err := k.apply(tx, keys, now.UTC())
		if err != nil {
			return fmt.Errorf("retention: %s: %w", kindName, err)
		}
		changed = n
		if d.beforeCommit != nil {
			return d.beforeCommit(ctx, kindName)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(changed), nil
}

// Cutoff is the instant a period counted back from now began: data of orders closed before it is due.
// Calendar days, never working days (policy.Retention).
func Cutoff(now time.Time, d policy.Duration) time.Time {
	return now.AddDate(0, 0, -d.Days()).Add(-d.Clock())
}

// ClosedBefore is the subquery of the IDs of jobcenter's orders that are closed and were closed
// before cutoff. The close time is the key figures' (job_order_facts.closed_at, from the order's
// history): a reopened and closed again order counts from its last close.
func ClosedBefore(tx *gorm.DB, jobcenter string, cutoff time.Time) *gorm.DB {
	return tx.Session(&gorm.Session{NewDB: true}).Table("job_orders AS o").Select("o.id").
		Joins("JOIN job_order_facts f ON f.job_order_id = o.id").
		Where("o.status = ? AND o.responsible_jobcenter = ? AND f.closed_at IS NOT NULL AND f.closed_at < ?",
			models.StatusClosed, jobcenter, cutoff.UTC())
}

func stringKeys(q *gorm.DB, column string, limit int) ([]any, error) {
	var ids []string
	if err := q.Order(column).Limit(limit).Pluck(column, &ids).Error; err != nil {
		return nil, err
	}
	keys := make([]any, len(ids))
	for i, id := range ids {
		keys[i] = id
	}
	return keys, nil
}

func uintKeys(q *gorm.DB, limit int) ([]any, error) {
	var ids []uint64
	if err := q.Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	keys := make([]any, len(ids))
	for i, id := range ids {
		keys[i] = id
	}
	return keys, nil
}

// InactiveReason is the reason the schedule's erasures of inactive candidates give in the audit
// record (models.Erasure).
const InactiveReason = "retention: inactive"

// InactiveCandidates is the query of jobcenter's candidates who are inactive at cutoff: no open
// referral (one waiting for approval, or sent or hired to an order that is not closed) and no
// activity since cutoff. Activity is the candidate's own registration or last change
// (candidates.updated_at, which is at least created_at), any change to a referral of theirs
// (referrals.created_at, updated_at: referred, decided, withdrawn), the close of an order they
// were referred to (job_order_facts.closed_at), and a consent of theirs recorded, given or
// withdrawn. Reads of the CV by employers are not the candidate's activity.
func InactiveCandidates(tx *gorm.DB, jobcenter string, cutoff time.Time) *gorm.DB {
	cutoff = cutoff.UTC()
	return tx.Model(&models.Candidate{}).
		Where("candidates.home_jobcenter = ? AND candidates.updated_at < ? AND candidates.created_at < ?", jobcenter, cutoff, cutoff).
		Where(`NOT EXISTS (SELECT 1 FROM referrals r JOIN job_orders o ON o.id = r.job_order_id WHERE r.candidate_id = candidates.id
			AND (r.status = ? OR (r.status IN ? AND o.status <> ?)))`,
			models.ReferralPendingApproval, []string{models.ReferralSent, models.ReferralHired}, models.StatusClosed).
		Where(`NOT EXISTS (SELECT 1 FROM referrals r LEFT JOIN job_order_facts f ON f.job_order_id = r.job_order_id WHERE r.candidate_id = candidates.id
			AND (r.created_at >= ? OR r.updated_at >= ? OR f.closed_at >= ?))`, cutoff, cutoff, cutoff).
		Where(`NOT EXISTS (SELECT 1 FROM consents k WHERE k.candidate_id = candidates.id
			AND (k.created_at >= ? OR k.given_at >= ? OR k.withdrawn_at >= ?))`, cutoff, cutoff, cutoff)
}

// eraseInactive erases the candidates with the keys, each with the same core as an erasure on
// request (erasure.Erase) and the schedule as the actor; a candidate erased already (by a request
// meanwhile, or a batch whose commit happened but whose completion was lost) is skipped and not
// counted.
func eraseInactive(tx *gorm.DB, keys []any, now time.Time) (int64, error) {
	var cands []models.Candidate
	if err := tx.Select("id", "home_jobcenter").Where("id IN ?", keys).Order("id").Find(&cands).Error; err != nil {
		return 0, err
	}
	var n int64
	for _, c := range cands {
		_, err := erasure.Erase(tx, erasure.Request{CandidateID: c.ID, Jobcenter: c.HomeJobcenter, Actor: erasure.ScheduleActor,
			Reason: InactiveReason, Now: now})
		if errors.Is(err, erasure.ErrGone) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
