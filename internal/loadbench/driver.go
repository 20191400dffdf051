//go:build !production

package loadbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/mail/mailtest"
)

// Job centres the benchmark uses, each for one purpose so their timers never mix.
const (
	// burstJobcenter (Aarhus) holds the open orders that take commands and the policy burst.
	burstJobcenter = "751"
	// arrivalJobcenter (København) takes the steady arrival whose reminders measure the fire lag.
	arrivalJobcenter = "101"
	// bulkJobcenter (Odense) holds the orders added to reach the large open-order count.
	bulkJobcenter = "461"
)

// Templates the benchmark waits for (fixed by the lifecycle, docs/lifecycle.md).
const (
	templateNewOrder      = joborder.TemplateNewOrder
	templateOrderReceived = joborder.TemplateOrderReceived
	templateCoordinator   = joborder.TemplateCoordinatorMissingReminder
)

// employerCVR is the example employer's CVR number (modulus 11).
const employerCVR = "10103940"

// driver talks to one stack over HTTP.
type driver struct {
	s      *Stack
	tally  *mailtest.Tally
	client *http.Client
	logf   func(string, ...any)

	employer, admin string
	caseworker      map[string]string // job centre → caseworker token
	manager         map[string]string // job centre → manager token
}

func newDriver(s *Stack, tally *mailtest.Tally, logf func(string, ...any)) (*driver, error) {
	d := &driver{
		s: s, tally: tally, logf: logf, caseworker: map[string]string{}, manager: map[string]string{},
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute,
		}},
	}
	var err error
	if d.employer, err = s.Token(auth.Principal{Subject: "bench-employer", Role: auth.RoleEmployer, CVR: employerCVR,
		Name: "Bench Employer", Email: "employer@firma.example"}); err != nil {
		return nil, err
	}
	if d.admin, err = s.Token(auth.Principal{Subject: "bench-admin", Role: auth.RoleAdmin, Name: "Bench Admin", Email: "admin@jobordre.example"}); err != nil {
		return nil, err
	}
	for _, jc := range []string{burstJobcenter, arrivalJobcenter, bulkJobcenter} {
		if d.caseworker[jc], err = s.Token(auth.Principal{Subject: "bench-cw-" + jc, Role: auth.RoleCaseworker, Jobcenter: jc,
			Name: "Bench Caseworker " + jc, Email: "cw-" + jc + "@jobcenter.example"}); err != nil {
			return nil, err
		}
		if d.manager[jc], err = s.Token(auth.Principal{Subject: "bench-mgr-" + jc, Role: auth.RoleManager, Jobcenter: jc,
			Name: "Bench Manager " + jc, Email: "mgr-" + jc + "@jobcenter.example"}); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// call sends one request and returns the status and body.
func (d *driver) call(ctx context.Context, method, path, token string, body any) (int, []byte, error) {
	var rdr io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.s.HTTPURL+path, rdr)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// must sends a request that has to answer want.
func (d *driver) must(ctx context.Context, method, path, token string, body any, want int) ([]byte, error) {
	status, b, err := d.call(ctx, method, path, token, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %s", method, path, status, want, b)
	}
	return b, nil
}

// benchPolicy is a policy whose deadlines all lie far beyond the benchmark (nothing fires unless
// the benchmark shortens one), on calendar time so that the time of day does not matter.
func benchPolicy() map[string]any {
	return map[string]any{
		"working_days_only": false, "coordinator_deadline": "P30D", "contact_deadline": "P30D", "first_referral_deadline": "P30D",
		"reminder_repeat": "P30D", "escalate_after": 3, "sharing_steps": []map[string]any{{"after": "P30D", "level": "neighbours"}},
		"follow_up_after_referral": "P30D", "close_out_after_hire": "P30D", "close_out_after_deadline": "P30D",
		"close_out_after_inactivity": "P60D", "inactive_max": "P30D", "reopen_window": "P30D",
	}
}

// setUp registers who receives mail in each job centre (a manager and a caseworker with
// addresses) and gives each its policy.
func (d *driver) setUp(ctx context.Context) error {
	for _, jc := range []string{burstJobcenter, arrivalJobcenter, bulkJobcenter} {
		if _, err := d.must(ctx, http.MethodPost, "/api/v1/jobcenters/"+jc+"/caseworkers", d.manager[jc], map[string]any{
			"id": "bench-mgr-" + jc, "name": "Bench Manager " + jc, "email": "mgr-" + jc + "@jobcenter.example", "role": "manager"}, 201); err != nil {
			return err
		}
		if _, err := d.must(ctx, http.MethodPost, "/api/v1/jobcenters/"+jc+"/caseworkers", d.manager[jc], map[string]any{
			"id": "bench-cw-" + jc, "name": "Bench Caseworker " + jc, "email": "cw-" + jc + "@jobcenter.example", "role": "caseworker"}, 201); err != nil {
			return err
		}
		if _, err := d.must(ctx, http.MethodPut, "/api/v1/jobcenters/"+jc+"/policy", d.manager[jc], benchPolicy(), 200); err != nil {
			return err
		}
	}
	// The employer is registered (with its address) by its first request.
	_, err := d.must(ctx, http.MethodGet, "/api/v1/job-orders?limit=1", d.employer, nil, 200)
	return err
}

// order is one created job order.
type order struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

func orderBody(jobcenter string, now time.Time) map[string]any {
	return map[string]any{
		"company_cvr": employerCVR, "company_name": "Byg & Tag ApS", "title": "Tømrer til renovering", "description": "Erfarne tømrere til renovering af vinduer og tage.",
		"workplace":             map[string]any{"address": "Søren Frichs Vej 38", "postal_code": "8000", "municipality_code": "751"},
		"responsible_jobcenter": jobcenter, "occupation_code": "7115", "positions": 1, "kind": "ordinary",
		"start_date": now.AddDate(0, 3, 0).Format(time.DateOnly), "application_deadline": now.AddDate(0, 2, 0).Format(time.DateOnly),
	}
}

// create creates n orders for the job centre with concurrency callers back to back, and returns
// them and the time from the first request to the last answer.
func (d *driver) create(ctx context.Context, n, concurrency int, jobcenter string) ([]order, time.Duration, error) {
	body := orderBody(jobcenter, time.Now())
	out := make([]order, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				b, err := d.mustRetry(ctx, http.MethodPost, "/api/v1/job-orders", d.employer, body, 201)
				if err == nil {
					err = json.Unmarshal(b, &out[i])
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return out, time.Since(start), firstErr
}

// mustRetry is must with a few retries on a 503 (Temporal busy: the order is stored and its
// workflow started by the reconciler, but the benchmark wants the answer).
func (d *driver) mustRetry(ctx context.Context, method, path, token string, body any, want int) ([]byte, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var status int
		var b []byte
		status, b, err = d.call(ctx, method, path, token, body)
		if err == nil && status == want {
			return b, nil
		}
		if err == nil {
			err = fmt.Errorf("%s %s: %d, want %d: %s", method, path, status, want, b)
			if status != http.StatusServiceUnavailable {
				return nil, err
			}
		}
		time.Sleep(time.Second)
	}
	return nil, err
}

// waitMail waits until every order has a message of each template at the stand-in, and returns
// when the last of them arrived.
func (d *driver) waitMail(ctx context.Context, orders []order, timeout time.Duration, templates ...string) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	pending := make([]order, len(orders))
	copy(pending, orders)
	var last time.Time
	for {
		rest := pending[:0]
		for _, o := range pending {
			done := true
			for _, tpl := range templates {
				at, ok := d.tally.FirstOf(o.ID, tpl)
				if !ok {
					done = false
					break
				}
				if at.After(last) {
					last = at
				}
			}
			if !done {
				rest = append(rest, o)
			}
		}
		pending = rest
		if len(pending) == 0 {
			return last, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return last, fmt.Errorf("%d of %d orders still without %v after %s", len(pending), len(orders), templates, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// maxInFlight bounds the commands waiting for an answer: a stack that far behind has failed the
// phase, and the benchmark counts the commands it could not send as failed instead of piling on.
const maxInFlight = 500

// commands sends POST /job-orders/{id}/contacts at a fixed rate (open loop: each request leaves
// at its scheduled time whether or not earlier ones have answered) for duration or until ctx
// ends, to random orders, and returns each request's latency from its scheduled start, and how
// many failed (an error, a status other than 201, or not sent because maxInFlight were waiting).
// When ctx ends no more are sent, but those sent are waited for (up to a minute each): the end
// of the phase must not turn a slow answer into a failure, nor drop it from the latencies.
func (d *driver) commands(ctx context.Context, rate float64, duration time.Duration, orders []order) (Latencies, int) {
	interval := time.Duration(float64(time.Second) / rate)
	n := int(duration / interval)
	var mu sync.Mutex
	var lat Latencies
	var failed, inFlight atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	defer wg.Wait()
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				wg.Wait()
				return lat, int(failed.Load())
			}
		}
		if inFlight.Load() >= maxInFlight {
			failed.Add(1)
			continue
		}
		o := orders[rand.IntN(len(orders))]
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			status, _, err := d.call(rctx, http.MethodPost, "/api/v1/job-orders/"+o.ID+"/contacts", d.caseworker[burstJobcenter],
				map[string]any{"note": "Ringede til HR."})
			took := time.Since(at)
			mu.Lock()
			lat = append(lat, took)
			mu.Unlock()
			if err != nil || status != http.StatusCreated {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	return lat, int(failed.Load())
}

// outboxRow is the part of an outbox row the fire-lag measurement reads.
type outboxRow struct {
	Template  string    `json:"template"`
	CreatedAt time.Time `json:"created_at"`
}

// reminderWritten returns when the order's first message of the template was written.
func (d *driver) reminderWritten(ctx context.Context, orderID, template string) (time.Time, bool, error) {
	b, err := d.must(ctx, http.MethodGet, "/api/v1/outbox?job_order_id="+orderID+"&template="+template, d.admin, nil, 200)
	if err != nil {
		return time.Time{}, false, err
	}
	var l struct{ Items []outboxRow }
	if err := json.Unmarshal(b, &l); err != nil {
		return time.Time{}, false, err
	}
	var first time.Time
	for _, r := range l.Items {
		if r.Template == template && (first.IsZero() || r.CreatedAt.Before(first)) {
			first = r.CreatedAt
		}
	}
	return first, !first.IsZero(), nil
}
