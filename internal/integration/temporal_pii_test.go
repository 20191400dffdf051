package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"jobordre/internal/devstack"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/internal/telemetry"
	"jobordre/internal/temporalx"
	"jobordre/worker"
)

// registeredTypes records the workflow types worker.RegisterWorkflows registers: the guard
// below fails when one of them has no execution whose history was scanned.
type registeredTypes []string

func (r *registeredTypes) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	*r = append(*r, o.Name)
}

// scanned is what the scan of one workflow execution found.
type scanned struct {
	id, runID, typ string
	status         enumspb.WorkflowExecutionStatus
	pendingFailure string // the first pending activity's last failure message
	found          []string
	replayed       bool // the history replayed through the registered workflow code
}

// scanExecution looks for pii in everything Temporal keeps of one execution: its description
// (search attributes, memo, pending activities with their last failure and heartbeat details,
// the execution's own failure) and its whole history (inputs, results, markers, failure messages
// and stack traces), every payload decoded.
func scanExecution(t *testing.T, c client.Client, id, runID string, pii []string) scanned {
	t.Helper()
	ctx := context.Background()
	d, err := c.DescribeWorkflowExecution(ctx, id, runID)
	if err != nil {
		t.Fatalf("describe %s: %v", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	s := scanned{id: id, runID: runID, typ: info.GetType().GetName(), status: info.GetStatus()}
	for _, pa := range d.GetPendingActivities() {
		if f := pa.GetLastFailure(); f != nil && s.pendingFailure == "" {
			s.pendingFailure = f.GetMessage()
		}
	}
	text := protoText(t, d)
	h := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		h.Events = append(h.Events, ev)
	}
	text += "\n" + protoText(t, h)
	s.found = found(text, pii)
	// As checkReplay does: the history replays through the current workflow code.
	var reg registeredTypes
	worker.RegisterWorkflows(&reg)
	if slices.Contains(reg, s.typ) {
		r := sdkworker.NewWorkflowReplayer()
		worker.RegisterWorkflows(r)
		if err := r.ReplayWorkflowHistory(nil, h); err != nil {
			t.Errorf("replaying %s %s: %v", s.typ, id, err)
		}
		s.replayed = true
	}
	return s
}

// scanNamespace scans every execution the visibility store lists in the namespace, open and closed.
func scanNamespace(t *testing.T, c client.Client, pii []string) []scanned {
	t.Helper()
	var out []scanned
	var token []byte
	for {
		res, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{PageSize: 100, NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.GetExecutions() {
			s := scanExecution(t, c, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId(), pii)
			// The visibility record itself (search attributes and memo as listed).
			s.found = append(s.found, found(protoText(t, e), pii)...)
			out = append(out, s)
		}
		if token = res.GetNextPageToken(); len(token) == 0 {
			return out
		}
	}
}

// Issue #17 point 5 on the embedded Temporal server: after a realistic set of orders through the
// real API (a description, notes and a contact person with a phone number, candidates with names,
// e-mail addresses and CVs referred with notes, a consent, a secure link with its one-time code,
// the employer's note, a webhook subscription whose endpoint answers 410, policy changes, the
// orders closed and the retention schedule run), no execution in the namespace, of any workflow
// type, holds a fixture's personal value in its search attributes, memo, history (failure
// messages and stack traces included) or pending activities' last failure. One realistic failure
// is forced: the database refuses the candidate notice to Jens with an error quoting his name
// and address (a trigger), so the outbox dispatcher keeps failing on that row; its last
// failure names the SQLSTATE and not the address (worker.ScrubFailure). The webhook delivery fails as a workflow. The scanner is
// shown to find planted values (a workflow with a name in its memo, another with a name in a
// search attribute), and every workflow type the worker registers has an execution that was
// scanned and replayed through the current workflow code (as checkReplay does for the recorded
// scenarios).
func TestNoPersonalDataInAnyWorkflowsSearchAttributesMemoFailuresOrHistory(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	cfg := webhookConfig(t.TempDir(), dbURL, true)
	// The stack's error logs are scanned too: a failure the worker logs must be as scrubbed.
	w, logs := &testWriter{t: t}, &lockedBuffer{}
	t.Cleanup(w.close)
	s, err := devstack.Start(context.Background(), cfg, telemetry.NewLogger(io.MultiWriter(w, logs), "error"))
	if err != nil {
		t.Fatalf("start dev stack: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	ls := lifecycleOn(t, s)
	c := temporalClient(t, s)
	ctx := context.Background()

	db, err := gorm.Open(postgres.Open(dbURL), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		t.Cleanup(func() { _ = sqlDB.Close() })
	}
	// A database error whose text quotes a person, as PostgreSQL's own texts quote input values.
	if err := db.Exec(`CREATE FUNCTION refuse_jens() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.status = 'sending' AND NEW.recipient_email = 'jens.mikkelsen@example.dk' THEN
				RAISE EXCEPTION 'mail to Jens Mikkelsen <%> refused', NEW.recipient_email;
			END IF;
			RETURN NEW;
		END $$`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`CREATE TRIGGER refuse_jens BEFORE UPDATE ON outbox_messages FOR EACH ROW EXECUTE FUNCTION refuse_jens()`).Error; err != nil {
		t.Fatal(err)
	}

	// A subscriber whose endpoint is gone: the delivery workflow fails (ErrWebhookAbandoned).
	gone := newEndpoint(t, ls.HTTPURL, ls.manager)
	gone.answer = func(string, int) (int, string) { return http.StatusGone, "" }
	ls.subscribe(ls.manager, gone, map[string]any{})

	const cvText = "Tyve års erfaring med restaurering af bindingsværk"
	pii := append(slices.Clone(personalData), cvText, "Hanne Hansen", "hanne@nord.example", "86 12 34 56",
		"Ring til Karen tirsdag", "Talte med Søren om Karen", "20 år på værft")

	// A: the employer's order with a description; a note; Karen referred with a consent and a note.
	var a order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &a)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+a.ID+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+a.ID+"/notes", ls.cw, map[string]any{"text": "Talte med Søren om Karen Vestergaard", "visibility": "internal"}, 201)
	var karen, ref struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", false), 201).decode(t, &karen)
	ls.must(http.MethodPost, "/api/v1/candidates/"+karen.ID+"/consents", ls.cw, map[string]any{"employer_cvr": "10103940", "job_order_id": a.ID,
		"purpose": "Formidling af CV til stillingen", "data_categories": []string{"cv"}, "given_at": time.Now().Add(-time.Minute).UTC(), "method": "digital"}, 201)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+a.ID+"/referrals", ls.cw, map[string]any{"candidate_id": karen.ID, "note": "Stærk kandidat, kender branchen"}, 201).decode(t, &ref)
	ls.waitForMail(a.ID, joborder.TemplateCandidatesReferred, "employer", 10*time.Second)
	ls.must(http.MethodGet, "/api/v1/job-orders/"+a.ID+"/referrals", ls.employer, nil, 200)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+a.ID+"/referrals/"+ref.ID+"/employer-note", ls.employer, map[string]any{"note": "Ring til Karen tirsdag"}, 200)

	// B: Jens by secure link, read behind a one-time code (a DeliverOutboxWorkflow).
	var b order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &b)
	body := candidate("Jens Mikkelsen", "jens.mikkelsen@example.dk", true)
	body["cv"].(map[string]any)["experience"] = cvText
	var jens struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, body, 201).decode(t, &jens)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+b.ID+"/referrals", ls.cw, map[string]any{"candidate_id": jens.ID, "channel": "secure_link"}, 201)
	var token string
	waitFor(t, 15*time.Second, func() (bool, string) {
		if m := secureLinkURL.FindStringSubmatch(string(call(t, http.MethodGet, s.HTTPURL+devstack.MailboxPath, "", nil).body)); m != nil {
			token = m[1]
			return true, ""
		}
		return false, "no secure link in the dev mailbox"
	})
	page := newPageClient(t, s.HTTPURL)
	if status, _ := page.get("/secure-links/" + token); status != 200 {
		t.Fatalf("the secure link's page: %d", status)
	}
	if status, html := page.post("/secure-links/"+token+"/code", url.Values{}); status != 200 || !strings.Contains(html, "Vi har sendt en engangskode") {
		t.Fatalf("asking for a code: %d %.1500s", status, html)
	}
	var code string
	waitFor(t, 15*time.Second, func() (bool, string) {
		box := string(call(t, http.MethodGet, s.HTTPURL+devstack.MailboxPath, "", nil).body)
		m := newestCode.FindStringSubmatch(box)
		if m != nil {
			code = m[1]
		}
		return m != nil, "no code in the dev mailbox: " + strings.Join(regexp.MustCompile(`<h2>[^<]*</h2>`).FindAllString(box, -1), " ")
	})
	if status, html := page.post("/secure-links/"+token, url.Values{"code": {code}}); status != 200 || !strings.Contains(html, cvText) {
		t.Fatalf("the right code: %d", status)
	}
	pii = append(pii, token, code)

	// C: a caseworker's order for an unregistered company with a contact person and a phone number.
	cb := readmeOrder()
	cb["company_cvr"], cb["company_name"] = "12345674", "Tømrerfirmaet Nord ApS"
	cb["contact_person"] = map[string]any{"name": "Hanne Hansen", "email": "hanne@nord.example", "phone": "+45 86 12 34 56"}
	var co order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, cb, 201).decode(t, &co)

	// Policy changes reach the running orders (PolicyFanOutWorkflow); retention in seconds.
	seconds := map[string]any{}
	for _, k := range []string{"referral_data", "employer_notes", "consents", "cv_access_log", "outbox_mail", "order_free_text", "inactive_candidates"} {
		seconds[k] = "PT2S"
	}
	ls.must(http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, map[string]any{"retention": seconds}, 200)

	// The candidate notice to Jens fails in the database, again and again: the outbox
	// dispatcher of its shard defers the row and reports it, a pending DispatchOutbox whose last
	// failure (with its causes) names the SQLSTATE.
	var jensFailure string
	waitFor(t, 60*time.Second, func() (bool, string) {
		pending := 0
		for shard := range joborder.OutboxDispatcherShards {
			d, err := c.DescribeWorkflowExecution(ctx, joborder.OutboxDispatcherWorkflowID(shard), "")
			if err != nil {
				return false, err.Error()
			}
			for _, pa := range d.GetPendingActivities() {
				pending++
				if f := pa.GetLastFailure(); f != nil && pa.GetActivityType().GetName() == "DispatchOutbox" {
					for ; f != nil; f = f.GetCause() {
						jensFailure += f.GetMessage() + "; "
					}
					return true, ""
				}
			}
		}
		return false, fmt.Sprintf("the dispatchers have %d pending activities, none failed yet", pending)
	})
	if !strings.Contains(jensFailure, "SQLSTATE P0001") || strings.Contains(jensFailure, "jens") {
		t.Errorf("the pending delivery's last failure %q: want the SQLSTATE, not the address", jensFailure)
	}

	for _, id := range []string{a.ID, b.ID, co.ID} {
		ls.must(http.MethodPut, "/api/v1/job-orders/"+id+"/status", ls.cw, map[string]any{"status": "closed", "reason": "filled"}, 200)
	}
	time.Sleep(3 * time.Second) // the periods of 2 s have run out since the close
	sched := c.ScheduleClient().GetHandle(ctx, joborder.RetentionScheduleID)
	if err := sched.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, func() (bool, string) {
		d, err := sched.Describe(ctx)
		if err != nil || len(d.Info.RecentActions) == 0 {
			return false, "the trigger started no retention run"
		}
		run := d.Info.RecentActions[len(d.Info.RecentActions)-1].StartWorkflowResult
		desc, err := c.DescribeWorkflowExecution(ctx, run.WorkflowID, run.FirstExecutionRunID)
		if err != nil {
			return false, err.Error()
		}
		st := desc.GetWorkflowExecutionInfo().GetStatus()
		return st == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, "the retention run is " + st.String()
	})
	// The webhook delivery to the gone endpoint has failed.
	waitFor(t, 30*time.Second, func() (bool, string) {
		res, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Failed'", joborder.WebhookDeliveryWorkflowName)})
		return err == nil && len(res.GetExecutions()) > 0, "no failed webhook delivery"
	})
	// The schedule itself (its action's input, memo and search attributes).
	sd, err := c.WorkflowService().DescribeSchedule(ctx, &workflowservice.DescribeScheduleRequest{Namespace: "default", ScheduleId: joborder.RetentionScheduleID})
	if err != nil {
		t.Fatal(err)
	}
	if f := found(protoText(t, sd), pii); len(f) > 0 {
		t.Errorf("the retention schedule holds personal data %q", f)
	}

	// The scanner finds what is planted: a name in a memo, another in a search attribute.
	plant := func(id string, o client.StartWorkflowOptions) {
		o.ID, o.TaskQueue = id, "planted-nobody-polls"
		if _, err := c.ExecuteWorkflow(ctx, o, "PlantedWorkflow"); err != nil {
			t.Fatal(err)
		}
	}
	plant("planted-memo", client.StartWorkflowOptions{Memo: map[string]any{"note": "Karen Vestergaard"}})
	plant("planted-search-attribute", client.StartWorkflowOptions{TypedSearchAttributes: temporal.NewSearchAttributes(
		temporal.NewSearchAttributeKeyKeyword(temporalx.SACoordinator).ValueSet("ida@aarhus.example"))})
	var all []scanned
	waitFor(t, 15*time.Second, func() (bool, string) {
		all = scanNamespace(t, c, pii)
		n := 0
		for _, e := range all {
			if strings.HasPrefix(e.id, "planted-") {
				n++
			}
		}
		return n == 2, fmt.Sprintf("%d planted executions listed", n)
	})
	types, replayed := map[string]int{}, map[string]int{}
	failed, pendingFailures := 0, 0
	for _, e := range all {
		switch e.id {
		case "planted-memo":
			if !slices.Contains(e.found, "Karen Vestergaard") {
				t.Errorf("the scanner missed the name planted in a memo: found %q", e.found)
			}
			continue
		case "planted-search-attribute":
			if !slices.Contains(e.found, "ida@aarhus.example") {
				t.Errorf("the scanner missed the address planted in a search attribute: found %q", e.found)
			}
			continue
		}
		types[e.typ]++
		if e.replayed {
			replayed[e.typ]++
		}
		if e.status == enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
			failed++
		}
		if e.pendingFailure != "" {
			pendingFailures++
		}
		if len(e.found) > 0 {
			t.Errorf("%s %s (%s, %s) holds personal data %q", e.typ, e.id, e.runID, e.status, e.found)
		}
	}
	if failed == 0 || pendingFailures == 0 {
		t.Errorf("%d failed executions and %d with a failing pending activity: the scan saw no failure", failed, pendingFailures)
	}
	var reg registeredTypes
	worker.RegisterWorkflows(&reg)
	for _, typ := range reg {
		if replayed[typ] == 0 {
			t.Errorf("no execution of %s was scanned and replayed: the scenario must run every registered workflow type (scanned: %v)", typ, types)
		}
	}
	t.Logf("scanned executions by type: %v", types)
	if text := logs.String(); !strings.Contains(text, "SQLSTATE P0001") {
		t.Error("the refused delivery was not logged: the scan of the logs proves nothing")
	} else if f := found(text, pii); len(f) > 0 {
		t.Errorf("the stack's error logs hold personal data %q", f)
	}
}
