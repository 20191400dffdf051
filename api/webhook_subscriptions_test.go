package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/webhooks"
)

// hookReceiver records the deliveries it gets and answers 204.
type hookReceiver struct {
	mu     sync.Mutex
	header []http.Header
	body   [][]byte
}

func newHookReceiver(t *testing.T) (*hookReceiver, string) {
	t.Helper()
	h := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.header, h.body = append(h.header, r.Header.Clone()), append(h.body, b)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL + "/hook"
}


// A subscription's secret is shown when it is made and never again; a ping is signed with it
// (the receiver verifies it with the Standard Webhooks algorithm); after a rotation both the new
// and the previous secret sign, and the delivery log shows both pings.
func TestASubscriptionShowsItsSecretOnceAndItsPingsVerifyWithIt(t *testing.T) {
	a := newTestAPI(t)
	recv, url := newHookReceiver(t)
	r := a.do(http.MethodPost, "/api/v1/webhook-subscriptions", &manager751, map[string]any{"url": url, "event_types": []string{"job_order.created"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var sub webhooks.Subscription
	r.json(t, &sub)
	if !strings.HasPrefix(sub.Secret, webhooks.SecretPrefix) || sub.Jobcenter == nil || *sub.Jobcenter != "751" || len(sub.EventTypes) != 1 || !sub.Enabled {
		t.Fatalf("created %+v", sub)
	}
	for _, path := range []string{"/api/v1/webhook-subscriptions", "/api/v1/webhook-subscriptions/" + sub.ID} {
		if r := a.do(http.MethodGet, path, &manager751, nil); r.status != http.StatusOK || strings.Contains(string(r.body), "whsec_") || !strings.Contains(string(r.body), sub.ID) {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	ping := func() webhooks.PingResult {
		t.Helper()
		var res webhooks.PingResult
		if r := a.do(http.MethodPost, "/api/v1/webhook-subscriptions/"+sub.ID+"/ping", &manager751, nil); r.status != http.StatusOK {
			t.Fatalf("ping: %d %s", r.status, r.body)
		} else {
			r.json(t, &res)
		}
		if !res.Delivered || res.StatusCode != http.StatusNoContent {
			t.Fatalf("ping %+v", res)
		}
		return res
	}
	first := ping()
	if err := webhooks.Verify(sub.Secret, recv.header[0], recv.body[0], time.Now(), webhooks.DefaultTolerance); err != nil {
		t.Fatalf("the ping does not verify: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal(recv.body[0], &body); err != nil || body["type"] != "webhook.test" || body["id"] != first.EventID {
		t.Fatalf("ping body %s", recv.body[0])
	}

	var rotated webhooks.Subscription
	r = a.do(http.MethodPost, "/api/v1/webhook-subscriptions/"+sub.ID+"/rotate-secret", &manager751, nil)
	r.json(t, &rotated)
	if r.status != http.StatusOK || rotated.Secret == sub.Secret || !strings.HasPrefix(rotated.Secret, webhooks.SecretPrefix) || rotated.PreviousSecretExpiresAt == nil {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	ping()
	if n := len(strings.Fields(recv.header[1].Get(webhooks.HeaderSignature))); n != 2 {
		t.Fatalf("%d signatures during the rotation", n)
	}
	for _, secret := range []string{sub.Secret, rotated.Secret} {
		if err := webhooks.Verify(secret, recv.header[1], recv.body[1], time.Now(), webhooks.DefaultTolerance); err != nil {
			t.Errorf("a secret of the rotation does not verify: %v", err)
		}
	}

	var log WebhookDeliveryList
	r = a.do(http.MethodGet, "/api/v1/webhook-subscriptions/"+sub.ID+"/deliveries", &manager751, nil)
	r.json(t, &log)
	if r.status != http.StatusOK || len(log.Items) != 2 || log.Items[1].EventID != first.EventID || log.Items[0].Status != "succeeded" || log.Items[0].Attempts != 1 {
		t.Fatalf("log: %d %s", r.status, r.body)
	}
	// A ping is not replayed.
	if r := a.do(http.MethodPost, "/api/v1/webhook-subscriptions/"+sub.ID+"/deliveries/"+itoa(log.Items[0].ID)+"/replay", &manager751, nil); r.status != http.StatusConflict {
		t.Fatalf("replay of a ping: %d %s", r.status, r.body)
	}
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// Invalid fields are named in the problem: a URL that is not http(s), an unknown event type.
func TestASubscriptionsInvalidFieldsAreNamed(t *testing.T) {
	a := newTestAPI(t)
	for body, field := range map[string]string{
		`{"url":"ftp://example.com/x"}`: "url",
		`{"url":"https://example.com/x","event_types":["job_order.exploded"]}`: "event_types",
		`{"event_types":[]}`: "url",
		`{"url":"https://example.com/x","jobcenter":"999"}`: "jobcenter",
	} {
		r := a.do(http.MethodPost, "/api/v1/webhook-subscriptions", &admin, body)
		var p struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		r.json(t, &p)
		if r.status != http.StatusUnprocessableEntity || len(p.Errors) == 0 || !strings.HasPrefix(p.Errors[0].Field, field) {
			t.Errorf("%s: %d %s, want %s named", body, r.status, r.body, field)
		}
	}
}

// A manager keeps its own job centre's subscriptions only: it cannot subscribe to another job
// centre's orders or to all, and another job centre's manager does not find its subscription.
func TestAManagerKeepsOnlyItsOwnJobcentresSubscriptions(t *testing.T) {
	a := newTestAPI(t)
	_, url := newHookReceiver(t)
	if r := a.do(http.MethodPost, "/api/v1/webhook-subscriptions", &manager751, map[string]any{"url": url, "jobcenter": "746"}); r.status != http.StatusForbidden {
		t.Fatalf("another job centre's scope: %d %s", r.status, r.body)
	}
	var sub webhooks.Subscription
	a.do(http.MethodPost, "/api/v1/webhook-subscriptions", &manager751, map[string]any{"url": url}).json(t, &sub)
	m746 := auth.Principal{Subject: "mgr-746", Role: auth.RoleManager, Jobcenter: "746"}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/webhook-subscriptions/" + sub.ID}, {http.MethodDelete, "/api/v1/webhook-subscriptions/" + sub.ID},
		{http.MethodPost, "/api/v1/webhook-subscriptions/" + sub.ID + "/ping"}, {http.MethodGet, "/api/v1/webhook-subscriptions/" + sub.ID + "/deliveries"},
	} {
		if r := a.do(c.method, c.path, &m746, nil); r.status != http.StatusNotFound {
			t.Errorf("%s %s by 746's manager: %d", c.method, c.path, r.status)
		}
	}
	var list WebhookSubscriptionList
	a.do(http.MethodGet, "/api/v1/webhook-subscriptions", &m746, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("746's manager lists %+v", list.Items)
	}
	a.do(http.MethodGet, "/api/v1/webhook-subscriptions", &admin, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != sub.ID {
		t.Errorf("the admin lists %+v", list.Items)
	}
	// Disabling and enabling: the reason is kept while disabled.
	var got webhooks.Subscription
	a.do(http.MethodPatch, "/api/v1/webhook-subscriptions/"+sub.ID, &manager751, map[string]any{"enabled": false}).json(t, &got)
	if got.Enabled || got.DisabledReason != webhooks.DisabledManual {
		t.Errorf("disabled: %+v", got)
	}
}
