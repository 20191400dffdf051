package workflows

import (
	"context"
	"fmt"
	sdklog "go.temporal.io/sdk/log"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"jobordre/activities"
	"jobordre/internal/joborder"
	"jobordre/internal/policy"
)

var created = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

type notifyCall struct {
	At       time.Duration // since creation
	Template string
	Role     string
	Key      string
	Coord    string
}

type deliverCall struct {
	At  time.Duration // since creation
	Key string
}

type harness struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	notifies []notifyCall
	// delivers are the Deliver calls (idempotency keys) in order; deliver answers them.
	delivers []deliverCall
	deliver  func(in activities.DeliverInput) (activities.DeliverResult, error)
	// notifyErr, when set, makes Notify fail for the inputs it returns an error for.
	notifyErr func(in activities.NotifyInput) error
	events    []activities.RecordEventInput
	projects  []activities.ProjectStateInput
	// deadlines are the ProjectDeadlines calls, with the offset each was made at.
	deadlines []deadlineCall
	rejected  map[string]error
	results   map[string]joborder.LiveState
	failed    map[string]error
	seq       int
}

// testPolicy uses minutes so every timer path runs in a short test; working days off.
func testPolicy() policy.Policy {
	m := policy.MustParseDuration
	return policy.Policy{
		CoordinatorDeadline:     m("PT10M"),
		ContactDeadline:         m("PT20M"),
		FirstReferralDeadline:   m("PT60M"),
		SharingSteps:            []policy.SharingStep{{After: m("PT30M"), Level: "neighbours"}, {After: m("PT90M"), Level: "national"}},
		ShareImmediately:        []policy.ShareImmediately{{OccupationCode: "2221", Level: "national"}},
		FollowUpAfterReferral:   m("PT15M"),
		CloseOutAfterHire:       m("PT5M"),
		CloseOutAfterDeadline:   m("PT7M"),
		CloseOutAfterInactivity: m("P10D"),
		InactiveMax:             m("PT40M"),
		ReminderRepeat:          m("PT5M"),
		EscalateAfter:           2,
		ReopenWindow:            m("PT60M"),
		WorkingDaysOnly:         false,
	}
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(JobOrderWorkflow, workflowRegisterOptions())
	env.RegisterActivity(&activities.Activities{})
	env.SetStartTime(created)
	env.SetTestTimeout(30 * time.Second)
	h := &harness{t: t, env: env, rejected: map[string]error{}, results: map[string]joborder.LiveState{}, failed: map[string]error{}}
	var a *activities.Activities
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NotifyInput) (activities.NotifyResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		c := ""
		if in.CoordinatorID != nil {
			c = *in.CoordinatorID
		}
		h.notifies = append(h.notifies, notifyCall{At: env.Now().Sub(created), Template: in.Template, Role: in.RecipientRole, Key: in.IdempotencyKey, Coord: c})
		if h.notifyErr != nil {
			if err := h.notifyErr(in); err != nil {
				return activities.NotifyResult{}, err
			}
		}
		return activities.NotifyResult{Created: 1}, nil
	}).Maybe()
	env.OnActivity(a.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DeliverInput) (activities.DeliverResult, error) {
		h.mu.Lock()
		h.delivers = append(h.delivers, deliverCall{At: env.Now().Sub(created), Key: in.IdempotencyKey})
		answer := h.deliver
		h.mu.Unlock()
		if answer != nil {
			return answer(in)
		}
		return activities.DeliverResult{Delivered: 1}, nil
	}).Maybe()
	env.OnActivity(a.RecordEvent, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordEventInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, in)
		return nil
	}).Maybe()
	env.OnActivity(a.ProjectState, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ProjectStateInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.projects = append(h.projects, in)
		return nil
	}).Maybe()
	env.OnActivity(a.ProjectDeadlines, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ProjectDeadlinesInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.deadlines = append(h.deadlines, deadlineCall{At: env.Now().Sub(created), In: in})
		return nil
	}).Maybe()
	return h
}

// deadlineCall is one ProjectDeadlines call at an offset since creation.
type deadlineCall struct {
	At time.Duration
	In activities.ProjectDeadlinesInput
}

func input(id string) JobOrderInput {
	return JobOrderInput{JobOrderID: id, ResponsibleJobcenter: "751", OccupationCode: "7115", CreatedAt: created, Positions: 1, Policy: testPolicy()}
}

// at runs f at offset d after creation.
func (h *harness) at(d time.Duration, f func()) { h.env.RegisterDelayedCallback(f, d) }

// update sends an update at offset d under the given label.
func (h *harness) update(d time.Duration, label, name string, arg any) {
	h.at(d, func() { h.updateNow(label, name, arg) })
}

// updateSeq numbers updates across harnesses: like the SDK client's random update IDs, an ID is
// never reused by another run of the same order (the workflow recognises retried IDs).
var updateSeq atomic.Int64

func (h *harness) updateNow(label, name string, arg any) {
	h.seq++
	h.env.UpdateWorkflow(name, fmt.Sprintf("u%d", updateSeq.Add(1)), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { h.rejected[label] = err },
		OnComplete: func(v any, err error) {
			if err != nil {
				h.failed[label] = err
				return
			}
			if st, ok := v.(joborder.LiveState); ok {
				h.results[label] = st
			}
		},
	}, arg)
}

func (h *harness) signal(d time.Duration, name string, arg any) {
	h.at(d, func() { h.env.SignalWorkflow(name, arg) })
}

func (h *harness) query() joborder.LiveState {
	v, err := h.env.QueryWorkflow(joborder.QueryLiveState)
	if err != nil {
		h.t.Fatalf("query: %v", err)
	}
	var st joborder.LiveState
	if err := v.Get(&st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// queryAt stores the live state at offset d.
func (h *harness) queryAt(d time.Duration, into *joborder.LiveState) {
	h.at(d, func() { *into = h.query() })
}

// run executes the workflow, cancelling it at horizon if it still runs.
func (h *harness) run(in JobOrderInput, horizon time.Duration) {
	h.at(horizon, func() { h.env.CancelWorkflow() })
	h.env.ExecuteWorkflow(JobOrderWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
}

// sent lists the notifications with template as "offset role key".
func (h *harness) sent(template string) []notifyCall {
	var out []notifyCall
	for _, c := range h.notifies {
		if c.Template == template {
			out = append(out, c)
		}
	}
	return out
}

func (h *harness) times(template string) []time.Duration {
	var out []time.Duration
	for _, c := range h.sent(template) {
		out = append(out, c.At)
	}
	return out
}

func (h *harness) expectTimes(template string, want ...time.Duration) {
	h.t.Helper()
	got := h.times(template)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		h.t.Errorf("%s sent at %v, want %v", template, got, want)
	}
}

func (h *harness) keys() []string {
	var out []string
	for _, c := range h.notifies {
		out = append(out, c.Key)
	}
	sort.Strings(out)
	return out
}

func (h *harness) eventTypes() string {
	var out []string
	for _, e := range h.events {
		out = append(out, string(e.Type))
	}
	return strings.Join(out, ",")
}

func min(n int) time.Duration { return time.Duration(n) * time.Minute }

var caseworker = joborder.Actor{ID: "cw-1", Role: "caseworker"}

func policy0() policy.Policy { return policy.Policy{} }
