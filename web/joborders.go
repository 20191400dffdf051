package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
	"jobordre/models"
	"jobordre/web/i18n"
)

// The order list (/job-orders): the orders the caller may read, filtered, sorted and a page at
// a time, from orders.Search. Job-centre staff get three tabs (my job centre's orders, those
// shared with it, the national list); an employer gets its own company's orders. The filters
// are the query string, so every list is a link and the form works without JavaScript; htmx
// only swaps the results in place.

// orderListParams are the query parameters of the list, in the order links carry them.
var orderListParams = []string{"tab", "status", "sharing", "coordinator", "occupation", "from", "to", "q", "sort"}

// statusAll is the status filter's "any status" (no status parameter means open orders for
// staff, any status for an employer).
const statusAll = "all"

// orderListData is the order list page.
type orderListData struct {
	// Staff: the caller works at a job centre (tabs, coordinator and sharing filters).
	Staff bool
	Tab   string
	Tabs  []orderListTab
	Rows  []orderListRow
	// Failed: a filter was refused (the form says why); there are no results.
	Failed bool
	Total  int
	Page   int
	Pages  int
	// First and Last number the rows shown (1-based), for "showing 26–50 of 120".
	First, Last int
	Pager       []pagerItem
	Prev, Next  string
	FirstPage   string
	LastPage    string
	// The filters' choices.
	Statuses, Sharings, Coordinators, Sorts []Option
	Occupations                             []Option
}

// orderListTab is one tab: a link to the list with the tab's filter.
type orderListTab struct {
	Key, Href string
	Current   bool
}

// orderListRow is one order as the list shows it.
type orderListRow struct {
	orders.SearchRow
	Occupation  string
	Jobcenter   string
	Coordinator string
	// Mine: the caller is the order's coordinator.
	Mine bool
	// Referred is, on an employer's list, how many candidates were referred to the order.
	Referred int
}

// pagerItem is one entry of the design system's pagination: a page link or a gap ("…").
type pagerItem struct {
	Number  int
	Href    string
	Current bool
	Gap     bool
}

// jobOrders is the order list.
func (c *Console) jobOrders(gc *gin.Context) {
	p, l := principal(gc), localizer(gc)
	q := gc.Request.URL.Query()
	form := NewForm(q)
	d := orderListData{Staff: p.IsJobcenterStaff()}
	if d.Staff {
		d.Tab = q.Get("tab")
		if d.Tab == "" {
			d.Tab = orders.TabJobcentre
			form.Values.Set("tab", d.Tab)
		}
	}
	if _, set := q["status"]; !set {
		// Staff work on the open orders; an employer's list is its company's orders, open and
		// closed (issue #13 point 5).
		if d.Staff {
			form.Values.Set("status", models.StatusOpen)
		} else {
			form.Values.Set("status", statusAll)
		}
	}
	f := orders.SearchFilter{Tab: d.Tab, Status: form.Value("status"), Sharing: q.Get("sharing"), Coordinator: q.Get("coordinator"),
		Occupation: occupationCode(q.Get("occupation")), From: q.Get("from"), To: q.Get("to"), Title: q.Get("q"), Sort: q.Get("sort")}
	if f.Status == statusAll {
		f.Status = ""
	}
	if !d.Staff {
		f.Sharing, f.Coordinator = "", ""
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil {
		f.Page = n
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	page, err := c.d.Orders.Search(ctx, p, f)
	status := http.StatusOK
	if err != nil {
		if !form.AddServiceErrors(l, "joborders", err, map[string]string{"title": "q"}) {
			c.fail(gc, err)
			return
		}
		status, d.Failed = http.StatusUnprocessableEntity, true
	}
	if d.Staff {
		for _, t := range orders.Tabs {
			d.Tabs = append(d.Tabs, orderListTab{Key: t, Href: orderListLink(url.Values{}, "tab", t), Current: t == d.Tab})
		}
	}
	if !d.Failed {
		d.Rows = c.orderListRows(gc, l, p, page.Rows)
		d.Total, d.Page, d.Pages = page.Total, page.Page, page.Pages
		if page.Total > 0 {
			d.First = (page.Page-1)*page.PageSize + 1
			d.Last = d.First + len(page.Rows) - 1
		}
		d.pager(q)
	}
	d.options(l)
	d.Occupations = occupationChoices(c.d.Reference, l, true)
	c.render(gc, status, Page{Template: "joborders", Title: "joborders.title", Nav: navJobOrders, Data: d, Form: form})
}

// orderListRows names each row's occupation, job centre and coordinator.
func (c *Console) orderListRows(gc *gin.Context, l *i18n.Localizer, p auth.Principal, rows []orders.SearchRow) []orderListRow {
	ctx := gc.Request.Context()
	var ids []string
	for _, r := range rows {
		if r.CoordinatorID != nil {
			ids = append(ids, *r.CoordinatorID)
		}
	}
	people := map[string]string{}
	if len(ids) > 0 && p.IsJobcenterStaff() {
		found, err := c.d.Directory.People(ctx, ids)
		if err != nil {
			c.log.WarnContext(ctx, "read coordinators", "error", err)
		}
		for id, who := range found {
			people[id] = who.Name
		}
	}
	var referred map[string]int
	if p.Role == auth.RoleEmployer && len(rows) > 0 {
		orderIDs := make([]string, 0, len(rows))
		for _, r := range rows {
			orderIDs = append(orderIDs, r.ID)
		}
		var err error
		if referred, err = c.d.Referrals.ReferredCounts(ctx, p, orderIDs); err != nil {
			c.log.WarnContext(ctx, "count referred candidates", "error", err)
		}
	}
	names := c.jobcenterNames(ctx)
	out := make([]orderListRow, 0, len(rows))
	for _, r := range rows {
		row := orderListRow{SearchRow: r, Occupation: occupationLabel(c.d.Reference, l, r.OccupationCode), Jobcenter: names[r.ResponsibleJobcenter],
			Referred: referred[r.ID]}
		if row.Jobcenter == "" {
			row.Jobcenter = r.ResponsibleJobcenter
		}
		if r.CoordinatorID != nil && p.IsJobcenterStaff() {
			row.Coordinator = people[*r.CoordinatorID]
			if row.Coordinator == "" {
				row.Coordinator = *r.CoordinatorID
			}
			row.Mine = *r.CoordinatorID == p.Subject
		}
		out = append(out, row)
	}
	return out
}

// options are the filters' choices in the page's language.
func (d *orderListData) options(l *i18n.Localizer) {
	d.Statuses = []Option{{Value: models.StatusOpen, Label: l.Must("joborder.status.open")},
		{Value: models.StatusTemporarilyInactive, Label: l.Must("joborder.status.temporarily_inactive")},
		{Value: models.StatusClosed, Label: l.Must("joborder.status.closed")},
		{Value: statusAll, Label: l.Must("joborders.status.all")}}
	d.Sharings = []Option{{Value: "", Label: l.Must("joborders.sharing.any")}}
	for _, s := range models.SharingLevels {
		d.Sharings = append(d.Sharings, Option{Value: s, Label: l.Must(msgKey("joborder.sharing.level", s))})
	}
	d.Coordinators = []Option{{Value: "", Label: l.Must("joborders.coordinator.anyone")},
		{Value: orders.CoordinatorMe, Label: l.Must("joborders.coordinator.me")},
		{Value: orders.CoordinatorNone, Label: l.Must("joborders.coordinator.none")}}
	for _, s := range orders.Sorts {
		d.Sorts = append(d.Sorts, Option{Value: s, Label: l.Must(msgKey("joborders.sort", s))})
	}
}

// pager builds the design system's pagination: the first and last page, the current one with
// its neighbours, and gaps between.
func (d *orderListData) pager(q url.Values) {
	if d.Pages <= 1 {
		return
	}
	link := func(n int) string { return orderListLink(q, "page", strconv.Itoa(n)) }
	if d.Page > 1 {
		d.Prev, d.FirstPage = link(d.Page-1), link(1)
	}
	if d.Page < d.Pages {
		d.Next, d.LastPage = link(d.Page+1), link(d.Pages)
	}
	last := 0
	for n := 1; n <= d.Pages; n++ {
		if n != 1 && n != d.Pages && (n < d.Page-1 || n > d.Page+1) {
			continue
		}
		if last != 0 && n > last+1 {
			d.Pager = append(d.Pager, pagerItem{Gap: true})
		}
		d.Pager = append(d.Pager, pagerItem{Number: n, Href: link(n), Current: n == d.Page})
		last = n
	}
}

// orderListLink is the list with q's filters and one parameter set (a tab starts from no
// filters but the tab's; any other change starts at the first page).
func orderListLink(q url.Values, key, value string) string {
	v := url.Values{}
	for _, k := range orderListParams {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	v.Set(key, value)
	if key == "tab" {
		v = url.Values{"tab": {value}}
	}
	return "/job-orders?" + v.Encode()
}
