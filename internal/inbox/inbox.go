// Package inbox answers a caseworker's first question of the day: what needs me now? It reads
// the database only (the orders' projections and referrals), so the console's start page costs a
// few indexed queries however many orders the job centre has.
package inbox

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/models"
)

// MaxItems is how many rows a section lists; its Count says how many there are in all.
const MaxItems = 20

// Why an order is in the inbox.
const (
	KindUnassigned = "unassigned" // an open order of my job centre without a coordinator
	KindProposal   = "proposal"   // a CV proposed by another job centre, waiting for my approval
)

// ErrNotStaff is returned for callers who do not work at a job centre: the inbox is theirs only.
var ErrNotStaff = errors.New("the inbox is for job-centre staff")

// Item is one row of the inbox: an order and why it is there.
type Item struct {
	OrderID     string
	Title       string
	CompanyCVR  string
	CompanyName string
	Kind        string
	// At is when the order came in (unassigned) or when the proposal was made.
	At time.Time
	// ReferralID and FromJobcenter name a proposal and the job centre that made it.
	ReferralID    string
	FromJobcenter string
}

// Section is one kind of work: how much there is, and the most urgent rows first.
type Section struct {
	Count int
	Items []Item
}

// Inbox is what needs the caller now.
type Inbox struct {
	// Unassigned are the job centre's open orders without a coordinator, oldest first.
	Unassigned Section
	// Proposals are CVs from other job centres waiting for the caller's approval (as the order's
	// coordinator, or as a manager of its job centre), oldest first.
	Proposals Section
}

// Service reads inboxes.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService returns the inbox service over db.
func NewService(db *gorm.DB) *Service {
	return &Service{db: db, now: time.Now}
}

// For returns p's inbox.
func (s *Service) For(ctx context.Context, p auth.Principal) (Inbox, error) {
	if !p.IsJobcenterStaff() {
		return Inbox{}, ErrNotStaff
	}
	var in Inbox
	var err error
	if in.Unassigned, err = s.unassigned(ctx, p); err != nil {
		return Inbox{}, err
	}
	if in.Proposals, err = s.proposals(ctx, p); err != nil {
		return Inbox{}, err
	}
	return in, nil
}

// orderColumns are the columns every row shows, from job_orders o and companies c.
const orderColumns = "o.id AS order_id, o.title, o.company_cvr, COALESCE(c.name, '') AS company_name"

func (s *Service) orders(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("job_orders AS o").Joins("LEFT JOIN companies c ON c.cvr = o.company_cvr")
}

func (s *Service) unassigned(ctx context.Context, p auth.Principal) (Section, error) {
	q := func() *gorm.DB {
		return s.orders(ctx).Where("o.responsible_jobcenter = ? AND o.status = ? AND o.coordinator_id IS NULL", p.Jobcenter, models.StatusOpen)
	}
	var sec Section
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return Section{}, err
	}
	sec.Count = int(n)
	if err := q().Select(orderColumns + ", o.created_at AS at").Order("o.created_at, o.id").Limit(MaxItems).
		Scan(&sec.Items).Error; err != nil {
		return Section{}, err
	}
	for i := range sec.Items {
		sec.Items[i].Kind = KindUnassigned
	}
	return sec, nil
}

func (s *Service) proposals(ctx context.Context, p auth.Principal) (Section, error) {
	q := func() *gorm.DB {
		q := s.orders(ctx).Joins("JOIN referrals r ON r.job_order_id = o.id").
			Where("r.status = ? AND o.responsible_jobcenter = ?", models.ReferralPendingApproval, p.Jobcenter)
		if p.Role != auth.RoleManager {
			q = q.Where("o.coordinator_id = ?", p.Subject)
		}
		return q
	}
	var sec Section
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return Section{}, err
	}
	sec.Count = int(n)
	if err := q().Select(orderColumns + ", r.created_at AS at, r.id AS referral_id, r.proposed_by_jobcenter AS from_jobcenter").
		Order("r.created_at, r.id").Limit(MaxItems).Scan(&sec.Items).Error; err != nil {
		return Section{}, err
	}
	for i := range sec.Items {
		sec.Items[i].Kind = KindProposal
	}
	return sec, nil
}
