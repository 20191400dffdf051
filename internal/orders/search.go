package orders

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

// The order list's tabs (SearchFilter.Tab). They apply to job-centre staff; everyone else sees
// every order they may read (an employer: its own company's).
const (
	// TabJobcentre: the orders my job centre is responsible for.
	TabJobcentre = "jobcenter"
	// TabShared: other job centres' orders shared with mine (neighbours, community or national).
	TabShared = "shared"
	// TabNational: the national list, every order shared with all job centres.
	TabNational = "national"
)

// Tabs lists the order list's tabs in the order the page shows them.
var Tabs = []string{TabJobcentre, TabShared, TabNational}

// Coordinator filter values (SearchFilter.Coordinator).
const (
	CoordinatorMe   = "me"
	CoordinatorNone = "none"
)

// Sort orders of the order list (SearchFilter.Sort); SortNewest is the default.
const (
	SortNewest   = "newest"   // created, newest first
	SortOldest   = "oldest"   // created, oldest first
	SortTitle    = "title"    // title A–Å
	SortDeadline = "deadline" // application deadline, soonest first; orders without one last
)

// Sorts lists the sort orders.
var Sorts = []string{SortNewest, SortOldest, SortTitle, SortDeadline}

// Statuses lists the order statuses a list may filter on.
var Statuses = []string{models.StatusOpen, models.StatusTemporarilyInactive, models.StatusClosed}

// DefaultPageSize and MaxPageSize bound a page of Search.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100
)

// SearchFilter is what the order list asks for. Every field is optional; "" means "any".
type SearchFilter struct {
	Tab string
	// Status is one of Statuses.
	Status string
	// Sharing is one of models.SharingLevels.
	Sharing string
	// Coordinator is CoordinatorMe, CoordinatorNone or "" (anyone).
	Coordinator string
	// Occupation is an ISCO-08 code: a unit group (4 digits) or a wider group (1–3 digits)
	// matching every unit group under it.
	Occupation string
	// From and To bound the day the order came in (Copenhagen dates, YYYY-MM-DD, both included).
	From, To string
	// Title is free text found anywhere in the title, whatever the case.
	Title string
	Sort  string
	// Page counts from 1; PageSize is DefaultPageSize when 0.
	Page, PageSize int
}

// SearchRow is one order of the list, with what the list shows of it.
type SearchRow struct {
	ID                   string
	Title                string
	CompanyCVR           string
	CompanyName          string
	OccupationCode       string
	ResponsibleJobcenter string
	Status               string
	Sharing              string
	CoordinatorID        *string
	Positions            int
	ApplicationDeadline  *models.Date
	CreatedAt            time.Time
}

// SearchPage is one page of the order list.
type SearchPage struct {
	Rows []SearchRow
	// Total is how many orders match; Page of Pages is this one (Pages is at least 1).
	Total       int
	Page, Pages int
	PageSize    int
}

// Search lists the orders p may read that match f, one page at a time. The tab narrows the
// caller's reach (internal/access) to their own job centre's orders, those shared with it by
// others, or the national list. A filter value the list does not know is a ValidationError
// naming the field; a page past the last gives the last.
func (s *Service) Search(ctx context.Context, p auth.Principal, f SearchFilter) (SearchPage, error) {
	from, to, err := validateSearch(&f)
	if err != nil {
		return SearchPage{}, err
	}
	base := func() (*gorm.DB, error) {
		q, err := access.ScopeJobOrders(ctx, s.db.WithContext(ctx).Table("job_orders"), p, s.relations)
		if err != nil {
			return nil, err
		}
		if p.IsJobcenterStaff() {
			switch f.Tab {
			case TabJobcentre:
				q = q.Where("job_orders.responsible_jobcenter = ?", p.Jobcenter)
			case TabShared:
				q = q.Where("job_orders.responsible_jobcenter <> ? AND job_orders.sharing <> ?", p.Jobcenter, models.SharingInternal)
			case TabNational:
				q = q.Where("job_orders.sharing = ?", models.SharingNational)
			}
		}
		if f.Status != "" {
			q = q.Where("job_orders.status = ?", f.Status)
		}
		if f.Sharing != "" {
			q = q.Where("job_orders.sharing = ?", f.Sharing)
		}
		switch f.Coordinator {
		case CoordinatorMe:
			q = q.Where("job_orders.coordinator_id = ?", p.Subject)
		case CoordinatorNone:
			q = q.Where("job_orders.coordinator_id IS NULL")
		}
		switch {
		case len(f.Occupation) == 4:
			q = q.Where("job_orders.occupation_code = ?", f.Occupation)
		case f.Occupation != "":
			q = q.Where("job_orders.occupation_code LIKE ?", f.Occupation+"%")
		}
		if from != nil {
			q = q.Where("job_orders.created_at >= ?", *from)
		}
		if to != nil {
			q = q.Where("job_orders.created_at < ?", *to)
		}
		if t := strings.TrimSpace(f.Title); t != "" {
			q = q.Where("LOWER(job_orders.title) LIKE ? ESCAPE '\\'", "%"+likeEscape(strings.ToLower(t))+"%")
		}
		return q, nil
	}
	q, err := base()
	if err != nil {
		return SearchPage{}, err
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Total: int(total), PageSize: f.PageSize, Pages: max(1, (int(total)+f.PageSize-1)/f.PageSize)}
	page.Page = min(max(f.Page, 1), page.Pages)
	if q, err = base(); err != nil {
		return SearchPage{}, err
	}
	q = q.Select("job_orders.id, job_orders.title, job_orders.company_cvr, COALESCE(c.name, '') AS company_name, " +
		"job_orders.occupation_code, job_orders.responsible_jobcenter, job_orders.status, job_orders.sharing, job_orders.coordinator_id, " +
		"job_orders.positions, job_orders.application_deadline, job_orders.created_at").
		Joins("LEFT JOIN companies c ON c.cvr = job_orders.company_cvr")
	switch f.Sort {
	case SortOldest:
		q = q.Order("job_orders.created_at ASC").Order("job_orders.id ASC")
	case SortTitle:
		q = q.Order("LOWER(job_orders.title) ASC").Order("job_orders.id ASC")
	case SortDeadline:
		q = q.Order("job_orders.application_deadline IS NULL").Order("job_orders.application_deadline ASC").
			Order("job_orders.created_at DESC").Order("job_orders.id DESC")
	default:
		q = q.Order("job_orders.created_at DESC").Order("job_orders.id DESC")
	}
	page.Rows = []SearchRow{}
	if err := q.Offset((page.Page - 1) * f.PageSize).Limit(f.PageSize).Scan(&page.Rows).Error; err != nil {
		return SearchPage{}, err
	}
	return page, nil
}

// validateSearch checks f's values, fills in the defaults, and returns the period as times
// (From's midnight and the midnight after To, Copenhagen time).
func validateSearch(f *SearchFilter) (from, to *time.Time, err error) {
	ve := &problem.ValidationError{Subject: "the order list's filter"}
	oneOf := func(field, v string, allowed []string) {
		if v != "" && !contains(allowed, v) {
			ve.Add(field, "must be one of %s", strings.Join(allowed, ", "))
		}
	}
	oneOf("tab", f.Tab, Tabs)
	oneOf("status", f.Status, Statuses)
	oneOf("sharing", f.Sharing, models.SharingLevels)
	oneOf("coordinator", f.Coordinator, []string{CoordinatorMe, CoordinatorNone})
	oneOf("sort", f.Sort, Sorts)
	if f.Occupation != "" && (len(f.Occupation) > 4 || strings.Trim(f.Occupation, "0123456789") != "") {
		ve.Add("occupation", "must be an ISCO-08 code of 1 to 4 digits")
	}
	if len(f.Title) > 200 {
		ve.Add("title", "must be at most 200 characters")
	}
	day := func(field, v string, next bool) *time.Time {
		if v == "" {
			return nil
		}
		d, err := time.ParseInLocation(time.DateOnly, v, policy.Copenhagen)
		if err != nil {
			ve.Add(field, "must be a date (YYYY-MM-DD)")
			return nil
		}
		if next {
			d = d.AddDate(0, 0, 1)
		}
		return &d
	}
	from, to = day("from", f.From, false), day("to", f.To, true)
	if from != nil && to != nil && !from.Before(*to) {
		ve.Add("to", "must not be before from")
	}
	if f.PageSize < 0 || f.PageSize > MaxPageSize {
		ve.Add("page_size", "must be between 1 and %d", MaxPageSize)
	}
	if f.Page < 0 {
		ve.Add("page", "must be 1 or more")
	}
	if err := ve.Err(); err != nil {
		return nil, nil, err
	}
	if f.PageSize == 0 {
		f.PageSize = DefaultPageSize
	}
	return from, to, nil
}

// likeEscape escapes LIKE's wildcards (and its escape character) in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
