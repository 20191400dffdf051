package mailtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Tally is a SendGrid v3 mail send stand-in for many messages (load benchmarks, fault tests):
// it keeps no bodies, only when each message arrived, keyed by its custom_args idempotency_key and
// its recipient, so a message sent twice shows up as a duplicate. Every request is answered 202
// with X-Message-Id tally-<n>.
//
// With Webhook set it also plays SendGrid's Event Webhook: a "processed" event per accepted
// message, signed with Key, posted in batches to Webhook, as SendGrid does within seconds of the
// send. That is what closes the one window in which a crashed sender cannot know whether its
// request arrived (docs/email.md).
type Tally struct {
	*httptest.Server
	// Webhook is the API's SendGrid webhook URL; "" posts no events.
	Webhook string
	// Key signs the events (its PublicKey is the API's JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY).
	Key *WebhookKey

	n        atomic.Int64
	mu       sync.Mutex
	arrivals map[TallyKey][]time.Time
	byOrder  map[[2]string]time.Time // (job order ID, template) → first arrival
	counts   map[string]int          // template → distinct messages
	pending  []map[string]any
	stop     chan struct{}
	stopped  sync.WaitGroup
}

// TallyKey names one e-mail: the notification's idempotency key and the recipient's address.
type TallyKey struct {
	IdempotencyKey, To string
}

// NewTally starts the stand-in; it stops at t.Cleanup.
func NewTally(t testing.TB) *Tally {
	s := &Tally{arrivals: map[TallyKey][]time.Time{}, byOrder: map[[2]string]time.Time{}, counts: map[string]int{}, stop: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.stopped.Add(1)
	go s.postEvents()
	t.Cleanup(func() {
		close(s.stop)
		s.stopped.Wait()
		s.Close()
	})
	return s
}

func (s *Tally) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" {
		http.Error(w, `{"errors":[{"message":"not found"}]}`, http.StatusNotFound)
		return
	}
	var m MailSend
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, `{"errors":[{"message":"bad json"}]}`, http.StatusBadRequest)
		return
	}
	now := time.Now()
	id := "tally-" + strconv.FormatInt(s.n.Add(1), 10)
	k := TallyKey{IdempotencyKey: m.CustomArgs["idempotency_key"], To: strings.ToLower(m.To())}
	template := ""
	if len(m.Categories) > 0 {
		template = m.Categories[0]
	}
	s.mu.Lock()
	if len(s.arrivals[k]) == 0 {
		s.counts[template]++
		ok := [2]string{m.CustomArgs["job_order_id"], template}
		if _, seen := s.byOrder[ok]; !seen {
			s.byOrder[ok] = now
		}
	}
	s.arrivals[k] = append(s.arrivals[k], now)
	if s.Webhook != "" { // the lock is held: SetWebhook may change it
		s.pending = append(s.pending, map[string]any{
			"event": "processed", "email": m.To(), "timestamp": now.Unix(),
			"sg_message_id": id + ".filter0001", "sg_event_id": id + "-processed",
			"idempotency_key": k.IdempotencyKey, "job_order_id": m.CustomArgs["job_order_id"],
		})
	}
	s.mu.Unlock()
	w.Header().Set("X-Message-Id", id)
	w.WriteHeader(http.StatusAccepted)
}

// postEvents sends the pending processed events every 200 ms; a batch the API refuses (it may be
// restarting) is posted again with the next.
func (s *Tally) postEvents() {
	defer s.stopped.Done()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		s.mu.Lock()
		batch := s.pending
		s.pending = nil
		url, key := s.Webhook, s.Key
		s.mu.Unlock()
		if len(batch) == 0 || url == "" || key == nil {
			continue
		}
		body, _ := json.Marshal(batch)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Twilio-Email-Event-Webhook-Timestamp", ts)
		req.Header.Set("X-Twilio-Email-Event-Webhook-Signature", key.Sign(ts, body))
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if err != nil || resp.StatusCode >= 300 {
			s.mu.Lock()
			s.pending = append(batch, s.pending...)
			s.mu.Unlock()
		}
	}
}

// Requests is how many mail send requests arrived.
func (s *Tally) Requests() int64 { return s.n.Load() }

// Arrivals returns a copy of every message's arrival times.
func (s *Tally) Arrivals() map[TallyKey][]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[TallyKey][]time.Time, len(s.arrivals))
	for k, v := range s.arrivals {
		out[k] = append([]time.Time(nil), v...)
	}
	return out
}

// First returns when the message arrived first, and how often it arrived.
func (s *Tally) First(k TallyKey) (time.Time, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.arrivals[k]
	if len(a) == 0 {
		return time.Time{}, 0
	}
	return a[0], len(a)
}

// FirstOf returns when the first message of a template (the SendGrid category jobordre sets)
// for a job order arrived.
func (s *Tally) FirstOf(jobOrderID, template string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byOrder[[2]string{jobOrderID, template}]
	return t, ok
}

// Count is how many distinct messages (idempotency key and recipient) of a template arrived.
func (s *Tally) Count(template string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[template]
}

// Duplicates lists the messages that arrived more than once.
func (s *Tally) Duplicates() map[TallyKey]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[TallyKey]int{}
	for k, v := range s.arrivals {
		if len(v) > 1 {
			out[k] = len(v)
		}
	}
	return out
}

// SetWebhook points the processed events at url, signed with key.
func (s *Tally) SetWebhook(url string, key *WebhookKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Webhook, s.Key = url, key
}
