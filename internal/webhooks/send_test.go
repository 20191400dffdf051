package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/models"
)

type endpoint struct {
	mu       sync.Mutex
	status   int
	header   http.Header
	requests []*http.Request
	bodies   [][]byte
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests, e.bodies = append(e.requests, r), append(e.bodies, b)
	for k, v := range e.header {
		w.Header()[k] = v
	}
	w.WriteHeader(e.status)
}

func senderWorld(t *testing.T, status int, header http.Header) (*Sender, *gorm.DB, *endpoint, *models.WebhookSubscription, *models.FeedEvent) {
	t.Helper()
	db := dbtest.SQLite(t)
	ep := &endpoint{status: status, header: header}
	srv := httptest.NewServer(ep)
	t.Cleanup(srv.Close)
	now := time.Now().UTC()
	sub := &models.WebhookSubscription{ID: uuid.NewString(), URL: srv.URL + "/hook", Enabled: true, Secret: NewSecret(), CreatedBy: "adm", CreatedAt: now, UpdatedAt: now}
	ev := &models.FeedEvent{ID: uuid.NewString(), Type: string(joborder.FeedCreated), JobOrderID: uuid.NewString(), Sequence: 1, Jobcenter: "751", HistoryKey: "k", OccurredAt: now}
	if err := db.Create(sub).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(ev).Error; err != nil {
		t.Fatal(err)
	}
	return NewSender(db, true), db, ep, sub, ev
}

func delivery(t *testing.T, db *gorm.DB, sub, ev string) models.WebhookDelivery {
	t.Helper()
	var d models.WebhookDelivery
	if err := db.Take(&d, "subscription_id = ? AND event_id = ?", sub, ev).Error; err != nil {
		t.Fatal(err)
	}
	return d
}

// A delivery is a signed POST of the event's thin body that the receiver verifies with the
// subscription's secret; a 2xx marks it succeeded in the delivery log.
func TestADeliveryIsASignedThinEventTheReceiverVerifies(t *testing.T) {
	s, db, ep, sub, ev := senderWorld(t, http.StatusNoContent, nil)
	res, err := s.Attempt(context.Background(), sub.ID, ev.ID)
	if err != nil || res.Outcome != joborder.WebhookDelivered || res.StatusCode != 204 {
		t.Fatalf("%+v %v", res, err)
	}
	r, body := ep.requests[0], ep.bodies[0]
	if err := Verify(sub.Secret, r.Header, body, time.Now(), DefaultTolerance); err != nil {
		t.Fatalf("the receiver cannot verify: %v", err)
	}
	if r.Header.Get(HeaderID) != ev.ID || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", r.Header)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	data, _ := got["data"].(map[string]any)
	if got["type"] != "job_order.created" || got["id"] != ev.ID || got["timestamp"] == nil || len(got) != 4 ||
		data["job_order_id"] != ev.JobOrderID || data["jobcenter"] != "751" || data["sequence"] != 1.0 || len(data) != 3 {
		t.Errorf("body %s", body)
	}
	if d := delivery(t, db, sub.ID, ev.ID); d.Status != models.WebhookSucceeded || d.Attempts != 1 || d.DeliveredAt == nil || d.LastStatusCode != 204 {
		t.Errorf("log %+v", d)
	}
}

// The activity run again after its worker stopped between recording a 2xx and reporting it to
// Temporal finds the delivery succeeded in the log and sends nothing.
func TestAnAttemptOfADeliveryTheLogHasAsSucceededSendsNothing(t *testing.T) {
	s, db, ep, sub, ev := senderWorld(t, http.StatusNoContent, nil)
	if res, err := s.Attempt(context.Background(), sub.ID, ev.ID); err != nil || res.Outcome != joborder.WebhookDelivered {
		t.Fatalf("first attempt: %+v %v", res, err)
	}
	res, err := s.Attempt(context.Background(), sub.ID, ev.ID)
	if err != nil || res.Outcome != joborder.WebhookDelivered || res.StatusCode != http.StatusNoContent || len(ep.requests) != 1 {
		t.Fatalf("the retried attempt: %+v %v, %d requests; want delivered without a second request", res, err, len(ep.requests))
	}
	if d := delivery(t, db, sub.ID, ev.ID); d.Attempts != 1 || d.Status != models.WebhookSucceeded {
		t.Errorf("log %+v", d)
	}
}

// 410 Gone disables the subscription; later attempts send nothing.
func TestGoneDisablesTheSubscription(t *testing.T) {
	s, db, ep, sub, ev := senderWorld(t, http.StatusGone, nil)
	if res, err := s.Attempt(context.Background(), sub.ID, ev.ID); err != nil || res.Outcome != joborder.WebhookGone {
		t.Fatalf("%+v %v", res, err)
	}
	var got models.WebhookSubscription
	db.Take(&got, "id = ?", sub.ID)
	if got.Enabled || got.DisabledReason != DisabledGone {
		t.Fatalf("subscription %+v", got)
	}
	if res, _ := s.Attempt(context.Background(), sub.ID, ev.ID); res.Outcome != joborder.WebhookSkipped || len(ep.requests) != 1 {
		t.Fatalf("after 410: %+v, %d requests", res, len(ep.requests))
	}
	if d := delivery(t, db, sub.ID, ev.ID); d.Status != models.WebhookFailed {
		t.Errorf("log %+v", d)
	}
}

// 429, 502, 503 and 504 bring their Retry-After (seconds or a date) back to the workflow; other
// failures retry on the schedule alone.
func TestBackOffAnswersCarryTheirRetryAfter(t *testing.T) {
	for _, c := range []struct {
		status int
		after  string
		want   time.Duration
	}{{429, "120", 2 * time.Minute}, {503, "7", 7 * time.Second}, {502, "", 0}, {504, "999999999", joborder.WebhookMaxRetryAfter}, {500, "60", 0}, {302, "", 0}} {
		s, db, _, sub, ev := senderWorld(t, c.status, http.Header{"Retry-After": {c.after}})
		res, err := s.Attempt(context.Background(), sub.ID, ev.ID)
		if err != nil || res.Outcome != joborder.WebhookRetry || res.RetryAfter != c.want || res.StatusCode != c.status {
			t.Errorf("%d %q: %+v %v", c.status, c.after, res, err)
		}
		if d := delivery(t, db, sub.ID, ev.ID); d.Status != models.WebhookPending || d.Attempts != 1 || d.LastStatusCode != c.status {
			t.Errorf("log %+v", d)
		}
	}
	now := time.Now()
	if d := RetryAfter(now.Add(time.Hour).UTC().Format(http.TimeFormat), now); d < 59*time.Minute || d > time.Hour {
		t.Errorf("date form: %s", d)
	}
}

// Without AllowPrivate (production), a loopback endpoint is refused at subscription and, if it
// slipped through (DNS changed), at connect time: nothing reaches it.
func TestLoopbackAndPrivateEndpointsAreRefusedInProduction(t *testing.T) {
	s, _, ep, sub, ev := senderWorld(t, http.StatusOK, nil)
	s.Client = NewClient(false)
	res, err := s.Attempt(context.Background(), sub.ID, ev.ID)
	if err != nil || res.Outcome != joborder.WebhookRetry || len(ep.requests) != 0 {
		t.Fatalf("loopback reached: %+v %v, %d requests", res, err, len(ep.requests))
	}
	for _, u := range []string{sub.URL, "http://localhost:8080/x", "http://10.1.2.3/x", "https://169.254.169.254/latest", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://100.64.0.1/"} {
		if err := CheckURL(context.Background(), u, false); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: %v", u, err)
		}
		if err := CheckURL(context.Background(), u, true); err != nil {
			t.Errorf("%s refused where private endpoints are allowed: %v", u, err)
		}
	}
	for _, u := range []string{"ftp://example.com/", "/relative", "https://user:pw@example.com/"} {
		if err := CheckURL(context.Background(), u, true); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if err := CheckURL(context.Background(), "https://93.184.215.14/hook", false); err != nil {
		t.Errorf("a public address: %v", err)
	}
	if IsPublic(netip.MustParseAddr("192.168.1.1")) || !IsPublic(netip.MustParseAddr("8.8.8.8")) {
		t.Error("IsPublic")
	}
}

// A later event of an order waits while an earlier one is still pending for the subscription
// (nothing is sent, no attempt is counted), and goes once the earlier one is delivered.
func TestALaterEventOfAnOrderWaitsForTheEarlierOne(t *testing.T) {
	s, db, ep, sub, first := senderWorld(t, http.StatusOK, nil)
	OrderWait = 100 * time.Millisecond
	t.Cleanup(func() { OrderWait = 5 * time.Second })
	second := &models.FeedEvent{ID: uuid.NewString(), Type: string(joborder.FeedCoordinatorAssigned), JobOrderID: first.JobOrderID, Sequence: 2,
		Jobcenter: "751", HistoryKey: "k2", OccurredAt: time.Now().UTC(), Position: 2}
	other := &models.FeedEvent{ID: uuid.NewString(), Type: string(joborder.FeedCreated), JobOrderID: uuid.NewString(), Sequence: 1,
		Jobcenter: "751", HistoryKey: "k3", OccurredAt: time.Now().UTC(), Position: 3}
	for _, ev := range []*models.FeedEvent{second, other} {
		if err := db.Create(ev).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range []*models.FeedEvent{first, second, other} {
		if err := s.ensureDelivery(context.Background(), sub.ID, ev.ID, ev.Type); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Attempt(context.Background(), sub.ID, second.ID)
	if err != nil || res.Outcome != joborder.WebhookWaiting || len(ep.requests) != 0 {
		t.Fatalf("the second event went before the first: %+v %v, %d requests", res, err, len(ep.requests))
	}
	if d := delivery(t, db, sub.ID, second.ID); d.Attempts != 0 || d.Status != models.WebhookPending {
		t.Errorf("waiting counted as an attempt: %+v", d)
	}
	// Another order's event does not wait for this order's.
	if res, err := s.Attempt(context.Background(), sub.ID, other.ID); err != nil || res.Outcome != joborder.WebhookDelivered {
		t.Fatalf("another order's event: %+v %v", res, err)
	}
	if res, err := s.Attempt(context.Background(), sub.ID, first.ID); err != nil || res.Outcome != joborder.WebhookDelivered {
		t.Fatalf("first: %+v %v", res, err)
	}
	if res, err := s.Attempt(context.Background(), sub.ID, second.ID); err != nil || res.Outcome != joborder.WebhookDelivered {
		t.Fatalf("second after the first: %+v %v", res, err)
	}
	if got := []string{ep.requests[0].Header.Get(HeaderID), ep.requests[1].Header.Get(HeaderID), ep.requests[2].Header.Get(HeaderID)}; got[1] != first.ID || got[2] != second.ID {
		t.Errorf("sent %v", got)
	}
}
