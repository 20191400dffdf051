package referrals

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/cvr"
	"jobordre/internal/orders"
	"jobordre/models"
)

// Consent methods: how the candidate gave it.
var consentMethods = []string{"written", "digital", "oral"}

// ConsentRequest is the body of POST /api/v1/candidates/{id}/consents.
type ConsentRequest struct {
	EmployerCVR    string     `json:"employer_cvr"`
	JobOrderID     string     `json:"job_order_id"`
	Workplace      string     `json:"workplace"`
	Purpose        string     `json:"purpose"`
	DataCategories []string   `json:"data_categories"`
	GivenAt        *time.Time `json:"given_at"`
	Method         string     `json:"method"`
}

// Consent is a recorded consent.
type Consent struct {
	ID             string     `json:"id"`
	CandidateID    string     `json:"candidate_id"`
	EmployerCVR    string     `json:"employer_cvr"`
	JobOrderID     *string    `json:"job_order_id"`
	Workplace      string     `json:"workplace,omitempty"`
	Purpose        string     `json:"purpose"`
	DataCategories []string   `json:"data_categories"`
	GivenAt        time.Time  `json:"given_at"`
	Method         string     `json:"method"`
	WithdrawnAt    *time.Time `json:"withdrawn_at"`
}

func toConsent(c *models.Consent) Consent {
	out := Consent{ID: c.ID, CandidateID: c.CandidateID, EmployerCVR: c.EmployerCVR, JobOrderID: c.JobOrderID, Workplace: c.Workplace,
		Purpose: c.Purpose, GivenAt: c.GivenAt, Method: c.Method, WithdrawnAt: c.WithdrawnAt}
	_ = json.Unmarshal([]byte(c.DataCategories), &out.DataCategories)
	return out
}

// AddConsent records a candidate's specific consent: which employer, which order or workplace,
// for what purpose, which personal data, when and how it was given.
func (s *Service) AddConsent(ctx context.Context, p auth.Principal, candidateID string, r ConsentRequest) (Consent, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return Consent{}, err
	}
	var f []orders.FieldError
	if !cvr.Valid(r.EmployerCVR) {
		f = append(f, fieldErr("employer_cvr", "must be the employer's 8-digit CVR number (modulus 11)"))
	}
	r.Workplace = strings.TrimSpace(r.Workplace)
	if utf8.RuneCountInString(r.Workplace) > 200 {
		f = append(f, fieldErr("workplace", "must be at most 200 characters"))
	}
	switch {
	case r.JobOrderID == "" && r.Workplace == "":
		f = append(f, fieldErr("job_order_id", "name the job order (or the workplace) the consent is for"))
	case r.JobOrderID != "" && uuid.Validate(r.JobOrderID) != nil:
		f = append(f, fieldErr("job_order_id", "must be a job order ID"))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Purpose)); n == 0 || n > 500 {
		f = append(f, fieldErr("purpose", "is required (at most 500 characters)"))
	}
	if len(r.DataCategories) == 0 {
		f = append(f, fieldErr("data_categories", "name the personal data the consent covers, e.g. [\"cv\", \"contact_details\"]"))
	}
	switch {
	case r.GivenAt == nil:
		f = append(f, fieldErr("given_at", "is required: when the consent was given"))
	case r.GivenAt.After(s.now().Add(time.Minute)):
		f = append(f, fieldErr("given_at", "cannot be in the future"))
	}
	ok := false
	for _, m := range consentMethods {
		ok = ok || r.Method == m
	}
	if !ok {
		f = append(f, fieldErr("method", "must be one of %s", strings.Join(consentMethods, ", ")))
	}
	if err := invalid(f); err != nil {
		return Consent{}, err
	}
	cats, _ := json.Marshal(r.DataCategories)
	row := &models.Consent{ID: uuid.NewString(), CandidateID: c.ID, EmployerCVR: r.EmployerCVR, Workplace: r.Workplace,
		Purpose: strings.TrimSpace(r.Purpose), DataCategories: string(cats), GivenAt: r.GivenAt.UTC(), Method: r.Method,
		RecordedBy: p.Subject, CreatedAt: s.now()}
	if r.JobOrderID != "" {
		row.JobOrderID = &r.JobOrderID
	}
	if err := s.db.WithContext(ctx).Create(row).Error; err != nil {
		return Consent{}, err
	}
	return toConsent(row), nil
}

// ErrConsentNotFound is returned for a consent that is not the candidate's.
var ErrConsentNotFound = errors.New("no such consent")

// WithdrawConsent records that the candidate withdrew a consent; referrals made under it stay
// in the history, and no new referral can rely on it.
func (s *Service) WithdrawConsent(ctx context.Context, p auth.Principal, candidateID, consentID string) (Consent, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return Consent{}, err
	}
	var row models.Consent
	err = s.db.WithContext(ctx).Take(&row, "id = ? AND candidate_id = ?", consentID, c.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Consent{}, ErrConsentNotFound
	}
	if err != nil {
		return Consent{}, err
	}
	if row.WithdrawnAt == nil {
		now := s.now()
		row.WithdrawnAt = &now
		if err := s.db.WithContext(ctx).Model(&row).Update("withdrawn_at", now).Error; err != nil {
			return Consent{}, err
		}
	}
	return toConsent(&row), nil
}

// validConsent finds a consent, not withdrawn, that lets this candidate's CV go to this order's employer.
func (s *Service) validConsent(ctx context.Context, candidateID string, o *models.JobOrder) (*models.Consent, error) {
	var rows []models.Consent
	if err := s.db.WithContext(ctx).Where("candidate_id = ? AND employer_cvr = ? AND withdrawn_at IS NULL", candidateID, o.CompanyCVR).
		Order("given_at DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].JobOrderID == nil || *rows[i].JobOrderID == o.ID {
			return &rows[i], nil
		}
	}
	return nil, nil
}
