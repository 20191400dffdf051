package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/kpi"
	"jobordre/internal/problem"
	"jobordre/web/i18n"
)

// dashboardData is the manager's dashboard: the job centre's key figures over the picked period
// next to the same period a year before, the charts drawn from them, and the links to the
// follow-up lists.
type dashboardData struct {
	Jobcenter, JobcenterName string
	Period, Before           kpi.Period
	Now, Prev                *kpi.Report
	// Figures are the key-figure table's rows.
	Figures []figureRow
	// Months are the monthly table's rows (the charts' numbers).
	Months                           []monthRow
	OrdersChart, ShareChart          svgChart
	IndustryChart, PositionChart     svgChart
	CSVHref, PrevCSVHref, PolicyHref string
	// FollowUps are the follow-up lists with their counts now.
	FollowUps []followUpLink
	// Star is STAR's measures by ISCO-08 major group.
	Star []starRow
}

// starRow is one ISCO-08 major group's STAR measures.
type starRow struct {
	Group, Orders, Positions, WithReferral, Hired string
}

// figureRow is one key figure: its value in the period, a year before, and the change.
type figureRow struct {
	Key, Value, Before, Change string
}

// monthRow is one month of the monthly table.
type monthRow struct {
	Month, Orders, Filled, Share, PrevOrders, PrevFilled string
}

// managerHome is "/" for a manager: the dashboard of their own job centre.
func (c *Console) managerHome(gc *gin.Context) {
	c.dashboardOf(gc, principal(gc).Jobcenter)
}

// dashboard is /jobcenters/{code}/kpis.
func (c *Console) dashboard(gc *gin.Context) { c.dashboardOf(gc, gc.Param("code")) }

func (c *Console) dashboardOf(gc *gin.Context, code string) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p := principal(gc)
	if err := c.d.KPIs.AuthorizeJobcenter(ctx, p, code); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	l := localizer(gc)
	form := NewForm(gc.Request.URL.Query())
	from, to := dateValue(form, "from"), dateValue(form, "to")
	period, fields := kpi.ParsePeriod(deref(from), deref(to), c.now())
	status := http.StatusOK
	if len(fields) > 0 {
		form.AddServiceErrors(l, "dashboard", problem.Invalid(fields...), nil)
		status = http.StatusBadRequest
		period = kpi.DefaultPeriod(c.now())
	} else {
		setDate(form, "from", period.From.String())
		setDate(form, "to", period.To.String())
	}
	now, err := c.d.KPIs.Figures(ctx, code, period)
	if err != nil {
		c.fail(gc, err)
		return
	}
	prev, err := c.d.KPIs.Figures(ctx, code, period.YearBefore())
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := dashboardData{Jobcenter: code, JobcenterName: now.JobcenterName, Period: period, Before: period.YearBefore(), Now: now, Prev: prev,
		CSVHref:     kpiCSVHref(code, period),
		PrevCSVHref: kpiCSVHref(code, period.YearBefore()),
		PolicyHref:  "/jobcenters/" + code + "/policy"}
	if d.JobcenterName == "" {
		d.JobcenterName = code
	}
	d.Figures = figureRows(l, now, prev)
	d.Months = monthRows(l, now, prev)
	d.OrdersChart, d.ShareChart = monthCharts(l, now, prev)
	d.IndustryChart, d.PositionChart = topCharts(l, now)
	for _, c := range now.Star.ByMajorGroup {
		group := strings.TrimSpace(c.MajorGroup + " " + c.MajorGroupTitle)
		if group == "" {
			// An employer may create an order without an occupation; the job centre adds it later.
			group = l.Must("dashboard.star.no_occupation")
		}
		d.Star = append(d.Star, starRow{Group: group, Orders: l.Number(int(c.Orders)),
			Positions: l.Number(int(c.Positions)), WithReferral: percent(l, c.WithReferralShare), Hired: percent(l, c.HiredReferredShare)})
	}
	if d.FollowUps, err = c.followUpLinks(gc, code); err != nil {
		c.fail(gc, err)
		return
	}
	c.render(gc, status, Page{Template: "dashboard", Title: "dashboard.title", TitleArgs: []any{"jobcenter", d.JobcenterName},
		Nav: navDashboard, Data: d, Form: form})
}

// failManagerPage renders a manager page's refusal: a caseworker of the job centre learns no
// more than anyone else, so a forbidden manager page is the 404 page (as the matrix asks).
func (c *Console) failManagerPage(gc *gin.Context, err error) {
	if errors.Is(err, problem.ErrForbidden) {
		c.renderError(gc, http.StatusNotFound)
		return
	}
	c.fail(gc, err)
}

// kpiCSVDownload is /jobcenters/{code}/kpis.csv: the API's CSV of the period, byte for byte.
func (c *Console) kpiCSVDownload(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	code := gc.Param("code")
	if err := c.d.KPIs.AuthorizeJobcenter(ctx, principal(gc), code); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	period, fields := kpi.ParsePeriod(gc.Query("from"), gc.Query("to"), c.now())
	if len(fields) > 0 {
		c.renderError(gc, http.StatusBadRequest)
		return
	}
	r, err := c.d.KPIs.Figures(ctx, code, period)
	if err != nil {
		c.fail(gc, err)
		return
	}
	var b strings.Builder
	if err := kpi.WriteCSV(&b, r); err != nil {
		c.fail(gc, err)
		return
	}
	gc.Header("Content-Disposition", `attachment; filename="`+kpi.FileName(code, period)+`"`)
	gc.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

func kpiCSVHref(code string, p kpi.Period) string {
	return "/jobcenters/" + code + "/kpis.csv?from=" + p.From.String() + "&to=" + p.To.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// figureRows are the key-figure table: the guide's figures, STAR's measures and the promises.
func figureRows(l *i18n.Localizer, now, prev *kpi.Report) []figureRow {
	count := func(key string, a, b int64) figureRow {
		return figureRow{Key: key, Value: l.Number(int(a)), Before: l.Number(int(b)), Change: signed(l, float64(a-b), false)}
	}
	pct := func(key string, a, b *float64) figureRow {
		r := figureRow{Key: key, Value: percent(l, a), Before: percent(l, b), Change: "–"}
		if a != nil && b != nil {
			r.Change = signed(l, (*a-*b)*100, true)
		}
		return r
	}
	hours := func(key string, a, b *float64) figureRow {
		r := figureRow{Key: key, Value: decimal(l, a), Before: decimal(l, b), Change: "–"}
		if a != nil && b != nil {
			r.Change = signed(l, *a-*b, false)
		}
		return r
	}
	pn, pp := now.Promises, prev.Promises
	return []figureRow{
		count("dashboard.figure.orders", now.Orders, prev.Orders),
		count("dashboard.figure.filled", now.Filled, prev.Filled),
		count("dashboard.figure.positions", now.Star.Positions, prev.Star.Positions),
		pct("dashboard.figure.with_referral_share", now.Star.WithReferralShare, prev.Star.WithReferralShare),
		pct("dashboard.figure.hired_referred_share", now.Star.HiredReferredShare, prev.Star.HiredReferredShare),
		pct("dashboard.figure.with_coordinator_share", pn.WithCoordinatorShare, pp.WithCoordinatorShare),
		pct("dashboard.figure.coordinator_on_time_share", pn.CoordinatorOnTimeShare, pp.CoordinatorOnTimeShare),
		pct("dashboard.figure.first_contact_on_time_share", pn.FirstContactOnTimeShare, pp.FirstContactOnTimeShare),
		hours("dashboard.figure.median_hours_to_first_referral", pn.MedianHoursToFirstReferral, pp.MedianHoursToFirstReferral),
		count("dashboard.figure.open_without_referral_after_deadline", pn.OpenWithoutReferralAfterDeadline, pp.OpenWithoutReferralAfterDeadline),
		count("dashboard.figure.open_after_close_out_nudge", pn.OpenAfterCloseOutNudge, pp.OpenAfterCloseOutNudge),
		count("dashboard.figure.shared_later_than_policy", pn.SharedLaterThanPolicy, pp.SharedLaterThanPolicy),
	}
}

// monthRows are the monthly table, the same months a year before beside each.
func monthRows(l *i18n.Localizer, now, prev *kpi.Report) []monthRow {
	shares := starShares(now)
	out := make([]monthRow, 0, len(now.ByMonth))
	for i, m := range now.ByMonth {
		r := monthRow{Month: monthName(l, m.Month), Orders: l.Number(int(m.Orders)), Filled: l.Number(int(m.Filled)), Share: percent(l, shares[m.Month])}
		if i < len(prev.ByMonth) {
			r.PrevOrders, r.PrevFilled = l.Number(int(prev.ByMonth[i].Orders)), l.Number(int(prev.ByMonth[i].Filled))
		}
		out = append(out, r)
	}
	return out
}

func starShares(r *kpi.Report) map[string]*float64 {
	out := map[string]*float64{}
	for _, c := range r.Star.ByMonth {
		out[c.Month] = c.WithReferralShare
	}
	return out
}

// monthCharts are orders and filled orders per month (with last year's orders beside them) and
// the share of orders with a CV sent per month.
func monthCharts(l *i18n.Localizer, now, prev *kpi.Report) (svgChart, svgChart) {
	var cats []string
	var orders, filled, before, share []float64
	shares := starShares(now)
	for i, m := range now.ByMonth {
		cats = append(cats, monthShort(l, m.Month))
		orders = append(orders, float64(m.Orders))
		filled = append(filled, float64(m.Filled))
		b := 0.0
		if i < len(prev.ByMonth) {
			b = float64(prev.ByMonth[i].Orders)
		}
		before = append(before, b)
		s := 0.0
		if v := shares[m.Month]; v != nil {
			s = *v * 100
		}
		share = append(share, s)
	}
	whole := func(v float64) string { return l.Number(int(math.Round(v))) }
	oc := columnChart("chart-orders", l.Must("dashboard.chart.orders"), cats, []series{
		{Label: l.Must("dashboard.series.orders"), Class: "chart-bar-1", Values: orders},
		{Label: l.Must("dashboard.series.filled"), Class: "chart-bar-2", Values: filled},
		{Label: l.Must("dashboard.series.orders_before"), Class: "chart-bar-3", Values: before},
	}, 0, whole)
	sc := columnChart("chart-share", l.Must("dashboard.chart.share"), cats, []series{
		{Label: l.Must("dashboard.series.share"), Class: "chart-bar-1", Values: share},
	}, 100, func(v float64) string { return whole(v) + " %" })
	return oc, sc
}

// topCharts are the top 5 industries and top 10 positions as bar charts.
func topCharts(l *i18n.Localizer, r *kpi.Report) (svgChart, svgChart) {
	ranked := func(list []kpi.Ranked) ([]string, []int64) {
		var labels []string
		var values []int64
		for _, t := range list {
			labels = append(labels, strconv.Itoa(t.Rank)+". "+t.Code+" "+t.Title)
			values = append(values, t.Orders)
		}
		return labels, values
	}
	il, iv := ranked(r.TopIndustries)
	pl, pv := ranked(r.TopPositions)
	return barChart("chart-industries", l.Must("dashboard.chart.industries"), il, iv, "chart-bar-1"),
		barChart("chart-positions", l.Must("dashboard.chart.positions"), pl, pv, "chart-bar-2")
}

// percent writes a share (0..1) as a percentage with one decimal ("66,7 %"), "–" when undefined.
func percent(l *i18n.Localizer, v *float64) string {
	if v == nil {
		return "–"
	}
	return decimalString(l, *v*100) + " %"
}

// decimal writes a number with one decimal, "–" when undefined.
func decimal(l *i18n.Localizer, v *float64) string {
	if v == nil {
		return "–"
	}
	return decimalString(l, *v)
}

func decimalString(l *i18n.Localizer, v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if l.Lang == i18n.Danish {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// signed writes a change with its sign ("+3", "−1,5 procentpoint"), "0" for none.
func signed(l *i18n.Localizer, v float64, points bool) string {
	s := decimalString(l, math.Abs(v))
	switch {
	case math.Round(v*10) == 0:
		s = "0"
	case v > 0:
		s = "+" + s
	default:
		s = "−" + s
	}
	if points {
		s += " " + l.Must("dashboard.points")
	}
	return s
}

// monthName is "januar 2026"; monthShort "jan. 26" for a chart's axis.
func monthName(l *i18n.Localizer, ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	key := "month." + strconv.Itoa(int(t.Month()))
	return l.Must(key) + " " + strconv.Itoa(t.Year())
}

func monthShort(l *i18n.Localizer, ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	key := "month.short." + strconv.Itoa(int(t.Month()))
	return l.Must(key) + " " + t.Format("06")
}
