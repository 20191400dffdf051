package companies

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/problem"
	"jobordre/models"
)

// PersonRequest is a contact person's name, e-mail address and (optional) phone number, as a
// main contact adds one or a caseworker enters the person it spoke to.
type PersonRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// phonePattern is a phone number as people write it: digits, spaces, an optional leading +.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ]{6,18}[0-9]$`)

// Check trims the request and adds a field error, under prefix (e.g. "contact_person."), for
// each bad field: the name and an e-mail address are required, so the person can receive mail.
func (r *PersonRequest) Check(v *problem.ValidationError, prefix string) {
	r.Name, r.Email, r.Phone = strings.TrimSpace(r.Name), strings.TrimSpace(r.Email), strings.TrimSpace(r.Phone)
	if n := utf8.RuneCountInString(r.Name); n == 0 || n > 200 {
		v.Add(prefix+"name", "is required (at most 200 characters)")
	}
	if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || len(r.Email) > 320 {
		v.Add(prefix+"email", "must be a plain e-mail address such as hr@firma.dk")
	}
	if r.Phone != "" && !phonePattern.MatchString(r.Phone) {
		v.Add(prefix+"phone", "must be a phone number of 8 to 20 digits and spaces, optionally starting with +, such as +45 12 34 56 78")
	}
}

// EnterContact stores the person a caseworker spoke to as a contact person of the company and
// returns their ID; a live contact of the company with the same e-mail address is the same
// person (their phone number is filled in when it was missing). tx should be the transaction
// that stores what names them.
func EnterContact(tx *gorm.DB, p auth.Principal, cvrNumber string, r PersonRequest, now time.Time) (string, error) {
	var same models.CompanyContact
	err := tx.Where("cvr = ? AND removed_at IS NULL AND LOWER(email) = ?", cvrNumber, strings.ToLower(r.Email)).Order("created_at, id").Take(&same).Error
	switch {
	case err == nil:
		if same.Phone == "" && r.Phone != "" {
			if err := tx.Model(&models.CompanyContact{}).Where("id = ?", same.ID).Updates(map[string]any{"phone": r.Phone, "updated_at": now}).Error; err != nil {
				return "", err
			}
		}
		return same.ID, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return "", err
	}
	c := models.CompanyContact{ID: uuid.NewString(), CVR: cvrNumber, Name: r.Name, Email: r.Email, Phone: r.Phone,
		Language: "da", AddedBy: p.Subject, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&c).Error; err != nil {
		return "", err
	}
	return c.ID, nil
}

// IsContact tells whether id is a contact person of the company who has not been removed.
func IsContact(tx *gorm.DB, cvrNumber, id string) (bool, error) {
	var n int64
	err := tx.Model(&models.CompanyContact{}).Where("id = ? AND cvr = ? AND removed_at IS NULL", id, cvrNumber).Count(&n).Error
	return n > 0, err
}

// MailContact is who receives the employer's mail about an order right now: the order's contact
// person; when they have no address or were removed, the company's main contact; failing that,
// the company's longest-standing contact person with an address. It returns nil only when the
// company has no contact person with an address at all, so an employer that has one never gets a
// mail without an address. db is read as it is now (the Notify activity calls it at send time).
func MailContact(db *gorm.DB, o *models.JobOrder) (*models.CompanyContact, error) {
	if o.ContactID != nil {
		c, err := liveContact(db, *o.ContactID)
		if err != nil || (c != nil && c.Email != "" && c.CVR == o.CompanyCVR) {
			return c, err
		}
	}
	var co models.Company
	switch err := db.Select("cvr", "main_contact_id").Take(&co, "cvr = ?", o.CompanyCVR).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return nil, err
	case co.MainContactID != "":
		c, err := liveContact(db, co.MainContactID)
		if err != nil || (c != nil && c.Email != "") {
			return c, err
		}
	}
	var c models.CompanyContact
	err := db.Where("cvr = ? AND email <> '' AND removed_at IS NULL", o.CompanyCVR).Order("created_at, id").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// liveContact reads a contact person who has not been removed; nil when there is none.
func liveContact(db *gorm.DB, id string) (*models.CompanyContact, error) {
	var c models.CompanyContact
	err := db.Where("removed_at IS NULL").Take(&c, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}
