package orders

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/companies"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// ContactPersonRequest names an order's employer contact person: one of the company's contact
// persons by ContactID, or (job-centre staff only) the person the caseworker spoke to by name,
// e-mail and phone, who is stored as a contact person of the company. It is the body of
// PUT /api/v1/job-orders/{id}/contact-person and the contact_person of a new order.
type ContactPersonRequest struct {
	ContactID string `json:"contact_id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

// empty tells whether nothing was given.
func (r *ContactPersonRequest) empty() bool {
	return r.ContactID == "" && r.Name == "" && r.Email == "" && r.Phone == ""
}

// ContactPerson is the person the employer's mail about an order goes to, for those who may
// see it (access.CanSeeContactPerson).
type ContactPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// checkContactPerson validates a contact person for an order of cvrNumber, with field names
// under prefix ("contact_person." for a new order, "" for the PUT body). It returns an error only
// when the database fails.
func (s *Service) checkContactPerson(ctx context.Context, v *problem.ValidationError, p auth.Principal, cvrNumber string, r *ContactPersonRequest, prefix string) error {
	person := companies.PersonRequest{Name: r.Name, Email: r.Email, Phone: r.Phone}
	switch {
	case r.ContactID != "" && (r.Name != "" || r.Email != "" || r.Phone != ""):
		v.Add(prefix+"contact_id", "give either contact_id (one of the company's contact persons) or name, email and phone (a new one), not both")
	case r.ContactID != "":
		ok, err := companies.IsContact(s.db.WithContext(ctx), cvrNumber, r.ContactID)
		if err != nil {
			return err
		}
		if !ok {
			v.Add(prefix+"contact_id", "%s is not a contact person of CVR %s (GET /api/v1/companies/%s lists them)", r.ContactID, cvrNumber, cvrNumber)
		}
	case !p.ActsForJobcenter():
		v.Add(prefix+"contact_id", "is required: name one of the company's contact persons (its main contact adds new ones at /api/v1/companies/%s/contacts)", cvrNumber)
	default:
		person.Check(v, prefix)
		r.Name, r.Email, r.Phone = person.Name, person.Email, person.Phone
	}
	return nil
}

// contactFor stores what a checked contact person request names and returns the contact's ID.
func contactFor(tx *gorm.DB, p auth.Principal, cvrNumber string, r *ContactPersonRequest, now time.Time) (string, error) {
	if r.ContactID != "" {
		return r.ContactID, nil
	}
	return companies.EnterContact(tx, p, cvrNumber, companies.PersonRequest{Name: r.Name, Email: r.Email, Phone: r.Phone}, now)
}

// SetContactPerson names the order's employer contact person (the responsible job centre and
// the company's own people): the employer's mail about the order goes to them from now on, and
// mails that waited without an address are sent to them. The history records the change by IDs.
func (s *Service) SetContactPerson(ctx context.Context, p auth.Principal, id string, r ContactPersonRequest) (View, error) {
	o, err := s.readable(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if !access.CanSetContactPerson(p, o) {
		return View{}, problem.Forbidden("only the responsible job centre and the company's own people name the order's contact person")
	}
	r.ContactID = strings.TrimSpace(r.ContactID)
	v := &problem.ValidationError{}
	if r.empty() {
		v.Add("contact_id", "is required: one of the company's contact persons, or give name, email and phone of a new one")
	} else if err := s.checkContactPerson(ctx, v, p, o.CompanyCVR, &r, ""); err != nil {
		return View{}, err
	}
	if err := v.Err(); err != nil {
		return View{}, err
	}
	now := s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		contactID, err := contactFor(tx, p, o.CompanyCVR, &r, now)
		if err != nil {
			return err
		}
		if o.ContactID != nil && *o.ContactID == contactID {
			return nil
		}
		if err := tx.Model(&models.JobOrder{}).Where("id = ?", o.ID).Updates(map[string]any{"contact_id": contactID, "updated_at": now}).Error; err != nil {
			return err
		}
		details := map[string]string{"contact_id": contactID, "reason": joborder.ContactReasonNamed}
		if o.ContactID != nil {
			details["previous_contact_id"] = *o.ContactID
		}
		_, err = history.Append(tx, history.Entry{
			JobOrderID: o.ID, Type: joborder.EventContactPersonChanged, At: now, ActorID: p.Subject, ActorRole: p.Role,
			Key: joborder.EventKey(o.ID, joborder.EventContactPersonChanged, uuid.NewString()), Details: details, EmployerVisible: true,
		})
		return err
	})
	if err != nil {
		return View{}, err
	}
	s.readdressOrders(ctx, o.ID)
	return s.Get(ctx, p, o.ID)
}

// readdressOrders sends the orders' employer mails that waited without an address.
func (s *Service) readdressOrders(ctx context.Context, ids ...string) {
	if s.readdress == nil {
		return
	}
	if err := s.readdress.Readdress(ctx, ids...); err != nil {
		s.log.WarnContext(ctx, "could not send the employer mails that waited for an address; the reconciler will", "orders", len(ids), "error", err)
	}
}

// SetReaddresser sets what sends an order's waiting employer mails once it has a contact person.
func (s *Service) SetReaddresser(r companies.Readdresser) { s.readdress = r }

// companyFor checks the company fields of a new order against what is stored for its CVR:
// job-centre staff give the name of a company that has not registered (and may give its
// address); for a registered company, and for an employer, the stored company is kept and the
// fields are not used. It returns the stored company, nil when there is none.
func (s *Service) companyFor(ctx context.Context, v *problem.ValidationError, p auth.Principal, r *CreateRequest) (*models.Company, error) {
	var co models.Company
	err := s.db.WithContext(ctx).Take(&co, "cvr = ?", r.CompanyCVR).Error
	found := err == nil
	if err != nil && !errIsNotFound(err) {
		return nil, err
	}
	if !p.ActsForJobcenter() || (found && co.Registered()) {
		return companyOrNil(found, &co), nil
	}
	if r.CompanyName == "" && !found {
		v.Add("company_name", "is required: CVR %s has not registered with jobordre, so give the company's name", r.CompanyCVR)
	} else if r.CompanyName != "" {
		maxText(v, "company_name", r.CompanyName, MaxTitleLength)
	}
	maxText(v, "company_address", r.CompanyAddress, MaxAddressLength)
	if r.CompanyPostalCode != "" {
		if !postalPattern.MatchString(r.CompanyPostalCode) {
			v.Add("company_postal_code", "must be a 4-digit Danish postal code")
		} else if _, ok := s.ref.PostalCode(r.CompanyPostalCode); !ok {
			v.Add("company_postal_code", "%s is not a known Danish postal code", r.CompanyPostalCode)
		}
	}
	return companyOrNil(found, &co), nil
}

func companyOrNil(found bool, c *models.Company) *models.Company {
	if !found {
		return nil
	}
	return c
}

// storeCompany stores (or corrects) the company of an order a job centre creates for a CVR that
// has not registered, in the order's transaction.
func storeCompany(tx *gorm.DB, p auth.Principal, r *CreateRequest, existing *models.Company, now time.Time) error {
	if !p.ActsForJobcenter() || (existing != nil && existing.Registered()) {
		return nil
	}
	if existing == nil {
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.Company{
			CVR: r.CompanyCVR, Name: r.CompanyName, Address: r.CompanyAddress, PostalCode: r.CompanyPostalCode,
			CreatedByJobcenter: p.Jobcenter, CreatedAt: now, UpdatedAt: now,
		}).Error
	}
	changes := map[string]any{}
	if r.CompanyName != "" && r.CompanyName != existing.Name {
		changes["name"] = r.CompanyName
	}
	if r.CompanyAddress != "" && r.CompanyAddress != existing.Address {
		changes["address"] = r.CompanyAddress
	}
	if r.CompanyPostalCode != "" && r.CompanyPostalCode != existing.PostalCode {
		changes["postal_code"] = r.CompanyPostalCode
	}
	if len(changes) == 0 {
		return nil
	}
	changes["updated_at"] = now
	return tx.Model(&models.Company{}).Where("cvr = ? AND taken_over_at IS NULL", r.CompanyCVR).Updates(changes).Error
}

// contactPerson is who the employer's mail about the order goes to now, for those who may see it.
func (s *Service) contactPerson(ctx context.Context, p auth.Principal, o *models.JobOrder) (*ContactPerson, error) {
	if !access.CanSeeContactPerson(p, o) {
		return nil, nil
	}
	c, err := companies.MailContact(s.db.WithContext(ctx), o)
	if err != nil || c == nil {
		return nil, err
	}
	return &ContactPerson{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone}, nil
}

// CompanyNames returns the names of the companies with the given CVR numbers that have one
// (registered, or stored by a job centre); lists show them instead of bare CVR numbers.
func (s *Service) CompanyNames(ctx context.Context, cvrs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(cvrs) == 0 {
		return out, nil
	}
	var rows []models.Company
	if err := s.db.WithContext(ctx).Select("cvr", "name").Where("cvr IN ? AND name <> ''", cvrs).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, c := range rows {
		out[c.CVR] = c.Name
	}
	return out, nil
}

// companyName is one company's name, "" when none is known.
func (s *Service) companyName(ctx context.Context, cvrNumber string) (string, error) {
	var co models.Company
	err := s.db.WithContext(ctx).Select("cvr", "name").Take(&co, "cvr = ?", cvrNumber).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return co.Name, err
}

// maxText checks an optional free-text field's length.
func maxText(v *problem.ValidationError, field, value string, max int) {
	if n := utf8.RuneCountInString(value); n > max {
		v.Add(field, "must be at most %d characters, got %d", max, n)
	}
}

// Describe returns the order's company name and contact person as p may see them (the view of
// a new order, which has no live state yet).
func (s *Service) Describe(ctx context.Context, p auth.Principal, o *models.JobOrder) (View, error) {
	v := View{Order: o}
	var err error
	if v.CompanyName, err = s.companyName(ctx, o.CompanyCVR); err != nil {
		return View{}, err
	}
	if v.ContactPerson, err = s.contactPerson(ctx, p, o); err != nil {
		return View{}, err
	}
	return v, nil
}
