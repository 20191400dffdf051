package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// dueRows stands in for the database behind DeleteExpired (internal/retention's tests and the
// integration test run the real one): rows due per kind, taken a batch at a time.
type dueRows struct {
	mu     sync.Mutex
	due    map[string]int
	calls  []joborder.RetentionBatchInput
	failAt int // the call (1-based) that fails once with a retryable error; 0: none
	failed bool
}

func (d *dueRows) DeleteExpired(_ context.Context, in joborder.RetentionBatchInput) (joborder.RetentionBatchResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, in)
	if len(d.calls) == d.failAt && !d.failed {
		d.failed = true
		return joborder.RetentionBatchResult{}, errors.New("connection reset")
	}
	n := d.due[in.Kind]
	if n > in.BatchSize {
		n = in.BatchSize
	}
	d.due[in.Kind] -= n
	return joborder.RetentionBatchResult{Count: n}, nil
}

func runRetention(t *testing.T, rows *dueRows, in joborder.RetentionInput) joborder.RetentionResult {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.DeleteExpired, mock.Anything, mock.Anything).Return(rows.DeleteExpired)
	env.ExecuteWorkflow(RetentionWorkflow, in)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res joborder.RetentionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// Every kind runs in batches until one comes back short; a kind with more rows than MaxBatches
// batches stops there and says more is due; every batch counts back from the same instant; a
// failed batch is retried and counted once; the national removed_contacts period reaches every batch.
func TestTheRetentionRunDeletesEachKindInBatchesUntilAShortBatchAndStopsAtMaxBatches(t *testing.T) {
	rows := &dueRows{due: map[string]int{joborder.RetentionReferralData: 7, joborder.RetentionCVAccessLog: 6, joborder.RetentionOrderNotes: 100}, failAt: 2}
	res := runRetention(t, rows, joborder.RetentionInput{BatchSize: 3, MaxBatches: 5, RemovedContacts: "P90D"})
	want := map[string]joborder.RetentionCount{
		joborder.RetentionReferralData: {Kind: joborder.RetentionReferralData, Count: 7, Batches: 3},
		joborder.RetentionCVAccessLog:  {Kind: joborder.RetentionCVAccessLog, Count: 6, Batches: 3},
		joborder.RetentionOrderNotes:   {Kind: joborder.RetentionOrderNotes, Count: 15, Batches: 5, More: true},
	}
	if len(res.Counts) != len(joborder.RetentionKinds) {
		t.Fatalf("counts for %d kinds, want %d: %+v", len(res.Counts), len(joborder.RetentionKinds), res.Counts)
	}
	for i, c := range res.Counts {
		if c.Kind != joborder.RetentionKinds[i] {
			t.Errorf("kind %d is %s, want %s", i, c.Kind, joborder.RetentionKinds[i])
		}
		w, ok := want[c.Kind]
		if !ok {
			w = joborder.RetentionCount{Kind: c.Kind, Batches: 1}
		}
		if c != w {
			t.Errorf("%s: %+v, want %+v", c.Kind, c, w)
		}
	}
	if rows.due[joborder.RetentionOrderNotes] != 85 {
		t.Errorf("%d order notes left, want 85 for the next run", rows.due[joborder.RetentionOrderNotes])
	}
	for _, c := range rows.calls {
		if c.NowUnixMilli != rows.calls[0].NowUnixMilli || c.BatchSize != 3 || c.RemovedContacts != "P90D" {
			t.Errorf("batch %+v: another cut-off or size than the first %+v", c, rows.calls[0])
		}
	}
}

// The schedule may start the workflow without a batch size: it uses its defaults.
func TestTheRetentionRunWithoutABatchSizeUsesTheDefault(t *testing.T) {
	rows := &dueRows{due: map[string]int{joborder.RetentionConsents: defaultRetentionBatchSize + 1}}
	res := runRetention(t, rows, joborder.RetentionInput{})
	for _, c := range res.Counts {
		if c.Kind == joborder.RetentionConsents && (c.Count != defaultRetentionBatchSize+1 || c.Batches != 2) {
			t.Errorf("consents: %+v", c)
		}
	}
	if rows.calls[0].BatchSize != defaultRetentionBatchSize {
		t.Errorf("batch size %d", rows.calls[0].BatchSize)
	}
}
