package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/directory"
	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/internal/mail/mailtest"
	"jobordre/models"
)

// dbRecorder records events as the app does, keeping the notice keys it would deliver.
type dbRecorder struct {
	db   *gorm.DB
	mu   sync.Mutex
	keys []string
}

func (r *dbRecorder) RecordMailEvents(ctx context.Context, events []mail.Event) error {
	keys, err := activities.RecordMailEvents(ctx, r.db, nil, events)
	r.mu.Lock()
	r.keys = append(r.keys, keys...)
	r.mu.Unlock()
	return err
}

type webhookAPI struct {
	*testAPI
	hook *httptest.Server
	key  *mailtest.WebhookKey
	rec  *dbRecorder
}

func newWebhookAPI(t *testing.T, configured bool) *webhookAPI {
	a := newTestAPI(t)
	w := &webhookAPI{testAPI: a, key: mailtest.NewWebhookKey(t), rec: &dbRecorder{db: a.db}}
	var hook *SendGridWebhook
	if configured {
		v, err := mail.NewWebhookVerifier(w.key.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		hook = &SendGridWebhook{Verifier: v, Events: w.rec}
	}
	w.hook = httptest.NewServer(New(Deps{Orders: a.svc, Directory: directory.New(a.db), Verifier: a.signer, SendGridWebhook: hook}))
	t.Cleanup(w.hook.Close)
	return w
}

func (w *webhookAPI) post(t *testing.T, body string, headers map[string]string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.hook.URL+"/api/v1/webhooks/sendgrid", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b.Bytes()}
}

func (w *webhookAPI) signed(body string) map[string]string {
	ts := "1764158400"
	return map[string]string{mail.SignatureHeader: w.key.Sign(ts, []byte(body)), mail.TimestampHeader: ts}
}

func TestASignedBounceForTheEmployerReachesTheCoordinatorsHistory(t *testing.T) {
	w := newWebhookAPI(t, true)
	var created struct {
		ID string `json:"id"`
	}
	w.do(http.MethodPost, "/api/v1/job-orders", &caseworker, validOrder()).json(t, &created)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.db.Create(&models.Caseworker{ID: "cw-coord", Jobcenter: "751", Role: "caseworker", Name: "Ida Kristensen", Email: "ida@aarhus.example"}).Error)
	must(w.db.Model(&models.JobOrder{}).Where("id = ?", created.ID).Update("coordinator_id", "cw-coord").Error)
	key := "job-order/" + created.ID + "/order-received/1"
	row := models.OutboxMessage{IdempotencyKey: key, RecipientID: "hr-1", RecipientRole: "employer", RecipientEmail: "hr@byg.example",
		Language: "da", Template: "order_received", JobOrderID: created.ID, Status: models.OutboxDelivered, Attempts: 1,
		ProviderMessageID: "msg-1", CreatedAt: time.Now()}
	must(w.db.Create(&row).Error)

	body := `[{"email":"hr@byg.example","timestamp":1764158400,"event":"bounce","type":"bounce","reason":"550 5.1.1 unknown user","status":"5.1.1",` +
		`"sg_event_id":"ev-1","sg_message_id":"msg-1.filterdrecv-1.0","idempotency_key":"` + key + `","job_order_id":"` + created.ID + `"}]`
	if r := w.post(t, body, w.signed(body)); r.status != http.StatusNoContent {
		t.Fatalf("signed event: %d %s", r.status, r.body)
	}
	var got models.OutboxMessage
	must(w.db.Take(&got, "id = ?", row.ID).Error)
	if got.Status != models.OutboxFailed || got.ProviderStatus != "bounce" || !strings.Contains(got.LastError, "550 5.1.1 unknown user") {
		t.Fatalf("row after the bounce: %+v", got)
	}
	var h HistoryList
	w.do(http.MethodGet, "/api/v1/job-orders/"+created.ID+"/history", &caseworker, nil).json(t, &h)
	found := false
	for _, e := range h.Items {
		if e.Type == string(joborder.EventDeliveryBounced) && e.Details["template"] == "order_received" && e.Details["recipient_role"] == "employer" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no delivery-bounced entry in the history: %+v", h.Items)
	}
	var notices []models.OutboxMessage
	must(w.db.Where("template = ?", joborder.TemplateDeliveryFailed).Find(&notices).Error)
	if len(notices) != 1 || notices[0].RecipientEmail != "ida@aarhus.example" || len(w.rec.keys) != 1 || w.rec.keys[0] != notices[0].IdempotencyKey {
		t.Fatalf("notice %+v, keys %v", notices, w.rec.keys)
	}
	// The employer does not see it.
	w.do(http.MethodGet, "/api/v1/job-orders/"+created.ID+"/history", &employer, nil).json(t, &h)
	for _, e := range h.Items {
		if e.Type == string(joborder.EventDeliveryBounced) {
			t.Fatal("the employer sees the bounce entry")
		}
	}
}

func TestUnsignedOrBadlySignedWebhooksAreRefused(t *testing.T) {
	w := newWebhookAPI(t, true)
	body := `[{"email":"hr@byg.example","event":"delivered","sg_message_id":"msg-1.x"}]`
	other := mailtest.NewWebhookKey(t)
	for name, tc := range map[string]struct {
		headers map[string]string
		status  int
		slug    string
	}{
		"no signature":      {nil, 401, "invalid-signature"},
		"no timestamp":      {map[string]string{mail.SignatureHeader: w.key.Sign("1", []byte(body))}, 401, "invalid-signature"},
		"another key":       {map[string]string{mail.SignatureHeader: other.Sign("1", []byte(body)), mail.TimestampHeader: "1"}, 401, "invalid-signature"},
		"another timestamp": {map[string]string{mail.SignatureHeader: w.key.Sign("1", []byte(body)), mail.TimestampHeader: "2"}, 401, "invalid-signature"},
		"garbage":           {map[string]string{mail.SignatureHeader: "bm90IGEgc2lnbmF0dXJl", mail.TimestampHeader: "1"}, 401, "invalid-signature"},
	} {
		t.Run(name, func(t *testing.T) {
			r := w.post(t, body, tc.headers)
			if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), ProblemContentType) || problemOf(t, r).Type != problemType(tc.slug) {
				t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
			}
		})
	}
	// A signed body that is not an event array.
	bad := `{"event":"delivered"}`
	if r := w.post(t, bad, w.signed(bad)); r.status != 400 || problemOf(t, r).Type != problemType("malformed-json") {
		t.Fatalf("signed non-array: %d %s", r.status, r.body)
	}
	// Events for rows this installation never sent are accepted and ignored.
	unknown := `[{"email":"x@y.example","event":"bounce","sg_message_id":"nope.1","idempotency_key":"job-order/none/x/1"}]`
	if r := w.post(t, unknown, w.signed(unknown)); r.status != 204 {
		t.Fatalf("unknown event: %d %s", r.status, r.body)
	}
	if len(w.rec.keys) != 0 {
		t.Fatal(w.rec.keys)
	}
	// No bearer token is needed, and one does not help without a signature.
	r := w.post(t, body, map[string]string{"Authorization": "Bearer " + w.token(admin)})
	if r.status != 401 || problemOf(t, r).Type != problemType("invalid-signature") {
		t.Fatalf("bearer instead of signature: %d %s", r.status, r.body)
	}
}

func TestTheWebhookIsRefusedWhenNoKeyIsConfigured(t *testing.T) {
	w := newWebhookAPI(t, false)
	body := `[]`
	r := w.post(t, body, w.signed(body))
	if r.status != 403 || problemOf(t, r).Type != problemType("webhook-not-configured") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
