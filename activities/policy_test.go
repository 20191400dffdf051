package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// fanOutClient is the Temporal client as the policy fan-out sees it: each order answers the
// update the way its workflow is set up to (answers), and every signal is counted.
type fanOutClient struct {
	client.Client
	answers func(workflowID string) error // nil: the order took the policy
	gone    map[string]bool               // orders whose workflow has finished for good

	mu                    sync.Mutex
	updates, signals      []string
	inFlight, maxInFlight int
}

type takenPolicy struct{ workflowID string }

func (h takenPolicy) WorkflowID() string             { return h.workflowID }
func (h takenPolicy) RunID() string                  { return "" }
func (h takenPolicy) UpdateID() string               { return "" }
func (h takenPolicy) Get(context.Context, any) error { return nil }

func (f *fanOutClient) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	f.updates = append(f.updates, o.WorkflowID)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	if o.UpdateName != joborder.UpdateApplyPolicy || o.WaitForStage != client.WorkflowUpdateStageCompleted || !strings.HasPrefix(o.UpdateID, "apply-policy/") {
		return nil, fmt.Errorf("unexpected update %+v", o)
	}
	time.Sleep(5 * time.Millisecond) // an order's workflow task
	if err := f.answers(o.WorkflowID); err != nil {
		if err == context.DeadlineExceeded {
			<-ctx.Done() // the order's worker died holding it: no answer
		}
		return nil, err
	}
	return takenPolicy{o.WorkflowID}, nil
}

func (f *fanOutClient) SignalWorkflow(_ context.Context, workflowID, _, name string, arg any) error {
	if sig, ok := arg.(joborder.PolicyChangedSignal); name != joborder.SignalPolicyChanged || !ok || sig.Policy.ReminderRepeat.IsZero() {
		return fmt.Errorf("unexpected signal %s %+v", name, arg)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signals = append(f.signals, workflowID)
	if f.gone[workflowID] {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	return nil
}

// The fan-out gives every order of the job centre the policy as an update, a few at a time, and
// falls back to the signal only for an order whose worker does not know the update (the SDK's
// rejection text), that does not answer in time, or whose run was not found (gone for good, or
// continued as new); an order that refuses the policy gets nothing more, and the count covers
// every order.
func TestThePolicyFanOutUpdatesOrdersAFewAtATimeAndSignalsOnlyThoseThatCannotAnswer(t *testing.T) {
	db := newDB(t)
	now := time.Now().UTC()
	var want []string
	answers := map[string]error{}
	gone := map[string]bool{}
	var wantSignals []string
	for i := range 450 { // more than one page of 200
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		o := models.JobOrder{ID: id, CompanyCVR: "10103940", Title: "t", Description: "d", WorkplaceAddress: "a",
			WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
			Positions: 1, Kind: "ordinary", Status: "open", Sharing: "internal", CreatedBySubject: "cw", CreatedByRole: "caseworker",
			WorkflowID: joborder.WorkflowID(id), CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		want = append(want, o.WorkflowID)
		switch i % 50 {
		case 1: // a worker of an older release: the SDK's own rejection (internal_update.go)
			answers[o.WorkflowID] = fmt.Errorf("unknown update %v. KnownUpdates=%v", joborder.UpdateApplyPolicy, []string{joborder.UpdateSetStatus})
			wantSignals = append(wantSignals, o.WorkflowID)
		case 2: // finished for good: the signal is not found either
			answers[o.WorkflowID] = serviceerror.NewNotFound("workflow execution already completed")
			wantSignals = append(wantSignals, o.WorkflowID)
			gone[o.WorkflowID] = true
		case 3:
			answers[o.WorkflowID] = temporal.NewApplicationError("invalid policy", joborder.ErrInvalidInput)
		}
	}
	slow := want[7]
	answers[slow] = context.DeadlineExceeded
	wantSignals = append(wantSignals, slow)
	defer func(d time.Duration) { policyAnswerTimeout = d }(policyAnswerTimeout)
	policyAnswerTimeout = 200 * time.Millisecond

	fake := &fanOutClient{answers: func(id string) error { return answers[id] }, gone: gone}
	a := New(db)
	a.Temporal = fake
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.SignalOpenOrders, SignalOpenOrdersInput{Jobcenter: "751"})
	if err != nil {
		t.Fatal(err)
	}
	var sent int
	if err := v.Get(&sent); err != nil || sent != len(want) {
		t.Fatalf("sent %d (%v), want %d", sent, err, len(want))
	}
	sort.Strings(fake.updates)
	sort.Strings(fake.signals)
	sort.Strings(wantSignals)
	if fmt.Sprint(fake.updates) != fmt.Sprint(want) {
		t.Errorf("%d updates, want one to each of the %d orders", len(fake.updates), len(want))
	}
	if fmt.Sprint(fake.signals) != fmt.Sprint(wantSignals) {
		t.Errorf("signals to %v, want %v", fake.signals, wantSignals)
	}
	if fake.maxInFlight > policyInFlight || fake.maxInFlight < 2 {
		t.Errorf("%d updates at once at most, want 2 to %d", fake.maxInFlight, policyInFlight)
	}
}
