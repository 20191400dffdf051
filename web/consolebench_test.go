//go:build consolebench

// The console benchmark (`make bench`, target bench-console): the inbox and the order list of a
// job centre with 10,000 open orders, rendered by the real handlers on the API's engine
// (httptest, a logged-in browser session) over a throwaway PostgreSQL (pgtest). Behind the
// consolebench build tag so `go test ./...` never runs it (speed is measured here, never
// asserted in a test); run it with
//
//	go test -tags consolebench -run TestConsoleBenchmark -v -timeout 30m ./web/
//
// Settings (environment):
//
//	CONSOLE_BENCH_ORDERS    open orders of the job centre (default 10000)
//	CONSOLE_BENCH_REQUESTS  timed requests per case (default 200)
//	CONSOLE_BENCH_REPORT    write the result table to this file (default: print it)
package web_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
	"jobordre/models"
)

func benchEnv(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q is not a positive number", name, s)
	}
	return n
}

// benchOccupations are the unit groups the synthetic orders ask for.
var benchOccupations = []string{"7115", "7112", "7411", "5120", "2342", "4110", "8332", "9112", "2221", "7231"}

var benchTitles = []string{"Tømrer til renovering", "Murer til facader", "Elektriker til nybyggeri", "Kok til kantine", "Pædagog til vuggestue",
	"Kontorassistent", "Lastbilchauffør", "Rengøringsassistent", "Sygeplejerske", "Automekaniker"}

// seedConsoleBench stores n open orders of job centre 751 (a third without a coordinator, the
// rest spread over 40 caseworkers, cw-1 among them), their reminder deadlines from ten days
// overdue to a month ahead, closed orders, other job centres' orders shared with 751, and CVs
// proposed by a neighbour, in batches.
func seedConsoleBench(t *testing.T, tc *testConsole, n int) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	rng := rand.New(rand.NewPCG(7, 11))
	now := time.Now().UTC()
	var companies []models.Company
	for i := range 500 {
		companies = append(companies, models.Company{CVR: fmt.Sprintf("%08d", 20000000+i), Name: fmt.Sprintf("Virksomhed %d ApS", i), CreatedAt: now, UpdatedAt: now})
	}
	var staff []models.Caseworker
	for i := 1; i <= 40; i++ {
		staff = append(staff, models.Caseworker{ID: fmt.Sprintf("cw-%d", i), Jobcenter: "751", Role: auth.RoleCaseworker, Name: fmt.Sprintf("Sagsbehandler %d", i), CreatedAt: now, UpdatedAt: now})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tc.db.CreateInBatches(companies, 500).Error)
	must(tc.db.CreateInBatches(staff, 500).Error)
	var orders []models.JobOrder
	var deadlines []models.JobOrderDeadline
	var mine []string
	add := func(jobcenter, status, sharing string, coordinator *string) models.JobOrder {
		created := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
		id := uuid.NewString()
		var deadline *models.Date
		if rng.IntN(2) == 0 {
			d := models.Date{Time: time.Date(now.Year(), now.Month(), now.Day()+rng.IntN(90)-30, 0, 0, 0, 0, time.UTC)}
			deadline = &d
		}
		k := rng.IntN(len(benchTitles))
		o := models.JobOrder{ID: id, CompanyCVR: companies[rng.IntN(len(companies))].CVR, Title: fmt.Sprintf("%s %d", benchTitles[k], len(orders)),
			Description: "Synthetic order.", WorkplaceAddress: "Vej 1", WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: jobcenter,
			ResponsibleJobcenter: jobcenter, OccupationCode: benchOccupations[k], Positions: 1 + rng.IntN(3), ApplicationDeadline: deadline,
			Kind: models.KindOrdinary, Status: status, Sharing: sharing, CoordinatorID: coordinator, CreatedBySubject: "seed",
			CreatedByRole: auth.RoleCaseworker, WorkflowID: "job-order/" + id, CreatedAt: created, UpdatedAt: created}
		if sharing != models.SharingInternal {
			at := now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
			o.SharedAt = &at
		}
		orders = append(orders, o)
		return o
	}
	sharings := []string{models.SharingInternal, models.SharingInternal, models.SharingInternal, models.SharingNeighbours, models.SharingNational}
	for i := range n {
		var coordinator *string
		if i%3 != 0 {
			c := staff[rng.IntN(len(staff))].ID
			coordinator = &c
		}
		o := add("751", models.StatusOpen, sharings[rng.IntN(len(sharings))], coordinator)
		if coordinator != nil && *coordinator == "cw-1" {
			mine = append(mine, o.ID)
		}
		if coordinator != nil {
			for _, name := range []string{models.DeadlineContact, models.DeadlineFirstReferral, models.DeadlineCloseOut} {
				due := now.Add(time.Duration(rng.IntN(40*24)-10*24) * time.Hour)
				deadlines = append(deadlines, models.JobOrderDeadline{JobOrderID: o.ID, Name: name, Kind: name, CoordinatorID: *coordinator, DueAt: due})
			}
		}
	}
	for range n / 5 {
		c := staff[rng.IntN(len(staff))].ID
		add("751", models.StatusClosed, models.SharingInternal, &c)
	}
	for range n / 2 {
		jc := []string{"710", "746", "101", "461"}[rng.IntN(4)]
		add(jc, models.StatusOpen, []string{models.SharingInternal, models.SharingNeighbours, models.SharingNational}[rng.IntN(3)], nil)
	}
	must(tc.db.CreateInBatches(orders, 1000).Error)
	must(tc.db.CreateInBatches(deadlines, 2000).Error)
	var cands []models.Candidate
	var refs []models.Referral
	for i := range 100 {
		c := models.Candidate{ID: uuid.NewString(), Name: fmt.Sprintf("Kandidat %d", i), Email: fmt.Sprintf("k%d@example.dk", i), HomeJobcenter: "710",
			Searchable: true, Active: true, CV: "{}", CreatedBy: "seed", CreatedAt: now, UpdatedAt: now}
		cands = append(cands, c)
		refs = append(refs, models.Referral{ID: uuid.NewString(), JobOrderID: mine[i%len(mine)], CandidateID: c.ID, Status: models.ReferralPendingApproval,
			Channel: "email", ProposedBy: "cw-710", ProposedByJobcenter: "710", CreatedAt: now.Add(-time.Duration(i) * time.Hour), UpdatedAt: now})
	}
	must(tc.db.CreateInBatches(cands, 500).Error)
	must(tc.db.CreateInBatches(refs, 500).Error)
	must(tc.db.Exec("VACUUM ANALYZE").Error)
	return fmt.Sprintf("%d orders (%d open of 751, %d of them cw-1's), %d reminder deadlines, %d proposals", len(orders), n, len(mine), len(deadlines), len(refs)),
		time.Since(start)
}

type benchCase struct {
	name, path, want string
}

func TestConsoleBenchmark(t *testing.T) {
	n := benchEnv(t, "CONSOLE_BENCH_ORDERS", 10000)
	requests := benchEnv(t, "CONSOLE_BENCH_REQUESTS", 200)
	tc := newTestConsole(t, consoleOptions{})
	seeded, took := seedConsoleBench(t, tc, n)
	var version string
	_ = tc.db.Raw("SELECT version()").Scan(&version).Error
	b := tc.browser()
	b.follow(b.login(tc, caseworker)) // cw-1 of 751

	cases := []benchCase{
		{"inbox /", "/", "Indbakke"},
		{"order list, my job centre's (default: open, newest first)", "/job-orders", "Viser 1–25 af"},
		{"order list, page 200 (offset 4975)", "/job-orders?page=200", "Viser 4.976–5.000 af"},
		{"order list, title text " + strconv.Quote("tømrer"), "/job-orders?" + url.Values{"q": {"tømrer"}}.Encode(), "Viser 1–25 af"},
		{"order list, coordinator = me, by deadline", "/job-orders?coordinator=me&sort=deadline", "Viser 1–25 af"},
		{"order list, no coordinator, occupation 711, by title", "/job-orders?coordinator=none&occupation=711&sort=title", "Viser 1–25 af"},
		{"order list, created in the last 30 days", "/job-orders?from=" + time.Now().AddDate(0, 0, -30).Format(time.DateOnly), "Viser 1–25 af"},
		{"order list, shared with my job centre", "/job-orders?tab=shared", "Viser 1–25 af"},
		{"order list, national list, all statuses", "/job-orders?tab=national&status=all", "Viser 1–25 af"},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "Console benchmark: %s; %s; seeded in %s\n", seeded, version, took.Round(time.Millisecond))
	fmt.Fprintf(&report, "GET as caseworker cw-1 of 751 through the real engine (session cookie, CSRF, rendering), one client, keep-alive, %d requests per case after 5 warm-up\n\n", requests)
	fmt.Fprintf(&report, "%-62s %5s %8s %8s %8s %8s %8s %9s  %s\n", "case (times in ms)", "n", "mean", "p50", "p95", "p99", "max", "KiB", "p95 goal")
	for _, c := range cases {
		var size int
		get := func() {
			res := b.get(c.path)
			if res.status != http.StatusOK || !strings.Contains(res.body, c.want) {
				t.Fatalf("%s: %d, no %q\n%.2000s", c.path, res.status, c.want, res.body)
			}
			size = len(res.body)
		}
		for range 5 {
			get()
		}
		times := make([]float64, 0, requests)
		for range requests {
			start := time.Now()
			get()
			times = append(times, float64(time.Since(start).Microseconds())/1000)
		}
		slices.Sort(times)
		var sum float64
		for _, v := range times {
			sum += v
		}
		pct := func(p float64) float64 { return times[int(math.Ceil(p*float64(len(times))))-1] }
		verdict := "met"
		if pct(0.95) >= 50 {
			verdict = "NOT met"
		}
		fmt.Fprintf(&report, "%-62s %5d %8.1f %8.1f %8.1f %8.1f %8.1f %9.1f  < 50.0: %s\n", c.name, len(times), sum/float64(len(times)),
			pct(0.5), pct(0.95), pct(0.99), times[len(times)-1], float64(size)/1024, verdict)
	}
	// The services alone (no HTTP, session or rendering), to see where the time goes.
	svcCases := []struct {
		name string
		call func() error
	}{
		{"service inbox.For", func() error { _, err := tc.inbox.For(context.Background(), caseworker); return err }},
		{"service orders.Search, my job centre's", func() error {
			_, err := tc.orders.Search(context.Background(), caseworker, orders.SearchFilter{Tab: orders.TabJobcentre, Status: models.StatusOpen})
			return err
		}},
		{"service orders.Search, page 200", func() error {
			_, err := tc.orders.Search(context.Background(), caseworker, orders.SearchFilter{Tab: orders.TabJobcentre, Status: models.StatusOpen, Page: 200})
			return err
		}},
		{"service orders.Search, title text", func() error {
			_, err := tc.orders.Search(context.Background(), caseworker, orders.SearchFilter{Tab: orders.TabJobcentre, Status: models.StatusOpen, Title: "tømrer"})
			return err
		}},
	}
	for _, c := range svcCases {
		times := make([]float64, 0, requests)
		for i := range requests + 5 {
			start := time.Now()
			if err := c.call(); err != nil {
				t.Fatal(err)
			}
			if i >= 5 {
				times = append(times, float64(time.Since(start).Microseconds())/1000)
			}
		}
		slices.Sort(times)
		var sum float64
		for _, v := range times {
			sum += v
		}
		pct := func(p float64) float64 { return times[int(math.Ceil(p*float64(len(times))))-1] }
		fmt.Fprintf(&report, "%-62s %5d %8.1f %8.1f %8.1f %8.1f %8.1f\n", c.name, len(times), sum/float64(len(times)), pct(0.5), pct(0.95), pct(0.99), times[len(times)-1])
	}
	if path := os.Getenv("CONSOLE_BENCH_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Log("\n" + report.String())
}
