package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/policy"
)

// A manager's start page is the dashboard of their job centre: the key figures of the last
// twelve months beside the year before, the charts as SVG with their numbers in tables.
func TestAManagersStartPageIsTheDashboardOfTheirJobCentre(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	tc.createOrder("Tømrer til tag")
	tc.createOrder("Tømrer til vinduer")
	b := tc.browser()
	b.login(tc, manager)
	res := b.get("/")
	if res.status != http.StatusOK {
		t.Fatalf("/ as a manager: %d\n%.400s", res.status, res.body)
	}
	for _, want := range []string{"Nøgletal for Jobcenter Aarhus", `data-figure="dashboard.figure.orders"`, `<svg class="chart-svg"`, `role="img"`,
		`id="months-table"`, `id="positions-table"`, "7115 Carpenters and joiners", "/jobcenters/751/kpis.csv?from="} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if testing.Verbose() {
		t.Log(res.body)
	}
	// Two orders this period, none the year before: +2.
	row := between(res.body, `data-figure="dashboard.figure.orders"`, "</tr>")
	if !strings.Contains(row, `data-col="value">2<`) || !strings.Contains(row, `data-col="before">0<`) || !strings.Contains(row, `data-col="change">&#43;2<`) {
		t.Errorf("orders row: %s", row)
	}
}

// The dashboard's CSV download is the API's CSV of the same period, byte for byte.
func TestTheDashboardsCSVIsTheAPIsCSV(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	tc.createOrder("Tømrer til tag")
	today := time.Now().In(policy.Copenhagen).Format("2006-01-02")
	q := "?from=2026-01-01&to=" + today
	b := tc.browser()
	b.login(tc, manager)
	page := b.get("/jobcenters/751/kpis.csv" + q)
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV download: %d %s", page.status, page.header.Get("Content-Type"))
	}
	req, _ := http.NewRequest(http.MethodGet, tc.srv.URL+"/api/v1/jobcenters/751/kpis"+q+"&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+tc.token(manager))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	api, _ := io.ReadAll(res.Body)
	if page.body != string(api) {
		t.Errorf("the page's CSV differs from the API's:\n%s\n---\n%s", page.body, api)
	}
	if !strings.Contains(page.body, "orders,,,,,,1\n") || !strings.Contains(page.body, "orders_by_month,") {
		t.Errorf("CSV lacks the figures:\n%s", page.body)
	}
	if got := page.header.Get("Content-Disposition"); got != `attachment; filename="kpis-jobcenter-751-2026-01-01-`+today+`.csv"` {
		t.Errorf("Content-Disposition %q", got)
	}
}

// A period that is not one shows the design system's error summary with what was typed kept.
func TestABadPeriodOnTheDashboardIsNamedInTheErrorSummary(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	res := b.get("/jobcenters/751/kpis?from.day=31&from.month=12&from.year=2026&to.day=1&to.month=1&to.year=2026")
	if res.status != http.StatusBadRequest {
		t.Fatalf("bad period: %d", res.status)
	}
	for _, want := range []string{`href="#field-from"`, "ikke ligger efter slutdatoen", `name="from.day" value="31"`, `name="to.year" value="2026"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// Admins read any job centre's dashboard; the job centre's caseworkers, other job centres'
// managers and employers get the 404 page.
func TestTheDashboardIsForTheJobCentresManagersAndAdmins(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	otherManager := auth.Principal{Subject: "mgr-101", Role: auth.RoleManager, Jobcenter: "101", Name: "Kim"}
	for _, c := range []struct {
		p    auth.Principal
		want int
	}{{manager, 200}, {adminUser, 200}, {caseworker, 404}, {otherManager, 404}, {employer, 404}} {
		b := tc.browser()
		b.login(tc, c.p)
		for _, path := range []string{"/jobcenters/751/kpis", "/jobcenters/751/kpis.csv"} {
			if res := b.get(path); res.status != c.want {
				t.Errorf("%s as %s: %d, want %d", path, c.p.Subject, res.status, c.want)
			}
		}
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// The dashboard links each follow-up list with its count; a list shows its orders, each linking
// to the order's page; the caseworkers' list links each person's own list.
func TestTheDashboardLinksTheFollowUpListsWithTheirCounts(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	o := tc.createOrder("Uden tovholder")
	b := tc.browser()
	b.login(tc, manager)
	dash := b.get("/")
	item := between(dash.body, `data-list="no-coordinator"`, "</li>")
	if !strings.Contains(item, `href="/jobcenters/751/follow-up/no-coordinator"`) || !strings.Contains(item, `badge-warning">1<`) {
		t.Errorf("follow-up link: %s", item)
	}
	list := b.get("/jobcenters/751/follow-up/no-coordinator")
	if list.status != http.StatusOK || !strings.Contains(list.body, `href="/job-orders/`+o.ID+`"`) || !strings.Contains(list.body, "Jobordrer uden tovholder") {
		t.Errorf("list: %d\n%.600s", list.status, list.body)
	}
	cws := b.get("/jobcenters/751/follow-up/caseworkers")
	if cws.status != http.StatusOK || !strings.Contains(cws.body, `/jobcenters/751/follow-up/caseworker?id=mgr-1`) {
		t.Errorf("caseworkers: %d", cws.status)
	}
	if one := b.get("/jobcenters/751/follow-up/caseworker?id=mgr-1"); one.status != http.StatusOK || !strings.Contains(one.body, "Jobordrer med Mette Madsen som tovholder") {
		t.Errorf("one caseworker: %d", one.status)
	}
	if bad := b.get("/jobcenters/751/follow-up/everything"); bad.status != http.StatusNotFound {
		t.Errorf("unknown list: %d", bad.status)
	}
}
