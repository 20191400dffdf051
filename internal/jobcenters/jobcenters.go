// Package jobcenters maintains Denmark's job centres (one per municipality by default; an admin
// can merge several municipalities into one job centre), their shared mailboxes, and the
// recruitment communities (rekrutteringsfællesskaber) that share orders at the community level.
package jobcenters

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Service reads and maintains job centres and recruitment communities.
type Service struct {
	db  *gorm.DB
	ref *refdata.Data
	now func() time.Time
}

// NewService returns the service over db.
func NewService(db *gorm.DB, ref *refdata.Data) *Service {
	return &Service{db: db, ref: ref, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// Jobcenter is a job centre with the municipalities it serves.
type Jobcenter struct {
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	Municipalities []string `json:"municipalities"`
	MailboxEmail   string   `json:"mailbox_email,omitempty"`
}

// Errors of the job-centre service.
var (
	ErrNotFound      = problem.NotFound("no such job centre")
	ErrCommunityGone = problem.NotFound("no such recruitment community")
)

// List returns every job centre with its municipalities, by code.
func (s *Service) List(ctx context.Context) ([]Jobcenter, error) {
	var centres []models.Jobcenter
	if err := s.db.WithContext(ctx).Order("code").Find(&centres).Error; err != nil {
		return nil, err
	}
	var links []models.JobcenterMunicipality
	if err := s.db.WithContext(ctx).Order("municipality_code").Find(&links).Error; err != nil {
		return nil, err
	}
	served := map[string][]string{}
	for _, l := range links {
		served[l.JobcenterCode] = append(served[l.JobcenterCode], l.MunicipalityCode)
	}
	out := make([]Jobcenter, 0, len(centres))
	for _, c := range centres {
		m := served[c.Code]
		if m == nil {
			m = []string{}
		}
		out = append(out, Jobcenter{Code: c.Code, Name: c.Name, Municipalities: m, MailboxEmail: c.MailboxEmail})
	}
	return out, nil
}

// Get returns one job centre.
func (s *Service) Get(ctx context.Context, code string) (Jobcenter, error) {
	all, err := s.List(ctx)
	if err != nil {
		return Jobcenter{}, err
	}
	for _, j := range all {
		if j.Code == code {
			return j, nil
		}
	}
	return Jobcenter{}, ErrNotFound
}

// UpdateRequest is the body of PUT /api/v1/jobcenters/{code} (admins); absent fields stay.
type UpdateRequest struct {
	Name           *string   `json:"name"`
	Municipalities *[]string `json:"municipalities"`
	MailboxEmail   *string   `json:"mailbox_email"`
}

// Update renames a job centre, sets its shared mailbox, or makes it serve the given
// municipalities (a merge: they move from the job centres that served them). A job centre that
// loses all its municipalities remains, so its existing orders keep their responsible centre.
func (s *Service) Update(ctx context.Context, p auth.Principal, code string, r UpdateRequest) (Jobcenter, error) {
	if p.Role != auth.RoleAdmin {
		return Jobcenter{}, problem.Forbidden("only admins maintain job centres")
	}
	if _, err := s.Get(ctx, code); err != nil {
		return Jobcenter{}, err
	}
	v := &problem.ValidationError{}
	updates := map[string]any{"updated_at": s.now()}
	if r.Name != nil {
		name := strings.TrimSpace(*r.Name)
		if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
			v.Fields = append(v.Fields, problem.FieldError{Field: "name", Detail: "is required (at most 100 characters)"})
		}
		updates["name"] = name
	}
	if r.MailboxEmail != nil {
		addr := strings.TrimSpace(*r.MailboxEmail)
		if a, err := mail.ParseAddress(addr); addr != "" && (err != nil || a.Address != addr || len(addr) > 320) {
			v.Fields = append(v.Fields, problem.FieldError{Field: "mailbox_email", Detail: "must be a plain e-mail address, or empty"})
		}
		updates["mailbox_email"] = addr
	}
	if r.Municipalities != nil {
		if len(*r.Municipalities) == 0 {
			v.Fields = append(v.Fields, problem.FieldError{Field: "municipalities", Detail: "name at least one municipality"})
		}
		for i, m := range *r.Municipalities {
			if _, ok := s.ref.Municipality(m); !ok {
				v.Fields = append(v.Fields, problem.FieldError{Field: fmt.Sprintf("municipalities[%d]", i), Detail: m + " is not a Danish municipality code"})
			}
		}
	}
	if len(v.Fields) > 0 {
		return Jobcenter{}, v
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Jobcenter{}).Where("code = ?", code).Updates(updates).Error; err != nil {
			return err
		}
		if r.Municipalities == nil {
			return nil
		}
		return tx.Model(&models.JobcenterMunicipality{}).Where("municipality_code IN ?", *r.Municipalities).
			Update("jobcenter_code", code).Error
	})
	if err != nil {
		return Jobcenter{}, err
	}
	return s.Get(ctx, code)
}

// Community is a recruitment community with its member job centres.
type Community struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// CommunityRequest is the body of POST /api/v1/recruitment-communities and PUT .../{id}.
type CommunityRequest struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// Communities lists every recruitment community by name.
func (s *Service) Communities(ctx context.Context) ([]Community, error) {
	var rows []models.RecruitmentCommunity
	if err := s.db.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, err
	}
	var members []models.CommunityMember
	if err := s.db.WithContext(ctx).Order("jobcenter_code").Find(&members).Error; err != nil {
		return nil, err
	}
	by := map[string][]string{}
	for _, m := range members {
		by[m.CommunityID] = append(by[m.CommunityID], m.JobcenterCode)
	}
	out := make([]Community, 0, len(rows))
	for _, r := range rows {
		ms := by[r.ID]
		if ms == nil {
			ms = []string{}
		}
		out = append(out, Community{ID: r.ID, Name: r.Name, Members: ms})
	}
	return out, nil
}

func (s *Service) community(ctx context.Context, id string) (Community, error) {
	all, err := s.Communities(ctx)
	if err != nil {
		return Community{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return Community{}, ErrCommunityGone
}

func (s *Service) validateCommunity(ctx context.Context, r *CommunityRequest) error {
	v := &problem.ValidationError{}
	r.Name = strings.TrimSpace(r.Name)
	if n := utf8.RuneCountInString(r.Name); n == 0 || n > 200 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "name", Detail: "is required (at most 200 characters)"})
	}
	if len(r.Members) < 2 {
		v.Fields = append(v.Fields, problem.FieldError{Field: "members", Detail: "a community has at least two job centres"})
	}
	seen := map[string]bool{}
	for i, m := range r.Members {
		var n int64
		if err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", m).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 || seen[m] {
			v.Fields = append(v.Fields, problem.FieldError{Field: fmt.Sprintf("members[%d]", i), Detail: m + " is not a known job centre, or is named twice"})
		}
		seen[m] = true
	}
	sort.Strings(r.Members)
	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// ErrNameTaken is returned for a community name already in use.
var ErrNameTaken = problem.Conflict("", "a recruitment community with this name already exists", problem.FieldError{Field: "name", Detail: "a recruitment community with this name already exists"})

// SaveCommunity creates (id "") or replaces a recruitment community (admins only).
func (s *Service) SaveCommunity(ctx context.Context, p auth.Principal, id string, r CommunityRequest) (Community, error) {
	if p.Role != auth.RoleAdmin {
		return Community{}, problem.Forbidden("only admins maintain recruitment communities")
	}
	if id != "" {
		if _, err := s.community(ctx, id); err != nil {
			return Community{}, err
		}
	}
	if err := s.validateCommunity(ctx, &r); err != nil {
		return Community{}, err
	}
	creating := id == ""
	if creating {
		id = uuid.NewString()
	}
	now := s.now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if creating {
			err = tx.Create(&models.RecruitmentCommunity{ID: id, Name: r.Name, CreatedAt: now, UpdatedAt: now}).Error
		} else {
			res := tx.Model(&models.RecruitmentCommunity{}).Where("id = ?", id).Updates(map[string]any{"name": r.Name, "updated_at": now})
			if err = res.Error; err == nil && res.RowsAffected == 0 {
				return ErrCommunityGone // deleted since it was looked up: add no members to nothing
			}
		}
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return ErrNameTaken
		}
		if err != nil {
			return err
		}
		if err := tx.Where("community_id = ?", id).Delete(&models.CommunityMember{}).Error; err != nil {
			return err
		}
		members := make([]models.CommunityMember, 0, len(r.Members))
		for _, m := range r.Members {
			members = append(members, models.CommunityMember{CommunityID: id, JobcenterCode: m})
		}
		return tx.Create(&members).Error
	})
	if err != nil {
		return Community{}, err
	}
	return s.community(ctx, id)
}

// DeleteCommunity removes a recruitment community (admins only).
func (s *Service) DeleteCommunity(ctx context.Context, p auth.Principal, id string) error {
	if p.Role != auth.RoleAdmin {
		return problem.Forbidden("only admins maintain recruitment communities")
	}
	if _, err := s.community(ctx, id); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("community_id = ?", id).Delete(&models.CommunityMember{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&models.RecruitmentCommunity{}).Error
	})
}
