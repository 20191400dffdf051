package kpi

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Service answers key-figure requests.
type Service struct {
	db  *gorm.DB
	ref *refdata.Data
	now func() time.Time
}

// NewService returns a key-figure service over db.
func NewService(db *gorm.DB, ref *refdata.Data) *Service {
	return &Service{db: db, ref: ref, now: time.Now}
}

// WithClock makes the service read the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service { s.now = now; return s }

// Period is a closed range of calendar days in Copenhagen.
type Period struct {
	From models.Date `json:"from"`
	To   models.Date `json:"to"`
}

// Bounds is the period as a half-open range of instants [start, end).
func (p Period) Bounds() (time.Time, time.Time) {
	start := time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, policy.Copenhagen)
	end := time.Date(p.To.Year(), p.To.Month(), p.To.Day()+1, 0, 0, 0, 0, policy.Copenhagen)
	return start.UTC(), end.UTC()
}

// Ranked is one entry of a top list: a DB07 group or ISCO-08 unit group and its orders. Rank is
// competition ranking (1, 2, 2, 4): equal counts share a rank; the list is ordered by orders,
// then by code.
type Ranked struct {
	Rank   int    `json:"rank"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Orders int64  `json:"orders"`
}

// StarCell is STAR's measures for one month, one occupation major group, or one of each.
type StarCell struct {
	Month              string   `json:"month,omitempty"`
	MajorGroup         string   `json:"major_group,omitempty"`
	MajorGroupTitle    string   `json:"major_group_title,omitempty"`
	Orders             int64    `json:"orders"`
	Positions          int64    `json:"positions"`
	WithReferral       int64    `json:"with_referral"`
	WithReferralShare  *float64 `json:"with_referral_share"`
	HiredReferred      int64    `json:"hired_referred"`
	HiredReferredShare *float64 `json:"hired_referred_share"`
}

// Star is STAR's measures over the period and broken down.
type Star struct {
	StarCell
	ByMonth              []StarCell `json:"by_month"`
	ByMajorGroup         []StarCell `json:"by_major_group"`
	ByMonthAndMajorGroup []StarCell `json:"by_month_and_major_group"`
}

// Promises is how well the job centre kept its own service promises.
type Promises struct {
	WithCoordinator                  int64    `json:"with_coordinator"`
	WithCoordinatorShare             *float64 `json:"with_coordinator_share"`
	CoordinatorOnTime                int64    `json:"coordinator_on_time"`
	CoordinatorLate                  int64    `json:"coordinator_late"`
	CoordinatorOnTimeShare           *float64 `json:"coordinator_on_time_share"`
	FirstContactOnTime               int64    `json:"first_contact_on_time"`
	FirstContactLate                 int64    `json:"first_contact_late"`
	FirstContactOnTimeShare          *float64 `json:"first_contact_on_time_share"`
	MedianHoursToFirstReferral       *float64 `json:"median_hours_to_first_referral"`
	OpenWithoutReferralAfterDeadline int64    `json:"open_without_referral_after_deadline"`
	OpenAfterCloseOutNudge           int64    `json:"open_after_close_out_nudge"`
	SharedLaterThanPolicy            int64    `json:"shared_later_than_policy"`
}

// Report is the key figures of one job centre, or of the whole country, over a period.
type Report struct {
	Jobcenter     string    `json:"jobcenter,omitempty"`
	JobcenterName string    `json:"jobcenter_name,omitempty"`
	National      bool      `json:"national"`
	Period        Period    `json:"period"`
	GeneratedAt   time.Time `json:"generated_at"`
	// The guide's four.
	Orders int64 `json:"orders"`
	Filled int64 `json:"filled"`
	// ByMonth is orders and filled orders by month of creation, every month the period touches
	// (months without orders too, so a chart of them has no gaps).
	ByMonth       []MonthFigures `json:"by_month"`
	TopIndustries []Ranked       `json:"top_industries"`
	TopPositions  []Ranked       `json:"top_positions"`
	// OrdersWithoutIndustry counts orders whose company has no DB07 industry yet (not ranked).
	OrdersWithoutIndustry int64    `json:"orders_without_industry"`
	Star                  Star     `json:"star"`
	Promises              Promises `json:"promises"`
}

// MonthFigures is the orders created in one month (YYYY-MM, Copenhagen) and how many of them
// are filled.
type MonthFigures struct {
	Month  string `json:"month"`
	Orders int64  `json:"orders"`
	Filled int64  `json:"filled"`
}

// Months lists the months (YYYY-MM) the period touches, first to last.
func (p Period) Months() []string {
	var out []string
	for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(p.To.Time); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// Top-list lengths from the guide.
const (
	TopIndustries = 5
	TopPositions  = 10
)

// source is the rows a figure sums over the period: the aggregates for whole months and the
// facts for the days at the edges. Its SQL is a UNION ALL of both with the same columns.
type source struct {
	scope        string // job centre code or models.KPIScopeNational
	monthFrom    string // whole months, inclusive; "" when none
	monthTo      string
	edges        [][2]time.Time // [start, end) ranges summed from facts
	start, end   time.Time
	factWhereJob bool
}

func newSource(scope string, p Period) source {
	start, end := p.Bounds()
	src := source{scope: scope, start: start, end: end, factWhereJob: scope != models.KPIScopeNational}
	// Whole months inside [start, end) in Copenhagen time.
	ls, le := start.In(policy.Copenhagen), end.In(policy.Copenhagen)
	firstWhole := time.Date(ls.Year(), ls.Month(), 1, 0, 0, 0, 0, policy.Copenhagen)
	if !firstWhole.Equal(ls) {
		firstWhole = firstWhole.AddDate(0, 1, 0)
	}
	endWhole := time.Date(le.Year(), le.Month(), 1, 0, 0, 0, 0, policy.Copenhagen) // exclusive
	if !firstWhole.Before(endWhole) {
		src.edges = [][2]time.Time{{start, end}}
		return src
	}
	src.monthFrom, src.monthTo = MonthOf(firstWhole), MonthOf(endWhole.AddDate(0, -1, 0))
	if start.Before(firstWhole) {
		src.edges = append(src.edges, [2]time.Time{start, firstWhole.UTC()})
	}
	if endWhole.Before(end) {
		src.edges = append(src.edges, [2]time.Time{endWhole.UTC(), end})
	}
	return src
}

// union builds "aggregate rows UNION ALL fact rows" for a figure. aggCols and factCols list the
// same columns in the same order; factWhere is an extra condition on facts.
func (src source) union(table, aggCols, factCols, factWhere string) (string, []any) {
	var parts []string
	var args []any
	if src.monthFrom != "" {
		parts = append(parts, "SELECT "+aggCols+" FROM "+table+" WHERE scope = ? AND month >= ? AND month <= ?")
		args = append(args, src.scope, src.monthFrom, src.monthTo)
	}
	for _, e := range src.edges {
		q := "SELECT " + factCols + " FROM job_order_facts WHERE created_at >= ? AND created_at < ?"
		a := []any{e[0], e[1]}
		if src.factWhereJob {
			q += " AND jobcenter = ?"
			a = append(a, src.scope)
		}
		if factWhere != "" {
			q += " AND " + factWhere
		}
		parts = append(parts, q)
		args = append(args, a...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// Figures computes the key figures of jobcenter ("" for the whole country) over p. On
// PostgreSQL every figure is read in one read-only REPEATABLE READ transaction, so a report
// never mixes two states of the data (orders and the top lists always add up).
func (s *Service) Figures(ctx context.Context, jobcenter string, p Period) (*Report, error) {
	var r *Report
	read := func(tx *gorm.DB) error {
		var err error
		r, err = s.figures(tx, jobcenter, p)
		return err
	}
	db := s.db.WithContext(ctx)
	if db.Dialector.Name() != "postgres" {
		// SQLite (dev) has one connection and one writer; a write transaction would only block writers.
		err := read(db)
		return r, err
	}
	err := db.Transaction(read, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return r, err
}

func (s *Service) figures(db *gorm.DB, jobcenter string, p Period) (*Report, error) {
	scope := jobcenter
	if scope == "" {
		scope = models.KPIScopeNational
	}
	src := newSource(scope, p)
	now := s.now().UTC()
	r := &Report{Jobcenter: jobcenter, National: jobcenter == "", Period: p, GeneratedAt: now.Truncate(time.Second),
		TopIndustries: []Ranked{}, TopPositions: []Ranked{}}
	if jobcenter != "" {
		var jc models.Jobcenter
		if err := db.Select("name").Take(&jc, "code = ?", jobcenter).Error; err == nil {
			r.JobcenterName = jc.Name
		}
	}

	if err := s.monthly(db, src, r); err != nil {
		return nil, err
	}
	var err error
	var ranked int64
	if r.TopIndustries, ranked, err = s.top(db, src, "kpi_monthly_industries", "industry_group", "industry_group <> ''", TopIndustries, s.industryTitle); err != nil {
		return nil, err
	}
	r.OrdersWithoutIndustry = r.Orders - ranked
	if r.TopPositions, _, err = s.top(db, src, "kpi_monthly_occupations", "occupation_code", "", TopPositions, s.occupationTitle); err != nil {
		return nil, err
	}
	if r.Promises.MedianHoursToFirstReferral, err = s.medianHours(db, src); err != nil {
		return nil, err
	}
	late := db.Table("job_order_facts").Where("created_at >= ? AND created_at < ? AND sharing_late_since <= ?", src.start, src.end, now)
	if jobcenter != "" {
		late = late.Where("jobcenter = ?", jobcenter)
	}
	if err := late.Count(&r.Promises.SharedLaterThanPolicy).Error; err != nil {
		return nil, fmt.Errorf("count late sharing: %w", err)
	}
	return r, nil
}

// monthly reads kpi_monthly's counters by month and major group and fills every figure made of them.
func (s *Service) monthly(db *gorm.DB, src source, r *Report) error {
	sums := make([]string, len(monthlyCounters))
	factCols := []string{"1", "positions", "filled", "with_coordinator", "coordinator_on_time", "coordinator_late", "contact_on_time",
		"contact_late", "with_referral", "hired_referred", "overdue_no_referral", "nudged_open"}
	for i, c := range monthlyCounters {
		sums[i] = "SUM(" + c + ")"
		factCols[i] += " AS " + c
	}
	inner, args := src.union("kpi_monthly", "month, major_group, "+strings.Join(monthlyCounters[:], ", "),
		"month, major_group, "+strings.Join(factCols, ", "), "")
	rows, err := db.Raw("SELECT month, major_group, "+strings.Join(sums, ", ")+" FROM ("+inner+") u GROUP BY month, major_group ORDER BY month, major_group", args...).Rows()
	if err != nil {
		return fmt.Errorf("read monthly figures: %w", err)
	}
	defer rows.Close()
	var total counters
	byMonth, byMajor := map[string]*counters{}, map[string]*counters{}
	var months, majors []string
	for rows.Next() {
		var month, major string
		var c counters
		dest := []any{&month, &major}
		for i := range c {
			dest = append(dest, &c[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read monthly figures: %w", err)
		}
		r.Star.ByMonthAndMajorGroup = append(r.Star.ByMonthAndMajorGroup, s.starCell(month, major, c))
		for _, acc := range []struct {
			m    map[string]*counters
			key  string
			keys *[]string
		}{{byMonth, month, &months}, {byMajor, major, &majors}} {
			if acc.m[acc.key] == nil {
				acc.m[acc.key] = &counters{}
				*acc.keys = append(*acc.keys, acc.key)
			}
			for i := range c {
				acc.m[acc.key][i] += c[i]
			}
		}
		for i := range c {
			total[i] += c[i]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Strings(months)
	sort.Strings(majors)
	r.Star.ByMonth, r.Star.ByMajorGroup = []StarCell{}, []StarCell{}
	if r.Star.ByMonthAndMajorGroup == nil {
		r.Star.ByMonthAndMajorGroup = []StarCell{}
	}
	for _, m := range months {
		r.Star.ByMonth = append(r.Star.ByMonth, s.starCell(m, "", *byMonth[m]))
	}
	r.ByMonth = []MonthFigures{}
	for _, m := range r.Period.Months() {
		f := MonthFigures{Month: m}
		if c := byMonth[m]; c != nil {
			f.Orders, f.Filled = c[0], c[2]
		}
		r.ByMonth = append(r.ByMonth, f)
	}
	for _, g := range majors {
		r.Star.ByMajorGroup = append(r.Star.ByMajorGroup, s.starCell("", g, *byMajor[g]))
	}
	r.Orders, r.Filled = total[0], total[2]
	r.Star.StarCell = s.starCell("", "", total)
	r.Promises.WithCoordinator, r.Promises.WithCoordinatorShare = total[3], share(total[3], total[0])
	r.Promises.CoordinatorOnTime, r.Promises.CoordinatorLate = total[4], total[5]
	r.Promises.CoordinatorOnTimeShare = share(total[4], total[4]+total[5])
	r.Promises.FirstContactOnTime, r.Promises.FirstContactLate = total[6], total[7]
	r.Promises.FirstContactOnTimeShare = share(total[6], total[6]+total[7])
	r.Promises.OpenWithoutReferralAfterDeadline, r.Promises.OpenAfterCloseOutNudge = total[10], total[11]
	return nil
}

func (s *Service) starCell(month, major string, c counters) StarCell {
	cell := StarCell{Month: month, MajorGroup: major, Orders: c[0], Positions: c[1], WithReferral: c[8], WithReferralShare: share(c[8], c[0]),
		HiredReferred: c[9], HiredReferredShare: share(c[9], c[0])}
	if major != "" {
		cell.MajorGroupTitle = s.occupationTitle(major)
	}
	return cell
}

// top ranks the codes of dim by orders over the period (ties broken by code) and returns the
// first n with the total over all codes.
func (s *Service) top(db *gorm.DB, src source, table, dim, factWhere string, n int, title func(string) string) ([]Ranked, int64, error) {
	inner, args := src.union(table, dim+" AS code, orders", dim+" AS code, 1 AS orders", factWhere)
	var rows []Ranked
	if err := db.Raw("SELECT code, SUM(orders) AS orders FROM ("+inner+") u WHERE code <> '' GROUP BY code HAVING SUM(orders) > 0", args...).
		Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("rank %s: %w", dim, err)
	}
	var total int64
	for _, r := range rows {
		total += r.Orders
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Orders != rows[j].Orders {
			return rows[i].Orders > rows[j].Orders
		}
		return rows[i].Code < rows[j].Code
	})
	rows = rows[:min(n, len(rows))]
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].Orders == rows[i-1].Orders {
			rows[i].Rank = rows[i-1].Rank
		}
		rows[i].Title = title(rows[i].Code)
	}
	return append([]Ranked{}, rows...), total, nil
}

// medianHours reads the histogram of whole hours to the first referral and returns its median.
func (s *Service) medianHours(db *gorm.DB, src source) (*float64, error) {
	inner, args := src.union("kpi_monthly_referral_hours", "hours, orders", "referral_hours AS hours, 1 AS orders", "referral_hours IS NOT NULL")
	var hist []struct {
		Hours  int
		Orders int64
	}
	if err := db.Raw("SELECT hours, SUM(orders) AS orders FROM ("+inner+") u GROUP BY hours HAVING SUM(orders) > 0 ORDER BY hours", args...).Scan(&hist).Error; err != nil {
		return nil, fmt.Errorf("read referral hours: %w", err)
	}
	var n int64
	for _, h := range hist {
		n += h.Orders
	}
	if n == 0 {
		return nil, nil
	}
	// The median is the mean of the values at positions ⌈n/2⌉ and ⌊n/2⌋+1 (1-based), which are
	// the same value when n is odd.
	at := func(pos int64) int {
		var seen int64
		for _, h := range hist {
			seen += h.Orders
			if seen >= pos {
				return h.Hours
			}
		}
		return hist[len(hist)-1].Hours
	}
	m := float64(at((n+1)/2)+at(n/2+1)) / 2
	return &m, nil
}

// share is part/whole rounded to four decimals, or nil when whole is 0.
func share(part, whole int64) *float64 {
	if whole == 0 {
		return nil
	}
	v := math.Round(float64(part)/float64(whole)*10000) / 10000
	return &v
}

func (s *Service) industryTitle(code string) string {
	if i, ok := s.ref.Industry(code); ok {
		return i.Title
	}
	return ""
}

func (s *Service) occupationTitle(code string) string {
	if o, ok := s.ref.Occupation(code); ok {
		if o.TitleDA != "" {
			return o.TitleDA
		}
		return o.TitleEN
	}
	return ""
}

// JobcenterExists tells whether code is a job centre.
func (s *Service) JobcenterExists(ctx context.Context, code string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", code).Count(&n).Error
	return n == 1, err
}
