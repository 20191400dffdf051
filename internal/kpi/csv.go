package kpi

import (
	"encoding/csv"
	"io"
	"strconv"
)

// FileName is the CSV download's file name: kpis-jobcenter-751-2026-01-01-2026-12-31.csv, or
// kpis-national-... for the whole country.
func FileName(jobcenter string, p Period) string {
	scope := "national"
	if jobcenter != "" {
		scope = "jobcenter-" + jobcenter
	}
	return "kpis-" + scope + "-" + p.From.String() + "-" + p.To.String() + ".csv"
}

// WriteCSV writes the report as one row per figure: figure, month, major_group, code, title,
// rank, value. Breakdown columns are empty where a figure is not broken down; an undefined share
// (nothing to divide by) has an empty value. The API's text/csv answer and the console's
// download are both this.
func WriteCSV(w io.Writer, r *Report) error {
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
	for _, m := range r.ByMonth {
		row("orders_by_month", m.Month, "", "", "", 0, n(m.Orders))
		row("filled_by_month", m.Month, "", "", "", 0, n(m.Filled))
	}
	for _, t := range r.TopIndustries {
		row("top_industry", "", "", t.Code, t.Title, t.Rank, n(t.Orders))
	}
	row("orders_without_industry", "", "", "", "", 0, n(r.OrdersWithoutIndustry))
	for _, t := range r.TopPositions {
		row("top_position", "", "", t.Code, t.Title, t.Rank, n(t.Orders))
	}
	star := func(c StarCell) {
		row("star_orders", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, n(c.Orders))
		row("star_positions", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, n(c.Positions))
		row("star_with_referral_share", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, f(c.WithReferralShare))
		row("star_hired_referred_share", c.Month, c.MajorGroup, "", c.MajorGroupTitle, 0, f(c.HiredReferredShare))
	}
	star(r.Star.StarCell)
	for _, cells := range [][]StarCell{r.Star.ByMonth, r.Star.ByMajorGroup, r.Star.ByMonthAndMajorGroup} {
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
