package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/kpi"
)

var manager751 = auth.Principal{Subject: "mgr-751", Role: auth.RoleManager, Jobcenter: "751"}

func TestJobcentreKeyFiguresCountTheOrdersCreatedThroughTheAPI(t *testing.T) {
	a := newTestAPI(t)
	a.createOrder(caseworker, validOrder())
	a.createOrder(employer, validOrder())
	other := validOrder()
	other["occupation_code"], other["positions"] = "2512", 5
	a.createOrder(caseworker, other)
	elsewhere := validOrder()
	elsewhere["responsible_jobcenter"] = "101"
	a.createOrder(employer, elsewhere)

	var r kpi.Report
	resp := a.do(http.MethodGet, "/api/v1/jobcenters/751/kpis", &manager751, nil)
	if resp.status != http.StatusOK {
		t.Fatalf("kpis: %d %s", resp.status, resp.body)
	}
	resp.json(t, &r)
	if r.Jobcenter != "751" || r.JobcenterName != "Jobcenter Aarhus" || r.Orders != 3 || r.Star.Positions != 9 || r.Filled != 0 {
		t.Errorf("report %s", resp.body)
	}
	if len(r.TopPositions) != 2 || r.TopPositions[0].Code != "7115" || r.TopPositions[0].Orders != 2 || r.TopPositions[1].Code != "2512" {
		t.Errorf("top positions %+v", r.TopPositions)
	}
	// The default period is the twelve months up to today.
	if r.Period.To.Sub(r.Period.From.Time).Hours() < 364*24 {
		t.Errorf("default period %s..%s", r.Period.From, r.Period.To)
	}

	var national kpi.Report
	resp = a.do(http.MethodGet, "/api/v1/kpis", &admin, nil)
	if resp.status != http.StatusOK {
		t.Fatalf("national: %d %s", resp.status, resp.body)
	}
	resp.json(t, &national)
	if !national.National || national.Orders != 4 {
		t.Errorf("national report %s", resp.body)
	}
}

func TestKeyFiguresAreForTheCentresManagersAndAdminsOnly(t *testing.T) {
	a := newTestAPI(t)
	for _, c := range []struct {
		name   string
		path   string
		p      auth.Principal
		status int
	}{
		{"own manager", "/api/v1/jobcenters/751/kpis", manager751, 200},
		{"admin, any centre", "/api/v1/jobcenters/101/kpis", admin, 200},
		{"admin, no such centre", "/api/v1/jobcenters/999/kpis", admin, 404},
		{"caseworker of the centre", "/api/v1/jobcenters/751/kpis", caseworker, 403},
		{"manager of another centre", "/api/v1/jobcenters/101/kpis", manager751, 404},
		{"caseworker of another centre", "/api/v1/jobcenters/751/kpis", otherCW, 404},
		{"employer", "/api/v1/jobcenters/751/kpis", employer, 404},
		{"national, admin", "/api/v1/kpis", admin, 200},
		{"national, manager", "/api/v1/kpis", manager751, 403},
		{"national, employer", "/api/v1/kpis", employer, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(http.MethodGet, c.path, &c.p, nil)
			if r.status != c.status {
				t.Fatalf("%s: %d %s, want %d", c.path, r.status, r.body, c.status)
			}
			if c.status != 200 {
				problemOf(t, r)
			}
		})
	}
	if r := a.do(http.MethodGet, "/api/v1/kpis", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.status)
	}
}

func TestKeyFiguresRejectABadPeriodNamingTheParameter(t *testing.T) {
	a := newTestAPI(t)
	for query, field := range map[string]string{
		"from=2026-13-01":                  "from",
		"to=yesterday":                     "to",
		"from=2026-05-01&to=2026-04-30":    "from",
		"from=2000-01-01&to=2026-01-01":    "from",
		"from=2026-02-30&to=2026-03-01":    "from",
		"from=2026-01-01&to=2026-1-31":     "to",
		"from=2026-01-01&to=2026-01-01T00": "to",
	} {
		r := a.do(http.MethodGet, "/api/v1/jobcenters/751/kpis?"+query, &manager751, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", query, r.status, r.body)
			continue
		}
		p := problemOf(t, r)
		if p.Type != "urn:jobordre:problem:validation" || len(p.Errors) == 0 || p.Errors[0].Field != field {
			t.Errorf("%s: problem %+v, want field %s", query, p, field)
		}
	}
	if r := a.do(http.MethodGet, "/api/v1/jobcenters/751/kpis?from=2026-01-01&to=2026-01-01", &manager751, nil); r.status != http.StatusOK {
		t.Errorf("a one-day period: %d %s", r.status, r.body)
	}
}

func TestKeyFiguresComeAsCSVWhenAskedFor(t *testing.T) {
	a := newTestAPI(t)
	a.createOrder(caseworker, validOrder())
	for _, ask := range []struct{ query, accept string }{{"", "text/csv"}, {"?format=csv", ""}} {
		var headers []string
		if ask.accept != "" {
			headers = []string{"Accept", ask.accept}
		}
		r := a.do(http.MethodGet, "/api/v1/jobcenters/751/kpis"+ask.query, &manager751, nil, headers...)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%+v: %d %s %s", ask, r.status, r.header.Get("Content-Type"), r.body)
		}
		if !strings.Contains(r.header.Get("Content-Disposition"), "kpis-jobcenter-751-") {
			t.Errorf("content disposition %q", r.header.Get("Content-Disposition"))
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "figure,month,major_group,code,title,rank,value" {
			t.Errorf("header %v", rows[0])
		}
		found := map[string]bool{}
		for _, row := range rows[1:] {
			if len(row) != 7 {
				t.Fatalf("row %v has %d columns", row, len(row))
			}
			key := row[0] + "|" + row[3] + "|" + row[5] + "|" + row[6]
			found[key] = true
		}
		for _, want := range []string{"orders|||1", "filled|||0", "top_position|7115|1|1", "star_positions|||2", "median_hours_to_first_referral|||"} {
			if !found[want] {
				t.Errorf("no CSV row %s in\n%s", want, r.body)
			}
		}
	}
	// JSON stays the default, also for a browser's Accept header.
	r := a.do(http.MethodGet, "/api/v1/jobcenters/751/kpis", &manager751, nil, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("browser accept gave %s", r.header.Get("Content-Type"))
	}
}
