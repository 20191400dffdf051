package referrals

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/auth"
	"jobordre/internal/consent"
	"jobordre/internal/cvr"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Consent methods: how the candidate gave it.
var consentMethods = []string{"written", "digital", "oral"}

var postalCodePattern = regexp.MustCompile(`^[0-9]{4}$`)

// ConsentWorkplace is the workplace a consent names: a street address and its postal code, as
// a job order's workplace is written.
type ConsentWorkplace struct {
	Address    string `json:"address"`
	PostalCode string `json:"postal_code"`
}

// ConsentRequest is the body of POST /api/v1/candidates/{id}/consents: the employer, and either
// one of its orders (job_order_id) or one of its workplaces.
type ConsentRequest struct {
	EmployerCVR    string            `json:"employer_cvr"`
	JobOrderID     string            `json:"job_order_id"`
	Workplace      *ConsentWorkplace `json:"workplace"`
	Purpose        string            `json:"purpose"`
	DataCategories []string          `json:"data_categories"`
	GivenAt        *time.Time        `json:"given_at"`
	Method         string            `json:"method"`
}

// Consent is a recorded consent.
type Consent struct {
	ID             string            `json:"id"`
	CandidateID    string            `json:"candidate_id"`
	EmployerCVR    string            `json:"employer_cvr"`
	JobOrderID     *string           `json:"job_order_id"`
	Workplace      *ConsentWorkplace `json:"workplace,omitempty"`
	Purpose        string            `json:"purpose"`
	DataCategories []string          `json:"data_categories"`
	GivenAt        time.Time         `json:"given_at"`
	Method         string            `json:"method"`
	WithdrawnAt    *time.Time        `json:"withdrawn_at"`
}

func toConsent(c *models.Consent) Consent {
	out := Consent{ID: c.ID, CandidateID: c.CandidateID, EmployerCVR: c.EmployerCVR, JobOrderID: c.JobOrderID,
		Purpose: c.Purpose, GivenAt: c.GivenAt, Method: c.Method, WithdrawnAt: c.WithdrawnAt, DataCategories: []string{}}
	if c.Workplace != "" {
		out.Workplace = &ConsentWorkplace{Address: c.Workplace, PostalCode: c.WorkplacePostalCode}
	}
	_ = json.Unmarshal([]byte(c.DataCategories), &out.DataCategories)
	return out
}

// AddConsent records a candidate's specific consent: which employer, which of its orders or
// workplaces, for what purpose, which personal data, when and how it was given. An order must be
// one of that employer's that the caller's job centre can see.
func (s *Service) AddConsent(ctx context.Context, p auth.Principal, candidateID string, r ConsentRequest) (Consent, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return Consent{}, err
	}
	var f []problem.FieldError
	if !cvr.Valid(r.EmployerCVR) {
		f = append(f, problem.Field("employer_cvr", "must be the employer's 8-digit CVR number (modulus 11)"))
	}
	switch {
	case r.JobOrderID == "" && r.Workplace == nil:
		f = append(f, problem.Field("job_order_id", "name the employer's job order (or, instead, the workplace) the consent is for"))
	case r.JobOrderID != "" && r.Workplace != nil:
		f = append(f, problem.Field("workplace", "name either the job order or the workplace, not both: a consent is for one of them"))
	case r.JobOrderID != "":
		if uuid.Validate(r.JobOrderID) != nil {
			f = append(f, problem.Field("job_order_id", "must be a job order ID"))
		} else if o, err := s.orders.Readable(ctx, p, r.JobOrderID); errors.Is(err, orders.ErrNotFound) || (err == nil && o.CompanyCVR != r.EmployerCVR) {
			f = append(f, problem.Field("job_order_id", "is not a job order of employer %s that your job centre can see", r.EmployerCVR))
		} else if err != nil {
			return Consent{}, err
		}
	default:
		r.Workplace.Address = strings.TrimSpace(r.Workplace.Address)
		r.Workplace.PostalCode = strings.TrimSpace(r.Workplace.PostalCode)
		if n := utf8.RuneCountInString(r.Workplace.Address); n == 0 || n > 200 {
			f = append(f, problem.Field("workplace.address", "is required: the workplace's street address as the job order gives it (at most 200 characters)"))
		}
		if !postalCodePattern.MatchString(r.Workplace.PostalCode) {
			f = append(f, problem.Field("workplace.postal_code", "must be the workplace's 4-digit postal code"))
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Purpose)); n == 0 || n > 500 {
		f = append(f, problem.Field("purpose", "is required (at most 500 characters)"))
	}
	if len(r.DataCategories) == 0 {
		f = append(f, problem.Field("data_categories", "name the personal data the consent covers, e.g. [\"cv\", \"contact_details\"]"))
	}
	switch {
	case r.GivenAt == nil:
		f = append(f, problem.Field("given_at", "is required: when the consent was given"))
	case r.GivenAt.After(s.now().Add(time.Minute)):
		f = append(f, problem.Field("given_at", "cannot be in the future"))
	}
	ok := false
	for _, m := range consentMethods {
		ok = ok || r.Method == m
	}
	if !ok {
		f = append(f, problem.Field("method", "must be one of %s", strings.Join(consentMethods, ", ")))
	}
	if err := problem.Invalid(f...); err != nil {
		return Consent{}, err
	}
	cats, _ := json.Marshal(r.DataCategories)
	row := &models.Consent{ID: uuid.NewString(), CandidateID: c.ID, EmployerCVR: r.EmployerCVR,
		Purpose: strings.TrimSpace(r.Purpose), DataCategories: string(cats), GivenAt: r.GivenAt.UTC(), Method: r.Method,
		RecordedBy: p.Subject, CreatedAt: s.now()}
	if r.JobOrderID != "" {
		row.JobOrderID = &r.JobOrderID
	} else {
		row.Workplace, row.WorkplacePostalCode = r.Workplace.Address, r.Workplace.PostalCode
		row.WorkplaceKey = consent.WorkplaceKey(r.Workplace.Address, r.Workplace.PostalCode)
	}
	if err := s.db.WithContext(ctx).Create(row).Error; err != nil {
		return Consent{}, err
	}
	return toConsent(row), nil
}

// Consents lists the candidate's consents, newest first (home job centre only).
func (s *Service) Consents(ctx context.Context, p auth.Principal, candidateID string) ([]Consent, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return nil, err
	}
	var rows []models.Consent
	if err := s.db.WithContext(ctx).Where("candidate_id = ?", c.ID).Order("given_at DESC, created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Consent, 0, len(rows))
	for i := range rows {
		out = append(out, toConsent(&rows[i]))
	}
	return out, nil
}

// ErrConsentNotFound is returned for a consent that is not the candidate's.
var ErrConsentNotFound = problem.NotFound("no such consent")

// WithdrawConsent records that the candidate withdrew a consent. No new referral can rely on it,
// and the CVs sent under it leave the employer's view at once: its sent and proposed referrals
// become withdrawn (reason consent_withdrawn, in each order's history), a hired one stays hired
// but its CV is no longer shown (every employer read filters on the consent), and the
// coordinator of each order is told (consent_withdrawn).
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
	if row.WithdrawnAt != nil {
		return toConsent(&row), nil // withdrawn before: the same answer
	}
	now := s.now()
	var affected []models.Referral
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.Consent{}).Where("id = ? AND withdrawn_at IS NULL", row.ID).Update("withdrawn_at", now)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // 0 rows: withdrawn concurrently, the other call did the rest
		}
		if err := tx.Where("consent_id = ? AND status IN ?", row.ID, []string{models.ReferralSent, models.ReferralPendingApproval}).
			Find(&affected).Error; err != nil {
			return err
		}
		for i := range affected {
			ref := &affected[i]
			wasSent := ref.Status == models.ReferralSent
			if err := tx.Model(&models.Referral{}).Where("id = ?", ref.ID).Updates(map[string]any{
				"status": models.ReferralWithdrawn, "withdrawn_reason": models.WithdrawnConsent, "updated_at": now}).Error; err != nil {
				return err
			}
			var o models.JobOrder
			if err := tx.Take(&o, "id = ?", ref.JobOrderID).Error; err != nil {
				return err
			}
			if err := s.record(tx, &o, p, ref, joborder.EventReferralWithdrawn,
				map[string]string{"referral_id": ref.ID, "withdrawn_reason": models.WithdrawnConsent}, wasSent); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Consent{}, err
	}
	row.WithdrawnAt = &now
	s.tellConsentWithdrawn(ctx, affected)
	return toConsent(&row), nil
}

// tellConsentWithdrawn mails the coordinator of each order whose referral a withdrawn consent
// took back. The notice is written and delivered outside the order's workflow (which may have
// ended); its key names the referral, so telling twice sends one mail.
func (s *Service) tellConsentWithdrawn(ctx context.Context, refs []models.Referral) {
	if s.notifier == nil {
		return
	}
	for _, ref := range refs {
		var o models.JobOrder
		if err := s.db.WithContext(ctx).Select("id", "coordinator_id").Take(&o, "id = ?", ref.JobOrderID).Error; err != nil {
			s.log.ErrorContext(ctx, "could not read the order of a withdrawn referral", "referral_id", ref.ID, "error", err)
			continue
		}
		in := activities.NotifyInput{JobOrderID: o.ID, Template: joborder.TemplateConsentWithdrawn, RecipientRole: joborder.RecipientCoordinator,
			IdempotencyKey: joborder.NotificationKey(o.ID, joborder.TemplateConsentWithdrawn, "", ref.ID), CoordinatorID: o.CoordinatorID, ReferralID: ref.ID}
		if err := s.notifier.Notify(ctx, in); err != nil {
			s.log.ErrorContext(ctx, "could not tell the coordinator that a consent was withdrawn", "referral_id", ref.ID, "error", err)
		}
	}
}

// validConsent finds a consent that covers sending this candidate's CV to this order's employer
// for this order (internal/consent).
func (s *Service) validConsent(ctx context.Context, candidateID string, o *models.JobOrder) (*models.Consent, error) {
	var rows []models.Consent
	if err := consent.CoveringConsents(s.db.WithContext(ctx).Table("consents AS k"), "k", o).
		Where("k.candidate_id = ?", candidateID).Order("k.given_at DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		if consent.Covers(&rows[i], o) {
			return &rows[i], nil
		}
	}
	return nil, nil
}

// consentStillValid is the SQL condition "the referral's consent, if it relied on one, is not
// withdrawn", which every employer read of CVs applies.
const consentStillValid = "(referrals.consent_id IS NULL OR NOT EXISTS (SELECT 1 FROM consents WHERE consents.id = referrals.consent_id AND consents.withdrawn_at IS NOT NULL))"
