// Package companies registers employers by CVR number with their contact persons: the first
// contact becomes the main contact (hovedkontaktperson), who alone edits the company profile,
// adds contacts and hands the role on. Orders belong to a CVR, so orders a job centre created for
// a company before it registered are visible to its contacts from the day it does.
package companies

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/auth"
	"jobordre/internal/cvr"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Service registers and maintains companies.
type Service struct {
	db  *gorm.DB
	ref *refdata.Data
	now func() time.Time
}

// NewService returns the service over db.
func NewService(db *gorm.DB, ref *refdata.Data) *Service {
	return &Service{db: db, ref: ref, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// Errors of the company service.
var (
	ErrNotFound       = problem.NotFound("no such company in your reach")
	ErrRegistered     = problem.Conflict("", "this CVR number is already registered")
	ErrContactExists  = problem.Conflict("", "this contact person is already registered")
	ErrUnknownContact = errors.New("no such contact person at this company")
)

// Contact is a contact person of a company.
type Contact struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Main  bool   `json:"main"`
}

// Company is a registered employer.
type Company struct {
	CVR          string    `json:"cvr"`
	Name         string    `json:"name"`
	IndustryCode string    `json:"industry_code,omitempty"`
	Contacts     []Contact `json:"contacts"`
	CreatedAt    time.Time `json:"created_at"`
}

// RegisterRequest is the body of POST /api/v1/companies; the caller becomes the main contact.
type RegisterRequest struct {
	CVR          string `json:"cvr"`
	Name         string `json:"name"`
	IndustryCode string `json:"industry_code"`
}

// UpdateRequest is the body of PATCH /api/v1/companies/{cvr}.
type UpdateRequest struct {
	Name         *string `json:"name"`
	IndustryCode *string `json:"industry_code"`
}

// ContactRequest is the body of POST /api/v1/companies/{cvr}/contacts.
type ContactRequest struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// MainContactRequest is the body of PUT /api/v1/companies/{cvr}/main-contact.
type MainContactRequest struct {
	ContactID string `json:"contact_id"`
}

func (s *Service) check(v *problem.ValidationError, name, industry string) {
	if n := utf8.RuneCountInString(strings.TrimSpace(name)); n == 0 || n > 200 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "name", Detail: "is required (at most 200 characters)"})
	}
	if industry != "" {
		if i, ok := s.ref.Industry(industry); !ok || i.Level != "subclass" {
			v.Fields = append(v.Fields, problem.FieldError{Field: "industry_code", Detail: "must be a DB07 industry code such as 62.01.00"})
		}
	}
}

// Register records the caller's company; an employer registers its own CVR and becomes its main contact.
func (s *Service) Register(ctx context.Context, p auth.Principal, r RegisterRequest) (Company, error) {
	if p.Role != auth.RoleEmployer {
		return Company{}, problem.Forbidden("a company is registered by one of its own people")
	}
	v := &problem.ValidationError{}
	switch {
	case !cvr.Valid(r.CVR):
		v.Fields = append(v.Fields, problem.FieldError{Field: "cvr", Detail: "must be an 8-digit CVR number that passes the modulus-11 check"})
	case r.CVR != p.CVR:
		v.Fields = append(v.Fields, problem.FieldError{Field: "cvr", Detail: "an employer registers its own CVR number (the one in its token)"})
	}
	s.check(v, r.Name, r.IndustryCode)
	if len(v.Fields) > 0 {
		return Company{}, v
	}
	now := s.now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Company{}).Where("cvr = ?", r.CVR).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrRegistered
		}
		if err := tx.Create(&models.Company{CVR: r.CVR, Name: strings.TrimSpace(r.Name), IndustryCode: r.IndustryCode,
			MainContactID: p.Subject, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrRegistered
			}
			return err
		}
		// The caller is usually a contact already (the directory registers tokens on first use);
		// keep what is stored and only make sure the row exists for this CVR.
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.Assignments(map[string]any{"cvr": r.CVR, "updated_at": now}),
		}).Create(&models.CompanyContact{ID: p.Subject, CVR: r.CVR, Name: p.Name, Email: p.Email, Language: "da", CreatedAt: now, UpdatedAt: now}).Error
	})
	if err != nil {
		return Company{}, err
	}
	return s.Get(ctx, p, r.CVR)
}

// Get returns a company to its own people, job-centre staff and admins.
func (s *Service) Get(ctx context.Context, p auth.Principal, cvrNumber string) (Company, error) {
	if p.Role == auth.RoleEmployer && p.CVR != cvrNumber {
		return Company{}, ErrNotFound
	}
	var c models.Company
	err := s.db.WithContext(ctx).Take(&c, "cvr = ?", cvrNumber).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Company{}, ErrNotFound
	}
	if err != nil {
		return Company{}, err
	}
	var contacts []models.CompanyContact
	if err := s.db.WithContext(ctx).Where("cvr = ?", cvrNumber).Order("name, id").Find(&contacts).Error; err != nil {
		return Company{}, err
	}
	out := Company{CVR: c.CVR, Name: c.Name, IndustryCode: c.IndustryCode, CreatedAt: c.CreatedAt, Contacts: []Contact{}}
	for _, k := range contacts {
		out.Contacts = append(out.Contacts, Contact{ID: k.ID, Name: k.Name, Email: k.Email, Main: k.ID == c.MainContactID})
	}
	return out, nil
}

// mainContact loads the company and checks that p is its main contact.
func (s *Service) mainContact(ctx context.Context, p auth.Principal, cvrNumber string) (*models.Company, error) {
	if p.Role != auth.RoleEmployer || p.CVR != cvrNumber {
		return nil, ErrNotFound
	}
	var c models.Company
	err := s.db.WithContext(ctx).Take(&c, "cvr = ?", cvrNumber).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if c.MainContactID != p.Subject {
		return nil, problem.Forbidden("only the company's main contact (hovedkontaktperson) may do this")
	}
	return &c, nil
}

// Update edits the company profile (main contact only).
func (s *Service) Update(ctx context.Context, p auth.Principal, cvrNumber string, r UpdateRequest) (Company, error) {
	c, err := s.mainContact(ctx, p, cvrNumber)
	if err != nil {
		return Company{}, err
	}
	name, industry := c.Name, c.IndustryCode
	if r.Name != nil {
		name = strings.TrimSpace(*r.Name)
	}
	if r.IndustryCode != nil {
		industry = *r.IndustryCode
	}
	v := &problem.ValidationError{}
	s.check(v, name, industry)
	if len(v.Fields) > 0 {
		return Company{}, v
	}
	if err := s.db.WithContext(ctx).Model(&models.Company{}).Where("cvr = ?", cvrNumber).
		Updates(map[string]any{"name": name, "industry_code": industry, "updated_at": s.now()}).Error; err != nil {
		return Company{}, err
	}
	return s.Get(ctx, p, cvrNumber)
}

// AddContact registers another contact person (main contact only); they may then create and
// read the company's orders with their own token.
func (s *Service) AddContact(ctx context.Context, p auth.Principal, cvrNumber string, r ContactRequest) (Company, error) {
	if _, err := s.mainContact(ctx, p, cvrNumber); err != nil {
		return Company{}, err
	}
	r.ID, r.Name, r.Email = strings.TrimSpace(r.ID), strings.TrimSpace(r.Name), strings.TrimSpace(r.Email)
	v := &problem.ValidationError{}
	if r.ID == "" || len(r.ID) > 200 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "id", Detail: "is required: the sub of the person's token (at most 200 characters)"})
	}
	if n := utf8.RuneCountInString(r.Name); n == 0 || n > 200 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "name", Detail: "is required (at most 200 characters)"})
	}
	if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || len(r.Email) > 320 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "email", Detail: "must be a plain e-mail address"})
	}
	if len(v.Fields) > 0 {
		return Company{}, v
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.CompanyContact{}).Where("id = ?", r.ID).Count(&n).Error; err != nil {
		return Company{}, err
	}
	if n > 0 {
		return Company{}, ErrContactExists
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Create(&models.CompanyContact{ID: r.ID, CVR: cvrNumber, Name: r.Name, Email: r.Email, Language: "da", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Company{}, ErrContactExists // added concurrently
		}
		return Company{}, err
	}
	return s.Get(ctx, p, cvrNumber)
}

// HandOver makes another contact of the company its main contact (main contact only).
func (s *Service) HandOver(ctx context.Context, p auth.Principal, cvrNumber string, r MainContactRequest) (Company, error) {
	if _, err := s.mainContact(ctx, p, cvrNumber); err != nil {
		return Company{}, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.CompanyContact{}).Where("id = ? AND cvr = ?", r.ContactID, cvrNumber).Count(&n).Error; err != nil {
		return Company{}, err
	}
	if n == 0 {
		return Company{}, &problem.ValidationError{Fields: []problem.FieldError{{Field: "contact_id", Detail: ErrUnknownContact.Error()}}}
	}
	if err := s.db.WithContext(ctx).Model(&models.Company{}).Where("cvr = ?", cvrNumber).
		Updates(map[string]any{"main_contact_id": r.ContactID, "updated_at": s.now()}).Error; err != nil {
		return Company{}, err
	}
	return s.Get(ctx, p, cvrNumber)
}
