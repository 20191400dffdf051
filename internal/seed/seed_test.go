package seed

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/dbtest"
	"jobordre/internal/kpi"
	"jobordre/internal/pgtest"
	"jobordre/internal/refdata"
	"jobordre/internal/store"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openSeeded opens a fresh database (PostgreSQL from pgtest, or SQLite when url is ""), migrates
// it and seeds n orders.
func openSeeded(t *testing.T, url string, n int, bulk bool) (*gorm.DB, Stats) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, url)
	st, err := Run(ctx, db, Options{Orders: n, Seed: 11, Until: testUntil, BatchSize: 700, bulk: &bulk})
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

// A batch at a time: COPY, then kpi.Load in the same transaction.
func TestSeedingPostgreSQLGivesConsistentKeyFigures(t *testing.T) {
	db, st := openSeeded(t, pgtest.NewDatabase(t), 2000, false)
	checkSeeded(t, db, st, 2000)
}

// In one transaction with the indexes dropped and rebuilt (what a large seed does).
func TestBulkSeedingPostgreSQLGivesConsistentKeyFigures(t *testing.T) {
	url := pgtest.NewDatabase(t)
	db, st := openSeeded(t, url, 2000, true)
	checkSeeded(t, db, st, 2000)
	// Every index the migration made is back.
	var n int64
	db.Raw(`SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('job_order_events', 'job_orders', 'referrals', 'job_order_facts', 'companies', 'candidates')`).Scan(&n)
	fresh := dbtest.Postgres(t)
	var want int64
	fresh.Raw(`SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('job_order_events', 'job_orders', 'referrals', 'job_order_facts', 'companies', 'candidates')`).Scan(&want)
	if n != want || n < 10 {
		t.Fatalf("%d indexes after the bulk load, a migrated database has %d", n, want)
	}
}

func TestSeedingSQLiteGivesConsistentKeyFigures(t *testing.T) {
	db, st := openSeeded(t, "", 600, false)
	checkSeeded(t, db, st, 600)
}

func checkSeeded(t *testing.T, db *gorm.DB, st Stats, n int) {
	t.Helper()
	ctx := context.Background()
	count := func(model any) int64 {
		var c int64
		if err := db.Model(model).Count(&c).Error; err != nil {
			t.Fatal(err)
		}
		return c
	}
	for name, c := range map[string][2]int64{
		"orders": {count(&models.JobOrder{}), int64(n)}, "facts": {count(&models.JobOrderFact{}), int64(n)},
		"events": {count(&models.JobOrderEvent{}), st.Events}, "referrals": {count(&models.Referral{}), st.Referrals},
		"companies": {count(&models.Company{}), st.Companies}, "candidates": {count(&models.Candidate{}), st.Candidates},
	} {
		if c[0] != c[1] || c[0] == 0 {
			t.Errorf("%s: %d rows, the run reported %d", name, c[0], c[1])
		}
	}

	// 1. Every stored fact is what kpi.Build makes of the rows read back from the database, the
	// way the key-figure callback reads them (kpi.Refresh).
	var facts []models.JobOrderFact
	if err := db.Find(&facts).Error; err != nil {
		t.Fatal(err)
	}
	var orders []models.JobOrder
	db.Find(&orders)
	var events []models.JobOrderEvent
	db.Select("id", "job_order_id", "type", "at", "details").Find(&events)
	var refs []models.Referral
	db.Select("job_order_id", "status", "sent_at").Find(&refs)
	var companies []models.Company
	db.Find(&companies)
	byOrderEvents, byOrderRefs, industry := map[string][]models.JobOrderEvent{}, map[string][]models.Referral{}, map[string]string{}
	for _, e := range events {
		byOrderEvents[e.JobOrderID] = append(byOrderEvents[e.JobOrderID], e)
	}
	for _, r := range refs {
		byOrderRefs[r.JobOrderID] = append(byOrderRefs[r.JobOrderID], r)
	}
	for _, c := range companies {
		industry[c.CVR] = c.IndustryCode
	}
	stored := map[string]models.JobOrderFact{}
	for _, f := range facts {
		stored[f.JobOrderID] = f
	}
	for _, o := range orders {
		pol, err := store.LoadPolicy(ctx, db, o.ResponsibleJobcenter)
		if err != nil {
			t.Fatal(err)
		}
		want := kpi.Build(kpi.Sources{Order: o, IndustryGroup: kpi.IndustryGroupOf(industry[o.CompanyCVR]), Events: byOrderEvents[o.ID],
			Referrals: byOrderRefs[o.ID], Plan: kpi.Plan(pol, o.CreatedAt, o.OccupationCode)}, testUntil)
		got, ok := stored[o.ID]
		if !ok {
			t.Fatalf("order %s has no fact", o.ID)
		}
		if !sameFact(got, want) {
			t.Fatalf("order %s: stored fact\n %+v\nrebuilt from the database\n %+v", o.ID, got, want)
		}
	}

	// 2. The aggregates are the sum of the facts (a naive GROUP BY), scope by scope.
	snapshot := func() map[string]int64 { return aggregateSnapshot(t, db) }
	before := snapshot()
	if naive := naiveAggregates(t, db); !reflect.DeepEqual(before, naive) {
		t.Fatalf("aggregates differ from a GROUP BY over the facts:\n%s", diffMaps(before, naive))
	}

	// 3. Refreshing orders through the callback's path changes nothing.
	sort.Slice(orders, func(i, j int) bool { return orders[i].ID < orders[j].ID })
	for i, o := range orders {
		if i%7 != 0 {
			continue
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			return kpi.Refresh(ctx, tx, o.ID, store.LoadPolicy, testUntil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if after := snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("kpi.Refresh changed the aggregates:\n%s", diffMaps(before, after))
	}

	// 4. The figures over whole months equal counts straight from the source rows.
	svc := kpi.NewService(db, refdata.Default()).WithClock(func() time.Time { return testUntil })
	from, _ := models.ParseDate("2025-01-01")
	to, _ := models.ParseDate("2025-12-31")
	for _, jc := range []string{"", "101", "751"} {
		r, err := svc.Figures(ctx, jc, kpi.Period{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		start, end := kpi.Period{From: from, To: to}.Bounds()
		q := db.Model(&models.JobOrder{}).Where("created_at >= ? AND created_at < ?", start, end)
		if jc != "" {
			q = q.Where("responsible_jobcenter = ?", jc)
		}
		var total, filled int64
		q.Session(&gorm.Session{}).Count(&total)
		q.Session(&gorm.Session{}).Where("status = ? AND close_reason = ?", models.StatusClosed, "filled").Count(&filled)
		if r.Orders != total || r.Filled != filled || total == 0 {
			t.Errorf("job centre %q: figures say %d orders, %d filled; the orders table %d, %d", jc, r.Orders, r.Filled, total, filled)
		}
	}
	if st.Filled == 0 || st.Open == 0 || st.Closed == 0 {
		t.Errorf("stats %+v", st)
	}

	// 5. Seeding again is refused without Append.
	if _, err := Run(ctx, db, Options{Orders: 1, Until: testUntil}); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("a second run into the same database: %v", err)
	}
}

// sameFact compares facts as stored: UpdatedAt is when the fact was written.
func sameFact(a, b models.JobOrderFact) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	norm := func(f *models.JobOrderFact) {
		f.CreatedAt = f.CreatedAt.UTC()
		for _, p := range []**time.Time{&f.ClosedAt, &f.FirstReferralAt, &f.SharingLateSince} {
			if *p != nil {
				u := (**p).UTC()
				*p = &u
			}
		}
		f.SharingPlan = normPlan(f.SharingPlan)
	}
	norm(&a)
	norm(&b)
	return reflect.DeepEqual(a, b)
}

func normPlan(s string) string {
	plan := kpi.ParsePlan(s)
	for i := range plan {
		plan[i].Due = plan[i].Due.UTC()
	}
	return toJSON(plan)
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// aggregateSnapshot reads every aggregate row as key → value.
func aggregateSnapshot(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	var monthly []models.KPIMonthly
	db.Find(&monthly)
	for _, m := range monthly {
		k := "m/" + m.Scope + "/" + m.Month + "/" + m.MajorGroup + "/"
		for name, v := range map[string]int64{"orders": m.Orders, "positions": m.Positions, "filled": m.Filled, "with_coordinator": m.WithCoordinator,
			"coordinator_on_time": m.CoordinatorOnTime, "coordinator_late": m.CoordinatorLate, "contact_on_time": m.ContactOnTime, "contact_late": m.ContactLate,
			"with_referral": m.WithReferral, "hired_referred": m.HiredReferred, "overdue_no_referral": m.OverdueNoReferral, "nudged_open": m.NudgedOpen} {
			if v != 0 {
				out[k+name] = v
			}
		}
	}
	var ind []models.KPIMonthlyIndustry
	db.Find(&ind)
	for _, r := range ind {
		if r.Orders != 0 {
			out["i/"+r.Scope+"/"+r.Month+"/"+r.IndustryGroup] = r.Orders
		}
	}
	var occ []models.KPIMonthlyOccupation
	db.Find(&occ)
	for _, r := range occ {
		if r.Orders != 0 {
			out["o/"+r.Scope+"/"+r.Month+"/"+r.OccupationCode] = r.Orders
		}
	}
	var hours []models.KPIMonthlyReferralHours
	db.Find(&hours)
	for _, r := range hours {
		if r.Orders != 0 {
			out["h/"+r.Scope+"/"+r.Month+"/"+strconv.Itoa(r.Hours)] = r.Orders
		}
	}
	return out
}

// naiveAggregates recomputes the aggregates with GROUP BY over job_order_facts.
func naiveAggregates(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, scope := range []struct{ col, where string }{{"jobcenter", ""}, {"'DK'", ""}} {
		rows, err := db.Raw(`SELECT ` + scope.col + `, month, major_group, COUNT(*), SUM(positions), SUM(filled), SUM(with_coordinator),
			SUM(coordinator_on_time), SUM(coordinator_late), SUM(contact_on_time), SUM(contact_late), SUM(with_referral),
			SUM(hired_referred), SUM(overdue_no_referral), SUM(nudged_open) FROM job_order_facts GROUP BY 1, 2, 3`).Rows()
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"orders", "positions", "filled", "with_coordinator", "coordinator_on_time", "coordinator_late", "contact_on_time",
			"contact_late", "with_referral", "hired_referred", "overdue_no_referral", "nudged_open"}
		for rows.Next() {
			var s, month, major string
			v := make([]int64, len(names))
			dest := []any{&s, &month, &major}
			for i := range v {
				dest = append(dest, &v[i])
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			for i, n := range names {
				if v[i] != 0 {
					out["m/"+s+"/"+month+"/"+major+"/"+n] = v[i]
				}
			}
		}
		rows.Close()
		for _, dim := range []struct{ prefix, col, where string }{
			{"i", "industry_group", "industry_group <> ''"}, {"o", "occupation_code", ""}, {"h", "referral_hours", "referral_hours IS NOT NULL"},
		} {
			q := `SELECT ` + scope.col + `, month, ` + dim.col + `, COUNT(*) FROM job_order_facts`
			if dim.where != "" {
				q += " WHERE " + dim.where
			}
			rows, err := db.Raw(q + " GROUP BY 1, 2, 3").Rows()
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s, month, key string
				var n int64
				if err := rows.Scan(&s, &month, &key, &n); err != nil {
					t.Fatal(err)
				}
				out[dim.prefix+"/"+s+"/"+month+"/"+key] = n
			}
			rows.Close()
		}
	}
	return out
}

func diffMaps(a, b map[string]int64) string {
	s, n := "", 0
	for k, v := range a {
		if b[k] != v && n < 20 {
			s += k + ": " + strconv.FormatInt(v, 10) + " vs " + strconv.FormatInt(b[k], 10) + "\n"
			n++
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok && n < 20 {
			s += k + ": missing vs " + strconv.FormatInt(v, 10) + "\n"
			n++
		}
	}
	return s
}
