// Package inbox answers a caseworker's first question of the day: what needs me now? It reads
// the database only (the orders' projections, their reminder deadlines as the workflows last
// computed them, referrals and what the caseworker has seen), so the console's start page costs
// a few indexed queries however many orders the job centre has.
package inbox

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/policy"
	"jobordre/models"
)

// MaxItems is how many rows a section lists; its Count says how many there are in all.
const MaxItems = 20

// NewFor is how long an order shared with a job centre stays new to its caseworkers who have
// not opened it: an inbox lists what needs attention now, not everything ever shared.
const NewFor = 30 * 24 * time.Hour

// Why an order is in the inbox.
const (
	KindDue        = "due"        // a reminder deadline of my order is due today or overdue
	KindProposal   = "proposal"   // a CV proposed by another job centre, waiting for my approval
	KindUnassigned = "unassigned" // an open order of my job centre without a coordinator
	KindShared     = "shared"     // an order another job centre shares with mine, new to me
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
	// At is when the order came in (unassigned), the proposal was made, the order was shared
	// (shared) or the reminder's deadline falls (due).
	At time.Time
	// ReferralID and FromJobcenter name a proposal and the job centre that made it;
	// FromJobcenter is also the job centre sharing a shared order.
	ReferralID    string
	FromJobcenter string
	// Deadline is a due row's reminder (models.DeadlineContact, ...); Overdue says its
	// deadline has passed (else it falls later today).
	Deadline string
	Overdue  bool
}

// Section is one kind of work: how much there is, and the most urgent rows first.
type Section struct {
	Count int
	Items []Item
}

// DueSection is the caller's reminders: how many are overdue and how many fall later today.
type DueSection struct {
	Section
	Overdue, Today int
}

// Inbox is what needs the caller now, the most urgent kind of work first.
type Inbox struct {
	// Due are the reminder deadlines (contact, first referral, follow-up, close-out) of the open
	// orders the caller coordinates that have passed or fall today, the longest overdue first.
	Due DueSection
	// Proposals are CVs from other job centres waiting for the caller's approval (as the order's
	// coordinator, or as a manager of its job centre), oldest first.
	Proposals Section
	// Unassigned are the job centre's open orders without a coordinator, oldest first.
	Unassigned Section
	// Shared are open orders of other job centres shared with the caller's that the caller has
	// not opened, shared within NewFor and since their last "mark all as seen", oldest first.
	Shared Section
}

// Total is the number of rows that need the caller, over every section.
func (in Inbox) Total() int {
	return in.Due.Count + in.Proposals.Count + in.Unassigned.Count + in.Shared.Count
}

// Service reads inboxes and records what a caseworker has seen.
type Service struct {
	db        *gorm.DB
	relations access.Relations
	now       func() time.Time
}

// NewService returns the inbox service over db; rel says which job centres share with which.
func NewService(db *gorm.DB, rel access.Relations) *Service {
	return &Service{db: db, relations: rel, now: time.Now}
}

// For returns p's inbox.
func (s *Service) For(ctx context.Context, p auth.Principal) (Inbox, error) {
	if !p.IsJobcenterStaff() {
		return Inbox{}, ErrNotStaff
	}
	now := s.now()
	var in Inbox
	var err error
	if in.Due, err = s.due(ctx, p, now); err != nil {
		return Inbox{}, err
	}
	if in.Proposals, err = s.proposals(ctx, p); err != nil {
		return Inbox{}, err
	}
	if in.Unassigned, err = s.unassigned(ctx, p); err != nil {
		return Inbox{}, err
	}
	if in.Shared, err = s.shared(ctx, p, now); err != nil {
		return Inbox{}, err
	}
	return in, nil
}

// MarkSeen records that p opened the order's page (staff only; others are not asked).
func (s *Service) MarkSeen(ctx context.Context, p auth.Principal, orderID string) error {
	if !p.IsJobcenterStaff() {
		return nil
	}
	row := models.JobOrderSeen{CaseworkerID: p.Subject, JobOrderID: orderID, SeenAt: s.now().UTC()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "caseworker_id"}, {Name: "job_order_id"}}, DoUpdates: clause.AssignmentColumns([]string{"seen_at"}),
	}).Create(&row).Error
}

// MarkAllSeen makes every order shared with p's job centre until now no longer new to p.
func (s *Service) MarkAllSeen(ctx context.Context, p auth.Principal) error {
	if !p.IsJobcenterStaff() {
		return ErrNotStaff
	}
	row := models.InboxMark{CaseworkerID: p.Subject, SharedSeenUntil: s.now().UTC()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "caseworker_id"}}, DoUpdates: clause.AssignmentColumns([]string{"shared_seen_until"}),
	}).Create(&row).Error
}

// orderColumns are the columns every row shows, from job_orders o and companies c.
const orderColumns = "o.id AS order_id, o.title, o.company_cvr, COALESCE(c.name, '') AS company_name"

func (s *Service) orders(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("job_orders AS o").Joins("LEFT JOIN companies c ON c.cvr = o.company_cvr")
}

// section counts q's rows and reads the first MaxItems of them in order.
func section(q func() *gorm.DB, columns, order, kind string) (Section, error) {
	var sec Section
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return Section{}, err
	}
	sec.Count = int(n)
	sec.Items = []Item{}
	if n == 0 {
		return sec, nil
	}
	if err := q().Select(orderColumns + ", " + columns).Order(order).Limit(MaxItems).Scan(&sec.Items).Error; err != nil {
		return Section{}, err
	}
	for i := range sec.Items {
		sec.Items[i].Kind = kind
	}
	return sec, nil
}

// due lists the reminder deadlines of the caller's open orders that fall before tomorrow
// (Copenhagen time), the longest overdue first.
func (s *Service) due(ctx context.Context, p auth.Principal, now time.Time) (DueSection, error) {
	local := now.In(policy.Copenhagen)
	tomorrow := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, policy.Copenhagen)
	q := func() *gorm.DB {
		return s.orders(ctx).Joins("JOIN job_order_deadlines d ON d.job_order_id = o.id").
			Where("d.coordinator_id = ? AND d.due_at < ? AND o.status = ?", p.Subject, tomorrow, models.StatusOpen)
	}
	sec, err := section(q, "d.due_at AS at, d.kind AS deadline", "d.due_at, o.id, d.name", KindDue)
	if err != nil {
		return DueSection{}, err
	}
	out := DueSection{Section: sec}
	var overdue int64
	if sec.Count > 0 {
		if err := q().Where("d.due_at <= ?", now).Count(&overdue).Error; err != nil {
			return DueSection{}, err
		}
	}
	out.Overdue, out.Today = int(overdue), sec.Count-int(overdue)
	for i := range out.Items {
		out.Items[i].Overdue = !out.Items[i].At.After(now)
	}
	return out, nil
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
	return section(q, "r.created_at AS at, r.id AS referral_id, r.proposed_by_jobcenter AS from_jobcenter", "r.created_at, r.id", KindProposal)
}

func (s *Service) unassigned(ctx context.Context, p auth.Principal) (Section, error) {
	q := func() *gorm.DB {
		return s.orders(ctx).Where("o.responsible_jobcenter = ? AND o.status = ? AND o.coordinator_id IS NULL", p.Jobcenter, models.StatusOpen)
	}
	return section(q, "o.created_at AS at", "o.created_at, o.id", KindUnassigned)
}

// shared lists the open orders other job centres share with the caller's (as internal/access
// decides) that are new to the caller: shared within NewFor, after the caller's last "mark all
// as seen", and not opened by the caller since.
func (s *Service) shared(ctx context.Context, p auth.Principal, now time.Time) (Section, error) {
	since := now.Add(-NewFor).UTC()
	var mark models.InboxMark
	err := s.db.WithContext(ctx).Take(&mark, "caseworker_id = ?", p.Subject).Error
	switch {
	case err == nil:
		if mark.SharedSeenUntil.After(since) {
			since = mark.SharedSeenUntil
		}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return Section{}, err
	}
	var scopeErr error
	q := func() *gorm.DB {
		q, err := access.ScopeJobOrders(ctx, s.orders(ctx), p, s.relations)
		if err != nil {
			scopeErr = err
			return s.orders(ctx).Where("1 = 0")
		}
		return q.Where("o.responsible_jobcenter <> ? AND o.sharing <> ? AND o.status = ? AND o.shared_at > ?",
			p.Jobcenter, models.SharingInternal, models.StatusOpen, since).
			Where("NOT EXISTS (SELECT 1 FROM job_orders_seen s WHERE s.caseworker_id = ? AND s.job_order_id = o.id)", p.Subject)
	}
	sec, err := section(q, "o.shared_at AS at, o.responsible_jobcenter AS from_jobcenter", "o.shared_at, o.id", KindShared)
	if scopeErr != nil {
		return Section{}, scopeErr
	}
	return sec, err
}
