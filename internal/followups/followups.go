// Package followups answers the manager's follow-up questions from the guide: is every order
// owned, does every order get candidates, are orders closed when recruitment ends, did the
// employer hear from us in time, and how loaded is each caseworker? Each list is one rule over
// the orders' projection (job_orders) and their key-figure facts (job_order_facts, kept by
// internal/kpi from the formidlingslog), so the lists agree with the dashboard's figures and
// cost a few indexed queries.
package followups

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// List names a follow-up list (the console's /jobcenters/{code}/follow-up/{list}).
type List string

// The lists. Every one holds orders of the job centre that are not closed (open or temporarily
// inactive): a closed order needs no follow-up.
const (
	// NoCoordinator: orders without a coordinator (tovholder).
	NoCoordinator List = "no-coordinator"
	// NoReferral: orders past their first-referral deadline without a CV sent: the workflow sent
	// its first_referral_reminder and no CV has been sent since (the figure
	// open_without_referral_after_deadline).
	NoReferral List = "no-referral"
	// CloseOut: orders the workflow nudged to close (close_out_nudge) that are still not closed:
	// the employer probably forgot (the figure open_after_close_out_nudge).
	CloseOut List = "close-out"
	// ContactMissed: orders whose contact deadline was missed: the contact_reminder came before
	// the first contact with the employer, or the contact is still not recorded.
	ContactMissed List = "contact-missed"
	// Caseworker: one caseworker's orders (as coordinator), each with its overdue reminders.
	Caseworker List = "caseworker"
)

// Lists are the order lists in the order the dashboard shows them (Caseworker is per person).
var Lists = []List{NoCoordinator, NoReferral, CloseOut, ContactMissed}

// MaxRows bounds a list; Count says how many orders it has in all.
const MaxRows = 200

// Overdue reminders an order can have outstanding: the workflow reminded about something that
// has not been done since.
const (
	OverdueReferral = "no-referral"    // first-referral reminder sent, no CV since
	OverdueCloseOut = "close-out"      // close-out nudge sent, not closed
	OverdueContact  = "contact-missed" // contact reminder sent, no contact recorded yet
)

// ErrUnknownList is returned for a list name that is not one of the lists.
var ErrUnknownList = access.ErrJobcenterOutside

// Row is one order of a list.
type Row struct {
	OrderID         string
	Title           string
	CompanyCVR      string
	CompanyName     string
	Status          string
	CoordinatorID   string
	CoordinatorName string
	CreatedAt       time.Time
	// Overdue are the order's outstanding reminders (OverdueReferral, ...), in that order.
	Overdue []string
}

// Result is a list: its rows, oldest order first, and how many orders it holds in all.
type Result struct {
	List  List
	Count int
	Rows  []Row
	// Caseworker is the person of a Caseworker list.
	Caseworker *models.Caseworker
}

// Load is one caseworker's share of the job centre's open work.
type Load struct {
	Caseworker models.Caseworker
	// OpenOrders are the orders not closed that the person coordinates.
	OpenOrders int
	// OverdueReminders counts their outstanding reminders (an order can have up to three).
	OverdueReminders int
}

// Service reads the follow-up lists.
type Service struct {
	db *gorm.DB
}

// NewService returns the service over db.
func NewService(db *gorm.DB) *Service { return &Service{db: db} }

// authorize lets the job centre's managers and admins in (access.ManagesJobcenter), for a job
// centre that exists.
func (s *Service) authorize(ctx context.Context, p auth.Principal, code string) error {
	if err := access.ManagesJobcenter(p, code); err != nil {
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", code).Count(&n).Error; err != nil {
		return err
	}
	if n != 1 {
		return access.ErrJobcenterOutside
	}
	return nil
}

// base is the job centre's orders that are not closed, with their facts, company and coordinator.
func (s *Service) base(ctx context.Context, code string) *gorm.DB {
	return s.db.WithContext(ctx).Table("job_orders o").
		Joins("LEFT JOIN job_order_facts f ON f.job_order_id = o.id").
		Where("o.responsible_jobcenter = ? AND o.status <> ?", code, models.StatusClosed)
}

// notContacted is true for an order with no contact recorded in its formidlingslog.
func notContacted() (string, []any) {
	return "NOT EXISTS (SELECT 1 FROM job_order_events e WHERE e.job_order_id = o.id AND e.type = ?)", []any{string(joborder.EventContactRecorded)}
}

// where narrows base to a list's rule.
func where(q *gorm.DB, l List, caseworker string) (*gorm.DB, error) {
	switch l {
	case NoCoordinator:
		return q.Where("o.coordinator_id IS NULL"), nil
	case NoReferral:
		return q.Where("f.overdue_no_referral = 1"), nil
	case CloseOut:
		return q.Where("f.nudged_open = 1"), nil
	case ContactMissed:
		return q.Where("f.contact_late = 1"), nil
	case Caseworker:
		return q.Where("o.coordinator_id = ?", caseworker), nil
	}
	return nil, ErrUnknownList
}

// Counts is how many orders each list (Lists) holds now.
func (s *Service) Counts(ctx context.Context, p auth.Principal, code string) (map[List]int, error) {
	if err := s.authorize(ctx, p, code); err != nil {
		return nil, err
	}
	var c struct {
		NoCoordinator, NoReferral, CloseOut, ContactMissed int64
	}
	err := s.base(ctx, code).Select(
		"COALESCE(SUM(CASE WHEN o.coordinator_id IS NULL THEN 1 ELSE 0 END), 0) AS no_coordinator, " +
			"COALESCE(SUM(CASE WHEN f.overdue_no_referral = 1 THEN 1 ELSE 0 END), 0) AS no_referral, " +
			"COALESCE(SUM(CASE WHEN f.nudged_open = 1 THEN 1 ELSE 0 END), 0) AS close_out, " +
			"COALESCE(SUM(CASE WHEN f.contact_late = 1 THEN 1 ELSE 0 END), 0) AS contact_missed").Scan(&c).Error
	if err != nil {
		return nil, fmt.Errorf("follow-up counts: %w", err)
	}
	return map[List]int{NoCoordinator: int(c.NoCoordinator), NoReferral: int(c.NoReferral), CloseOut: int(c.CloseOut), ContactMissed: int(c.ContactMissed)}, nil
}

// Orders returns a list of job centre code. For Caseworker, caseworker is the person's ID (one
// of the job centre's staff).
func (s *Service) Orders(ctx context.Context, p auth.Principal, code string, l List, caseworker string) (Result, error) {
	if err := s.authorize(ctx, p, code); err != nil {
		return Result{}, err
	}
	res := Result{List: l, Rows: []Row{}}
	if l == Caseworker {
		var cw models.Caseworker
		err := s.db.WithContext(ctx).Take(&cw, "id = ? AND jobcenter = ?", caseworker, code).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Result{}, access.ErrJobcenterOutside
		}
		if err != nil {
			return Result{}, err
		}
		res.Caseworker = &cw
	}
	q, err := where(s.base(ctx, code), l, caseworker)
	if err != nil {
		return Result{}, err
	}
	var n int64
	if err := q.Session(&gorm.Session{}).Count(&n).Error; err != nil {
		return Result{}, fmt.Errorf("count follow-up list %s: %w", l, err)
	}
	res.Count = int(n)
	cond, args := notContacted()
	var rows []struct {
		ID, Title, CompanyCVR, Status           string
		CompanyName, CoordinatorID, Coordinator *string
		CreatedAt                               time.Time
		OverdueNoReferral, NudgedOpen           *int
		ContactLate                             *int
		NotContacted                            bool
	}
	err = q.Joins("LEFT JOIN companies c ON c.cvr = o.company_cvr").Joins("LEFT JOIN caseworkers cw ON cw.id = o.coordinator_id").
		Select("o.id, o.title, o.company_cvr, o.status, c.name AS company_name, o.coordinator_id, cw.name AS coordinator, o.created_at, "+
			"f.overdue_no_referral, f.nudged_open, f.contact_late, "+cond+" AS not_contacted", args...).
		Order("o.created_at, o.id").Limit(MaxRows).Scan(&rows).Error
	if err != nil {
		return Result{}, fmt.Errorf("read follow-up list %s: %w", l, err)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	one := func(p *int) bool { return p != nil && *p == 1 }
	for _, r := range rows {
		row := Row{OrderID: r.ID, Title: r.Title, CompanyCVR: r.CompanyCVR, CompanyName: str(r.CompanyName), Status: r.Status,
			CoordinatorID: str(r.CoordinatorID), CoordinatorName: str(r.Coordinator), CreatedAt: r.CreatedAt, Overdue: []string{}}
		if one(r.OverdueNoReferral) {
			row.Overdue = append(row.Overdue, OverdueReferral)
		}
		if one(r.NudgedOpen) {
			row.Overdue = append(row.Overdue, OverdueCloseOut)
		}
		if one(r.ContactLate) && r.NotContacted {
			row.Overdue = append(row.Overdue, OverdueContact)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// Loads is every caseworker and manager of the job centre with their open orders and overdue
// reminders, by name.
func (s *Service) Loads(ctx context.Context, p auth.Principal, code string) ([]Load, error) {
	if err := s.authorize(ctx, p, code); err != nil {
		return nil, err
	}
	var staff []models.Caseworker
	if err := s.db.WithContext(ctx).Where("jobcenter = ? AND removed_at IS NULL", code).Order("name, id").Find(&staff).Error; err != nil {
		return nil, err
	}
	cond, args := notContacted()
	var sums []struct {
		CoordinatorID    string
		OpenOrders       int
		OverdueReminders int
	}
	err := s.base(ctx, code).Where("o.coordinator_id IS NOT NULL").
		Select("o.coordinator_id, COUNT(*) AS open_orders, "+
			"COALESCE(SUM(CASE WHEN f.overdue_no_referral = 1 THEN 1 ELSE 0 END), 0) + "+
			"COALESCE(SUM(CASE WHEN f.nudged_open = 1 THEN 1 ELSE 0 END), 0) + "+
			"COALESCE(SUM(CASE WHEN f.contact_late = 1 AND "+cond+" THEN 1 ELSE 0 END), 0) AS overdue_reminders", args...).
		Group("o.coordinator_id").Scan(&sums).Error
	if err != nil {
		return nil, fmt.Errorf("caseworker loads: %w", err)
	}
	by := map[string]int{}
	for i, s := range sums {
		by[s.CoordinatorID] = i
	}
	out := make([]Load, 0, len(staff))
	for _, cw := range staff {
		l := Load{Caseworker: cw}
		if i, ok := by[cw.ID]; ok {
			l.OpenOrders, l.OverdueReminders = sums[i].OpenOrders, sums[i].OverdueReminders
		}
		out = append(out, l)
	}
	return out, nil
}
