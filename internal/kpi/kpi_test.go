package kpi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/kpi"
	"jobordre/internal/pgtest"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/internal/store"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openBoth opens a migrated PostgreSQL and a migrated SQLite database: the figures must be the
// same on the production database and the dev default.
func openBoth(t *testing.T) map[string]*gorm.DB {
	t.Helper()
	dbs := map[string]*gorm.DB{}
	dbs["postgres"], dbs["sqlite"] = dbtest.Postgres(t), dbtest.SQLite(t)
	return dbs
}

// cph is a wall-clock time in Copenhagen.
func cph(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, policy.Copenhagen)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// dataset writes orders, history entries and referrals the way the services and activities do:
// each history entry through GORM, which refreshes the order's figures.
type dataset struct {
	t  *testing.T
	db *gorm.DB
}

func (d dataset) company(cvr, industry string) {
	d.t.Helper()
	if err := d.db.Create(&models.Company{CVR: cvr, Name: "Firma " + cvr, IndustryCode: industry}).Error; err != nil {
		d.t.Fatal(err)
	}
}

func (d dataset) order(id, jobcenter, cvr, occupation string, positions int, created string) {
	d.t.Helper()
	at := cph(created)
	o := models.JobOrder{ID: id, CompanyCVR: cvr, Title: "Stilling", Description: "Opgave", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "1000", WorkplaceMunicipalityCode: jobcenter, ResponsibleJobcenter: jobcenter, OccupationCode: occupation,
		Positions: positions, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal,
		CreatedBySubject: "cw", CreatedByRole: "caseworker", WorkflowID: "job-order/" + id, CreatedAt: at, UpdatedAt: at}
	if err := d.db.Create(&o).Error; err != nil {
		d.t.Fatal(err)
	}
	d.event(id, "created", created, nil)
}

func (d dataset) event(order, typ, at string, details map[string]string) {
	d.t.Helper()
	b, _ := json.Marshal(details)
	if details == nil {
		b = []byte("{}")
	}
	e := models.JobOrderEvent{JobOrderID: order, EventKey: uuid.NewString(), Type: typ, At: cph(at), ActorID: "system", ActorRole: "system", Details: string(b)}
	if err := d.db.Create(&e).Error; err != nil {
		d.t.Fatal(err)
	}
}

func (d dataset) notified(order, template, at string) {
	d.event(order, "notification-sent", at, map[string]string{"template": template, "recipient_role": "coordinator"})
}

func (d dataset) status(order, status, reason, at string) {
	d.event(order, "status-changed", at, map[string]string{"status": status, "reason": reason})
}

func (d dataset) sharing(order, level, at string) {
	d.event(order, "sharing-changed", at, map[string]string{"level": level})
}

// referral sends a candidate's CV at sentAt and records it in the order's history, in one
// transaction as the referral service does.
func (d dataset) referral(order, sentAt string, hired bool) {
	d.t.Helper()
	at := cph(sentAt)
	status := models.ReferralSent
	if hired {
		status = models.ReferralHired
	}
	err := d.db.Transaction(func(tx *gorm.DB) error {
		r := models.Referral{ID: uuid.NewString(), JobOrderID: order, CandidateID: uuid.NewString(), Status: status, Channel: "email",
			ProposedBy: "cw", ProposedByJobcenter: "101", SentAt: &at, CreatedAt: at, UpdatedAt: at}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return tx.Create(&models.JobOrderEvent{JobOrderID: order, EventKey: uuid.NewString(), Type: "referral-sent", At: at,
			ActorID: "cw", ActorRole: "caseworker", Details: `{"referral_id":"` + r.ID + `"}`}).Error
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// handComputed is the data set of docs/kpis.md's worked example. Job centre 101 (København)
// under its managers' own sharing steps (neighbours after 3 working days, national after 10;
// the shipped defaults have none), plus one order of 147 (Frederiksberg), which has no policy of
// its own. The comments give what each order contributes.
func handComputed(t *testing.T, db *gorm.DB) {
	d := dataset{t, db}
	own := policy.Defaults()
	own.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours},
		{After: policy.MustParseDuration("P10D"), Level: models.SharingNational}}
	doc, _ := json.Marshal(own)
	if err := db.Create(&models.JobcenterPolicy{Jobcenter: "101", Document: string(doc), UpdatedBy: "mgr-101", UpdatedAt: cph("2025-12-01 09:00")}).Error; err != nil {
		t.Fatal(err)
	}
	d.company("10000001", "47.11.00") // DB07 group 47
	d.company("10000002", "62.01.00") // group 62
	d.company("10000003", "86.10.00") // group 86
	// 10000004 never registers: its order has no industry.

	// O1: filled; coordinator and contact on time; first CV after 48 h, hired; neighbours on
	// time but national two days after the policy's 10 working days → shared late.
	d.order("o1", "101", "10000001", "5223", 2, "2026-01-05 09:00")
	d.event("o1", "coordinator-assigned", "2026-01-05 10:00", nil)
	d.event("o1", "contact-recorded", "2026-01-06 10:00", nil)
	d.referral("o1", "2026-01-07 09:00", true)
	d.sharing("o1", "neighbours", "2026-01-08 09:00")
	d.sharing("o1", "national", "2026-01-21 09:00")
	d.status("o1", "closed", "filled", "2026-02-01 12:00")

	// O2: coordinator only after the missing-coordinator reminder (late); contact on time; first
	// CV after 12 h, not hired; shared exactly on time; still open after a close-out nudge.
	d.order("o2", "101", "10000002", "5223", 1, "2026-01-20 10:00")
	d.notified("o2", "coordinator_missing_reminder", "2026-01-21 08:00")
	d.event("o2", "coordinator-assigned", "2026-01-21 12:00", nil)
	d.event("o2", "contact-recorded", "2026-01-21 13:00", nil)
	d.referral("o2", "2026-01-20 22:00", false)
	d.sharing("o2", "neighbours", "2026-01-23 10:00")
	d.sharing("o2", "national", "2026-02-03 10:00")
	d.notified("o2", "close_out_nudge", "2026-03-01 09:00")

	// O3: no coordinator; contact reminder and no contact (late); first-referral reminder and no
	// CV (open without referral after the deadline); never shared (late since 13 Feb).
	d.order("o3", "101", "10000002", "2512", 3, "2026-02-10 09:00")
	d.notified("o3", "contact_reminder", "2026-02-12 09:00")
	d.notified("o3", "first_referral_reminder", "2026-02-24 09:00")

	// O4 (a Sunday): unregistered company; withdrawn the next day, before any sharing was due.
	d.order("o4", "101", "10000004", "2512", 1, "2026-02-15 12:00")
	d.status("o4", "closed", "withdrawn_by_employer", "2026-02-16 10:00")

	// O5: filled after a hire; first CV after 5 h (a later second CV does not count); closed
	// before the national step was due.
	d.order("o5", "101", "10000003", "4110", 1, "2026-03-02 09:00")
	d.event("o5", "coordinator-assigned", "2026-03-02 09:30", nil)
	d.event("o5", "contact-recorded", "2026-03-02 10:00", nil)
	d.referral("o5", "2026-03-02 14:00", true)
	d.referral("o5", "2026-03-03 10:00", false)
	d.sharing("o5", "neighbours", "2026-03-05 09:00")
	d.status("o5", "closed", "filled", "2026-03-10 10:00")

	// O7: half past midnight on New Year's Day in Copenhagen (still 31 December in UTC): counts
	// in January; open and never shared (late since 6 January, three working days later).
	d.order("o7", "101", "10000003", "9112", 1, "2026-01-01 00:30")

	// O6: another job centre; only in the national figures.
	d.order("o6", "147", "10000001", "5223", 4, "2026-01-10 10:00")
	d.event("o6", "coordinator-assigned", "2026-01-10 11:00", nil)
	d.referral("o6", "2026-01-10 20:00", true)
	d.status("o6", "closed", "filled", "2026-01-30 10:00")
}

func period(from, to string) kpi.Period {
	f, _ := models.ParseDate(from)
	t, _ := models.ParseDate(to)
	return kpi.Period{From: f, To: t}
}

func figures(t *testing.T, db *gorm.DB, jobcenter string, p kpi.Period) *kpi.Report {
	t.Helper()
	s := kpi.NewService(db, refdata.Default()).WithClock(func() time.Time { return cph("2026-04-01 12:00") })
	r, err := s.Figures(context.Background(), jobcenter, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func f(v float64) *float64 { return &v }

func ranked(pairs ...any) []string {
	var out []string
	for i := 0; i < len(pairs); i += 3 {
		out = append(out, fmt.Sprintf("%d:%s:%d", pairs[i], pairs[i+1], pairs[i+2]))
	}
	return out
}

func ranks(rs []kpi.Ranked) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d:%s:%d", r.Rank, r.Code, r.Orders))
	}
	return out
}

func eqShare(t *testing.T, name string, got, want *float64) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		g, w := "null", "null"
		if got != nil {
			g = fmt.Sprint(*got)
		}
		if want != nil {
			w = fmt.Sprint(*want)
		}
		t.Errorf("%s = %s, want %s", name, g, w)
	}
}

func TestJobcentreFiguresOverWholeMonthsMatchTheHandComputedExample(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			handComputed(t, db)
			r := figures(t, db, "101", period("2026-01-01", "2026-03-31"))

			if r.Orders != 6 || r.Filled != 2 {
				t.Errorf("orders, filled = %d, %d; want 6, 2", r.Orders, r.Filled)
			}
			// 62 and 86 tie with two orders each (both rank 1, by code); 47 follows at rank 3.
			if got, want := ranks(r.TopIndustries), ranked(1, "62", 2, 1, "86", 2, 3, "47", 1); !reflect.DeepEqual(got, want) {
				t.Errorf("top industries = %v, want %v", got, want)
			}
			if r.OrdersWithoutIndustry != 1 {
				t.Errorf("orders without industry = %d, want 1", r.OrdersWithoutIndustry)
			}
			if got, want := ranks(r.TopPositions), ranked(1, "2512", 2, 1, "5223", 2, 3, "4110", 1, 3, "9112", 1); !reflect.DeepEqual(got, want) {
				t.Errorf("top positions = %v, want %v", got, want)
			}
			if r.TopIndustries[0].Title == "" || r.TopPositions[0].Title == "" {
				t.Error("top lists carry titles from the reference data")
			}

			st := r.Star
			if st.Orders != 6 || st.Positions != 9 || st.WithReferral != 3 || st.HiredReferred != 2 {
				t.Errorf("STAR totals = %+v", st.StarCell)
			}
			eqShare(t, "with referral share", st.WithReferralShare, f(0.5))
			eqShare(t, "hired referred share", st.HiredReferredShare, f(0.3333))
			type cell struct {
				key                              string
				orders, positions, withRef, hire int64
			}
			cells := func(cs []kpi.StarCell) []cell {
				var out []cell
				for _, c := range cs {
					out = append(out, cell{c.Month + "/" + c.MajorGroup, c.Orders, c.Positions, c.WithReferral, c.HiredReferred})
				}
				return out
			}
			if got, want := cells(st.ByMonth), []cell{{"2026-01/", 3, 4, 2, 1}, {"2026-02/", 2, 4, 0, 0}, {"2026-03/", 1, 1, 1, 1}}; !reflect.DeepEqual(got, want) {
				t.Errorf("by month = %+v, want %+v", got, want)
			}
			if got, want := cells(st.ByMajorGroup), []cell{{"/2", 2, 4, 0, 0}, {"/4", 1, 1, 1, 1}, {"/5", 2, 3, 2, 1}, {"/9", 1, 1, 0, 0}}; !reflect.DeepEqual(got, want) {
				t.Errorf("by major group = %+v, want %+v", got, want)
			}
			if got, want := cells(st.ByMonthAndMajorGroup), []cell{{"2026-01/5", 2, 3, 2, 1}, {"2026-01/9", 1, 1, 0, 0}, {"2026-02/2", 2, 4, 0, 0}, {"2026-03/4", 1, 1, 1, 1}}; !reflect.DeepEqual(got, want) {
				t.Errorf("by month and major group = %+v, want %+v", got, want)
			}
			eqShare(t, "January with-referral share", st.ByMonth[0].WithReferralShare, f(0.6667))
			eqShare(t, "February with-referral share", st.ByMonth[1].WithReferralShare, f(0))

			p := r.Promises
			if p.WithCoordinator != 3 || p.CoordinatorOnTime != 2 || p.CoordinatorLate != 1 || p.FirstContactOnTime != 3 || p.FirstContactLate != 1 {
				t.Errorf("promises = %+v", p)
			}
			eqShare(t, "with coordinator share", p.WithCoordinatorShare, f(0.5))
			eqShare(t, "coordinator on time share", p.CoordinatorOnTimeShare, f(0.6667))
			eqShare(t, "first contact on time share", p.FirstContactOnTimeShare, f(0.75))
			eqShare(t, "median hours to first referral (5, 12, 48)", p.MedianHoursToFirstReferral, f(12))
			if p.OpenWithoutReferralAfterDeadline != 1 || p.OpenAfterCloseOutNudge != 1 || p.SharedLaterThanPolicy != 3 {
				t.Errorf("open without referral, open after nudge, shared late = %d, %d, %d; want 1, 1, 3",
					p.OpenWithoutReferralAfterDeadline, p.OpenAfterCloseOutNudge, p.SharedLaterThanPolicy)
			}
			assertAggregatesMatchFacts(t, db)
		})
	}
}

func TestFiguresOverPartMonthsCountOnlyTheDaysInThePeriod(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			handComputed(t, db)
			// 3 January to 5 March: January and March from the facts, February from the aggregates.
			// O7 (1 January) falls outside; O5 (2 March) inside.
			r := figures(t, db, "101", period("2026-01-03", "2026-03-05"))
			if r.Orders != 5 || r.Filled != 2 || r.Star.Positions != 8 {
				t.Errorf("orders, filled, positions = %d, %d, %d; want 5, 2, 8", r.Orders, r.Filled, r.Star.Positions)
			}
			if got, want := ranks(r.TopPositions), ranked(1, "2512", 2, 1, "5223", 2, 3, "4110", 1); !reflect.DeepEqual(got, want) {
				t.Errorf("top positions = %v, want %v", got, want)
			}
			eqShare(t, "median hours", r.Promises.MedianHoursToFirstReferral, f(12))
			if r.Promises.SharedLaterThanPolicy != 2 {
				t.Errorf("shared late = %d, want 2 (O1, O3)", r.Promises.SharedLaterThanPolicy)
			}
			// One day inside a month: only the facts are read.
			one := figures(t, db, "101", period("2026-01-01", "2026-01-01"))
			if one.Orders != 1 || one.TopPositions[0].Code != "9112" {
				t.Errorf("1 January: %d orders, top %v; want O7 alone", one.Orders, ranks(one.TopPositions))
			}
			// Nothing in the period: zeros and undefined shares, never an error.
			empty := figures(t, db, "101", period("2025-06-01", "2025-06-30"))
			if empty.Orders != 0 || len(empty.TopIndustries) != 0 || empty.Star.WithReferralShare != nil || empty.Promises.MedianHoursToFirstReferral != nil {
				t.Errorf("empty period: %+v", empty)
			}
		})
	}
}

func TestNationalFiguresAddUpEveryJobcentre(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			handComputed(t, db)
			for _, p := range []kpi.Period{period("2026-01-01", "2026-03-31"), period("2025-12-15", "2026-03-20")} {
				r := figures(t, db, "", p)
				if r.Orders != 7 || r.Filled != 3 || !r.National {
					t.Errorf("%v: orders, filled = %d, %d; want 7, 3", p, r.Orders, r.Filled)
				}
				if got, want := ranks(r.TopIndustries), ranked(1, "47", 2, 1, "62", 2, 1, "86", 2); !reflect.DeepEqual(got, want) {
					t.Errorf("%v: top industries = %v, want %v", p, got, want)
				}
				if got, want := ranks(r.TopPositions), ranked(1, "5223", 3, 2, "2512", 2, 3, "4110", 1, 3, "9112", 1); !reflect.DeepEqual(got, want) {
					t.Errorf("%v: top positions = %v, want %v", p, got, want)
				}
				eqShare(t, "median hours (5, 10, 12, 48)", r.Promises.MedianHoursToFirstReferral, f(11))
			}
			other := figures(t, db, "147", period("2026-01-01", "2026-03-31"))
			if other.Orders != 1 || other.Filled != 1 || other.Star.Positions != 4 {
				t.Errorf("147: %+v", other)
			}
		})
	}
}

func TestFiguresFollowTheHistoryAsItChanges(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			handComputed(t, db)
			d := dataset{t, db}
			all := period("2026-01-01", "2026-03-31")
			// O1 is reopened (the hire fell through): no longer filled.
			d.status("o1", "open", "", "2026-03-15 10:00")
			// O3 finally gets a CV, 600 hours after creation: no longer waiting past its deadline.
			d.referral("o3", "2026-03-07 09:00", false)
			// O2 is closed: no longer open after a nudge.
			d.status("o2", "closed", "other", "2026-03-20 10:00")
			// A repeated history write (an activity retry) changes nothing.
			d.status("o2", "closed", "other", "2026-03-20 10:00")
			r := figures(t, db, "101", all)
			if r.Filled != 1 || r.Star.WithReferral != 4 || r.Promises.OpenWithoutReferralAfterDeadline != 0 || r.Promises.OpenAfterCloseOutNudge != 0 {
				t.Errorf("filled %d, with referral %d, waiting %d, nudged open %d; want 1, 4, 0, 0",
					r.Filled, r.Star.WithReferral, r.Promises.OpenWithoutReferralAfterDeadline, r.Promises.OpenAfterCloseOutNudge)
			}
			eqShare(t, "median hours (5, 12, 48, 600)", r.Promises.MedianHoursToFirstReferral, f(30))
			assertAggregatesMatchFacts(t, db)
		})
	}
}

func TestANotificationTheFiguresDoNotReadRefreshesNothingButAReminderDoes(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			handComputed(t, db)
			d := dataset{t, db}
			// Every read of an order row is a refresh (Refresh starts by loading and locking it).
			var orderReads atomic.Int64
			if err := db.Callback().Query().After("gorm:query").Register("test:count-order-reads", func(tx *gorm.DB) {
				if tx.Statement.Table == "job_orders" {
					orderReads.Add(1)
				}
			}); err != nil {
				t.Fatal(err)
			}
			for _, tpl := range []string{joborder.TemplateOrderReceived, joborder.TemplateNewOrder, joborder.TemplateCandidatesReferred} {
				d.notified("o3", tpl, "2026-03-02 09:00")
			}
			if n := orderReads.Load(); n != 0 {
				t.Errorf("three receipts and a referral e-mail read the order %d times, want 0 (no refresh)", n)
			}
			d.notified("o3", joborder.TemplateCloseOutNudge, "2026-03-03 09:00")
			if orderReads.Load() == 0 {
				t.Error("the close-out nudge did not refresh the order's figures")
			}
			var o3 models.JobOrderFact
			if err := db.Take(&o3, "job_order_id = ?", "o3").Error; err != nil {
				t.Fatal(err)
			}
			if o3.NudgedOpen != 1 {
				t.Errorf("o3 nudged open = %d after its close-out nudge, want 1", o3.NudgedOpen)
			}
			assertAggregatesMatchFacts(t, db)
		})
	}
}

func TestAFactIsWhatBuildDerivesFromTheStoredHistory(t *testing.T) {
	db := openBoth(t)["postgres"]
	handComputed(t, db)
	var facts []models.JobOrderFact
	if err := db.Order("job_order_id").Find(&facts).Error; err != nil {
		t.Fatal(err)
	}
	if len(facts) != 7 {
		t.Fatalf("%d facts, want one per order (7)", len(facts))
	}
	for _, stored := range facts {
		// Refreshing again from the same history changes nothing.
		if err := db.Transaction(func(tx *gorm.DB) error {
			return kpi.Refresh(context.Background(), tx, stored.JobOrderID, store.LoadPolicy, time.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	assertAggregatesMatchFacts(t, db)
	var o3 models.JobOrderFact
	db.Take(&o3, "job_order_id = ?", "o3")
	if o3.SharingLateSince == nil || !o3.SharingLateSince.Equal(cph("2026-02-13 09:00")) {
		t.Errorf("o3 late since %v, want 13 February 09:00 (3 working days after creation)", o3.SharingLateSince)
	}
	var o7 models.JobOrderFact
	db.Take(&o7, "job_order_id = ?", "o7")
	if o7.Month != "2026-01" || o7.SharingLateSince == nil || !o7.SharingLateSince.Equal(cph("2026-01-06 00:30")) {
		t.Errorf("o7 month %s late since %v; want 2026-01 and 6 January 00:30 (1 January is a holiday)", o7.Month, o7.SharingLateSince)
	}
}

func TestAFailedRefreshLeavesNoHistoryEntryBehindInATransaction(t *testing.T) {
	db := openBoth(t)["postgres"]
	d := dataset{t, db}
	d.company("10000001", "47.11.00")
	d.order("o1", "101", "10000001", "5223", 1, "2026-01-05 09:00")
	// A history entry whose fact cannot be stored (the aggregates are gone) fails as a whole.
	if err := db.Migrator().DropTable(&models.KPIMonthly{}); err != nil {
		t.Fatal(err)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		return tx.Create(&models.JobOrderEvent{JobOrderID: "o1", EventKey: "k1", Type: "status-changed", At: cph("2026-01-06 09:00"),
			ActorID: "cw", ActorRole: "caseworker", Details: `{"status":"closed","reason":"filled"}`}).Error
	})
	if err == nil {
		t.Fatal("the history write succeeded although its figures could not be kept")
	}
	var n int64
	db.Model(&models.JobOrderEvent{}).Where("event_key = ?", "k1").Count(&n)
	if n != 0 {
		t.Error("the history entry was stored without its figures")
	}
}

// assertAggregatesMatchFacts recomputes every aggregate row from the facts and compares: the
// incremental upkeep must never drift from what the facts say.
func assertAggregatesMatchFacts(t *testing.T, db *gorm.DB) {
	t.Helper()
	var facts []models.JobOrderFact
	if err := db.Find(&facts).Error; err != nil {
		t.Fatal(err)
	}
	fresh := openBoth(t)["sqlite"]
	if err := kpi.Load(context.Background(), fresh, facts); err != nil {
		t.Fatal(err)
	}
	for _, table := range []struct {
		name  string
		model any
	}{{"kpi_monthly", &[]models.KPIMonthly{}}, {"kpi_monthly_industries", &[]models.KPIMonthlyIndustry{}},
		{"kpi_monthly_occupations", &[]models.KPIMonthlyOccupation{}}, {"kpi_monthly_referral_hours", &[]models.KPIMonthlyReferralHours{}}} {
		got := reflect.New(reflect.TypeOf(table.model).Elem()).Interface()
		want := reflect.New(reflect.TypeOf(table.model).Elem()).Interface()
		if err := db.Table(table.name).Where("orders <> 0").Order("scope, month").Order("3").Find(got).Error; err != nil {
			t.Fatal(err)
		}
		if err := fresh.Table(table.name).Where("orders <> 0").Order("scope, month").Order("3").Find(want).Error; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s drifted from the facts:\n got %+v\nwant %+v", table.name, got, want)
		}
	}
}
