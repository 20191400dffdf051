package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"jobordre/internal/app"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/models"
)

// counts of the closed order's personal data, read straight from the database.
type retained struct {
	LinkedReferrals, Referrals, EmployerNotes, Consents, Reads, AddressedMail, MailboxCopies, Described, Notes int64
}

func retainedOf(t *testing.T, db *gorm.DB, orderID string) retained {
	t.Helper()
	var r retained
	count := func(dst *int64, q string) {
		if err := db.Raw(q, orderID).Scan(dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	count(&r.LinkedReferrals, "SELECT COUNT(*) FROM referrals WHERE job_order_id = ? AND candidate_id IN (SELECT id FROM candidates)")
	count(&r.Referrals, "SELECT COUNT(*) FROM referrals WHERE job_order_id = ?")
	count(&r.EmployerNotes, "SELECT COUNT(*) FROM referrals WHERE job_order_id = ? AND (employer_note <> '' OR employer_archived)")
	count(&r.Consents, "SELECT COUNT(*) FROM consents WHERE job_order_id = ?")
	count(&r.Reads, "SELECT COUNT(*) FROM cv_accesses WHERE job_order_id = ?")
	count(&r.AddressedMail, "SELECT COUNT(*) FROM outbox_messages WHERE job_order_id = ? AND COALESCE(recipient_email, '') <> '' AND status NOT IN ('pending', 'sending')")
	count(&r.MailboxCopies, "SELECT COUNT(*) FROM mailbox_messages WHERE job_order_id = ?")
	count(&r.Described, "SELECT COUNT(*) FROM job_orders WHERE id = ? AND description <> ''")
	count(&r.Notes, "SELECT COUNT(*) FROM job_order_notes WHERE job_order_id = ? AND text <> ''")
	return r
}

// The deletion schedule on the embedded Temporal server: the worker created it at start-up (and
// a second EnsureRetentionSchedule updates it instead of failing), its Trigger starts the
// retention workflow, and with periods of seconds the run deletes a closed order's referral
// links, the employer's note and archive, the consent, the CV reads, the mail addresses and the
// dev mailbox's rendered copies and the order's free text, while the referrals stay as rows and
// the key figures (the job centre's and the country's report) are the same before and after. The
// run's history holds counts, no personal data, and replays.
func TestTheRetentionScheduleDeletesAClosedOrdersPersonalDataAndKeepsTheKeyFigures(t *testing.T) {
	url := pgtest.NewDatabase(t)
	cfg := stackConfig(t.TempDir(), url)
	s := startStack(t, cfg)
	ls := &lifecycleStack{Stack: s, t: t, manager: s.Tokens["manager"], employer: s.Tokens["employer"], admin: s.Tokens["admin"]}
	ls.cw = ls.token(auth.Principal{Subject: "cw-ida", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Kristensen", Email: "ida@aarhus.example"})
	ls.must(http.MethodGet, "/api/v1/job-orders", ls.cw, nil, 200)
	seconds := map[string]any{}
	for _, k := range []string{"referral_data", "employer_notes", "consents", "cv_access_log", "outbox_mail", "order_free_text", "inactive_candidates"} {
		seconds[k] = "PT3S"
	}
	ls.must(http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, map[string]any{"retention": seconds}, 200)

	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &o)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/notes", ls.cw, map[string]any{"text": "Talte med Søren om Karen Vestergaard", "visibility": "internal"}, 201)
	var cand, ref struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", false), 201).decode(t, &cand)
	ls.must(http.MethodPost, "/api/v1/candidates/"+cand.ID+"/consents", ls.cw, map[string]any{"employer_cvr": "10103940", "job_order_id": o.ID,
		"purpose": "Formidling af CV til stillingen", "data_categories": []string{"cv"}, "given_at": time.Now().Add(-time.Minute).UTC(), "method": "digital"}, 201)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID, "note": "Stærk kandidat, kender branchen"}, 201).decode(t, &ref)
	ls.waitForMail(o.ID, "candidate_notice", "candidate", 10*time.Second)
	ls.waitForMail(o.ID, "candidates_referred", "employer", 10*time.Second)
	var view struct{ Items []struct{ ID string } }
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200).decode(t, &view)
	if len(view.Items) != 1 {
		t.Fatalf("the employer sees %d referrals", len(view.Items))
	}
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/employer-note", ls.employer, map[string]any{"note": "Ring til Karen tirsdag"}, 200)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/archive", ls.employer, map[string]any{"archived": true}, 200)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", ls.cw, map[string]any{"status": "closed", "reason": "filled"}, 200)

	db, err := gorm.Open(postgres.Open(url), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		t.Cleanup(func() { _ = sqlDB.Close() })
	}
	waitFor(t, 10*time.Second, func() (bool, string) {
		var f models.JobOrderFact
		err := db.Take(&f, "job_order_id = ? AND closed_at IS NOT NULL", o.ID).Error
		return err == nil, "the order's close is not in its key figures"
	})
	before := retainedOf(t, db, o.ID)
	if before.LinkedReferrals != 1 || before.EmployerNotes != 1 || before.Consents != 1 || before.Reads == 0 ||
		before.AddressedMail == 0 || before.MailboxCopies == 0 || before.Described != 1 || before.Notes != 1 {
		t.Fatalf("before the run: %+v", before)
	}
	kpisBefore := kpiFigures(t, ls, "/api/v1/jobcenters/751/kpis", ls.manager)
	nationalBefore := kpiFigures(t, ls, "/api/v1/kpis", ls.admin)

	c := temporalClient(t, s)
	ctx := context.Background()
	// The worker made the schedule at start-up; doing it again (the next start) updates it.
	h, err := app.EnsureRetentionSchedule(ctx, cfg, c)
	if err != nil {
		t.Fatalf("ensure the schedule a second time: %v", err)
	}
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The server keeps the cron expression ("30 2 * * *") as its calendar: 02:30 Copenhagen time.
	spec := desc.Schedule.Spec
	if a, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || a.Workflow != joborder.RetentionWorkflowName || a.TaskQueue != cfg.TaskQueue ||
		spec.TimeZoneName != "Europe/Copenhagen" || len(spec.Calendars) != 1 || len(spec.Calendars[0].Hour) != 1 || spec.Calendars[0].Hour[0].Start != 2 ||
		len(spec.Calendars[0].Minute) != 1 || spec.Calendars[0].Minute[0].Start != 30 {
		t.Fatalf("schedule %+v, action %+v", desc.Schedule.Spec, desc.Schedule.Action)
	}
	var n int
	iter, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == joborder.RetentionScheduleID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d retention schedules", n)
	}

	time.Sleep(4 * time.Second) // every period of 3 s has run out since the close
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var run client.ScheduleWorkflowExecution
	waitFor(t, 15*time.Second, func() (bool, string) {
		d, err := h.Describe(ctx)
		if err != nil || len(d.Info.RecentActions) == 0 {
			return false, "the trigger started no workflow"
		}
		run = *d.Info.RecentActions[len(d.Info.RecentActions)-1].StartWorkflowResult
		return true, ""
	})
	var res joborder.RetentionResult
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := c.GetWorkflow(wctx, run.WorkflowID, run.FirstExecutionRunID).Get(wctx, &res); err != nil {
		t.Fatalf("the retention run: %v", err)
	}
	got := map[string]int{}
	for _, rc := range res.Counts {
		got[rc.Kind] = rc.Count
	}
	if got[joborder.RetentionReferralData] != 1 || got[joborder.RetentionConsents] != 1 || got[joborder.RetentionCVAccessLog] != int(before.Reads) ||
		got[joborder.RetentionOutboxMail] < int(before.AddressedMail) || got[joborder.RetentionOrderDescription] != 1 || got[joborder.RetentionOrderNotes] != 1 {
		t.Errorf("the run's counts: %+v (before: %+v)", res.Counts, before)
	}
	// Karen has no open referral and no activity for the period: the inactive-candidates kind
	// erased her (internal/erasure), with an audit record and nothing left to find.
	if got[joborder.RetentionInactiveCandidates] != 1 {
		t.Errorf("inactive candidates erased: %d, want 1 (%+v)", got[joborder.RetentionInactiveCandidates], res.Counts)
	}
	ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID, ls.cw, nil, 404)
	var erasures int64
	if err := db.Model(&models.Erasure{}).Where("candidate_id = ? AND actor_id = ?", cand.ID, "retention").Count(&erasures).Error; err != nil || erasures != 1 {
		t.Errorf("%d erasure records of the candidate by the schedule (%v), want 1", erasures, err)
	}

	after := retainedOf(t, db, o.ID)
	if after != (retained{Referrals: before.Referrals}) {
		t.Errorf("after the run: %+v, want only the %d referral rows left", after, before.Referrals)
	}
	// A referral whose CV is gone is listed by date only (referrals.ForEmployer): no name, no CV.
	if b := string(ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200).body); strings.Contains(b, "Karen") || strings.Contains(b, "Svejser") {
		t.Errorf("the employer still sees the candidate: %s", b)
	}
	if b := kpiFigures(t, ls, "/api/v1/jobcenters/751/kpis", ls.manager); b != kpisBefore {
		t.Errorf("the job centre's key figures changed:\nbefore %s\nafter  %s", kpisBefore, b)
	}
	if b := kpiFigures(t, ls, "/api/v1/kpis", ls.admin); b != nationalBefore {
		t.Errorf("the national key figures changed:\nbefore %s\nafter  %s", nationalBefore, b)
	}
	checkReplay(t, c, run.WorkflowID, "retention-run", personalData...)
}

// kpiFigures is a key-figure report without its generation time, as canonical JSON.
func kpiFigures(t *testing.T, ls *lifecycleStack, path, token string) string {
	t.Helper()
	var r map[string]any
	ls.must(http.MethodGet, path, token, nil, 200).decode(t, &r)
	if r["orders"] == nil {
		t.Fatalf("%s: no orders figure in %v", path, r)
	}
	delete(r, "generated_at")
	b, _ := json.Marshal(r)
	return string(b)
}
