package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/config"
	"jobordre/internal/feed"
	"jobordre/internal/pgtest"
	"jobordre/internal/webhooks"
	"jobordre/internal/webhooks/receiver"
)

// Issue #16 on the real stack: the embedded Temporal server, PostgreSQL, the worker with its
// webhook dispatcher and the HTTP API, with the reference receiver (internal/webhooks/receiver)
// as the subscriber's endpoint on a real HTTP server.

// webhookConfig is a dev stack whose dispatcher looks for events every 200 ms; allowPrivate lets
// subscriptions point at the test's loopback endpoints, as `jobordre dev` does.
func webhookConfig(dataDir, databaseURL string, allowPrivate bool) config.Config {
	cfg := stackConfig(dataDir, databaseURL)
	cfg.WebhooksAllowPrivate = allowPrivate
	cfg.WebhookDispatchInterval = 200 * time.Millisecond
	return cfg
}

// captured is one request as it reached an endpoint.
type captured struct {
	at     time.Time
	id     string
	header http.Header
	body   []byte
	status int // what the script answered; 0: passed to the receiver
}

// endpoint is a subscriber's endpoint: the reference receiver behind a script that may answer an
// attempt with an error first (answer: the status and Retry-After for attempt n of an event; 0
// passes the request to the receiver). Every request is recorded as it arrived.
type endpoint struct {
	t      *testing.T
	srv    *httptest.Server
	api    string
	token  string
	answer func(id string, attempt int) (status int, retryAfter string)

	mu       sync.Mutex
	rcv      *receiver.Receiver
	secret   string
	requests []captured
}

// newEndpoint starts an endpoint whose receiver fetches each event's order from the stack with token.
func newEndpoint(t *testing.T, api, token string) *endpoint {
	e := &endpoint{t: t, api: api, token: token}
	e.srv = httptest.NewServer(e)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(webhooks.HeaderID)
	e.mu.Lock()
	attempt := 1
	for _, c := range e.requests {
		if c.id == id {
			attempt++
		}
	}
	status, retryAfter := 0, ""
	if e.answer != nil {
		status, retryAfter = e.answer(id, attempt)
	}
	e.requests = append(e.requests, captured{at: time.Now(), id: id, header: r.Header.Clone(), body: body, status: status})
	rcv := e.rcv
	e.mu.Unlock()
	if status != 0 {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rcv.ServeHTTP(w, r)
}

func (e *endpoint) captured() []captured {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests)
}

// attempts are the requests for one event, in arrival order.
func (e *endpoint) attempts(id string) []captured {
	var out []captured
	for _, c := range e.captured() {
		if c.id == id {
			out = append(out, c)
		}
	}
	return out
}

// subscription is the part of a webhook subscription these tests read.
type subscription struct {
	ID             string `json:"id"`
	Secret         string `json:"secret"`
	Enabled        bool   `json:"enabled"`
	DisabledReason string `json:"disabled_reason"`
}

// subscribe creates a subscription to e with body's fields and points e's receiver at its secret.
func (ls *lifecycleStack) subscribe(token string, e *endpoint, body map[string]any) subscription {
	ls.t.Helper()
	body["url"] = e.srv.URL + "/jobordre/events"
	var sub subscription
	ls.must(http.MethodPost, "/api/v1/webhook-subscriptions", token, body, 201).decode(ls.t, &sub)
	if !strings.HasPrefix(sub.Secret, webhooks.SecretPrefix) {
		ls.t.Fatalf("the new subscription shows no secret: %+v", sub)
	}
	e.mu.Lock()
	e.secret = sub.Secret
	e.rcv = receiver.New(receiver.Config{Secrets: []string{sub.Secret}, APIURL: e.api, Token: e.token, Out: &testLog{t: ls.t}})
	e.mu.Unlock()
	return sub
}

// testLog prints the receiver's lines in the test log.
type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) {
	l.t.Log("receiver: " + strings.TrimSpace(string(p)))
	return len(p), nil
}

// deliveryLog is a subscription's delivery log.
type deliveryLog struct {
	Items []struct {
		EventID        string `json:"event_id"`
		Status         string `json:"status"`
		Attempts       int    `json:"attempts"`
		LastStatusCode int    `json:"last_status_code"`
	} `json:"items"`
}

func (ls *lifecycleStack) deliveries(token, subID string) deliveryLog {
	ls.t.Helper()
	var l deliveryLog
	ls.must(http.MethodGet, "/api/v1/webhook-subscriptions/"+subID+"/deliveries", token, nil, 200).decode(ls.t, &l)
	return l
}

// feedPage reads one page of the pull feed.
func (ls *lifecycleStack) feedPage(token, query string) feed.Page {
	ls.t.Helper()
	var p feed.Page
	ls.must(http.MethodGet, "/api/v1/events?"+query, token, nil, 200).decode(ls.t, &p)
	return p
}

// orderEvents is every event of the order in the pull feed, read a page of limit at a time
// from the start; it returns the cursor after the last page too.
func (ls *lifecycleStack) orderEvents(token, orderID string, limit int) ([]feed.Event, string) {
	ls.t.Helper()
	var out []feed.Event
	cursor := ""
	for {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("after", cursor)
		}
		p := ls.feedPage(token, q.Encode())
		for _, ev := range p.Items {
			if ev.Data.JobOrderID == orderID {
				out = append(out, ev)
			}
		}
		if len(p.Items) == 0 || p.NextCursor == "" || p.NextCursor == cursor {
			return out, p.NextCursor
		}
		cursor = p.NextCursor
	}
}

// standardWebhooksSignature checks a request the way the specification (standardwebhooks.com)
// says, written here without internal/webhooks so the sender's signing is checked by another
// implementation: v1, + base64 HMAC-SHA256 of "id.timestamp.body" keyed with the base64 after
// whsec_, one of the space-separated signatures.
func standardWebhooksSignature(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "."))
	m.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, s := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func TestTheTestsStandardWebhooksCheckAcceptsTheSpecificationsTestVector(t *testing.T) {
	// The specification's test vector (standard-webhooks' libraries' tests).
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	if !standardWebhooksSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232314}`)) {
		t.Fatal("the specification's test vector does not verify")
	}
	if standardWebhooksSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232315}`)) {
		t.Fatal("a changed body verifies")
	}
}

// A case system's lifecycle of one order, every business event kind once, seen by the job
// centre's subscription exactly once each, in sequence, signed, with bodies equal to the pull
// feed's items; a neighbour's subscription sees none of it; the pull feed resumes from a cursor.
func TestASubscriptionReceivesEveryLifecycleEventOnceInSequenceAsThePullFeedHasThem(t *testing.T) {
	ls := lifecycleOn(t, startStack(t, webhookConfig(t.TempDir(), pgtest.NewDatabase(t), true)))
	system := ls.token(auth.Principal{Subject: "momentum-751", Role: auth.RoleSystem, Jobcenter: "751"})
	e := newEndpoint(t, ls.HTTPURL, system)
	sub := ls.subscribe(ls.manager, e, map[string]any{"description": "Momentum, Aarhus"})
	// Favrskov's (710, a neighbour) manager subscribes to Favrskov's orders.
	favrskovManager := ls.token(auth.Principal{Subject: "mgr-710", Role: auth.RoleManager, Jobcenter: "710"})
	favrskov := newEndpoint(t, ls.HTTPURL, favrskovManager)
	ls.subscribe(favrskovManager, favrskov, map[string]any{})

	// The case system registers the order, sends the same registration again (a retry), then a
	// changed one.
	reg := readmeOrder()
	reg["source_system"], reg["external_id"], reg["positions"] = "momentum", "JO-2026-000123", 1
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", system, reg, 201).decode(t, &o)
	var again order
	ls.must(http.MethodPost, "/api/v1/job-orders", system, reg, 200).decode(t, &again)
	if again.ID != o.ID {
		t.Fatalf("the repeated registration answered order %s, want %s", again.ID, o.ID)
	}
	reg["title"] = "Tømrer til tagrenovering"
	ls.must(http.MethodPost, "/api/v1/job-orders", system, reg, 200)
	if n := countWorkflows(t, ls.Stack); n != 1 {
		t.Fatalf("%d job-order workflows after three registrations of one order, want 1", n)
	}

	// Everything else the job centre does, the system as the job centre where it may.
	path := "/api/v1/job-orders/" + o.ID
	ls.must(http.MethodPut, path+"/coordinator", system, map[string]any{"caseworker_id": "cw-ida"}, 200)
	ls.must(http.MethodPost, path+"/contacts", system, map[string]any{"note": "Ringede til HR."}, 201)
	ls.must(http.MethodPut, path+"/sharing", system, map[string]any{"level": "neighbours"}, 200)
	var cand, ref struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", true), 201).decode(t, &cand)
	ls.must(http.MethodPost, path+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID}, 201).decode(t, &ref)
	ls.must(http.MethodPost, path+"/referrals/"+ref.ID+"/withdraw", ls.cw, nil, 200)
	skb := ls.token(auth.Principal{Subject: "cw-skb", Role: auth.RoleCaseworker, Jobcenter: "746", Email: "soren@skanderborg.example"})
	var c1, c2, p1, p2 struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", skb, candidate("Jens Mikkelsen", "jens.mikkelsen@example.dk", true), 201).decode(t, &c1)
	ls.must(http.MethodPost, path+"/referrals", skb, map[string]any{"candidate_id": c1.ID}, 201).decode(t, &p1)
	ls.must(http.MethodPost, path+"/referrals/"+p1.ID+"/approve", ls.cw, nil, 200)
	ls.must(http.MethodPost, "/api/v1/candidates", skb, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", true), 201).decode(t, &c2)
	ls.must(http.MethodPost, path+"/referrals", skb, map[string]any{"candidate_id": c2.ID}, 201).decode(t, &p2)
	ls.must(http.MethodPost, path+"/referrals/"+p2.ID+"/reject", ls.cw, map[string]any{"reason": "Mangler certifikat"}, 200)
	ls.must(http.MethodPost, path+"/hires", system, map[string]any{"referral_id": p1.ID}, 201)
	ls.must(http.MethodPut, path+"/status", system, map[string]any{"status": "temporarily_inactive"}, 200)
	ls.must(http.MethodPut, path+"/status", system, map[string]any{"status": "open"}, 200)
	ls.must(http.MethodPut, path+"/status", system, map[string]any{"status": "closed", "reason": "filled"}, 200)
	ls.must(http.MethodPut, path+"/status", system, map[string]any{"status": "open"}, 200)

	want := []string{"job_order.created", "job_order.details_corrected", "job_order.coordinator_assigned",
		"job_order.contact_registered", "job_order.sharing_changed", "job_order.referral_sent",
		"job_order.referral_withdrawn", "job_order.referral_approved", "job_order.referral_rejected",
		"job_order.hire_registered", "job_order.status_changed", "job_order.status_changed",
		"job_order.closed", "job_order.reopened"}
	var events []feed.Event
	waitFor(t, 20*time.Second, func() (bool, string) {
		events, _ = ls.orderEvents(ls.admin, o.ID, 200)
		return len(events) == len(want), fmt.Sprintf("the pull feed holds %d of the order's events, want %d", len(events), len(want))
	})
	for i, ev := range events {
		if ev.Type != want[i] || ev.Data.Sequence != int64(i+1) || ev.Data.Jobcenter != "751" {
			t.Fatalf("feed event %d: %s sequence %d jobcenter %s, want %s sequence %d", i, ev.Type, ev.Data.Sequence, ev.Data.Jobcenter, want[i], i+1)
		}
	}

	// Every event reaches the subscription, once, in sequence.
	waitFor(t, 30*time.Second, func() (bool, string) {
		n := len(e.captured())
		return n >= len(events), fmt.Sprintf("%d of %d events delivered", n, len(events))
	})
	time.Sleep(2 * time.Second) // a second delivery of anything would arrive by now
	reqs := e.captured()
	if len(reqs) != len(events) {
		t.Fatalf("%d requests for %d events: something was sent twice or an extra event was sent", len(reqs), len(events))
	}
	for i, r := range reqs {
		ev := events[i]
		if r.id != ev.ID {
			t.Fatalf("request %d carries webhook-id %s, want %s (%s, sequence %d): not in sequence", i, r.id, ev.ID, ev.Type, ev.Data.Sequence)
		}
		if !standardWebhooksSignature(sub.Secret, r.header, r.body) {
			t.Fatalf("request %d (%s) does not verify as a Standard Webhooks signature: %v", i, ev.Type, r.header)
		}
		var body feed.Event
		if err := json.Unmarshal(r.body, &body); err != nil || body.ID != ev.ID || body.Type != ev.Type ||
			!body.Timestamp.Equal(ev.Timestamp) || body.Data != ev.Data {
			t.Fatalf("request %d's body %s is not the pull feed's item %+v", i, r.body, ev)
		}
		for _, pii := range personalData {
			if strings.Contains(string(r.body), pii) {
				t.Fatalf("request %d's body holds personal data %q", i, pii)
			}
		}
	}
	// The reference receiver verified each and fetched the order as the case system.
	got := e.rcv.Received()
	if len(got) != len(events) || e.rcv.Refused() != 0 {
		t.Fatalf("the receiver took %d and refused %d deliveries, want %d and 0", len(got), e.rcv.Refused(), len(events))
	}
	for i, g := range got {
		// The first events may be fetched before the changed registration renamed the order.
		if g.Duplicate || g.OrderStatus != http.StatusOK || (g.OrderTitle != "Tømrer til tagrenovering" && g.OrderTitle != "Tømrer til renovering") {
			t.Fatalf("receiver's delivery %d: %+v", i, g)
		}
	}
	if n := len(favrskov.captured()); n != 0 {
		t.Fatalf("Favrskov's subscription got %d requests about Aarhus's order", n)
	}
	for _, l := range ls.deliveries(ls.manager, sub.ID).Items {
		if l.Status != "succeeded" || l.Attempts != 1 {
			t.Fatalf("delivery log entry %+v, want succeeded at the first attempt", l)
		}
	}

	// The pull feed a page of 4 at a time gives the same events; from the last cursor it gives
	// exactly what happens next, as the webhook does.
	paged, cursor := ls.orderEvents(ls.manager, o.ID, 4)
	if len(paged) != len(events) {
		t.Fatalf("paging the feed by 4 gives %d of the order's events, want %d", len(paged), len(events))
	}
	for i := range paged {
		if paged[i] != events[i] {
			t.Fatalf("paged feed event %d %+v, want %+v", i, paged[i], events[i])
		}
	}
	ls.must(http.MethodPut, path+"/sharing", system, map[string]any{"level": "national"}, 200)
	var next feed.Page
	waitFor(t, 10*time.Second, func() (bool, string) {
		next = ls.feedPage(ls.manager, url.Values{"after": {cursor}}.Encode())
		return len(next.Items) > 0, "nothing after the cursor yet"
	})
	if len(next.Items) != 1 || next.Items[0].Type != "job_order.sharing_changed" || next.Items[0].Data.Sequence != int64(len(events)+1) {
		t.Fatalf("after the cursor: %+v, want the one sharing change with sequence %d", next.Items, len(events)+1)
	}
	waitFor(t, 10*time.Second, func() (bool, string) {
		reqs := e.captured()
		return len(reqs) == len(events)+1 && reqs[len(reqs)-1].id == next.Items[0].ID, fmt.Sprintf("%d requests", len(reqs))
	})

	// Favrskov's subscription works: Favrskov's own order reaches it, Aarhus's never did.
	favrskovCW := ls.token(auth.Principal{Subject: "cw-favrskov", Role: auth.RoleCaseworker, Jobcenter: "710"})
	own := readmeOrder()
	delete(own, "responsible_jobcenter")
	own["workplace"] = map[string]any{"address": "Skovvej 1", "postal_code": "8382", "municipality_code": "710"}
	var fo order
	ls.must(http.MethodPost, "/api/v1/job-orders", favrskovCW, own, 201).decode(t, &fo)
	waitFor(t, 10*time.Second, func() (bool, string) {
		return len(favrskov.captured()) == 1, fmt.Sprintf("Favrskov's subscription got %d requests", len(favrskov.captured()))
	})
	var fev feed.Event
	if err := json.Unmarshal(favrskov.captured()[0].body, &fev); err != nil || fev.Data.JobOrderID != fo.ID || fev.Type != "job_order.created" {
		t.Fatalf("Favrskov's subscription got %s, want its own order's creation", favrskov.captured()[0].body)
	}
}

// One event to three subscriptions: one answers 500 first (retried after the schedule's 5 s),
// one 429 with Retry-After: 8 (retried after 8 s, not 5), one 410 (disabled, sent nothing more).
func TestFailingEndpointsAreRetriedOnScheduleHonouringRetryAfterAndGoneDisables(t *testing.T) {
	ls := lifecycleOn(t, startStack(t, webhookConfig(t.TempDir(), pgtest.NewDatabase(t), true)))
	failFirst := func(status int, retryAfter string) func(string, int) (int, string) {
		return func(_ string, attempt int) (int, string) {
			if attempt == 1 {
				return status, retryAfter
			}
			return 0, ""
		}
	}
	created := map[string]any{"event_types": []string{"job_order.created"}}
	e500 := newEndpoint(t, ls.HTTPURL, ls.manager)
	e500.answer = failFirst(http.StatusInternalServerError, "")
	s500 := ls.subscribe(ls.manager, e500, map[string]any{"event_types": []string{"job_order.created"}})
	e429 := newEndpoint(t, ls.HTTPURL, ls.manager)
	e429.answer = failFirst(http.StatusTooManyRequests, "8")
	ls.subscribe(ls.manager, e429, created)
	gone := newEndpoint(t, ls.HTTPURL, ls.manager)
	gone.answer = func(string, int) (int, string) { return http.StatusGone, "" }
	sGone := ls.subscribe(ls.manager, gone, map[string]any{})

	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, readmeOrder(), 201).decode(t, &o)
	var events []feed.Event
	waitFor(t, 10*time.Second, func() (bool, string) {
		events, _ = ls.orderEvents(ls.admin, o.ID, 200)
		return len(events) == 1, fmt.Sprintf("%d events", len(events))
	})
	id := events[0].ID
	waitFor(t, 40*time.Second, func() (bool, string) {
		// The receiver records a delivery once it has fetched the order, after the request arrived.
		return len(e500.rcv.Received()) == 1 && len(e429.rcv.Received()) == 1,
			fmt.Sprintf("attempts: 500-endpoint %d, 429-endpoint %d", len(e500.attempts(id)), len(e429.attempts(id)))
	})
	a := e500.attempts(id)
	if gap := a[1].at.Sub(a[0].at); gap < 4500*time.Millisecond || gap > 15*time.Second {
		t.Errorf("after a 500 the next attempt came %s later, want the schedule's 5 s", gap)
	}
	b := e429.attempts(id)
	if gap := b[1].at.Sub(b[0].at); gap < 8*time.Second || gap > 20*time.Second {
		t.Errorf("after a 429 with Retry-After: 8 the next attempt came %s later, want at least 8 s", gap)
	}
	for name, ep := range map[string]*endpoint{"500": e500, "429": e429} {
		if got := ep.rcv.Received(); len(got) != 1 || got[0].ID != id || got[0].Duplicate {
			t.Errorf("the %s endpoint's receiver took %+v, want the event once", name, got)
		}
	}
	waitFor(t, 10*time.Second, func() (bool, string) {
		// The sender records the answer once it has it, just after the receiver took the event.
		l := ls.deliveries(ls.manager, s500.ID)
		return len(l.Items) == 1 && l.Items[0].Status == "succeeded" && l.Items[0].Attempts == 2,
			fmt.Sprintf("the 500 endpoint's delivery log: %+v, want succeeded after 2 attempts", l.Items)
	})

	// 410 Gone: the subscription is disabled at the first answer and gets nothing more.
	var s subscription
	ls.must(http.MethodGet, "/api/v1/webhook-subscriptions/"+sGone.ID, ls.manager, nil, 200).decode(t, &s)
	if s.Enabled || s.DisabledReason == "" {
		t.Fatalf("after 410 the subscription is %+v, want disabled with a reason", s)
	}
	if l := ls.deliveries(ls.manager, sGone.ID); len(l.Items) != 1 || l.Items[0].Status != "failed" || l.Items[0].LastStatusCode != http.StatusGone {
		t.Errorf("the 410 endpoint's delivery log: %+v", l.Items)
	}
	before := len(gone.captured())
	var second order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, readmeOrder(), 201).decode(t, &second)
	waitFor(t, 15*time.Second, func() (bool, string) {
		return len(e500.rcv.Received()) == 2, "the second order's creation has not reached the 500 endpoint"
	})
	if n := len(gone.captured()); n != before || before != 1 {
		t.Fatalf("the disabled subscription got %d requests (%d before the second order), want 1", n, before)
	}
}

// In production mode (JOBORDRE_WEBHOOKS_ALLOW_PRIVATE unset) a subscription to a loopback,
// private or link-local address is refused, naming the field.
func TestALoopbackEndpointIsRefusedInProductionMode(t *testing.T) {
	s := startStack(t, webhookConfig(t.TempDir(), pgtest.NewDatabase(t), false))
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest"} {
		r := call(t, http.MethodPost, s.HTTPURL+"/api/v1/webhook-subscriptions", s.Tokens["manager"], map[string]any{"url": u})
		if r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want it refused", u, r.status, r.body)
			continue
		}
		var p struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		r.decode(t, &p)
		if len(p.Errors) == 0 || p.Errors[0].Field != "url" {
			t.Errorf("%s: the refusal names %+v, want url", u, p.Errors)
		}
	}
	var l struct{ Items []any }
	if r := call(t, http.MethodGet, s.HTTPURL+"/api/v1/webhook-subscriptions", s.Tokens["admin"], nil); r.status != 200 {
		t.Fatalf("list: %d", r.status)
	} else if r.decode(t, &l); len(l.Items) != 0 {
		t.Fatalf("%d subscriptions stored by refused requests", len(l.Items))
	}
}

// The stack stops while a delivery waits for its retry (the first attempt got 503 with
// Retry-After: 15, time enough to stop): its durable timer survives, and after the restart the
// event is delivered once.
func TestADeliveryWaitingForItsRetryWhenTheStackStopsIsDeliveredOnceAfterTheRestart(t *testing.T) {
	cfg := webhookConfig(t.TempDir(), pgtest.NewDatabase(t), true)
	first := startStack(t, cfg)
	ls := lifecycleOn(t, first)
	e := newEndpoint(t, ls.HTTPURL, ls.manager)
	e.answer = func(_ string, attempt int) (int, string) {
		if attempt == 1 {
			return http.StatusServiceUnavailable, "15"
		}
		return 0, ""
	}
	sub := ls.subscribe(ls.manager, e, map[string]any{"event_types": []string{"job_order.created"}})
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, readmeOrder(), 201).decode(t, &o)
	waitFor(t, 10*time.Second, func() (bool, string) { return len(e.captured()) == 1, "no first attempt yet" })
	if err := first.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	stoppedAt := time.Now()
	if stoppedAt.Sub(e.captured()[0].at) > 14*time.Second {
		t.Fatalf("stopping took %s, longer than the retry's wait", stoppedAt.Sub(e.captured()[0].at))
	}
	id := e.captured()[0].id

	second := startStack(t, cfg)
	// The same data dir: the first stack's tokens and people are the second's.
	again := &lifecycleStack{Stack: second, t: t, manager: ls.manager, cw: ls.cw, employer: ls.employer, admin: ls.admin}
	waitFor(t, 90*time.Second, func() (bool, string) {
		return len(e.rcv.Received()) == 1, fmt.Sprintf("%d requests so far", len(e.captured()))
	})
	time.Sleep(3 * time.Second) // a second delivery would arrive by now
	a := e.attempts(id)
	if len(a) != 2 || a[0].status != http.StatusServiceUnavailable || a[1].status != 0 {
		t.Fatalf("%d attempts (%+v), want the refused one and one delivery", len(a), a)
	}
	if a[1].at.Before(stoppedAt) || a[1].at.Sub(a[0].at) < 15*time.Second {
		t.Fatalf("the retry came %s after the first attempt (the stack had stopped %s after it), want after the restart and Retry-After's 15 s",
			a[1].at.Sub(a[0].at), stoppedAt.Sub(a[0].at))
	}
	if got := e.rcv.Received(); len(got) != 1 || got[0].Duplicate || got[0].Data.JobOrderID != o.ID {
		t.Fatalf("the receiver took %+v, want the order's creation once", got)
	}
	if l := again.deliveries(again.manager, sub.ID); len(l.Items) != 1 || l.Items[0].Status != "succeeded" || l.Items[0].Attempts != 2 {
		t.Fatalf("delivery log after the restart: %+v", l.Items)
	}
}
