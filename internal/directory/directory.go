// Package directory knows the people behind tokens: job-centre caseworkers and managers, and
// employers' contact persons. They are registered from their token's claims on first use, so
// notifications can reach them, and managers can add caseworkers ahead of time.
package directory

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/auth"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Directory registers and lists people.
type Directory struct {
	db   *gorm.DB
	seen sync.Map // principal fingerprint → time.Time written: skip the write when nothing changed
	now  func() time.Time
}

// New returns a directory over db.
func New(db *gorm.DB) *Directory {
	return &Directory{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// seenFor is how long Register trusts that unchanged claims are stored. It is bounded because
// another process may change the row meanwhile: after a manager's removal on another API
// replica, the person's next request here restores them (as a login should) at the latest this
// long after this replica last wrote their claims.
const seenFor = 5 * time.Minute

// Register records the caller from its token's claims; repeated calls with the same claims are
// free. Name and e-mail are updated when the identity provider's claims change.
func (d *Directory) Register(ctx context.Context, p auth.Principal) error {
	key := p.Subject + "\x00" + p.Role + "\x00" + p.CVR + "\x00" + p.Jobcenter + "\x00" + p.Name + "\x00" + p.Email + "\x00" + p.Phone
	now := d.now()
	if at, ok := d.seen.Load(key); ok && now.Sub(at.(time.Time)) < seenFor {
		return nil
	}
	var err error
	switch p.Role {
	case auth.RoleCaseworker, auth.RoleManager:
		phone := strings.TrimSpace(p.Phone)
		cw := models.Caseworker{ID: p.Subject, Jobcenter: p.Jobcenter, Role: p.Role, Name: p.Name, Email: p.Email, Phone: phone, Language: "da", CreatedAt: now, UpdatedAt: now}
		err = d.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			// A login restores a removed person (the identity provider still lets them in): the
			// claims below give back the name, e-mail and phone that the removal cleared.
			DoUpdates: clause.Assignments(map[string]any{"jobcenter": p.Jobcenter, "role": p.Role, "updated_at": now, "removed_at": nil}),
		}).Create(&cw).Error
		// A claim the token leaves out keeps what is stored (a phone number a manager set, say).
		if err == nil && (p.Name != "" || p.Email != "" || phone != "") {
			err = d.db.WithContext(ctx).Model(&models.Caseworker{}).Where("id = ?", p.Subject).
				Updates(nonEmpty(map[string]string{"name": p.Name, "email": p.Email, "phone": phone})).Error
		}
	case auth.RoleEmployer:
		c := models.CompanyContact{ID: p.Subject, CVR: p.CVR, Name: p.Name, Email: p.Email, Language: "da", CreatedAt: now, UpdatedAt: now}
		err = d.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.Assignments(map[string]any{"cvr": p.CVR, "updated_at": now}),
		}).Create(&c).Error
		if err == nil && (p.Name != "" || p.Email != "") {
			err = d.db.WithContext(ctx).Model(&models.CompanyContact{}).Where("id = ?", p.Subject).
				Updates(nonEmpty(map[string]string{"name": p.Name, "email": p.Email})).Error
		}
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("register %s: %w", p.Role, err)
	}
	d.seen.Store(key, now)
	return nil
}

func nonEmpty(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// Caseworker finds a job-centre employee by ID.
func (d *Directory) Caseworker(ctx context.Context, id string) (*models.Caseworker, error) {
	var cw models.Caseworker
	err := d.db.WithContext(ctx).Take(&cw, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrUnknownCaseworker
	}
	return &cw, err
}

// ErrUnknownCaseworker is returned for an ID no token or manager has registered.
var ErrUnknownCaseworker = errors.New("unknown caseworker")

// Caseworkers lists a job centre's caseworkers and managers by name.
func (d *Directory) Caseworkers(ctx context.Context, jobcenter string) ([]models.Caseworker, error) {
	var out []models.Caseworker
	err := d.db.WithContext(ctx).Where("jobcenter = ? AND removed_at IS NULL", jobcenter).Order("name, id").Find(&out).Error
	return out, err
}

// ErrCaseworkerNotFound is the answer for an ID that is not one of the job centre's present
// caseworkers or managers (unknown, another job centre's, or removed already).
var ErrCaseworkerNotFound = problem.NotFound("no such caseworker at this job centre")

// CoordinatorError is the refusal to remove a person who coordinates orders that are open or
// temporarily inactive: every order has a coordinator, so a manager assigns another first. It
// names how many orders, never which people; it is a 409 conflict (Unwrap) for the API.
type CoordinatorError struct {
	Orders int64
}

// Error says how many orders the person coordinates and what to do.
func (e *CoordinatorError) Error() string {
	return fmt.Sprintf("the person coordinates %d open or temporarily inactive orders; assign another coordinator to them first", e.Orders)
}

// Unwrap makes the refusal a problem.Conflict for errors.Is and errors.As.
func (e *CoordinatorError) Unwrap() error { return problem.Conflict("", e.Error()) }

// RemoveCaseworker removes a caseworker or manager of the job centre who has left: in one
// transaction their name, e-mail and phone are cleared, removed_at is set and their console
// sessions end. The ID stays: it is the actor of history entries and the coordinator of closed
// orders. Refused while they coordinate an open or temporarily inactive
// order (*CoordinatorError). The caller's right to maintain the staff is AuthorizeStaff's (managersOnly).
func (d *Directory) RemoveCaseworker(ctx context.Context, jobcenter, id string) error {
	now := d.now()
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cw models.Caseworker
		// The row lock makes two removals at once remove once (the other finds no one).
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Take(&cw, "id = ? AND jobcenter = ? AND removed_at IS NULL", id, jobcenter).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrCaseworkerNotFound
		}
		if err != nil {
			return err
		}
		var open int64
		if err := tx.Model(&models.JobOrder{}).Where("coordinator_id = ? AND status IN ?", id,
			[]string{models.StatusOpen, models.StatusTemporarilyInactive}).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return &CoordinatorError{Orders: open}
		}
		if err := tx.Model(&models.Caseworker{}).Where("id = ?", id).
			Updates(map[string]any{"name": "", "email": "", "phone": "", "removed_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return tx.Where("subject = ?", id).Delete(&models.WebSession{}).Error
	})
	if err != nil {
		return err
	}
	// The next login of the person must write again (and so restore them), not be skipped as seen.
	prefix := id + "\x00"
	d.seen.Range(func(k, _ any) bool {
		if strings.HasPrefix(k.(string), prefix) {
			d.seen.Delete(k)
		}
		return true
	})
	return nil
}

// AddCaseworkerRequest is the body of POST /api/v1/jobcenters/{code}/caseworkers.
type AddCaseworkerRequest struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Phone is optional: the number employers see for the orders the person coordinates.
	Phone    string `json:"phone"`
	Role     string `json:"role"`
	Language string `json:"language"`
}

// ErrConflict is returned when the ID already belongs to another job centre.
var ErrConflict = problem.Conflict("", "this ID belongs to another job centre's employee",
	problem.FieldError{Field: "id", Detail: "this ID belongs to another job centre's employee"})

// AddCaseworker registers a caseworker or manager ahead of their first login.
func (d *Directory) AddCaseworker(ctx context.Context, jobcenter string, r AddCaseworkerRequest) (*models.Caseworker, error) {
	r.ID, r.Name, r.Email, r.Phone = strings.TrimSpace(r.ID), strings.TrimSpace(r.Name), strings.TrimSpace(r.Email), strings.TrimSpace(r.Phone)
	if r.Language == "" {
		r.Language = "da"
	}
	v := &problem.ValidationError{Subject: "the caseworker"}
	if r.ID == "" || len(r.ID) > 200 {
		v.Fields = append(v.Fields, problem.Field("id", "is required: the sub of the person's token (at most 200 characters)"))
	}
	if r.Name == "" || len(r.Name) > 200 {
		v.Fields = append(v.Fields, problem.Field("name", "is required (at most 200 characters)"))
	}
	if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || len(r.Email) > 320 {
		v.Fields = append(v.Fields, problem.Field("email", "must be a plain e-mail address such as ida@aarhus.dk"))
	}
	if r.Phone != "" && !ValidPhone(r.Phone) {
		v.Fields = append(v.Fields, problem.Field("phone", "must be a phone number such as +45 87 13 20 00 (digits, spaces, +, - and parentheses; at most 40 characters)"))
	}
	if r.Role != auth.RoleCaseworker && r.Role != auth.RoleManager {
		v.Fields = append(v.Fields, problem.Field("role", "must be caseworker or manager"))
	}
	if r.Language != "da" && r.Language != "en" {
		v.Fields = append(v.Fields, problem.Field("language", "must be da or en"))
	}
	if len(v.Fields) > 0 {
		return nil, v
	}
	existing, err := d.Caseworker(ctx, r.ID)
	if err == nil && existing.Jobcenter != jobcenter {
		return nil, ErrConflict
	}
	if err != nil && !errors.Is(err, ErrUnknownCaseworker) {
		return nil, err
	}
	now := d.now()
	cw := models.Caseworker{ID: r.ID, Jobcenter: jobcenter, Role: r.Role, Name: r.Name, Email: r.Email, Phone: r.Phone, Language: r.Language, CreatedAt: now, UpdatedAt: now}
	if err := d.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"role", "name", "email", "phone", "language", "updated_at"}),
	}).Create(&cw).Error; err != nil {
		return nil, err
	}
	return d.Caseworker(ctx, r.ID)
}

// phonePattern is what a phone number may look like: an optional +, then digits with the
// separators people write (spaces, hyphens, parentheses), at least four digits in all.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]*[0-9]$`)

// ValidPhone tells whether s can be shown to an employer as a phone number to call.
func ValidPhone(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return len(s) <= auth.MaxPhoneLength && digits >= 4 && phonePattern.MatchString(s)
}

// JobcenterExists tells whether a job centre with the code exists.
func (d *Directory) JobcenterExists(ctx context.Context, code string) (bool, error) {
	var n int64
	err := d.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", code).Count(&n).Error
	return n == 1, err
}

// Refusals of a job centre's staff list.
var (
	ErrStaffOutside  = problem.NotFound("no such job centre in your reach")
	ErrStaffManagers = problem.Forbidden("only the job centre's managers may do this")
)

// AuthorizeStaff tells whether p may see (managersOnly false) or maintain (managersOnly true)
// the staff of job centre code: admins and the job centre's managers may both, its caseworkers
// only see it (ErrStaffManagers otherwise); everyone else, and an unknown job centre, get
// ErrStaffOutside. The API's /jobcenters/{code}/caseworkers and the console's page ask here.
func (d *Directory) AuthorizeStaff(ctx context.Context, p auth.Principal, code string, managersOnly bool) error {
	exists, err := d.JobcenterExists(ctx, code)
	if err != nil {
		return err
	}
	switch {
	case !exists:
		return ErrStaffOutside
	case p.Role == auth.RoleAdmin:
		return nil
	case p.ActsForJobcenter() && p.Jobcenter == code:
		// The job centre's case system reads its staff too (whom to name as coordinator).
		if managersOnly && p.Role != auth.RoleManager {
			return ErrStaffManagers
		}
		return nil
	}
	return ErrStaffOutside
}
