// Package companies registers employers by CVR number with their contact persons: the first
// contact becomes the main contact (hovedkontaktperson), who alone edits the company profile,
// adds and removes contacts and hands the role on. Orders belong to a CVR, so orders a job centre
// created for a company before it registered are visible to its contacts from the day it does.
//
// A job centre creating an order for a CVR that has not registered stores the company's name
// (and address) as a company of its own making, with the person it spoke to as a contact; the
// company takes that row over when it registers, and its main contact becomes the contact person
// of every order that had none. A removed contact person hands their orders to the main contact.
// MailContact says who receives the employer's mail about an order.
package companies

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/auth"
	"jobordre/internal/cvr"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Service registers and maintains companies.
type Service struct {
	db        *gorm.DB
	ref       *refdata.Data
	now       func() time.Time
	readdress Readdresser
	log       *slog.Logger
}

// Readdresser sends the employer mails of orders that waited without an address once their
// employer has a contact person with one (notify.Readdresser; declared here so that this
// package stays below the activities that use MailContact).
type Readdresser interface {
	Readdress(ctx context.Context, jobOrderIDs ...string) error
}

// NewService returns the service over db.
func NewService(db *gorm.DB, ref *refdata.Data) *Service {
	return &Service{db: db, ref: ref, log: slog.New(slog.DiscardHandler),
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetReaddresser sets what sends an order's waiting employer mails when a registration or a
// removed contact gives the order a contact person; log says when that fails (the worker's
// reconciler sends them later).
func (s *Service) SetReaddresser(r Readdresser, log *slog.Logger) {
	s.readdress = r
	if log != nil {
		s.log = log
	}
}

// afterContactChange sends the waiting employer mails of orders that got a contact person.
func (s *Service) afterContactChange(ctx context.Context, orderIDs []string) {
	if s.readdress == nil || len(orderIDs) == 0 {
		return
	}
	if err := s.readdress.Readdress(ctx, orderIDs...); err != nil {
		s.log.WarnContext(ctx, "could not send the employer mails that waited for an address; the reconciler will", "orders", len(orderIDs), "error", err)
	}
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
	Phone string `json:"phone,omitempty"`
	Main  bool   `json:"main"`
}

// Company is an employer: registered, or stored by a job centre before it registered.
type Company struct {
	CVR          string `json:"cvr"`
	Name         string `json:"name"`
	IndustryCode string `json:"industry_code,omitempty"`
	Address      string `json:"address,omitempty"`
	PostalCode   string `json:"postal_code,omitempty"`
	// Registered is false for a company a job centre stored that has not registered itself yet.
	Registered bool `json:"registered"`
	// CreatedByJobcenter is the job centre that stored the company before it registered.
	CreatedByJobcenter string    `json:"created_by_jobcenter,omitempty"`
	Contacts           []Contact `json:"contacts"`
	CreatedAt          time.Time `json:"created_at"`
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
	Phone string `json:"phone"`
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
	var handed []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing models.Company
		switch err := tx.Take(&existing, "cvr = ?", r.CVR).Error; {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if err := tx.Create(&models.Company{CVR: r.CVR, Name: strings.TrimSpace(r.Name), IndustryCode: r.IndustryCode,
				MainContactID: p.Subject, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return ErrRegistered
				}
				return err
			}
		case err != nil:
			return err
		case existing.Registered():
			return ErrRegistered
		default:
			// A job centre stored the company before it registered: the company takes the row
			// over, with its own name, and its contacts the job centre entered stay.
			res := tx.Model(&models.Company{}).Where("cvr = ? AND taken_over_at IS NULL", r.CVR).Updates(map[string]any{
				"name": strings.TrimSpace(r.Name), "industry_code": r.IndustryCode, "main_contact_id": p.Subject,
				"taken_over_at": now, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrRegistered // taken over concurrently
			}
		}
		// The caller is usually a contact already (the directory registers tokens on first use);
		// keep what is stored and only make sure the row exists for this CVR.
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.Assignments(map[string]any{"cvr": r.CVR, "removed_at": nil, "updated_at": now}),
		}).Create(&models.CompanyContact{ID: p.Subject, CVR: r.CVR, Name: p.Name, Email: p.Email, Language: "da", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		// The main contact becomes the contact person of the orders that had none.
		var err error
		handed, err = handOrders(tx, p, r.CVR, nil, p.Subject, joborder.ContactReasonCompanyRegistered, now)
		return err
	})
	if err != nil {
		return Company{}, err
	}
	s.afterContactChange(ctx, handed)
	return s.Get(ctx, p, r.CVR)
}

// handOrders makes to the contact person of the company's orders whose contact is from (nil:
// the orders without one), records it in each order's history and returns the orders' IDs.
func handOrders(tx *gorm.DB, p auth.Principal, cvrNumber string, from *string, to, reason string, now time.Time) ([]string, error) {
	q := tx.Model(&models.JobOrder{}).Where("company_cvr = ?", cvrNumber)
	if from == nil {
		q = q.Where("contact_id IS NULL")
	} else {
		q = q.Where("contact_id = ?", *from)
	}
	var ids []string
	if err := q.Order("created_at, id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if err := tx.Model(&models.JobOrder{}).Where("id IN ?", ids).
		Updates(map[string]any{"contact_id": to, "updated_at": now}).Error; err != nil {
		return nil, err
	}
	entries := make([]history.Entry, 0, len(ids))
	for _, id := range ids {
		details := map[string]string{"contact_id": to, "reason": reason}
		if from != nil {
			details["previous_contact_id"] = *from
		}
		entries = append(entries, history.Entry{
			JobOrderID: id, Type: joborder.EventContactPersonChanged, At: now, ActorID: p.Subject, ActorRole: p.Role,
			Key: joborder.EventKey(id, joborder.EventContactPersonChanged, uuid.NewString()), Details: details, EmployerVisible: true,
		})
	}
	if _, err := history.Append(tx, entries...); err != nil {
		return nil, err
	}
	return ids, nil
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
	if err := s.db.WithContext(ctx).Where("cvr = ? AND removed_at IS NULL", cvrNumber).Order("name, id").Find(&contacts).Error; err != nil {
		return Company{}, err
	}
	out := Company{CVR: c.CVR, Name: c.Name, IndustryCode: c.IndustryCode, Address: c.Address, PostalCode: c.PostalCode,
		Registered: c.Registered(), CreatedByJobcenter: c.CreatedByJobcenter, CreatedAt: c.CreatedAt, Contacts: []Contact{}}
	for _, k := range contacts {
		out.Contacts = append(out.Contacts, Contact{ID: k.ID, Name: k.Name, Email: k.Email, Phone: k.Phone, Main: k.ID == c.MainContactID})
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
// read the company's orders with their own token. A removed contact person can be added again.
func (s *Service) AddContact(ctx context.Context, p auth.Principal, cvrNumber string, r ContactRequest) (Company, error) {
	if _, err := s.mainContact(ctx, p, cvrNumber); err != nil {
		return Company{}, err
	}
	r.ID = strings.TrimSpace(r.ID)
	v := &problem.ValidationError{}
	if r.ID == "" || len(r.ID) > 200 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "id", Detail: "is required: the sub of the person's token (at most 200 characters)"})
	}
	person := PersonRequest{Name: r.Name, Email: r.Email, Phone: r.Phone}
	person.Check(v, "")
	if len(v.Fields) > 0 {
		return Company{}, v
	}
	var existing models.CompanyContact
	switch err := s.db.WithContext(ctx).Take(&existing, "id = ?", r.ID).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return Company{}, err
	case existing.CVR == cvrNumber && existing.RemovedAt != nil:
		if err := s.db.WithContext(ctx).Model(&models.CompanyContact{}).Where("id = ?", r.ID).Updates(map[string]any{
			"name": person.Name, "email": person.Email, "phone": person.Phone, "removed_at": nil, "updated_at": s.now()}).Error; err != nil {
			return Company{}, err
		}
		return s.Get(ctx, p, cvrNumber)
	default:
		return Company{}, ErrContactExists
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Create(&models.CompanyContact{ID: r.ID, CVR: cvrNumber, Name: person.Name, Email: person.Email, Phone: person.Phone,
		Language: "da", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
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
	if err := s.db.WithContext(ctx).Model(&models.CompanyContact{}).Where("id = ? AND cvr = ? AND removed_at IS NULL", r.ContactID, cvrNumber).Count(&n).Error; err != nil {
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

// ErrRemoveMainContact refuses to remove the main contact, who must hand the role on first.
var ErrRemoveMainContact = problem.Conflict("", "the main contact (hovedkontaktperson) cannot be removed; hand the role to another contact first (PUT /api/v1/companies/{cvr}/main-contact)")

// RemoveContact removes a contact person of the company: the main contact may remove any other
// contact; while the company has not registered, the job centre that stored it may remove the
// contacts it entered. The removed person's orders go to the main contact (the history says
// so), their waiting mails follow, and no mail is addressed to them again; the row stays so that
// histories and the CV access log keep their name.
func (s *Service) RemoveContact(ctx context.Context, p auth.Principal, cvrNumber, contactID string) (Company, error) {
	var co models.Company
	err := s.db.WithContext(ctx).Take(&co, "cvr = ?", cvrNumber).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Company{}, ErrNotFound
	}
	if err != nil {
		return Company{}, err
	}
	switch {
	case p.Role == auth.RoleEmployer && p.CVR == cvrNumber && co.Registered() && co.MainContactID == p.Subject:
	case p.Role == auth.RoleEmployer && p.CVR == cvrNumber:
		return Company{}, problem.Forbidden("only the company's main contact (hovedkontaktperson) may do this")
	case p.ActsForJobcenter() && !co.Registered() && co.CreatedByJobcenter == p.Jobcenter:
	case p.ActsForJobcenter():
		return Company{}, problem.Forbidden("the company's own main contact removes its contact persons (a job centre only those of a company it stored that has not registered)")
	default:
		return Company{}, ErrNotFound
	}
	if contactID == co.MainContactID {
		return Company{}, ErrRemoveMainContact
	}
	var k models.CompanyContact
	err = s.db.WithContext(ctx).Where("cvr = ? AND removed_at IS NULL", cvrNumber).Take(&k, "id = ?", contactID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Company{}, problem.NotFound("no such contact person at this company")
	}
	if err != nil {
		return Company{}, err
	}
	now := s.now()
	var handed []string
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.CompanyContact{}).Where("id = ? AND removed_at IS NULL", k.ID).Updates(map[string]any{"removed_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // removed concurrently; that removal handed the orders on
		}
		var err error
		if co.MainContactID != "" {
			handed, err = handOrders(tx, p, cvrNumber, &k.ID, co.MainContactID, joborder.ContactReasonContactRemoved, now)
		} else {
			// No main contact yet: the orders have no contact person until the company registers
			// (their mail goes to another contact with an address, companies.MailContact).
			handed, err = clearOrders(tx, p, cvrNumber, k.ID, now)
		}
		return err
	})
	if err != nil {
		return Company{}, err
	}
	s.afterContactChange(ctx, handed)
	return s.Get(ctx, p, cvrNumber)
}

// clearOrders takes a removed contact person off the company's orders when there is no main
// contact to hand them to, and records it in each order's history.
func clearOrders(tx *gorm.DB, p auth.Principal, cvrNumber, from string, now time.Time) ([]string, error) {
	var ids []string
	if err := tx.Model(&models.JobOrder{}).Where("company_cvr = ? AND contact_id = ?", cvrNumber, from).Order("created_at, id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if err := tx.Model(&models.JobOrder{}).Where("id IN ?", ids).Updates(map[string]any{"contact_id": nil, "updated_at": now}).Error; err != nil {
		return nil, err
	}
	entries := make([]history.Entry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, history.Entry{
			JobOrderID: id, Type: joborder.EventContactPersonChanged, At: now, ActorID: p.Subject, ActorRole: p.Role,
			Key:     joborder.EventKey(id, joborder.EventContactPersonChanged, uuid.NewString()),
			Details: map[string]string{"contact_id": "", "previous_contact_id": from, "reason": joborder.ContactReasonContactRemoved}, EmployerVisible: true,
		})
	}
	if _, err := history.Append(tx, entries...); err != nil {
		return nil, err
	}
	return ids, nil
}
