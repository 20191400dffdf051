package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/pgtest"
	"jobordre/internal/referrals"
	"jobordre/internal/servicestest"
	"jobordre/internal/store"
	"jobordre/internal/telemetry"
	"jobordre/models"
	"jobordre/workflows"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// recordingWorkflows stands in for Temporal in the HTTP-layer tests: it records which workflows
// the API asked to start. The integration tests run the same API against a real Temporal server.
type recordingWorkflows struct {
	mu       sync.Mutex
	started  []workflows.JobOrderInput
	startErr error
	queryErr error
	signals  []recordedSignal
	updates  []string
	// updateArgs are the updates' arguments, in the order of updates.
	updateArgs []any
	signalErr  error
	// coordinators is each order's coordinator as the workflow would report it: set by an
	// assign-coordinator update (or by a test standing in for one).
	coordinators map[string]string
}

// setCoordinator makes the live state report id as the order's coordinator.
// StartDelivery and ReplayDelivery stand in for starting webhook delivery workflows
// (webhooks.Starter): they record the pair as an update named after the call.
func (r *recordingWorkflows) StartDelivery(_ context.Context, sub, event string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, "start-delivery "+sub+"/"+event)
	r.updateArgs = append(r.updateArgs, nil)
	return nil
}

// ReplayDelivery records a replay (see StartDelivery).
func (r *recordingWorkflows) ReplayDelivery(_ context.Context, sub, event string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, "replay-delivery "+sub+"/"+event)
	r.updateArgs = append(r.updateArgs, nil)
	return nil
}

func (r *recordingWorkflows) setCoordinator(order, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.coordinators == nil {
		r.coordinators = map[string]string{}
	}
	r.coordinators[order] = id
}

func (r *recordingWorkflows) StartJobOrder(_ context.Context, in workflows.JobOrderInput) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.startErr != nil {
		return r.startErr
	}
	r.started = append(r.started, in)
	return nil
}

func (r *recordingWorkflows) LiveState(_ context.Context, id string) (joborder.LiveState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.queryErr != nil {
		return joborder.LiveState{}, r.queryErr
	}
	for _, in := range r.started {
		if in.JobOrderID == id {
			// The job centre's planning, as a real workflow would report it; employers never see it.
			contact := in.CreatedAt.Add(24 * time.Hour)
			live := joborder.LiveState{JobOrderID: id, Status: models.StatusOpen, Sharing: models.SharingInternal,
				ResponsibleJobcenter: in.ResponsibleJobcenter, OpenedAt: in.CreatedAt, Positions: in.Positions, Policy: in.Policy,
				Deadlines: []joborder.Deadline{{Name: "contact", Due: contact}}, NextReminderAt: &contact}
			if c, ok := r.coordinators[id]; ok {
				live.Coordinator = &c
			}
			return live, nil
		}
	}
	return joborder.LiveState{}, errors.New("workflow not found")
}

// Update records the command and answers with the order's current live state; what the
// workflow does with commands is tested in workflows/ and internal/integration/.
func (r *recordingWorkflows) Update(ctx context.Context, id, name string, arg, result any) error {
	r.mu.Lock()
	r.updates = append(r.updates, name)
	r.updateArgs = append(r.updateArgs, arg)
	r.mu.Unlock()
	if in, ok := arg.(joborder.AssignCoordinatorInput); ok && name == joborder.UpdateAssignCoordinator {
		r.setCoordinator(id, in.CoordinatorID)
	}
	live, err := r.LiveState(ctx, id)
	if err != nil {
		return err
	}
	if p, ok := result.(*joborder.LiveState); ok {
		*p = live
	}
	return nil
}

func (r *recordingWorkflows) Signal(_ context.Context, id, name string, arg any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.signalErr != nil {
		return r.signalErr
	}
	r.signals = append(r.signals, recordedSignal{orderID: id, name: name, arg: arg})
	return nil
}

// recordingNotices is the notify.Sender of the HTTP-layer tests: it writes the outbox rows with
// the real activities.Notify and records which keys it was asked to deliver (the integration
// tests deliver them through Temporal).
type recordingNotices struct {
	acts      *activities.Activities
	mu        sync.Mutex
	delivered []string
}

func (n *recordingNotices) Notify(ctx context.Context, in activities.NotifyInput) error {
	if _, err := n.acts.Notify(ctx, in); err != nil {
		return err
	}
	return n.Deliver(ctx, in.IdempotencyKey)
}

func (n *recordingNotices) Deliver(_ context.Context, key string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delivered = append(n.delivered, key)
	return nil
}

func (n *recordingNotices) keys() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.delivered...)
}

type recordedSignal struct {
	orderID, name string
	arg           any
}

func (r *recordingWorkflows) signalsNamed(name string) []recordedSignal {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recordedSignal
	for _, s := range r.signals {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

func (r *recordingWorkflows) startedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.started)
}

type testAPI struct {
	refs    *referrals.Service
	notices *recordingNotices
	t       testing.TB
	srv     *httptest.Server
	db      *gorm.DB
	wf      *recordingWorkflows
	signer  *auth.HS256
	svc     *orders.Service
}

const testSecret = "test-secret-that-is-long-enough-for-hs256"

func newTestAPI(t testing.TB) *testAPI {
	t.Helper()
	db := dbtest.Postgres(t)
	signer, err := auth.NewHS256(testSecret, "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	wf := &recordingWorkflows{}
	s := servicestest.New(db, wf)
	svc, refs := s.Orders, s.Referrals
	notices := &recordingNotices{acts: activities.New(db)}
	refs.SetNotifier(notices)
	h := New(Deps{
		Orders: svc, Directory: s.Directory, Referrals: refs, Candidates: s.Candidates, Verifier: signer,
		Jobcenters: s.Jobcenters, Reference: s.Reference, Companies: s.Companies, KPIs: s.KPIs, Feed: s.Feed, Webhooks: s.Webhooks, Metrics: telemetry.NewMetrics(), MaxBodyBytes: 1 << 20,
		Readiness: map[string]ReadinessCheck{"database": func(ctx context.Context) error { return store.Ping(ctx, db) }},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testAPI{t: t, srv: srv, db: db, wf: wf, signer: signer, svc: svc, refs: refs, notices: notices}
}

func (a *testAPI) token(p auth.Principal) string {
	a.t.Helper()
	tok, err := a.signer.Sign(p, time.Hour)
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

var (
	employer      = auth.Principal{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"}
	otherEmployer = auth.Principal{Subject: "emp-2", Role: auth.RoleEmployer, CVR: "24256790"}
	caseworker    = auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	otherCW       = auth.Principal{Subject: "cw-2", Role: auth.RoleCaseworker, Jobcenter: "101"}
	neighbourCW   = auth.Principal{Subject: "cw-3", Role: auth.RoleCaseworker, Jobcenter: "746"}
	admin         = auth.Principal{Subject: "adm-1", Role: auth.RoleAdmin}
)

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.body, dst); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (a *testAPI) do(method, path string, p *auth.Principal, body any, headers ...string) response {
	a.t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	case []byte:
		rdr = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rdr)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if p != nil {
		req.Header.Set("Authorization", "Bearer "+a.token(*p))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// validOrder is the README's example body.
func validOrder() map[string]any {
	return map[string]any{
		"company_cvr":  "10103940",
		"company_name": "Tømrerfirmaet ApS",
		"title":        "Tømrer til renovering af etageejendomme",
		"description":  "Vi søger to erfarne tømrere til renovering af vinduer og tage.",
		"workplace": map[string]any{
			"address": "Søren Frichs Vej 38", "postal_code": "8000", "municipality_code": "751",
		},
		"responsible_jobcenter": "751",
		"occupation_code":       "7115",
		"positions":             2,
		"start_date":            "2027-01-04",
		"application_deadline":  "2026-12-20",
		"kind":                  "ordinary",
	}
}

func (a *testAPI) countOrders() int64 {
	a.t.Helper()
	var n int64
	if err := a.db.Model(&models.JobOrder{}).Count(&n).Error; err != nil {
		a.t.Fatal(err)
	}
	return n
}

func (a *testAPI) createOrder(p auth.Principal, body map[string]any) JobOrderResponse {
	a.t.Helper()
	r := a.do(http.MethodPost, "/api/v1/job-orders", &p, body)
	if r.status != http.StatusCreated {
		a.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var o JobOrderResponse
	r.json(a.t, &o)
	return o
}

func problemOf(t *testing.T, r response) Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, ProblemContentType) {
		t.Fatalf("content type %q, want %s (body %s)", ct, ProblemContentType, r.body)
	}
	var p Problem
	r.json(t, &p)
	if p.Status != r.status || p.Type == "" || p.Title == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, r.status)
	}
	return p
}
