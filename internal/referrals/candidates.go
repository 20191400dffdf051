// Package referrals carries out referral (formidling): candidates and their CVs, specific
// consents for non-searchable CVs, referrals to job orders with approval across job centres,
// the employer's view of the CVs it received, and the log of every CV an employer read.
package referrals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/cvindex"
	"jobordre/internal/joborder"
	"jobordre/internal/notify"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Service carries out candidate, consent and referral commands.
type Service struct {
	db        *gorm.DB
	orders    *orders.Service
	workflows orders.Workflows
	// notifier sends the notices no order workflow sends (consent_withdrawn); nil sends none.
	notifier notify.Sender
	// digitalPost is the eboks channel's provider; nil: none configured, eboks refuses.
	digitalPost DigitalPost
	// secureLinkTTL is how long a secure link works (0: DefaultSecureLinkTTL).
	secureLinkTTL time.Duration
	log           *slog.Logger
	now           func() time.Time
}

// SetNotifier sets how the service sends notices outside the order workflows.
func (s *Service) SetNotifier(n notify.Sender) { s.notifier = n }

// NewService wires the referral service.
func NewService(db *gorm.DB, o *orders.Service, wf orders.Workflows, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, orders: o, workflows: wf, log: log, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// CV is a candidate's CV as the job centre mirrors it.
type CV = cvindex.CV

// CandidateRequest is the body of POST /api/v1/candidates and (all fields optional) PATCH.
type CandidateRequest struct {
	Name          *string `json:"name"`
	Email         *string `json:"email"`
	HomeJobcenter *string `json:"home_jobcenter"`
	Searchable    *bool   `json:"searchable"`
	Active        *bool   `json:"active"`
	CV            *CV     `json:"cv"`
	Language      *string `json:"language"`
}

// Candidate is a candidate as the job centre sees it.
type Candidate struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Email         string    `json:"email"`
	HomeJobcenter string    `json:"home_jobcenter"`
	Searchable    bool      `json:"searchable"`
	Active        bool      `json:"active"`
	CV            CV        `json:"cv"`
	Language      string    `json:"language"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toCandidate(c *models.Candidate) Candidate {
	out := Candidate{ID: c.ID, Name: c.Name, Email: c.Email, HomeJobcenter: c.HomeJobcenter, Searchable: c.Searchable,
		Active: c.Active, Language: c.Language, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	_ = json.Unmarshal([]byte(c.CV), &out.CV)
	return out
}

// ErrCandidateNotFound is returned for a candidate that does not exist or is out of reach.
var ErrCandidateNotFound = problem.NotFound("no such candidate in your reach")

// validateCandidate checks a full candidate (after a patch is applied).
func validateCandidate(c *models.Candidate, cv CV) error {
	var f []problem.FieldError
	if n := utf8.RuneCountInString(c.Name); n == 0 || n > 200 {
		f = append(f, problem.Field("name", "is required (at most 200 characters)"))
	}
	if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > 320 {
		f = append(f, problem.Field("email", "must be a plain e-mail address"))
	}
	if len(c.HomeJobcenter) != 3 {
		f = append(f, problem.Field("home_jobcenter", "must be a 3-digit job centre code"))
	}
	if c.Language != "da" && c.Language != "en" {
		f = append(f, problem.Field("language", "must be da or en"))
	}
	if n := utf8.RuneCountInString(cv.Headline); n == 0 || n > 200 {
		f = append(f, problem.Field("cv.headline", "is required (at most 200 characters)"))
	}
	if utf8.RuneCountInString(cv.Experience) > 10000 {
		f = append(f, problem.Field("cv.experience", "must be at most 10000 characters"))
	}
	if utf8.RuneCountInString(cv.Education) > 10000 {
		f = append(f, problem.Field("cv.education", "must be at most 10000 characters"))
	}
	if len(cv.Occupations) > 20 || len(cv.Skills) > 100 {
		f = append(f, problem.Field("cv", "at most 20 occupations and 100 skills"))
	}
	for i, o := range cv.Occupations {
		if len(o) != 4 || strings.Trim(o, "0123456789") != "" {
			f = append(f, problem.Field(fmt.Sprintf("cv.occupations[%d]", i), "must be a 4-digit ISCO-08 code"))
		}
	}
	return problem.Invalid(f...)
}

// CreateCandidate registers a candidate the job centre may refer.
func (s *Service) CreateCandidate(ctx context.Context, p auth.Principal, r CandidateRequest) (Candidate, error) {
	c, err := newCandidate(p)
	if err != nil {
		return Candidate{}, err
	}
	c.ID = uuid.NewString()
	var missing []problem.FieldError
	if r.Name == nil {
		missing = append(missing, problem.Field("name", "is required"))
	}
	if r.Email == nil {
		missing = append(missing, problem.Field("email", "is required"))
	}
	if r.Searchable == nil {
		missing = append(missing, problem.Field("searchable", "is required: whether the CV is searchable on Jobnet"))
	}
	if r.CV == nil {
		missing = append(missing, problem.Field("cv", "is required"))
	}
	if r.HomeJobcenter != nil && *r.HomeJobcenter != p.Jobcenter {
		missing = append(missing, problem.Field("home_jobcenter", "a job centre registers its own candidates (%s)", p.Jobcenter))
	}
	cv := apply(c, r)
	// Every problem at once (a form shows them all): what is missing, then what else is wrong.
	if err := mergeInvalid(missing, validateCandidate(c, cv)); err != nil {
		return Candidate{}, err
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		return cvindex.Index(tx, c)
	}); err != nil {
		return Candidate{}, err
	}
	return toCandidate(c), nil
}

// mergeInvalid adds the fields of a validation error (nil for none) to fields, each field
// once (the first problem named wins), and returns the whole list as one error.
func mergeInvalid(fields []problem.FieldError, err error) error {
	var ve *problem.ValidationError
	if errors.As(err, &ve) {
		seen := map[string]bool{}
		for _, f := range fields {
			seen[f.Field] = true
		}
		for _, f := range ve.Fields {
			if !seen[f.Field] {
				fields = append(fields, f)
			}
		}
	} else if err != nil {
		return err
	}
	return problem.Invalid(fields...)
}

// newCandidate is a candidate p registers before anything is filled in: of p's job centre,
// active, told in Danish. Only job-centre staff register candidates.
func newCandidate(p auth.Principal) (*models.Candidate, error) {
	if !p.IsJobcenterStaff() {
		return nil, problem.Forbidden("only job-centre staff register candidates")
	}
	return &models.Candidate{HomeJobcenter: p.Jobcenter, Active: true, Language: "da", CreatedBy: p.Subject, CV: "{}"}, nil
}

// CandidateDefaults is what a new candidate of p starts with (the form a caseworker fills in):
// p's job centre, active, Danish. Callers who may not register candidates get the error
// CreateCandidate would give them.
func (s *Service) CandidateDefaults(p auth.Principal) (Candidate, error) {
	c, err := newCandidate(p)
	if err != nil {
		return Candidate{}, err
	}
	return toCandidate(c), nil
}

// apply copies the request's fields onto c and returns the resulting CV.
func apply(c *models.Candidate, r CandidateRequest) CV {
	var cv CV
	_ = json.Unmarshal([]byte(c.CV), &cv)
	if r.Name != nil {
		c.Name = strings.TrimSpace(*r.Name)
	}
	if r.Email != nil {
		c.Email = strings.TrimSpace(*r.Email)
	}
	if r.Searchable != nil {
		c.Searchable = *r.Searchable
	}
	if r.Active != nil {
		c.Active = *r.Active
	}
	if r.Language != nil {
		c.Language = *r.Language
	}
	if r.CV != nil {
		cv = *r.CV
		cv.Headline = strings.TrimSpace(cv.Headline)
		if cv.Occupations == nil {
			cv.Occupations = []string{}
		}
		if cv.Skills == nil {
			cv.Skills = []string{}
		}
	}
	b, _ := json.Marshal(cv)
	c.CV = string(b)
	return cv
}

// homeCandidate loads a candidate p holds (access.HoldsCandidate: the staff of the candidate's
// home job centre); to anyone else the candidate does not exist.
func (s *Service) homeCandidate(ctx context.Context, p auth.Principal, id string) (*models.Candidate, error) {
	if uuid.Validate(id) != nil {
		return nil, ErrCandidateNotFound
	}
	var c models.Candidate
	err := s.db.WithContext(ctx).Take(&c, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !access.HoldsCandidate(p, &c)) {
		return nil, ErrCandidateNotFound
	}
	return &c, err
}

// GetCandidate returns a candidate of the caller's job centre.
func (s *Service) GetCandidate(ctx context.Context, p auth.Principal, id string) (Candidate, error) {
	c, err := s.homeCandidate(ctx, p, id)
	if err != nil {
		return Candidate{}, err
	}
	return toCandidate(c), nil
}

// UpdateCandidate changes a candidate of the caller's job centre. When the candidate stops being
// active, their referrals vanish from every employer view at once (reads filter on it) and the
// coordinators of the affected open orders are told; becoming active again restores them.
func (s *Service) UpdateCandidate(ctx context.Context, p auth.Principal, id string, r CandidateRequest) (Candidate, error) {
	c, err := s.homeCandidate(ctx, p, id)
	if err != nil {
		return Candidate{}, err
	}
	if r.HomeJobcenter != nil && *r.HomeJobcenter != c.HomeJobcenter {
		return Candidate{}, problem.Invalid(problem.Field("home_jobcenter", "cannot be changed; the new job centre registers the candidate"))
	}
	wasActive := c.Active
	cv := apply(c, r)
	if err := validateCandidate(c, cv); err != nil {
		return Candidate{}, err
	}
	c.UpdatedAt = s.now()
	if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Save(c).Error; err != nil {
			return err
		}
		return cvindex.Index(tx, c)
	}); err != nil {
		return Candidate{}, err
	}
	if wasActive != c.Active {
		s.tellCoordinators(ctx, p, c)
	}
	return toCandidate(c), nil
}

// tellCoordinators records the change on every open order the candidate was sent to and asks
// the order's workflow to notify its coordinator.
func (s *Service) tellCoordinators(ctx context.Context, p auth.Principal, c *models.Candidate) {
	var refs []models.Referral
	if err := s.db.WithContext(ctx).
		Joins("JOIN job_orders ON job_orders.id = referrals.job_order_id").
		Where("referrals.candidate_id = ? AND referrals.status IN ? AND job_orders.status <> ?", c.ID,
			[]string{models.ReferralSent, models.ReferralHired}, models.StatusClosed).
		Find(&refs).Error; err != nil {
		s.log.ErrorContext(ctx, "could not list the candidate's referrals", "candidate_id", c.ID, "error", err)
		return
	}
	now := s.now()
	for _, ref := range refs {
		if err := s.workflows.Signal(ctx, ref.JobOrderID, joborder.SignalCandidateChanged, joborder.CandidateChangedSignal{ReferralID: ref.ID, Active: c.Active, At: now}); err != nil {
			s.log.WarnContext(ctx, "could not tell an order about a candidate's change", "job_order_id", ref.JobOrderID, "error", err)
		}
	}
}

func jsonUnmarshal(s string, dst any) error { return json.Unmarshal([]byte(s), dst) }
