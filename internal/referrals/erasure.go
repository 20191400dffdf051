package referrals

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/erasure"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// EraseRequest is the body of DELETE /api/v1/candidates/{id}.
type EraseRequest struct {
	// Reason says why the candidate is erased (a citizen's request, …). It is kept in the audit
	// record only; write no personal data in it.
	Reason string `json:"reason"`
}

// ErasureCounts is how many rows of each kind an erasure deleted or anonymised.
type ErasureCounts struct {
	Referrals     int64 `json:"referrals"`
	Consents      int64 `json:"consents"`
	CVReads       int64 `json:"cv_reads"`
	SecureLinks   int64 `json:"secure_links"`
	MailsStopped  int64 `json:"mails_stopped"`
	MailsCleared  int64 `json:"mails_cleared"`
	MailboxCopies int64 `json:"mailbox_copies"`
}

// Erasure is the audit record of an erasure as the API answers it: who, when, why and how much,
// never what was deleted.
type Erasure struct {
	ID          string        `json:"id"`
	CandidateID string        `json:"candidate_id"`
	Jobcenter   string        `json:"jobcenter"`
	ErasedBy    string        `json:"erased_by"`
	Reason      string        `json:"reason"`
	ErasedAt    time.Time     `json:"erased_at"`
	Deleted     ErasureCounts `json:"deleted"`
}

func toErasure(r *models.Erasure) Erasure {
	return Erasure{ID: r.ID, CandidateID: r.CandidateID, Jobcenter: r.Jobcenter, ErasedBy: r.ActorID, Reason: r.Reason, ErasedAt: r.ErasedAt,
		Deleted: ErasureCounts{Referrals: r.Referrals, Consents: r.Consents, CVReads: r.CVReads, SecureLinks: r.SecureLinks,
			MailsStopped: r.MailsStopped, MailsCleared: r.MailsCleared, MailboxCopies: r.MailboxCopies}}
}

// maxEraseReason bounds the reason of an erasure.
const maxEraseReason = 2000

// EraseCandidate erases a candidate of the caller's job centre at the candidate's request (GDPR
// art. 17) or for another reason the caller gives: in one transaction (internal/erasure) the
// candidate, the CV and its search index rows, consents, CV access log entries and secure links
// go, the referrals stay as anonymous rows (the employer's view lists them as a CV that is gone;
// the key figures are unchanged), mails not sent yet are stopped, and the audit record is
// written. Then the workflows of the open orders the candidate was sent to are told the CV is
// gone (IDs only; the reason never leaves the database), as when a CV becomes inactive.
//
// A candidate erased already is not found (404): the audit record says when and by whom.
func (s *Service) EraseCandidate(ctx context.Context, p auth.Principal, candidateID string, r EraseRequest) (Erasure, error) {
	reason := strings.TrimSpace(r.Reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > maxEraseReason {
		return Erasure{}, problem.Invalid(problem.Field("reason", "is required (at most 2000 characters): why the candidate is erased"))
	}
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return Erasure{}, err
	}
	var res erasure.Result
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res, err = erasure.Erase(tx, erasure.Request{CandidateID: c.ID, Jobcenter: c.HomeJobcenter,
			Actor: erasure.Actor{ID: p.Subject, Role: p.Role}, Reason: reason, Now: s.now()})
		return err
	})
	if errors.Is(err, erasure.ErrGone) {
		return Erasure{}, ErrCandidateNotFound // erased meanwhile by another request
	}
	if err != nil {
		return Erasure{}, err
	}
	s.tellErased(ctx, res.Open)
	return toErasure(&res.Record), nil
}

// tellErased tells the workflows of the open orders an erased candidate was sent to that the
// referral's CV is gone, with the signal a CV that became inactive sends: the coordinator is
// notified. A signal that fails is logged; the CV is gone from every view either way.
func (s *Service) tellErased(ctx context.Context, open []erasure.OpenReferral) {
	now := s.now()
	for _, o := range open {
		if err := s.workflows.Signal(ctx, o.JobOrderID, joborder.SignalCandidateChanged,
			joborder.CandidateChangedSignal{ReferralID: o.ReferralID, Active: false, At: now}); err != nil {
			s.log.WarnContext(ctx, "could not tell an order that a referred candidate was erased", "job_order_id", o.JobOrderID, "error", err)
		}
	}
}

// ErrErasureNotFound is returned for a candidate with no erasure record in the caller's reach.
var ErrErasureNotFound = problem.NotFound("no erasure of this candidate in your reach")

// ErasureOf returns the audit record of an erased candidate of the caller's job centre (the
// console's page after an erasure shows it); staff of other job centres and everyone else get
// not found, as for the candidate before.
func (s *Service) ErasureOf(ctx context.Context, p auth.Principal, candidateID string) (Erasure, error) {
	if !p.IsJobcenterStaff() || uuid.Validate(candidateID) != nil {
		return Erasure{}, ErrErasureNotFound
	}
	var rec models.Erasure
	err := s.db.WithContext(ctx).Take(&rec, "candidate_id = ? AND jobcenter = ?", candidateID, p.Jobcenter).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Erasure{}, ErrErasureNotFound
	}
	if err != nil {
		return Erasure{}, err
	}
	return toErasure(&rec), nil
}
