//go:build kpibench

// The key-figure benchmark (`make bench`): a million synthetic orders in a throwaway PostgreSQL,
// the real HTTP API, and the figures timed three ways. Behind the kpibench build tag so that
// `go test ./...` never runs it; run it with
//
//	go test -tags kpibench -run TestKPIBenchmark -v -timeout 2h ./internal/seed/
//
// Settings (environment):
//
//	KPI_BENCH_ORDERS          orders to seed (default 1000000)
//	KPI_BENCH_REQUESTS        timed requests per HTTP case (default 200)
//	KPI_BENCH_NAIVE_REQUESTS  most timed runs per naive case (default 200; each case also stops
//	                          after KPI_BENCH_NAIVE_BUDGET, default 2m, once it has 20 runs)
//	KPI_BENCH_UNTIL           end of the seeded span, YYYY-MM-DD (default today, UTC)
//	KPI_BENCH_DATABASE_URL    use (and keep) this PostgreSQL database instead of a throwaway one:
//	                          seeded when empty, reused when it holds KPI_BENCH_ORDERS orders
//	KPI_BENCH_REPORT          write the result table to this file (default: print it)
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jobordre/api"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/kpi"
	"jobordre/internal/pgtest"
	"jobordre/internal/servicestest"
	"jobordre/internal/telemetry"
	"jobordre/models"
)

func envInt(t *testing.T, name string, def int) int {
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

type benchCase struct {
	name  string
	goal  time.Duration // p95 goal; 0: none
	runs  []time.Duration
	note  string
	limit int
}

func (c *benchCase) stats() (mean, p50, p95, p99, maxi time.Duration) {
	d := slices.Clone(c.runs)
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	// Nearest-rank percentiles.
	pct := func(p float64) time.Duration { return d[max(0, int(math.Ceil(p*float64(len(d))))-1)] }
	return sum / time.Duration(len(d)), pct(0.50), pct(0.95), pct(0.99), d[len(d)-1]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
}

func TestKPIBenchmark(t *testing.T) {
	ctx := context.Background()
	n := envInt(t, "KPI_BENCH_ORDERS", 1_000_000)
	requests := envInt(t, "KPI_BENCH_REQUESTS", 200)
	naiveMax := envInt(t, "KPI_BENCH_NAIVE_REQUESTS", 200)
	naiveBudget := 2 * time.Minute
	if s := os.Getenv("KPI_BENCH_NAIVE_BUDGET"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("KPI_BENCH_NAIVE_BUDGET: %v", err)
		}
		naiveBudget = d
	}
	until := time.Now().UTC().Truncate(24 * time.Hour)
	if s := os.Getenv("KPI_BENCH_UNTIL"); s != "" {
		u, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatalf("KPI_BENCH_UNTIL: %v", err)
		}
		until = u
	}
	url := os.Getenv("KPI_BENCH_DATABASE_URL")
	throwaway := url == ""
	if throwaway {
		url = pgtest.NewDatabase(t)
	}
	db := dbtest.Open(t, url)

	// Seed, or reuse a database seeded before.
	var have int64
	if err := db.Model(&models.JobOrder{}).Count(&have).Error; err != nil {
		t.Fatal(err)
	}
	var seedLine string
	switch {
	case have == 0:
		t.Logf("seeding %d orders (until %s)...", n, until.Format(time.DateOnly))
		gc := debug.SetGCPercent(400) // as jobordre seed does; back to normal for the timings
		st, err := Run(ctx, db, Options{Orders: n, Seed: 1, Until: until, Progress: os.Stderr})
		debug.SetGCPercent(gc)
		if err != nil {
			t.Fatal(err)
		}
		vacuum := time.Now()
		if err := db.Exec("VACUUM ANALYZE").Error; err != nil {
			t.Fatal(err)
		}
		seedLine = fmt.Sprintf("seeded %d orders in %s (%.0f orders/s; then VACUUM ANALYZE %s): %d companies, %d candidates, %d history entries, %d referrals; %d open, %d closed, %d filled",
			st.Orders, st.Elapsed.Round(time.Second), float64(st.Orders)/st.Elapsed.Seconds(), time.Since(vacuum).Round(time.Second),
			st.Companies, st.Candidates, st.Events, st.Referrals, st.Open, st.Closed, st.Filled)
	case have == int64(n):
		seedLine = fmt.Sprintf("reused a database seeded before with %d orders", n)
	default:
		t.Fatalf("the database has %d orders, not %d: use an empty one (or set KPI_BENCH_ORDERS=%d)", have, n, have)
	}
	t.Log(seedLine)
	var pgVersion string
	db.Raw("SHOW server_version").Scan(&pgVersion)
	var sizes []struct {
		Name string
		Size int64
	}
	db.Raw(`SELECT relname AS name, pg_total_relation_size(c.oid) AS size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY size DESC LIMIT 8`).Scan(&sizes)
	var dbSize int64
	db.Raw("SELECT pg_database_size(current_database())").Scan(&dbSize)

	// The real HTTP API with real HS256 tokens.
	signer, err := auth.NewHS256("kpi-benchmark-secret-long-enough-for-hs256", "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	s := servicestest.New(db, nil)
	h := api.New(api.Deps{
		Orders: s.Orders, Directory: s.Directory, Referrals: s.Referrals, Verifier: signer,
		Jobcenters: s.Jobcenters, Companies: s.Companies, Reference: s.Reference,
		KPIs: s.KPIs, Metrics: telemetry.NewMetrics(), MaxBodyBytes: 1 << 20,
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	token := func(p auth.Principal) string {
		tok, err := signer.Sign(p, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	manager := token(auth.Principal{Subject: "kpi-bench-manager-101", Role: auth.RoleManager, Jobcenter: "101", Name: "Syntetisk Leder"})
	admin := token(auth.Principal{Subject: "kpi-bench-admin", Role: auth.RoleAdmin})
	client := srv.Client()
	get := func(path, tok string) (kpi.Report, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s %v", path, resp.StatusCode, body, err)
		}
		var r kpi.Report
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return r, took
	}

	// A year of whole months and a year that starts and ends mid-month, both before until.
	year := until.Year() - 1
	if until.Before(time.Date(until.Year(), 3, 16, 0, 0, 0, 0, time.UTC)) {
		year--
	}
	periods := []struct{ name, from, to string }{
		{"whole months", fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)},
		{"mid-month", fmt.Sprintf("%d-03-15", year), fmt.Sprintf("%d-03-14", year+1)},
	}
	var cases []*benchCase
	for _, scope := range []struct {
		label, jobcenter, tok string
		goal                  time.Duration
	}{{"job centre 101", "101", manager, 50 * time.Millisecond}, {"national", "", admin, 200 * time.Millisecond}} {
		for _, p := range periods {
			path := "/api/v1/kpis?from=" + p.from + "&to=" + p.to
			if scope.jobcenter != "" {
				path = "/api/v1/jobcenters/" + scope.jobcenter + "/kpis?from=" + p.from + "&to=" + p.to
			}
			label := fmt.Sprintf("%s %s..%s (%s)", scope.label, p.from, p.to, p.name)

			// The endpoint.
			c := &benchCase{name: "HTTP  " + label, goal: scope.goal}
			report, _ := get(path, scope.tok)
			for range 5 { // warm-up
				get(path, scope.tok)
			}
			for range requests {
				_, d := get(path, scope.tok)
				c.runs = append(c.runs, d)
			}
			cases = append(cases, c)

			// The same figures straight from the source tables, and they must agree.
			from, _ := models.ParseDate(p.from)
			to, _ := models.ParseDate(p.to)
			start, end := kpi.Period{From: from, To: to}.Bounds()
			nc := &benchCase{name: "naive " + label}
			got := naiveFigures(t, db, scope.jobcenter, start, end)
			compareFigures(t, label, report, got)
			nc.note = fmt.Sprintf("%d orders, %d filled", got.Orders, got.Filled)
			c.note = nc.note
			budget := time.Now().Add(naiveBudget)
			for len(nc.runs) < naiveMax && (len(nc.runs) < 20 || time.Now().Before(budget)) {
				t0 := time.Now()
				naiveFigures(t, db, scope.jobcenter, start, end)
				nc.runs = append(nc.runs, time.Since(t0))
			}
			cases = append(cases, nc)
			t.Logf("%s: done", label)
		}
	}

	// The table.
	var sb strings.Builder
	fmt.Fprintf(&sb, "KPI benchmark: %d orders created %s..%s, PostgreSQL %s, database %.2f GB (%s)\n", n,
		until.AddDate(0, 0, -int(DefaultSpan/(24*time.Hour))).Format(time.DateOnly), until.Format(time.DateOnly), pgVersion, float64(dbSize)/1e9,
		map[bool]string{true: "throwaway pgtest cluster", false: "KPI_BENCH_DATABASE_URL"}[throwaway])
	fmt.Fprintln(&sb, seedLine)
	var tableSizes []string
	for _, s := range sizes {
		tableSizes = append(tableSizes, fmt.Sprintf("%s %.0f MB", s.Name, float64(s.Size)/1e6))
	}
	fmt.Fprintf(&sb, "largest tables (with indexes): %s\n\n", strings.Join(tableSizes, ", "))
	fmt.Fprintf(&sb, "%-80s %5s %8s %8s %8s %8s %8s  %s\n", "case (times in ms; HTTP = full request through the API)", "n", "mean", "p50", "p95", "p99", "max", "p95 goal")
	for _, c := range cases {
		mean, p50, p95, p99, mx := c.stats()
		goal := ""
		if c.goal > 0 {
			verdict := "met"
			if p95 >= c.goal {
				verdict = "MISSED"
			}
			goal = fmt.Sprintf("< %s: %s", ms(c.goal), verdict)
		}
		fmt.Fprintf(&sb, "%-80s %5d %8s %8s %8s %8s %8s  %s\n", c.name, len(c.runs), ms(mean), ms(p50), ms(p95), ms(p99), ms(mx), goal)
	}
	fmt.Fprintln(&sb, "\nEvery naive result (orders, positions, filled, with coordinator, with referral, hired, median hours to the first referral, top 5 industries, top 10 positions) equals the endpoint's.")
	if out := os.Getenv("KPI_BENCH_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		fmt.Print("\n" + sb.String())
	}
}

// naive is the main figures computed from the source tables alone: no facts, no aggregates.
type naive struct {
	Orders, Positions, Filled, WithCoordinator, WithReferral, Hired int64
	MedianHours                                                     *float64
	TopIndustries, TopPositions                                     []kpi.Ranked
}

// naiveFigures is what one would write without internal/kpi: job orders of the period joined
// with their referrals and history aggregated per order, and companies for the industry.
func naiveFigures(t *testing.T, db *gorm.DB, jobcenter string, start, end time.Time) naive {
	t.Helper()
	where := "o.created_at >= @start AND o.created_at < @end"
	args := map[string]any{"start": start, "end": end}
	if jobcenter != "" {
		where += " AND o.responsible_jobcenter = @jc"
		args["jc"] = jobcenter
	}
	var r naive
	row := db.Raw(`
		SELECT COUNT(*),
		       COALESCE(SUM(GREATEST(o.positions, 1)), 0),
		       COUNT(*) FILTER (WHERE o.status = 'closed' AND o.close_reason = 'filled'),
		       COUNT(e.job_order_id),
		       COUNT(r.first_sent),
		       COUNT(*) FILTER (WHERE r.hired),
		       percentile_cont(0.5) WITHIN GROUP (ORDER BY floor(extract(epoch FROM r.first_sent - o.created_at) / 3600))
		FROM job_orders o
		LEFT JOIN (SELECT job_order_id, MIN(sent_at) AS first_sent, BOOL_OR(status = 'hired') AS hired
		           FROM referrals GROUP BY job_order_id) r ON r.job_order_id = o.id
		LEFT JOIN (SELECT job_order_id FROM job_order_events WHERE type = 'coordinator-assigned'
		           GROUP BY job_order_id) e ON e.job_order_id = o.id
		WHERE `+where, args).Row()
	if err := row.Scan(&r.Orders, &r.Positions, &r.Filled, &r.WithCoordinator, &r.WithReferral, &r.Hired, &r.MedianHours); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw(`SELECT substr(c.industry_code, 1, 2) AS code, COUNT(*) AS orders
		FROM job_orders o JOIN companies c ON c.cvr = o.company_cvr
		WHERE `+where+` AND c.industry_code <> '' GROUP BY 1 ORDER BY orders DESC, code LIMIT 5`, args).Scan(&r.TopIndustries).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Raw(`SELECT o.occupation_code AS code, COUNT(*) AS orders FROM job_orders o
		WHERE `+where+` GROUP BY 1 ORDER BY orders DESC, code LIMIT 10`, args).Scan(&r.TopPositions).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func compareFigures(t *testing.T, label string, rep kpi.Report, n naive) {
	t.Helper()
	type pair struct{ endpoint, naive any }
	ranked := func(rs []kpi.Ranked) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Code+":"+strconv.FormatInt(r.Orders, 10))
		}
		return strings.Join(s, " ")
	}
	median := func(p *float64) string {
		if p == nil {
			return "none"
		}
		return strconv.FormatFloat(*p, 'f', 1, 64)
	}
	for name, p := range map[string]pair{
		"orders":           {rep.Orders, n.Orders},
		"positions":        {rep.Star.Positions, n.Positions},
		"filled":           {rep.Filled, n.Filled},
		"with coordinator": {rep.Promises.WithCoordinator, n.WithCoordinator},
		"with referral":    {rep.Star.WithReferral, n.WithReferral},
		"hired referred":   {rep.Star.HiredReferred, n.Hired},
		"median hours":     {median(rep.Promises.MedianHoursToFirstReferral), median(n.MedianHours)},
		"top industries":   {ranked(rep.TopIndustries), ranked(n.TopIndustries)},
		"top positions":    {ranked(rep.TopPositions), ranked(n.TopPositions)},
	} {
		if fmt.Sprint(p.endpoint) != fmt.Sprint(p.naive) {
			t.Errorf("%s: %s: the endpoint says %v, the source tables %v", label, name, p.endpoint, p.naive)
		}
	}
	if n.Orders == 0 {
		t.Errorf("%s: no orders in the period; is KPI_BENCH_UNTIL right?", label)
	}
}
