package receiver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jobordre/internal/webhooks"
)

const (
	secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	order  = "5f0e8d1e-8c1a-4e0f-9d0c-3a8f1b2c4d5e"
)

// deliver POSTs body to the receiver signed with secrets, as the sender does.
func deliver(t *testing.T, url, id string, ts time.Time, body []byte, secrets ...string) *http.Response {
	t.Helper()
	sig, err := webhooks.SignatureHeader(secrets, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhooks.HeaderID, id)
	req.Header.Set(webhooks.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(webhooks.HeaderSignature, sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func event(id string) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "type": "job_order.created", "timestamp": "2026-12-03T10:00:00Z",
		"data": map[string]any{"job_order_id": order, "jobcenter": "751", "sequence": 1}})
	return b
}

// api stands in for jobordre's API: it answers the order to the receiver's token only.
func api(t *testing.T, fetches *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if r.URL.Path != "/api/v1/job-orders/"+order || r.Header.Get("Authorization") != "Bearer receiver-token" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "` + order + `", "title": "Tømrer til renovering"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAVerifiedDeliveryIsPrintedAndItsOrderFetchedWithTheReceiversToken(t *testing.T) {
	var fetches atomic.Int32
	var out bytes.Buffer
	r := New(Config{Secrets: []string{secret}, APIURL: api(t, &fetches).URL, Token: "receiver-token", Out: &out})
	srv := httptest.NewServer(r)
	defer srv.Close()
	if resp := deliver(t, srv.URL, "ev-1", time.Now(), event("ev-1"), secret); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("a signed delivery: %d", resp.StatusCode)
	}
	got := r.Received()
	if len(got) != 1 || got[0].Type != "job_order.created" || got[0].Data.JobOrderID != order || got[0].Data.Sequence != 1 ||
		got[0].OrderStatus != http.StatusOK || got[0].OrderTitle != "Tømrer til renovering" {
		t.Fatalf("received %+v", got)
	}
	if line := out.String(); !strings.Contains(line, "job_order.created") || !strings.Contains(line, "order="+order) || !strings.Contains(line, `"Tømrer til renovering"`) {
		t.Fatalf("printed %q", line)
	}
	// The same event again (a retry after a lost answer) is taken, not fetched again.
	if resp := deliver(t, srv.URL, "ev-1", time.Now(), event("ev-1"), secret); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("a duplicate: %d", resp.StatusCode)
	}
	if got := r.Received(); len(got) != 2 || !got[1].Duplicate || fetches.Load() != 1 {
		t.Fatalf("duplicate: %+v, %d fetches", got, fetches.Load())
	}
}

func TestDeliveriesThatDoNotVerifyAreRefused(t *testing.T) {
	var out bytes.Buffer
	r := New(Config{Secrets: []string{secret}, Out: &out})
	srv := httptest.NewServer(r)
	defer srv.Close()
	other := webhooks.NewSecret()
	for name, resp := range map[string]*http.Response{
		"another secret":    deliver(t, srv.URL, "ev-2", time.Now(), event("ev-2"), other),
		"a stale stamp":     deliver(t, srv.URL, "ev-3", time.Now().Add(-10*time.Minute), event("ev-3"), secret),
		"a tampered body":   tampered(t, srv.URL),
		"id not the body's": deliver(t, srv.URL, "ev-4", time.Now(), event("ev-other"), secret),
	} {
		want := http.StatusUnauthorized
		if name == "id not the body's" {
			want = http.StatusBadRequest
		}
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, want)
		}
	}
	if n := len(r.Received()); n != 0 || r.Refused() != 4 {
		t.Fatalf("%d received, %d refused; want 0 and 4 (%s)", n, r.Refused(), out.String())
	}
}

// tampered signs one body and sends another.
func tampered(t *testing.T, url string) *http.Response {
	t.Helper()
	now := time.Now()
	sig, _ := webhooks.SignatureHeader([]string{secret}, "ev-5", now, event("ev-5"))
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bytes.Replace(event("ev-5"), []byte(`"sequence":1`), []byte(`"sequence":2`), 1)))
	req.Header.Set(webhooks.HeaderID, "ev-5")
	req.Header.Set(webhooks.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(webhooks.HeaderSignature, sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestDuringARotationEitherSecretVerifies(t *testing.T) {
	newSecret := webhooks.NewSecret()
	r := New(Config{Secrets: []string{newSecret}})
	srv := httptest.NewServer(r)
	defer srv.Close()
	// The sender signs with the new and the previous secret, space-separated.
	if resp := deliver(t, srv.URL, "ev-6", time.Now(), event("ev-6"), secret, newSecret); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("two signatures, the second one the receiver's: %d", resp.StatusCode)
	}
}
