package workflows

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
	"jobordre/internal/mail"
)

func (h *harness) deliveredKeys() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, d := range h.delivers {
		out = append(out, d.Key)
	}
	sort.Strings(out)
	return out
}

// recordedBeforeTheDispatchers makes the run take the delivery step of histories recorded with
// deliverVersion: a Deliver activity after every Notify.
func (h *harness) recordedBeforeTheDispatchers() {
	h.env.OnGetVersion(deliverChangeID, workflow.DefaultVersion, dispatcherVersion).Return(workflow.Version(deliverVersion))
}

// A new run notifies as before and starts no Deliver: the outbox dispatchers send its rows.
func TestANewRunLeavesDeliveryToTheOutboxDispatchers(t *testing.T) {
	h := newHarness(t)
	h.update(min(12), "assign", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: joborder.Actor{ID: "mgr-1", Role: "manager"}, CoordinatorID: "cw-1"})
	h.signal(min(13), joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: "r1"})
	h.run(input("d0"), min(50))
	if n := len(h.keys()); n < 5 {
		t.Fatalf("only %d notifications", n)
	}
	if got := h.deliveredKeys(); len(got) != 0 {
		t.Fatalf("a new run started Deliver for %v", got)
	}
}

// In a run recorded before the dispatchers, every notification is delivered once after its Notify.
func TestARunRecordedBeforeTheDispatchersDeliversEveryNotificationOnceAfterItsNotify(t *testing.T) {
	h := newHarness(t)
	h.recordedBeforeTheDispatchers()
	h.update(min(12), "assign", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: joborder.Actor{ID: "mgr-1", Role: "manager"}, CoordinatorID: "cw-1"})
	h.signal(min(13), joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: "r1"})
	h.update(min(40), "close", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: "closed", Reason: joborder.CloseReasonFilled})
	h.run(input("d1"), min(50))
	notified := h.keys()
	if len(notified) < 8 {
		t.Fatalf("only %d notifications: %v", len(notified), notified)
	}
	if got := h.deliveredKeys(); strings.Join(got, "\n") != strings.Join(notified, "\n") {
		t.Fatalf("delivered keys differ from notified keys:\n delivered %v\n notified  %v", got, notified)
	}
	// Each Deliver runs after its Notify.
	at := map[string]time.Duration{}
	for _, n := range h.notifies {
		at[n.Key] = n.At
	}
	for _, d := range h.delivers {
		if d.At < at[d.Key] {
			t.Errorf("%s delivered at %s before it was notified at %s", d.Key, d.At, at[d.Key])
		}
	}
}

func TestAFailedNotifyHasNothingToDeliver(t *testing.T) {
	h := newHarness(t)
	h.recordedBeforeTheDispatchers()
	h.notifyErr = func(in activities.NotifyInput) error {
		if in.Template == joborder.TemplateOrderReceived {
			return temporal.NewNonRetryableApplicationError("no such order", "NotFound", nil)
		}
		return nil
	}
	h.run(input("d2"), min(5))
	got := h.deliveredKeys()
	if len(got) != 1 || got[0] != "job-order/d2/new-order/1" {
		t.Fatalf("delivered %v", got)
	}
}

// TestUpdatesReturnWhileDeliveryIsStillRetrying makes the coordinator_assigned delivery fail
// three times (the retry policy's backoff runs on the workflow clock): the update that caused it
// completes at once, and the reminders keep their times.
func TestUpdatesReturnWhileDeliveryIsStillRetrying(t *testing.T) {
	h := newHarness(t)
	h.recordedBeforeTheDispatchers()
	var mu sync.Mutex
	failures := 0
	h.deliver = func(in activities.DeliverInput) (activities.DeliverResult, error) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(in.IdempotencyKey, "coordinator-assigned") && failures < 3 {
			failures++
			return activities.DeliverResult{}, temporal.NewApplicationError("SendGrid answered 500", joborder.ErrDeliveryRetry)
		}
		return activities.DeliverResult{Delivered: 1}, nil
	}
	var completedAt time.Duration = -1
	h.at(min(5), func() {
		h.env.UpdateWorkflow(joborder.UpdateAssignCoordinator, "assign-1", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Errorf("rejected: %v", err) },
			OnComplete: func(_ any, err error) {
				if err != nil {
					t.Errorf("update failed: %v", err)
				}
				completedAt = h.env.Now().Sub(created)
			},
		}, joborder.AssignCoordinatorInput{Actor: joborder.Actor{ID: "mgr-1", Role: "manager"}, CoordinatorID: "cw-1"})
	})
	// The horizon falls between two reminders: one due at the very instant of the cancellation
	// may or may not be sent, and is not what this test is about.
	h.run(input("d3"), min(38))
	if completedAt != min(5) {
		t.Fatalf("the update completed at %s, want at once (5m0s)", completedAt)
	}
	var attempts []time.Duration
	for _, d := range h.delivers {
		if strings.Contains(d.Key, "coordinator-assigned") {
			attempts = append(attempts, d.At)
		}
	}
	if len(attempts) != 4 || attempts[3]-attempts[0] < 14*time.Second {
		t.Fatalf("delivery attempts at %v, want 4 spread by the 2 s, 4 s, 8 s backoff", attempts)
	}
	h.expectTimes(joborder.TemplateContactReminder, min(20), min(25), min(30), min(35))
}

func TestTheRunWaitsForDeliveriesInFlightBeforeContinuingAsNew(t *testing.T) {
	h := newHarness(t)
	h.recordedBeforeTheDispatchers()
	var mu sync.Mutex
	delivered := map[string]int{}
	failures := 0
	h.deliver = func(in activities.DeliverInput) (activities.DeliverResult, error) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(in.IdempotencyKey, "coordinator-assigned") && failures < 8 {
			failures++
			return activities.DeliverResult{}, temporal.NewApplicationError("not yet", joborder.ErrDeliveryRetry)
		}
		delivered[in.IdempotencyKey]++
		return activities.DeliverResult{Delivered: 1}, nil
	}
	in := input("d4")
	in.MaxEventsBeforeContinueAsNew = 2
	h.update(min(1), "assign", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: joborder.Actor{ID: "mgr-1", Role: "manager"}, CoordinatorID: "cw-1"})
	h.update(min(2), "contact", joborder.UpdateRecordContact, joborder.RecordContactInput{Actor: caseworker, ContactID: "k1"})
	h.at(min(30), func() { h.env.CancelWorkflow() })
	h.env.ExecuteWorkflow(JobOrderWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); err == nil || !errors.As(err, &can) {
		t.Fatalf("the run did not continue as new: %v", err)
	}
	for _, k := range h.keys() {
		if delivered[k] != 1 {
			t.Errorf("%s delivered %d times before the run ended", k, delivered[k])
		}
	}
}

func TestDeliverOutboxWorkflowDeliversOneKey(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(DeliverOutboxWorkflow, workflow.RegisterOptions{Name: joborder.DeliverOutboxWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	var a *activities.Activities
	var got []string
	env.OnActivity(a.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DeliverInput) (activities.DeliverResult, error) {
		got = append(got, in.IdempotencyKey)
		return activities.DeliverResult{Delivered: 1}, nil
	})
	key := "job-order/x/order-received/1/bounced/7"
	env.ExecuteWorkflow(joborder.DeliverOutboxWorkflowName, joborder.DeliverOutboxInput{IdempotencyKey: key})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res activities.DeliverResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Delivered != 1 || len(got) != 1 || got[0] != key {
		t.Fatalf("%+v %v %v", res, got, err)
	}
	if id := joborder.DeliverOutboxWorkflowID(key); id != "outbox-delivery/"+key {
		t.Fatal(id)
	}
}

// TestEveryNotifyGoesThroughExecuteNotify keeps Deliver from being forgotten: the only place
// that schedules the Notify activity is executeNotify.
func TestEveryNotifyGoesThroughExecuteNotify(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || fn.Name.Name == "executeNotify" {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Notify" {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "acts" {
						t.Errorf("%s: %s schedules Notify directly; use r.executeNotify so its e-mail is delivered", fset.Position(sel.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}

// TestEveryTemplateTheWorkflowsSendHasAnEmailTemplate reads every Template* constant of the
// contract the workflows send by (internal/joborder) and checks the mail renderer knows it.
func TestEveryTemplateTheWorkflowsSendHasAnEmailTemplate(t *testing.T) {
	files, _ := filepath.Glob("../internal/joborder/*.go")
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if !strings.HasPrefix(id.Name, "Template") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, _ := strconv.Unquote(lit.Value)
				seen++
				if !mail.DefaultRenderer().Has(v) {
					t.Errorf("%s = %q has no e-mail template in internal/mail/templates", id.Name, v)
				}
			}
			return true
		})
	}
	if seen < 12 {
		t.Fatalf("found only %d template constants", seen)
	}
	if !mail.DefaultRenderer().Has(joborder.TemplateDeliveryFailed) {
		t.Error("no delivery_failed template")
	}
}
