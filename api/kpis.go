package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/kpi"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

// MaxKPIPeriod bounds a key-figure period: ten years covers any comparison a manager makes.
const MaxKPIPeriod = 10 * 366 * 24 * time.Hour

type kpiHandlers struct {
	kpis *kpi.Service
	now  func() time.Time
}

func registerKPIs(v1 *gin.RouterGroup, s *kpi.Service) {
	h := &kpiHandlers{kpis: s, now: time.Now}
	v1.GET("/jobcenters/:code/kpis", h.jobcenter)
	v1.GET("/kpis", h.national)
}

// jobcenter answers a job centre's figures to its managers and to admins. As with the policy,
// a caseworker of the centre may know it exists (403); anyone else gets 404.
func (h *kpiHandlers) jobcenter(c *gin.Context) {
	p, code := principal(c), c.Param("code")
	switch {
	case p.Role == auth.RoleAdmin:
	case p.IsJobcenterStaff() && p.Jobcenter == code && p.Role == auth.RoleManager:
	case p.IsJobcenterStaff() && p.Jobcenter == code:
		writeProblem(c, http.StatusForbidden, "forbidden", "only the job centre's managers read its key figures")
		return
	default:
		writeProblem(c, http.StatusNotFound, "not-found", orders.ErrJobcenterNotFound.Error())
		return
	}
	exists, err := h.kpis.JobcenterExists(c.Request.Context(), code)
	if err != nil {
		failInternal(c, err)
		return
	}
	if !exists {
		writeProblem(c, http.StatusNotFound, "not-found", orders.ErrJobcenterNotFound.Error())
		return
	}
	h.answer(c, code)
}

// national answers the whole country's figures to admins.
func (h *kpiHandlers) national(c *gin.Context) {
	if principal(c).Role != auth.RoleAdmin {
		writeProblem(c, http.StatusForbidden, "forbidden", "only administrators read the national key figures")
		return
	}
	h.answer(c, "")
}

func (h *kpiHandlers) answer(c *gin.Context, jobcenter string) {
	period, ok := h.period(c)
	if !ok {
		return
	}
	report, err := h.kpis.Figures(c.Request.Context(), jobcenter, period)
	if err != nil {
		failInternal(c, err)
		return
	}
	if wantsCSV(c) {
		c.Header("Content-Disposition", `attachment; filename="`+kpiFileName(jobcenter, period)+`"`)
		c.Status(http.StatusOK)
		c.Header("Content-Type", "text/csv; charset=utf-8")
		_ = writeKPICSV(c.Writer, report)
		return
	}
	c.JSON(http.StatusOK, report)
}

// period reads from and to (YYYY-MM-DD, Copenhagen days, both included); the default is the
// twelve months up to and including today.
func (h *kpiHandlers) period(c *gin.Context) (kpi.Period, bool) {
	today := h.now().In(policy.Copenhagen)
	to := models.Date{Time: time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)}
	var fields []problem.FieldError
	if s := c.Query("to"); s != "" {
		d, err := models.ParseDate(s)
		if err != nil {
			fields = append(fields, problem.FieldError{Field: "to", Detail: "must be a date in the form YYYY-MM-DD"})
		}
		to = d
	}
	from := models.Date{Time: to.AddDate(-1, 0, 1)}
	if s := c.Query("from"); s != "" {
		d, err := models.ParseDate(s)
		if err != nil {
			fields = append(fields, problem.FieldError{Field: "from", Detail: "must be a date in the form YYYY-MM-DD"})
		}
		from = d
	}
	if len(fields) == 0 {
		switch {
		case from.After(to.Time):
			fields = append(fields, problem.FieldError{Field: "from", Detail: "must not be after to (" + to.String() + ")"})
		case to.Sub(from.Time) > MaxKPIPeriod:
			fields = append(fields, problem.FieldError{Field: "from", Detail: "the period may be at most ten years"})
		}
	}
	if len(fields) > 0 {
		writeProblem(c, http.StatusBadRequest, "validation", "the query parameters are not valid", fields...)
		return kpi.Period{}, false
	}
	return kpi.Period{From: from, To: to}, true
}

// wantsCSV tells whether the caller asked for text/csv (Accept, or ?format=csv for a browser link).
func wantsCSV(c *gin.Context) bool {
	if c.Query("format") == "csv" {
		return true
	}
	return c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv"
}

func kpiFileName(jobcenter string, p kpi.Period) string {
	scope := "national"
	if jobcenter != "" {
		scope = "jobcenter-" + jobcenter
	}
	return "kpis-" + scope + "-" + p.From.String() + "-" + p.To.String() + ".csv"
}

// writeKPICSV writes the report as one row per figure: figure, month, major_group, code, title,
// rank, value. Breakdown columns are empty where a figure is not broken down; an undefined share
// (nothing to divide by) has an empty value.
func writeKPICSV(w http.ResponseWriter, r *kpi.Report) error {
	cw := csv.NewWriter(w)
	row := func(figure, month, major, code, title string, rank int, value string) {
		rk := ""
		if rank > 0 {
			rk = strconv.Itoa(rank)
		}
		_ = cw.Write([]string{figure, month, major, code, title, rk, value})
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	f := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	_ = cw.Write([]string{"figure", "month", "major_group", "code", "title", "rank", "value"})
	row("orders", "", "", "", "", 0, n(r.Orders))
	row("filled", "", "", "", "", 0, n(r.Filled))
	for _, t := range r.TopIndustries {
		row("top_industry", "", "", t.Code, t.Title, t.Rank, n(t.Orders))
	}
	row("orders_without_industry", "", "", "", "", 0, n(r.OrdersWithoutIndustry))
	for _, t := range r.TopPositions {
		row("top_position", "", "", t.Code, t.Title, t.Rank, n(t.Orders))
	}
	star := func(c kpi.StarCell) {
		row("star_orders", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, n(c.Orders))
		row("star_positions", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, n(c.Positions))
		row("star_with_referral_share", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, f(c.WithReferralShare))
		row("star_hired_referred_share", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, f(c.HiredReferredShare))
	}
	star(r.Star.StarCell)
	for _, cells := range [][]kpi.StarCell{r.Star.ByMonth, r.Star.ByMajorGroup, r.Star.ByMonthAndMajorGroup} {
		for _, c := range cells {
			star(c)
		}
	}
	p := r.Promises
	row("with_coordinator_share", "", "", "", "", 0, f(p.WithCoordinatorShare))
	row("coordinator_on_time_share", "", "", "", "", 0, f(p.CoordinatorOnTimeShare))
	row("first_contact_on_time_share", "", "", "", "", 0, f(p.FirstContactOnTimeShare))
	row("median_hours_to_first_referral", "", "", "", "", 0, f(p.MedianHoursToFirstReferral))
	row("open_without_referral_after_deadline", "", "", "", "", 0, n(p.OpenWithoutReferralAfterDeadline))
	row("open_after_close_out_nudge", "", "", "", "", 0, n(p.OpenAfterCloseOutNudge))
	row("shared_later_than_policy", "", "", "", "", 0, n(p.SharedLaterThanPolicy))
	cw.Flush()
	return cw.Error()
}
