package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/devstack"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
)

// outboxRow is the part of an outbox message these tests read.
type outboxRow struct {
	Template      string    `json:"template"`
	RecipientRole string    `json:"recipient_role"`
	Recipient     string    `json:"recipient"`
	Key           string    `json:"idempotency_key"`
	CreatedAt     time.Time `json:"created_at"`
}

// lifecycleStack is a stack whose job centre 751 has second-long policy durations.
type lifecycleStack struct {
	*devstack.Stack
	t        *testing.T
	manager  string
	cw       string
	employer string
	admin    string
}

func newLifecycleStack(t *testing.T) *lifecycleStack {
	return lifecycleOn(t, startStack(t, stackConfig(t.TempDir(), pgtest.NewDatabase(t))))
}

// lifecycleOn registers the lifecycle tests' people on a started stack.
func lifecycleOn(t *testing.T, s *devstack.Stack) *lifecycleStack {
	ls := &lifecycleStack{Stack: s, t: t, manager: s.Tokens["manager"], employer: s.Tokens["employer"], admin: s.Tokens["admin"]}
	ls.cw = ls.token(auth.Principal{Subject: "cw-ida", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Kristensen", Email: "ida@aarhus.example"})
	// Register the people who receive mail: a manager and a caseworker with addresses.
	ls.must(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", ls.manager, map[string]any{
		"id": "manager-1", "name": "Mette Fogh", "email": "mette@aarhus.example", "role": "manager"}, 201)
	ls.must(http.MethodGet, "/api/v1/job-orders", ls.cw, nil, 200)
	return ls
}

func (ls *lifecycleStack) token(p auth.Principal) string {
	ls.t.Helper()
	secret, err := auth.LoadSecret(ls.dataDir())
	if err != nil {
		ls.t.Fatal(err)
	}
	h, err := auth.NewHS256(secret, "jobordre", "jobordre-api")
	if err != nil {
		ls.t.Fatal(err)
	}
	tok, err := h.Sign(p, time.Hour)
	if err != nil {
		ls.t.Fatal(err)
	}
	return tok
}

func (ls *lifecycleStack) dataDir() string { return ls.Stack.DataDir }

func (ls *lifecycleStack) must(method, path, token string, body any, status int) reply {
	ls.t.Helper()
	r := call(ls.t, method, ls.HTTPURL+path, token, body)
	if r.status != status {
		ls.t.Fatalf("%s %s: %d, want %d: %s", method, path, r.status, status, r.body)
	}
	return r
}

func (ls *lifecycleStack) outbox(orderID string) []outboxRow {
	ls.t.Helper()
	var l struct{ Items []outboxRow }
	ls.must(http.MethodGet, "/api/v1/outbox?job_order_id="+orderID, ls.admin, nil, 200).decode(ls.t, &l)
	return l.Items
}

// waitForMail waits until the order has a message with the template (and recipient role), and returns it.
func (ls *lifecycleStack) waitForMail(orderID, template, role string, within time.Duration) outboxRow {
	ls.t.Helper()
	var found outboxRow
	waitFor(ls.t, within, func() (bool, string) {
		rows := ls.outbox(orderID)
		for _, r := range rows {
			if r.Template == template && (role == "" || r.RecipientRole == role) {
				found = r
				return true, ""
			}
		}
		return false, fmt.Sprintf("no %s to %s among %d messages", template, role, len(rows))
	})
	return found
}

func (ls *lifecycleStack) count(orderID, template string) int {
	n := 0
	for _, r := range ls.outbox(orderID) {
		if r.Template == template {
			n++
		}
	}
	return n
}

// onTime asserts that a message was written within two seconds of when it was due.
func onTime(t *testing.T, what string, m outboxRow, due time.Time) {
	t.Helper()
	if d := m.CreatedAt.Sub(due); d < -100*time.Millisecond || d > 2*time.Second {
		t.Errorf("%s written at %s, due %s (off by %s)", what, m.CreatedAt.Format(time.RFC3339Nano), due.Format(time.RFC3339Nano), d)
	}
}

func secondsPolicy() map[string]any {
	return map[string]any{
		"working_days_only":          false,
		"coordinator_deadline":       "PT2S",
		"contact_deadline":           "PT3S",
		"first_referral_deadline":    "PT4S",
		"reminder_repeat":            "PT3S",
		"escalate_after":             2,
		"sharing_steps":              []map[string]any{{"after": "PT2S", "level": "neighbours"}, {"after": "PT1H", "level": "national"}},
		"follow_up_after_referral":   "P30D",
		"close_out_after_hire":       "PT2S",
		"close_out_after_deadline":   "P30D",
		"close_out_after_inactivity": "P30D",
		"inactive_max":               "P30D",
		"reopen_window":              "PT30S",
	}
}

func TestOrderLifecycleFromCreationToCloseSendsEveryReminderOnTime(t *testing.T) {
	ls := newLifecycleStack(t)
	// The coordinator is assigned after the 2 s coordinator reminder and must be in place
	// before the contact deadline: 2 s between them, not 1, so a busy machine's slower
	// requests do not send the contact reminder to the managers instead.
	pol := secondsPolicy()
	pol["contact_deadline"], pol["first_referral_deadline"] = "PT4S", "PT5S"
	ls.must(http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, pol, 200)

	body := readmeOrder()
	body["positions"] = 1
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, body, 201).decode(t, &o)
	var created struct {
		CreatedAt time.Time `json:"created_at"`
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.cw, nil, 200).decode(t, &created)
	start := created.CreatedAt

	ls.waitForMail(o.ID, "new_order", "caseworkers", 5*time.Second)
	ls.waitForMail(o.ID, "order_received", "employer", 5*time.Second)

	// No coordinator after 2 s: the managers are reminded.
	m := ls.waitForMail(o.ID, "coordinator_missing_reminder", "managers", 6*time.Second)
	onTime(t, "coordinator reminder", m, start.Add(2*time.Second))

	// Sharing widens to the neighbours after 2 s; Skanderborg (746) can now read the order.
	neighbour := ls.token(auth.Principal{Subject: "cw-skb", Role: auth.RoleCaseworker, Jobcenter: "746"})
	waitFor(t, 5*time.Second, func() (bool, string) {
		r := call(t, http.MethodGet, ls.HTTPURL+"/api/v1/job-orders/"+o.ID, neighbour, nil)
		return r.status == 200, fmt.Sprintf("neighbour read: %d", r.status)
	})

	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)
	ls.waitForMail(o.ID, "coordinator_assigned", "employer", 5*time.Second)

	// No contact after 4 s: the coordinator is reminded.
	m = ls.waitForMail(o.ID, "contact_reminder", "coordinator", 6*time.Second)
	onTime(t, "contact reminder", m, start.Add(4*time.Second))
	if m.Recipient != "ida@aarhus.example" {
		t.Errorf("contact reminder went to %q, want the coordinator", m.Recipient)
	}
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/contacts", ls.cw, map[string]any{"note": "Ringede til HR."}, 201)

	// No candidate after 5 s.
	m = ls.waitForMail(o.ID, "first_referral_reminder", "coordinator", 6*time.Second)
	onTime(t, "first-referral reminder", m, start.Add(5*time.Second))

	// A follow-up agreed for 2 s from now reminds the coordinator then.
	due := time.Now().Add(2 * time.Second).UTC().Truncate(time.Millisecond)
	var withFollowUp struct {
		Live struct {
			FollowUps []struct {
				ID string `json:"id"`
			} `json:"follow_ups"`
		} `json:"live"`
	}
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/follow-ups", ls.cw, map[string]any{"due": due, "note": "Ring og hør om samtalerne."}, 201).decode(t, &withFollowUp)
	m = ls.waitForMail(o.ID, "follow_up_reminder", "coordinator", 6*time.Second)
	onTime(t, "follow-up reminder", m, due)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/follow-ups/"+withFollowUp.Live.FollowUps[0].ID+"/done", ls.cw, nil, 200)

	// The only position is filled: after 2 s the coordinator is nudged to close, and the employer asked once.
	// A candidate is referred and hired.
	var cand, ref struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", true), 201).decode(t, &cand)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID}, 201).decode(t, &ref)
	ls.waitForMail(o.ID, "candidate_notice", "candidate", 5*time.Second)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/hires", ls.cw, map[string]any{"referral_id": ref.ID, "note": "Ansat fra 4. januar."}, 201)
	hiredAt := time.Now()
	m = ls.waitForMail(o.ID, "close_out_nudge", "coordinator", 6*time.Second)
	onTime(t, "close-out nudge", m, hiredAt.Add(2*time.Second))
	ls.waitForMail(o.ID, "close_out_question", "employer", 5*time.Second)

	// Closing: the employer is told, the reason is hidden from it, and every timer stops.
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", ls.cw, map[string]any{"status": "closed", "reason": "filled"}, 200)
	ls.waitForMail(o.ID, "status_changed", "employer", 5*time.Second)
	emp := ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.employer, nil, 200)
	if strings.Contains(string(emp.body), "filled") || !strings.Contains(string(emp.body), `"status":"closed"`) {
		t.Errorf("employer view of the closed order: %s", emp.body)
	}
	before := len(ls.outbox(o.ID))
	time.Sleep(4 * time.Second) // longer than reminder_repeat: nothing more may arrive
	if after := len(ls.outbox(o.ID)); after != before {
		t.Errorf("%d messages after closing", after-before)
	}
	// Closing a closed order is refused and changes nothing.
	r := call(t, http.MethodPut, ls.HTTPURL+"/api/v1/job-orders/"+o.ID+"/status", ls.cw, map[string]any{"status": "closed", "reason": "other"})
	if r.status != 409 && r.status != 422 {
		t.Errorf("closing a closed order: %d %s", r.status, r.body)
	}
	// The history holds every step.
	var h struct {
		Items []struct {
			Type string `json:"type"`
		}
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/history", ls.cw, nil, 200).decode(t, &h)
	if len(h.Items) < 8 {
		t.Errorf("history has only %d entries", len(h.Items))
	}
	checkReplay(t, temporalClient(t, ls.Stack), joborder.WorkflowID(o.ID), "lifecycle-created-to-closed", personalData...)

	// The key figures saw every step the workflow and the services wrote to the history.
	var k struct {
		Orders int `json:"orders"`
		Filled int `json:"filled"`
		Star   struct {
			WithReferral  int `json:"with_referral"`
			HiredReferred int `json:"hired_referred"`
			Positions     int `json:"positions"`
		} `json:"star"`
		Promises struct {
			WithCoordinator                  int      `json:"with_coordinator"`
			CoordinatorLate                  int      `json:"coordinator_late"`
			FirstContactLate                 int      `json:"first_contact_late"`
			Median                           *float64 `json:"median_hours_to_first_referral"`
			OpenWithoutReferralAfterDeadline int      `json:"open_without_referral_after_deadline"`
			OpenAfterCloseOutNudge           int      `json:"open_after_close_out_nudge"`
			SharedLaterThanPolicy            int      `json:"shared_later_than_policy"`
		} `json:"promises"`
	}
	ls.must(http.MethodGet, "/api/v1/jobcenters/751/kpis", ls.manager, nil, 200).decode(t, &k)
	p := k.Promises
	if k.Orders != 1 || k.Filled != 1 || k.Star.WithReferral != 1 || k.Star.HiredReferred != 1 || k.Star.Positions != 1 ||
		p.WithCoordinator != 1 || p.CoordinatorLate != 1 || p.FirstContactLate != 1 || p.Median == nil || *p.Median != 0 ||
		p.OpenWithoutReferralAfterDeadline != 0 || p.OpenAfterCloseOutNudge != 0 || p.SharedLaterThanPolicy != 0 {
		t.Errorf("key figures after the lifecycle: %+v", k)
	}
	ls.must(http.MethodGet, "/api/v1/kpis", ls.manager, nil, 403)
	var national struct{ Orders int }
	ls.must(http.MethodGet, "/api/v1/kpis", ls.admin, nil, 200).decode(t, &national)
	if national.Orders != 1 {
		t.Errorf("national orders %d, want 1", national.Orders)
	}
}

// personalData is every name, address and free text the lifecycle tests send; none of it may
// reach a workflow history.
var personalData = []string{"Ida Kristensen", "ida@aarhus.example", "Mette Fogh", "mette@aarhus.example",
	"Ringede til HR", "Ring og hør om samtalerne", "Ansat fra 4. januar", "Søren Frichs Vej", "To erfarne tømrere",
	"Karen Vestergaard", "karen.vestergaard@example.dk", "Jens Mikkelsen", "jens.mikkelsen@example.dk", "Svejser med 20 års erfaring",
	"Stærk kandidat, kender branchen", "Mangler certifikat", "soren@skanderborg.example"}

// candidate is a candidate registration body; the CV text is personal data the histories must not hold.
func candidate(name, email string, searchable bool) map[string]any {
	return map[string]any{"name": name, "email": email, "searchable": searchable, "cv": map[string]any{
		"headline": "Svejser med 20 års erfaring", "occupations": []string{"7212"}, "experience": "20 år på værft",
		"education": "Smed", "skills": []string{"TIG", "MIG"}}}
}

func TestPolicyChangeReachesAnAlreadyRunningOrder(t *testing.T) {
	ls := newLifecycleStack(t)
	slow := secondsPolicy()
	slow["coordinator_deadline"] = "P1D"
	ls.must(http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, slow, 200)
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, readmeOrder(), 201).decode(t, &o)
	time.Sleep(1 * time.Second)
	if n := ls.count(o.ID, "coordinator_missing_reminder"); n != 0 {
		t.Fatalf("%d reminders before the change", n)
	}
	ls.must(http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, map[string]any{"coordinator_deadline": "PT3S"}, 200)
	changed := time.Now()
	m := ls.waitForMail(o.ID, "coordinator_missing_reminder", "managers", 8*time.Second)
	// Recomputed from the order's own start (about 1 s before the change): due about 2 s after it.
	onTime(t, "coordinator reminder after the policy change", m, changed.Add(2*time.Second))
	c := temporalClient(t, ls.Stack)
	checkReplay(t, c, joborder.WorkflowID(o.ID), "policy-change-recomputes-timers", personalData...)
	checkReplay(t, c, joborder.PolicyFanOutWorkflowID("751"), "policy-fanout", personalData...)
}

func TestCommandsWithBadInputAreRefusedAndChangeNothing(t *testing.T) {
	ls := newLifecycleStack(t)
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, readmeOrder(), 201).decode(t, &o)
	kbh := ls.token(auth.Principal{Subject: "cw-kbh", Role: auth.RoleCaseworker, Jobcenter: "101"})
	call(t, http.MethodGet, ls.HTTPURL+"/api/v1/job-orders", kbh, nil) // registers cw-kbh at 101
	unknown := "/api/v1/job-orders/3f0e5c1a-8a5b-4d6e-9a53-0b8c7f2d1e4a"
	for name, tc := range map[string]struct {
		method, path, token string
		body                any
		status              int
	}{
		"unknown order":                    {http.MethodPut, unknown + "/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 404},
		"another job centre's caseworker":  {http.MethodPut, "/api/v1/job-orders/" + o.ID + "/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-kbh"}, 422},
		"command from another job centre":  {http.MethodPut, "/api/v1/job-orders/" + o.ID + "/sharing", kbh, map[string]any{"level": "national"}, 404},
		"employer changing sharing":        {http.MethodPut, "/api/v1/job-orders/" + o.ID + "/sharing", ls.employer, map[string]any{"level": "national"}, 403},
		"unknown sharing level":            {http.MethodPut, "/api/v1/job-orders/" + o.ID + "/sharing", ls.cw, map[string]any{"level": "galaxy"}, 422},
		"malformed duration":               {http.MethodPut, "/api/v1/job-orders/" + o.ID + "/sharing", ls.cw, map[string]any{"level": "national", "after": "3 days"}, 400},
		"closing without a reason":         {http.MethodPut, "/api/v1/job-orders/" + o.ID + "/status", ls.cw, map[string]any{"status": "closed"}, 422},
		"unknown follow-up":                {http.MethodPost, "/api/v1/job-orders/" + o.ID + "/follow-ups/nope/done", ls.cw, nil, 404},
		"policy with a malformed duration": {http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, map[string]any{"contact_deadline": "two days"}, 422},
		"policy of another job centre":     {http.MethodPut, "/api/v1/jobcenters/101/policy", ls.manager, map[string]any{"escalate_after": 2}, 404},
		"policy from a caseworker":         {http.MethodPut, "/api/v1/jobcenters/751/policy", ls.cw, map[string]any{"escalate_after": 2}, 403},
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, tc.method, ls.HTTPURL+tc.path, tc.token, tc.body)
			if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	var got struct {
		Sharing     string          `json:"sharing"`
		Status      string          `json:"status"`
		Coordinator json.RawMessage `json:"coordinator"`
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.cw, nil, 200).decode(t, &got)
	if got.Sharing != "internal" || got.Status != "open" || string(got.Coordinator) != "null" {
		t.Fatalf("bad commands changed the order: %+v", got)
	}
	var pol struct {
		ContactDeadline string `json:"contact_deadline"`
		EscalateAfter   int    `json:"escalate_after"`
	}
	ls.must(http.MethodGet, "/api/v1/jobcenters/751/policy", ls.manager, nil, 200).decode(t, &pol)
	if pol.ContactDeadline != "P2D" || pol.EscalateAfter != 3 {
		t.Fatalf("bad policy changes were stored: %+v", pol)
	}
	checkReplay(t, temporalClient(t, ls.Stack), joborder.WorkflowID(o.ID), "rejected-commands-leave-no-trace", personalData...)
}

func TestDetailsAreCorrectedAfterTheFirstCallAndPositionsReachTheWorkflow(t *testing.T) {
	ls := newLifecycleStack(t)
	body := readmeOrder()
	body["wished_coordinator"] = "cw-ida"
	var o struct {
		ID                string `json:"id"`
		WishedCoordinator string `json:"wished_coordinator"`
	}
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, body, 201).decode(t, &o)
	if o.WishedCoordinator != "cw-ida" {
		t.Fatalf("wished coordinator not kept: %+v", o)
	}
	var got struct {
		Title     string `json:"title"`
		Positions int    `json:"positions"`
		Live      struct {
			Positions int `json:"positions"`
		} `json:"live"`
	}
	ls.must(http.MethodPatch, "/api/v1/job-orders/"+o.ID, ls.cw, map[string]any{"title": "Tømrer og snedker", "positions": 3}, 200).decode(t, &got)
	if got.Title != "Tømrer og snedker" || got.Positions != 3 || got.Live.Positions != 3 {
		t.Fatalf("after correction: %+v", got)
	}
	for name, tc := range map[string]struct {
		token  string
		body   any
		status int
	}{
		"employer correcting":     {ls.employer, map[string]any{"title": "x"}, 403},
		"zero positions":          {ls.cw, map[string]any{"positions": 0}, 422},
		"unknown occupation":      {ls.cw, map[string]any{"occupation_code": "9999"}, 422},
		"nothing to correct":      {ls.cw, map[string]any{}, 422},
		"a field that is not one": {ls.cw, map[string]any{"company_cvr": "24256790"}, 400},
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, http.MethodPatch, ls.HTTPURL+"/api/v1/job-orders/"+o.ID, tc.token, tc.body)
			if r.status != tc.status {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.cw, nil, 200).decode(t, &got)
	if got.Title != "Tømrer og snedker" || got.Positions != 3 {
		t.Fatalf("refused corrections changed the order: %+v", got)
	}
	var h struct {
		Items []struct {
			Type string `json:"type"`
		}
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/history", ls.employer, nil, 200).decode(t, &h)
	found := false
	for _, it := range h.Items {
		found = found || it.Type == "details-corrected"
	}
	if !found {
		t.Fatalf("the correction is not in the employer's history: %+v", h.Items)
	}
}
