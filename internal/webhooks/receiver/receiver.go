// Package receiver is the reference webhook receiver (`jobordre webhook-receiver`, a dev tool
// absent from production builds): it verifies each delivery's Standard Webhooks signature the
// way a case system must, prints the event, and fetches the order it names through the API, as
// STAR's data hub expects a receiver to. The integration tests use it as the real receiving end.
package receiver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"jobordre/internal/feed"
	"jobordre/internal/webhooks"
)

// MaxBodyBytes bounds a delivery's body: an event is a few hundred bytes.
const MaxBodyBytes = 64 << 10

// Config sets up a receiver.
type Config struct {
	// Secrets are the subscription's signing secrets (whsec_...); a delivery is accepted when one
	// of its signatures matches one of them (during a rotation, give the old and the new).
	Secrets []string
	// Tolerance bounds how far webhook-timestamp may be from now; 0 means webhooks.DefaultTolerance.
	Tolerance time.Duration
	// APIURL is the jobordre API's base URL (http://localhost:8080); "" fetches nothing.
	APIURL string
	// Token is the bearer token the order is fetched with (the receiver's own, as any API client's).
	Token string
	// Out receives one line per delivery; nil discards them.
	Out io.Writer
	// Client fetches orders; nil means a client with a 15 s timeout.
	Client *http.Client
	// Now is the clock the timestamp is checked against; nil means time.Now.
	Now func() time.Time
}

// Received is one verified delivery.
type Received struct {
	feed.Event
	// Duplicate says the event's ID (webhook-id) was received before: deliver-at-least-once
	// means a receiver deduplicates, and this one counts how often it had to.
	Duplicate bool
	// OrderStatus is the HTTP status of GET /api/v1/job-orders/{id} (0: not fetched), and
	// OrderTitle the order's title when it answered 200.
	OrderStatus int
	OrderTitle  string
	// FetchError says why the order could not be fetched.
	FetchError string
}

// Receiver is an http.Handler that takes deliveries.
type Receiver struct {
	cfg Config

	mu       sync.Mutex
	seen     map[string]bool
	received []Received
	refused  int
}

// New returns a receiver for cfg.
func New(cfg Config) *Receiver {
	if cfg.Tolerance == 0 {
		cfg.Tolerance = webhooks.DefaultTolerance
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.APIURL = strings.TrimSuffix(cfg.APIURL, "/")
	return &Receiver{cfg: cfg, seen: map[string]bool{}}
}

// ServeHTTP verifies a delivery and answers 204 (a duplicate too: it was received), 401 when the
// signature or timestamp does not verify, 400 when the body is not an event, 405 for anything
// but POST. The order is fetched before answering, so a test that sees the answer sees the fetch.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "deliveries are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxBodyBytes+1))
	if err != nil || len(body) > MaxBodyBytes {
		r.refuse(w, http.StatusBadRequest, "the body could not be read or is too large")
		return
	}
	if err := r.verify(req.Header, body); err != nil {
		r.refuse(w, http.StatusUnauthorized, err.Error())
		return
	}
	var ev feed.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		r.refuse(w, http.StatusBadRequest, "the body is not an event")
		return
	}
	if ev.ID != req.Header.Get(webhooks.HeaderID) {
		r.refuse(w, http.StatusBadRequest, "the body's id is not the webhook-id header")
		return
	}
	got := Received{Event: ev}
	r.mu.Lock()
	got.Duplicate = r.seen[ev.ID]
	r.seen[ev.ID] = true
	r.mu.Unlock()
	if !got.Duplicate && ev.Data.JobOrderID != "" {
		r.fetch(req.Context(), &got)
	}
	r.mu.Lock()
	r.received = append(r.received, got)
	r.mu.Unlock()
	fmt.Fprintln(r.cfg.Out, line(got))
	w.WriteHeader(http.StatusNoContent)
}

// verify accepts the delivery when one of the configured secrets verifies it.
func (r *Receiver) verify(h http.Header, body []byte) error {
	if len(r.cfg.Secrets) == 0 {
		return errors.New("no secret configured")
	}
	err := webhooks.ErrNoMatch
	for _, s := range r.cfg.Secrets {
		e := webhooks.Verify(s, h, body, r.cfg.Now(), r.cfg.Tolerance)
		if e == nil {
			return nil
		}
		if !errors.Is(e, webhooks.ErrNoMatch) {
			err = e // a missing header or a stale timestamp says more than "no match"
		}
	}
	return err
}

func (r *Receiver) refuse(w http.ResponseWriter, status int, why string) {
	r.mu.Lock()
	r.refused++
	r.mu.Unlock()
	fmt.Fprintf(r.cfg.Out, "refused (%d): %s\n", status, why)
	http.Error(w, why, status)
}

// fetch reads the order the event names through the API, with the receiver's own token.
func (r *Receiver) fetch(ctx context.Context, got *Received) {
	if r.cfg.APIURL == "" {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.cfg.APIURL+"/api/v1/job-orders/"+url.PathEscape(got.Data.JobOrderID), nil)
	if err != nil {
		got.FetchError = err.Error()
		return
	}
	req.Header.Set("Accept", "application/json")
	if r.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.cfg.Token)
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		got.FetchError = err.Error()
		return
	}
	defer resp.Body.Close()
	got.OrderStatus = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return
	}
	var o struct {
		Title string `json:"title"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&o); err != nil {
		got.FetchError = "the order's JSON: " + err.Error()
		return
	}
	got.OrderTitle = o.Title
}

// line is what the receiver prints for a delivery.
func line(g Received) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s id=%s", g.Timestamp.UTC().Format(time.RFC3339Nano), g.Type, g.ID)
	if g.Data.JobOrderID != "" {
		fmt.Fprintf(&b, " order=%s jobcenter=%s sequence=%d", g.Data.JobOrderID, g.Data.Jobcenter, g.Data.Sequence)
	}
	switch {
	case g.Duplicate:
		b.WriteString(" (duplicate, already received)")
	case g.FetchError != "":
		fmt.Fprintf(&b, " fetch failed: %s", g.FetchError)
	case g.OrderStatus == http.StatusOK:
		fmt.Fprintf(&b, " → GET order 200 %q", g.OrderTitle)
	case g.OrderStatus != 0:
		fmt.Fprintf(&b, " → GET order %d", g.OrderStatus)
	}
	return b.String()
}

// Received lists the verified deliveries so far, duplicates included, in arrival order.
func (r *Receiver) Received() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.received...)
}

// Refused counts the deliveries that did not verify or were not events.
func (r *Receiver) Refused() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}
