package orders

import (
	"context"
	"time"

	"jobordre/internal/auth"
	"jobordre/models"
)

// EmployerView is a job order as its employer sees it: the job it asked for, where the order
// stands, and whom to talk to at the job centre. It is its own type, not the job centre's view
// with fields blanked, so nothing of the job centre's planning can reach an employer by being
// added to that view: no deadlines, reminders, policy, sharing level, close reason, notes or
// caseworker IDs. The API answers employers with it and the console's employer pages show it.
type EmployerView struct {
	ID         string `json:"id"`
	CompanyCVR string `json:"company_cvr"`
	// CompanyName is the company's name (its own, or as the job centre gave it before it
	// registered); absent when none is known.
	CompanyName string `json:"company_name,omitempty"`
	// ContactPerson is the company's own person who receives the job centre's e-mails about the
	// order (not in lists).
	ContactPerson        *ContactPerson `json:"contact_person,omitempty"`
	Title                string         `json:"title"`
	Description          string         `json:"description"`
	Workplace            Workplace      `json:"workplace"`
	ResponsibleJobcenter string         `json:"responsible_jobcenter"`
	OccupationCode       string         `json:"occupation_code"`
	Positions            int            `json:"positions"`
	StartDate            *models.Date   `json:"start_date"`
	ApplicationDeadline  *models.Date   `json:"application_deadline"`
	Kind                 string         `json:"kind"`
	// Status is the workflow's when it answered, the stored one otherwise.
	Status string `json:"status"`
	// ClosedAt is set while the order is closed; InactiveUntil is the end of a pause, if given.
	ClosedAt      *time.Time `json:"closed_at"`
	InactiveUntil *time.Time `json:"inactive_until"`
	// WishedCoordinator is the employer's own wish, as it gave it.
	WishedCoordinator string `json:"wished_coordinator,omitempty"`
	// Coordinator is the job centre's contact person for the order (tovholder); nil while the
	// job centre has assigned none.
	Coordinator *EmployerContact `json:"coordinator"`
	// Jobcenter is the responsible job centre with its shared mailbox, reachable also while
	// there is no coordinator.
	Jobcenter EmployerJobcenter `json:"jobcenter"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// EmployerContact is how an employer reaches a person at the job centre. Empty fields are ones
// the directory does not know.
type EmployerContact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// EmployerJobcenter is the responsible job centre as an employer sees it.
type EmployerJobcenter struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// MailboxEmail is the job centre's shared mailbox; absent when it has none.
	MailboxEmail string `json:"mailbox_email,omitempty"`
}

// EmployerListResult is one page of orders as their employer sees them.
type EmployerListResult struct {
	Orders     []EmployerView
	NextCursor string
}

// GetForEmployer is Get as the order's employer sees it.
func (s *Service) GetForEmployer(ctx context.Context, p auth.Principal, id string) (EmployerView, error) {
	v, err := s.Get(ctx, p, id)
	if err != nil {
		return EmployerView{}, err
	}
	return s.ForEmployer(ctx, v)
}

// ListForEmployer is List as the employer sees its orders (from the stored orders: a list does
// not ask every order's workflow).
func (s *Service) ListForEmployer(ctx context.Context, p auth.Principal, f ListFilter) (EmployerListResult, error) {
	res, err := s.List(ctx, p, f)
	if err != nil {
		return EmployerListResult{}, err
	}
	views := make([]View, len(res.Orders))
	for i := range res.Orders {
		views[i] = View{Order: &res.Orders[i]}
	}
	out, err := s.employerViews(ctx, views)
	return EmployerListResult{Orders: out, NextCursor: res.NextCursor}, err
}

// ForEmployer turns an order as a command or read left it into the employer's view.
func (s *Service) ForEmployer(ctx context.Context, v View) (EmployerView, error) {
	out, err := s.employerViews(ctx, []View{v})
	if err != nil {
		return EmployerView{}, err
	}
	return out[0], nil
}

// employerViews builds the employer's views of orders, looking up their coordinators and job
// centres in one query each. Of the live state only the status, the positions, the coordinator,
// closed_at and inactive_until reach the employer.
func (s *Service) employerViews(ctx context.Context, views []View) ([]EmployerView, error) {
	out := make([]EmployerView, len(views))
	coordinators := make([]*string, len(views))
	var staffIDs, codes []string
	for i, v := range views {
		o := v.Order
		e := EmployerView{
			ID: o.ID, CompanyCVR: o.CompanyCVR, Title: o.Title, Description: o.Description,
			Workplace:            Workplace{Address: o.WorkplaceAddress, PostalCode: o.WorkplacePostalCode, MunicipalityCode: o.WorkplaceMunicipalityCode},
			ResponsibleJobcenter: o.ResponsibleJobcenter, OccupationCode: o.OccupationCode, Positions: o.Positions,
			StartDate: o.StartDate, ApplicationDeadline: o.ApplicationDeadline, Kind: o.Kind, Status: o.Status,
			WishedCoordinator: o.WishedCoordinator, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
			CompanyName: v.CompanyName, ContactPerson: v.ContactPerson,
		}
		coordinators[i] = o.CoordinatorID
		if l := v.Live; l != nil {
			e.Status, e.Positions, coordinators[i] = l.Status, l.Positions, l.Coordinator
			if l.Status == models.StatusClosed {
				e.ClosedAt = l.ClosedAt
			}
			if l.Status == models.StatusTemporarilyInactive {
				e.InactiveUntil = l.InactiveUntil
			}
		}
		if e.Positions == 0 {
			e.Positions = o.Positions
		}
		if coordinators[i] != nil {
			staffIDs = append(staffIDs, *coordinators[i])
		}
		codes = append(codes, o.ResponsibleJobcenter)
		out[i] = e
	}
	staff := map[string]models.Caseworker{}
	if len(staffIDs) > 0 {
		var rows []models.Caseworker
		if err := s.db.WithContext(ctx).Select("id", "name", "email", "phone").Where("id IN ?", staffIDs).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			staff[r.ID] = r
		}
	}
	var jcs []models.Jobcenter
	if err := s.db.WithContext(ctx).Select("code", "name", "mailbox_email").Where("code IN ?", codes).Find(&jcs).Error; err != nil {
		return nil, err
	}
	jobcenters := map[string]models.Jobcenter{}
	for _, j := range jcs {
		jobcenters[j.Code] = j
	}
	var cvrs []string
	for _, e := range out {
		if e.CompanyName == "" {
			cvrs = append(cvrs, e.CompanyCVR)
		}
	}
	names, err := s.CompanyNames(ctx, cvrs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].CompanyName == "" {
			out[i].CompanyName = names[out[i].CompanyCVR]
		}
		jc := jobcenters[out[i].ResponsibleJobcenter]
		out[i].Jobcenter = EmployerJobcenter{Code: out[i].ResponsibleJobcenter, Name: jc.Name, MailboxEmail: jc.MailboxEmail}
		if id := coordinators[i]; id != nil {
			cw := staff[*id]
			out[i].Coordinator = &EmployerContact{Name: cw.Name, Email: cw.Email, Phone: cw.Phone}
		}
	}
	return out, nil
}
