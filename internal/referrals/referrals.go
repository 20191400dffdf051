package referrals

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/models"
)

// ReferRequest is the body of POST /api/v1/job-orders/{id}/referrals.
type ReferRequest struct {
	CandidateID string `json:"candidate_id"`
	Channel     string `json:"channel"`
	Note        string `json:"note"`
}

// RejectRequest is the body of POST .../referrals/{rid}/reject.
type RejectRequest struct {
	Reason string `json:"reason"`
}

// EmployerNoteRequest is the body of PUT .../referrals/{rid}/employer-note.
type EmployerNoteRequest struct {
	Note string `json:"note"`
}

// ArchiveRequest is the body of PUT .../referrals/{rid}/archive.
type ArchiveRequest struct {
	Archived bool `json:"archived"`
}

// Referral is a referral as job-centre staff see it.
type Referral struct {
	ID                  string     `json:"id"`
	JobOrderID          string     `json:"job_order_id"`
	CandidateID         string     `json:"candidate_id"`
	Status              string     `json:"status"`
	WithdrawnReason     string     `json:"withdrawn_reason,omitempty"`
	Channel             string     `json:"channel"`
	Note                string     `json:"note,omitempty"`
	ProposedBy          string     `json:"proposed_by"`
	ProposedByJobcenter string     `json:"proposed_by_jobcenter"`
	RejectReason        string     `json:"reject_reason,omitempty"`
	SentAt              *time.Time `json:"sent_at"`
	CandidateActive     bool       `json:"candidate_active"`
	CreatedAt           time.Time  `json:"created_at"`
}

// EmployerReferral is a sent referral as the employer sees it: the CV as it is now, never job
// centres' notes.
type EmployerReferral struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	Channel      string     `json:"channel"`
	SentAt       *time.Time `json:"sent_at"`
	Archived     bool       `json:"archived"`
	EmployerNote string     `json:"employer_note"`
	Candidate    struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		CV    CV     `json:"cv"`
	} `json:"candidate"`
}

// Errors of the referral flow.
var (
	ErrReferralNotFound = problem.NotFound("no such referral")
	ErrAlreadyReferred  = problem.Conflict("already-referred", "this candidate is already referred to this order")
	ErrConsentMissing   = problem.Unprocessable("consent-missing", "the candidate's CV is not searchable, and no valid consent names this employer: record the candidate's specific consent first")
	ErrNotPending       = problem.Conflict("not-pending", "the referral is not waiting for approval")
	ErrCandidateGone    = problem.Unprocessable("candidate-inactive", "the candidate's CV is not active")
)

func toReferral(r *models.Referral, active bool) Referral {
	return Referral{ID: r.ID, JobOrderID: r.JobOrderID, CandidateID: r.CandidateID, Status: r.Status, WithdrawnReason: r.WithdrawnReason, Channel: r.Channel, Note: r.Note,
		ProposedBy: r.ProposedBy, ProposedByJobcenter: r.ProposedByJobcenter, RejectReason: r.RejectReason, SentAt: r.SentAt,
		CandidateActive: active, CreatedAt: r.CreatedAt}
}

// Refer refers a candidate of the caller's job centre to an order the caller can see: sent at
// once from the responsible job centre, otherwise a proposal waiting for the coordinator.
func (s *Service) Refer(ctx context.Context, p auth.Principal, orderID string, r ReferRequest) (Referral, error) {
	if !access.CanRefer(p) {
		if p.Role == auth.RoleEmployer {
			if _, err := s.orders.Readable(ctx, p, orderID); err != nil {
				return Referral{}, err
			}
		}
		return Referral{}, problem.Forbidden("only job-centre staff refer candidates")
	}
	o, err := s.orders.Readable(ctx, p, orderID)
	if errors.Is(err, orders.ErrNotFound) && uuid.Validate(orderID) == nil {
		// Job-centre staff learn that the order exists but is not shared with them: the issue's
		// contract is 403 here, so a caseworker knows to ask the responsible job centre.
		var n int64
		if cerr := s.db.WithContext(ctx).Model(&models.JobOrder{}).Where("id = ?", orderID).Count(&n).Error; cerr == nil && n == 1 {
			return Referral{}, problem.Forbidden("this order is not shared with your job centre")
		}
	}
	if err != nil {
		return Referral{}, err
	}
	if o.Status != models.StatusOpen {
		return Referral{}, joborder.Rejection(joborder.ErrOrderClosed, "candidates can only be referred to an open order")
	}
	if r.Channel == "" {
		r.Channel = ChannelJobag
	}
	// A channel that cannot deliver refuses the referral before anything is stored.
	if _, err := s.checkChannel(ctx, o, r.Channel); err != nil {
		return Referral{}, err
	}
	var f []problem.FieldError
	if utf8.RuneCountInString(r.Note) > 5000 {
		f = append(f, problem.Field("note", "must be at most 5000 characters"))
	}
	if r.CandidateID == "" {
		f = append(f, problem.Field("candidate_id", "is required"))
	}
	if err := problem.Invalid(f...); err != nil {
		return Referral{}, err
	}
	c, err := s.homeCandidate(ctx, p, r.CandidateID)
	if errors.Is(err, ErrCandidateNotFound) {
		return Referral{}, problem.Invalid(problem.Field("candidate_id", "is not a candidate of your job centre"))
	}
	if err != nil {
		return Referral{}, err
	}
	if !c.Active {
		return Referral{}, ErrCandidateGone
	}
	var consentID *string
	if !c.Searchable {
		consent, err := s.validConsent(ctx, c.ID, o)
		if err != nil {
			return Referral{}, err
		}
		if consent == nil {
			return Referral{}, ErrConsentMissing
		}
		consentID = &consent.ID
	}
	now := s.now()
	ref := &models.Referral{ID: uuid.NewString(), JobOrderID: o.ID, CandidateID: c.ID, Channel: r.Channel, Note: strings.TrimSpace(r.Note),
		ProposedBy: p.Subject, ProposedByJobcenter: p.Jobcenter, ConsentID: consentID, CreatedAt: now, UpdatedAt: now}
	own := access.IsOwnJobcenter(p, o)
	if own {
		ref.Status, ref.SentAt = models.ReferralSent, &now
	} else {
		ref.Status = models.ReferralPendingApproval
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing models.Referral
		err := tx.Take(&existing, "job_order_id = ? AND candidate_id = ?", o.ID, c.ID).Error
		switch {
		case err == nil && existing.Status != models.ReferralWithdrawn:
			return ErrAlreadyReferred
		case err == nil:
			// Referred again after a withdrawal: the same row comes back (ref has no withdrawal reason).
			ref.ID, ref.CreatedAt = existing.ID, existing.CreatedAt
			if err := tx.Save(ref).Error; err != nil {
				return err
			}
		case errors.Is(err, gorm.ErrRecordNotFound):
			if err := tx.Create(ref).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return ErrAlreadyReferred
				}
				return err
			}
		default:
			return err
		}
		typ := joborder.EventReferralProposed
		if own {
			typ = joborder.EventReferralSent
			if err := s.deliverVia(ctx, tx, o, ref); err != nil {
				return err
			}
		}
		return s.record(tx, o, p, ref, typ, map[string]string{"referral_id": ref.ID, "channel": ref.Channel}, own)
	})
	if err != nil {
		return Referral{}, err
	}
	if own {
		s.signalSent(ctx, ref)
	}
	return toReferral(ref, c.Active), nil
}

// record appends a history entry about a referral in tx; details hold IDs only.
func (s *Service) record(tx *gorm.DB, o *models.JobOrder, p auth.Principal, ref *models.Referral, typ joborder.Event, details map[string]string, employerVisible bool) error {
	_, err := history.Append(tx, history.Entry{JobOrderID: o.ID, Type: typ, Key: joborder.EventKey(o.ID, typ, ref.ID, uuid.NewString()),
		At: s.now(), ActorID: p.Subject, ActorRole: p.Role, Details: details, EmployerVisible: employerVisible})
	return err
}

// signalSent tells the order's workflow: it stops the first-referral deadline, starts the
// follow-up logic and notifies the candidate and the employer, exactly once per referral.
// If Temporal cannot be reached, the referral stays unsignalled and ResignalSent retries it.
func (s *Service) signalSent(ctx context.Context, ref *models.Referral) {
	if err := s.workflows.Signal(ctx, ref.JobOrderID, joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: ref.ID, At: s.now(), Channel: ref.Channel}); err != nil {
		s.log.ErrorContext(ctx, "referral stored as sent, but its workflow was not told yet; the worker retries", "referral_id", ref.ID, "error", err)
		return
	}
	if err := s.db.WithContext(ctx).Model(&models.Referral{}).Where("id = ?", ref.ID).Update("signalled_at", s.now()).Error; err != nil {
		s.log.WarnContext(ctx, "could not record that the workflow was told", "referral_id", ref.ID, "error", err)
	}
}

// ResignalSent tells the workflows about sent referrals they never heard of (a process stopped,
// or Temporal was unreachable, between storing and signalling). Signals are idempotent per
// referral in the workflow, so telling twice is harmless. It returns how many it told.
func (s *Service) ResignalSent(ctx context.Context, olderThan time.Duration) (int, error) {
	var refs []models.Referral
	if err := s.db.WithContext(ctx).Where("status IN ? AND signalled_at IS NULL AND sent_at < ?",
		[]string{models.ReferralSent, models.ReferralHired}, s.now().Add(-olderThan)).Order("sent_at").Limit(500).Find(&refs).Error; err != nil {
		return 0, err
	}
	n := 0
	for i := range refs {
		s.signalSent(ctx, &refs[i])
		var signalled int64
		s.db.WithContext(ctx).Model(&models.Referral{}).Where("id = ? AND signalled_at IS NOT NULL", refs[i].ID).Count(&signalled)
		if signalled == 1 {
			n++
		}
	}
	return n, nil
}

// decisionTarget loads a pending referral of an order p may decide on: the order's coordinator,
// or a manager of the responsible job centre.
func (s *Service) decisionTarget(ctx context.Context, p auth.Principal, orderID, referralID string) (*models.JobOrder, *models.Referral, error) {
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return nil, nil, err
	}
	ref, err := s.referral(ctx, o.ID, referralID)
	if err != nil {
		return nil, nil, err
	}
	if !access.CanDecideProposals(p, o) {
		if !access.IsOwnJobcenter(p, o) {
			return nil, nil, ErrReferralNotFound
		}
		return nil, nil, problem.Forbidden("only the order's coordinator (or a manager of its job centre) approves proposals")
	}
	if ref.Status != models.ReferralPendingApproval {
		return nil, nil, ErrNotPending
	}
	return o, ref, nil
}

func (s *Service) referral(ctx context.Context, orderID, referralID string) (*models.Referral, error) {
	if uuid.Validate(referralID) != nil {
		return nil, ErrReferralNotFound
	}
	var ref models.Referral
	err := s.db.WithContext(ctx).Take(&ref, "id = ? AND job_order_id = ?", referralID, orderID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrReferralNotFound
	}
	return &ref, err
}

// Approve sends a proposal from another job centre to the employer.
func (s *Service) Approve(ctx context.Context, p auth.Principal, orderID, referralID string) (Referral, error) {
	o, ref, err := s.decisionTarget(ctx, p, orderID, referralID)
	if err != nil {
		return Referral{}, err
	}
	var c models.Candidate
	err = s.db.WithContext(ctx).Take(&c, "id = ?", ref.CandidateID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Referral{}, ErrCandidateGone // erased since the proposal was made
	}
	if err != nil {
		return Referral{}, err
	}
	if !c.Active {
		return Referral{}, ErrCandidateGone
	}
	if o.Status != models.StatusOpen {
		return Referral{}, joborder.Rejection(joborder.ErrOrderClosed, "proposals can only be approved on an open order")
	}
	// The proposal's channel must be able to deliver now, or approving it would send nothing.
	if _, err := s.checkChannel(ctx, o, ref.Channel); err != nil {
		return Referral{}, err
	}
	if !c.Searchable {
		// The consent may have been withdrawn since the proposal was made.
		consent, err := s.validConsent(ctx, c.ID, o)
		if err != nil {
			return Referral{}, err
		}
		if consent == nil {
			return Referral{}, ErrConsentMissing
		}
	}
	now := s.now()
	ref.Status, ref.SentAt, ref.DecidedBy, ref.DecidedAt, ref.UpdatedAt = models.ReferralSent, &now, p.Subject, &now, now
	if err := s.decide(ctx, o, p, ref, joborder.EventReferralApproved); err != nil {
		return Referral{}, err
	}
	s.signalDecided(ctx, ref, true)
	s.signalSent(ctx, ref)
	return toReferral(ref, c.Active), nil
}

// Reject turns a proposal down with a reason the proposer is told.
func (s *Service) Reject(ctx context.Context, p auth.Principal, orderID, referralID string, r RejectRequest) (Referral, error) {
	r.Reason = strings.TrimSpace(r.Reason)
	if n := utf8.RuneCountInString(r.Reason); n == 0 || n > 2000 {
		return Referral{}, problem.Invalid(problem.Field("reason", "is required (at most 2000 characters)"))
	}
	o, ref, err := s.decisionTarget(ctx, p, orderID, referralID)
	if err != nil {
		return Referral{}, err
	}
	now := s.now()
	ref.Status, ref.RejectReason, ref.DecidedBy, ref.DecidedAt, ref.UpdatedAt = models.ReferralRejected, r.Reason, p.Subject, &now, now
	if err := s.decide(ctx, o, p, ref, joborder.EventReferralRejected); err != nil {
		return Referral{}, err
	}
	s.signalDecided(ctx, ref, false)
	return toReferral(ref, true), nil
}

func (s *Service) decide(ctx context.Context, o *models.JobOrder, p auth.Principal, ref *models.Referral, typ joborder.Event) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.Referral{}).Where("id = ? AND status = ?", ref.ID, models.ReferralPendingApproval).Updates(map[string]any{
			"status": ref.Status, "sent_at": ref.SentAt, "decided_by": ref.DecidedBy, "decided_at": ref.DecidedAt,
			"reject_reason": ref.RejectReason, "updated_at": ref.UpdatedAt,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotPending // decided by someone else meanwhile
		}
		if typ == joborder.EventReferralApproved {
			if err := s.deliverVia(ctx, tx, o, ref); err != nil {
				return err
			}
		}
		return s.record(tx, o, p, ref, typ, map[string]string{"referral_id": ref.ID}, typ == joborder.EventReferralApproved)
	})
}

func (s *Service) signalDecided(ctx context.Context, ref *models.Referral, approved bool) {
	if err := s.workflows.Signal(ctx, ref.JobOrderID, joborder.SignalReferralDecided, joborder.ReferralDecidedSignal{ReferralID: ref.ID, Approved: approved, At: s.now()}); err != nil {
		s.log.ErrorContext(ctx, "decision stored, but the order's workflow was not told", "referral_id", ref.ID, "error", err)
	}
}

// Withdraw takes a referral back (by the responsible job centre, or the proposer while pending).
func (s *Service) Withdraw(ctx context.Context, p auth.Principal, orderID, referralID string) (Referral, error) {
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return Referral{}, err
	}
	ref, err := s.referral(ctx, o.ID, referralID)
	if err != nil {
		return Referral{}, err
	}
	if !access.CanWithdrawReferral(p, o, ref.ProposedBy) {
		return Referral{}, ErrReferralNotFound
	}
	if ref.Status != models.ReferralSent && ref.Status != models.ReferralPendingApproval {
		return Referral{}, joborder.Rejection(joborder.ErrConflict, "only a sent or proposed referral can be withdrawn; this one is "+ref.Status)
	}
	now := s.now()
	wasSent := ref.Status == models.ReferralSent
	ref.Status, ref.UpdatedAt = models.ReferralWithdrawn, now
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Referral{}).Where("id = ?", ref.ID).Updates(map[string]any{"status": ref.Status, "updated_at": now}).Error; err != nil {
			return err
		}
		// The employer only hears of withdrawals of referrals it had received.
		return s.record(tx, o, p, ref, joborder.EventReferralWithdrawn, map[string]string{"referral_id": ref.ID}, wasSent)
	})
	if err != nil {
		return Referral{}, err
	}
	return toReferral(ref, true), nil
}

// List returns the order's referrals as the caller may see them: the employer gets sent
// referrals of active candidates with their current CV (and each CV read is logged); the
// responsible job centre sees all; another job centre sees only its own proposals.
func (s *Service) List(ctx context.Context, p auth.Principal, orderID string) (any, error) {
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return nil, err
	}
	if p.Role == auth.RoleEmployer {
		return s.employerView(ctx, p, o)
	}
	rows, cands, err := s.staffReferrals(ctx, p, o, "id", "active")
	if err != nil {
		return nil, err
	}
	out := make([]Referral, 0, len(rows))
	for i := range rows {
		out = append(out, toReferral(&rows[i], cands[rows[i].CandidateID].Active))
	}
	return out, nil
}

// staffReferrals loads the order's referrals job-centre staff p may see, oldest first, with the
// named columns of their candidates: the responsible job centre sees every referral, another
// job centre only its own proposals. Admins read no referrals.
func (s *Service) staffReferrals(ctx context.Context, p auth.Principal, o *models.JobOrder, columns ...string) ([]models.Referral, map[string]models.Candidate, error) {
	if p.Role == auth.RoleAdmin {
		return nil, nil, problem.Forbidden("admins do not read CVs or referrals")
	}
	if !p.IsJobcenterStaff() {
		// A job centre's case system (role system) keeps its orders, not its candidates.
		return nil, nil, problem.Forbidden("only job-centre staff read CVs and referrals")
	}
	q := s.db.WithContext(ctx).Where("job_order_id = ?", o.ID)
	if !access.IsOwnJobcenter(p, o) {
		q = q.Where("proposed_by_jobcenter = ?", p.Jobcenter)
	}
	var rows []models.Referral
	if err := q.Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.CandidateID)
	}
	var cands []models.Candidate
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Select(columns).Where("id IN ?", ids).Find(&cands).Error; err != nil {
			return nil, nil, err
		}
	}
	byID := make(map[string]models.Candidate, len(cands))
	for _, c := range cands {
		byID[c.ID] = c
	}
	return rows, byID, nil
}

// OrderReferral is a referral as the order's page shows it to job-centre staff: with the
// candidate's name and CV headline, which the coordinator needs to decide on a proposal.
type OrderReferral struct {
	Referral
	CandidateName     string
	CandidateHeadline string
	// CandidateHomeJobcenter is the job centre the candidate belongs to.
	CandidateHomeJobcenter string
	// CandidateGone: the referral points at no candidate any more (the candidate was erased,
	// or the deletion schedule anonymised the referral); there is no name or CV to show.
	CandidateGone bool
}

// OrderReferrals lists the order's referrals job-centre staff p may see (as List does), with
// their candidates' names and headlines.
func (s *Service) OrderReferrals(ctx context.Context, p auth.Principal, orderID string) ([]OrderReferral, error) {
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return nil, err
	}
	rows, cands, err := s.staffReferrals(ctx, p, o, "id", "active", "name", "cv", "home_jobcenter")
	if err != nil {
		return nil, err
	}
	out := make([]OrderReferral, 0, len(rows))
	for i := range rows {
		c, found := cands[rows[i].CandidateID]
		var cv CV
		_ = jsonUnmarshal(c.CV, &cv)
		out = append(out, OrderReferral{Referral: toReferral(&rows[i], c.Active), CandidateName: c.Name,
			CandidateHeadline: cv.Headline, CandidateHomeJobcenter: c.HomeJobcenter, CandidateGone: !found})
	}
	return out, nil
}

func (s *Service) employerView(ctx context.Context, p auth.Principal, o *models.JobOrder) ([]EmployerReferral, error) {
	var refs []models.Referral
	err := s.db.WithContext(ctx).Joins("JOIN candidates ON candidates.id = referrals.candidate_id").
		Where("referrals.job_order_id = ? AND referrals.status IN ? AND candidates.active = ?", o.ID,
			[]string{models.ReferralSent, models.ReferralHired}, true).Where(consentStillValid).
		Order("referrals.sent_at").Find(&refs).Error
	if err != nil {
		return nil, err
	}
	cands := map[string]models.Candidate{}
	if len(refs) > 0 {
		ids := make([]string, 0, len(refs))
		for _, r := range refs {
			ids = append(ids, r.CandidateID)
		}
		var list []models.Candidate
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, c := range list {
			cands[c.ID] = c
		}
	}
	type row struct {
		models.Referral
		CandidateName, CandidateEmail, CandidateCV string
	}
	rows := make([]row, 0, len(refs))
	for _, r := range refs {
		c := cands[r.CandidateID]
		rows = append(rows, row{Referral: r, CandidateName: c.Name, CandidateEmail: c.Email, CandidateCV: c.CV})
	}
	out := make([]EmployerReferral, 0, len(rows))
	var reads []models.CVAccess
	now := s.now()
	for _, r := range rows {
		e := EmployerReferral{ID: r.ID, Status: r.Status, Channel: r.Channel, SentAt: r.SentAt, Archived: r.EmployerArchived, EmployerNote: r.EmployerNote}
		e.Candidate.Name, e.Candidate.Email = r.CandidateName, r.CandidateEmail
		_ = jsonUnmarshal(r.CandidateCV, &e.Candidate.CV)
		out = append(out, e)
		reads = append(reads, models.CVAccess{CandidateID: r.CandidateID, JobOrderID: o.ID, ReaderID: p.Subject, ReaderCVR: p.CVR, At: now})
	}
	if len(reads) > 0 {
		// The CVs are only handed out once their reading is on record.
		if err := s.db.WithContext(ctx).Create(&reads).Error; err != nil {
			return nil, err
		}
	}
	return out, nil
}

// employerReferral loads a sent referral of the employer's own order with an active candidate.
func (s *Service) employerReferral(ctx context.Context, p auth.Principal, orderID, referralID string) (*models.Referral, error) {
	if p.Role != auth.RoleEmployer {
		return nil, problem.Forbidden("only the employer archives referrals or keeps notes on them")
	}
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return nil, err
	}
	ref, err := s.referral(ctx, o.ID, referralID)
	if err != nil {
		return nil, err
	}
	var shown int64
	if err := s.db.WithContext(ctx).Model(&models.Referral{}).Joins("JOIN candidates ON candidates.id = referrals.candidate_id").
		Where("referrals.id = ? AND referrals.status IN ? AND candidates.active = ?", ref.ID, []string{models.ReferralSent, models.ReferralHired}, true).
		Where(consentStillValid).Count(&shown).Error; err != nil {
		return nil, err
	}
	if shown == 0 {
		return nil, ErrReferralNotFound
	}
	return ref, nil
}

// Archive files a referral away (or back) in the employer's own view.
func (s *Service) Archive(ctx context.Context, p auth.Principal, orderID, referralID string, r ArchiveRequest) error {
	ref, err := s.employerReferral(ctx, p, orderID, referralID)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&models.Referral{}).Where("id = ?", ref.ID).Update("employer_archived", r.Archived).Error
}

// SetEmployerNote keeps the employer's own note on a referral; job centres never see it.
func (s *Service) SetEmployerNote(ctx context.Context, p auth.Principal, orderID, referralID string, r EmployerNoteRequest) error {
	if utf8.RuneCountInString(r.Note) > 5000 {
		return problem.Invalid(problem.Field("note", "must be at most 5000 characters"))
	}
	ref, err := s.employerReferral(ctx, p, orderID, referralID)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&models.Referral{}).Where("id = ?", ref.ID).Update("employer_note", strings.TrimSpace(r.Note)).Error
}

// AccessEntry is one employer read of a candidate's CV.
type AccessEntry struct {
	JobOrderID string    `json:"job_order_id"`
	ReaderID   string    `json:"reader_id"`
	ReaderCVR  string    `json:"reader_cvr"`
	At         time.Time `json:"at"`
}

// AccessLog lists every employer read of the candidate's CV, newest first (home job centre only).
func (s *Service) AccessLog(ctx context.Context, p auth.Principal, candidateID string) ([]AccessEntry, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return nil, err
	}
	var rows []models.CVAccess
	if err := s.db.WithContext(ctx).Where("candidate_id = ?", c.ID).Order("at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]AccessEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, AccessEntry{JobOrderID: r.JobOrderID, ReaderID: r.ReaderID, ReaderCVR: r.ReaderCVR, At: r.At})
	}
	return out, nil
}
