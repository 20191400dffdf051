package workflows

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"jobordre/internal/joborder"
)

// TestLongRunningOrderContinuesAsNewWithoutLosingCommandsOrSignals drives 300 follow-up
// add/complete cycles plus a referral and an event signal per cycle through a workflow bounded
// at 50 events per run. Each run ends in continue-as-new; the next run starts from the carried
// input (as the server would) and the driver resumes with the first cycle not yet completed.
func TestLongRunningOrderContinuesAsNewWithoutLosingCommandsOrSignals(t *testing.T) {
	const cycles = 300
	in := input("long")
	in.MaxEventsBeforeContinueAsNew = 50
	in.Policy.CloseOutAfterInactivity = in.Policy.ReopenWindow // keep quiet
	completed := 0                                             // cycles whose complete-follow-up returned
	signalled := map[string]bool{}                             // referral IDs sent to a running workflow
	runs := 0
	var final joborder.LiveState
	for completed < cycles && runs < 40 {
		runs++
		h := newHarness(t)
		h.env.SetStartTime(created.Add(time.Duration(runs) * time.Hour))
		start := completed
		for i := start; i < cycles; i++ {
			i := i
			off := time.Duration(i-start+1) * time.Second
			fid := fmt.Sprintf("f%d", i)
			h.at(off, func() {
				if h.env.IsWorkflowCompleted() {
					return
				}
				h.updateNow("add"+fid, joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: fid, Due: created.Add(1000 * time.Hour)})
				rid := fmt.Sprintf("r%d", i)
				h.env.SignalWorkflow(joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: rid})
				signalled[rid] = true
				h.env.SignalWorkflow(joborder.SignalEventRecorded, joborder.EventRecordedSignal{})
				h.updateNow("done"+fid, joborder.UpdateCompleteFollowUp, joborder.CompleteFollowUpInput{Actor: caseworker, FollowUpID: fid})
			})
		}
		h.at(time.Duration(cycles+10)*time.Second, func() { final = h.query(); h.env.CancelWorkflow() })
		h.env.ExecuteWorkflow(JobOrderWorkflow, in)
		for i := start; i < cycles; i++ {
			fid := fmt.Sprintf("f%d", i)
			if _, ok := h.results["done"+fid]; ok {
				completed = i + 1
			} else {
				break
			}
		}
		var can *workflow.ContinueAsNewError
		err := h.env.GetWorkflowError()
		if !errors.As(err, &can) {
			break // the last run ends by cancellation
		}
		var next JobOrderInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		if next.State == nil {
			t.Fatal("continue-as-new must carry the state")
		}
		in = next
	}
	if final.JobOrderID == "" {
		// The last cycle ended a run; read the state from the next one.
		h := newHarness(t)
		h.at(time.Second, func() { final = h.query(); h.env.CancelWorkflow() })
		h.env.ExecuteWorkflow(JobOrderWorkflow, in)
	}
	if runs < 5 {
		t.Fatalf("expected several continue-as-new runs, got %d", runs)
	}
	if completed != cycles {
		t.Fatalf("completed %d of %d cycles in %d runs", completed, cycles, runs)
	}
	done := 0
	for _, f := range final.FollowUps {
		if f.Done {
			done++
		}
	}
	if done != cycles || len(final.FollowUps) != cycles {
		t.Errorf("follow-ups carried over: %d done of %d", done, len(final.FollowUps))
	}
	if final.Referrals != len(signalled) {
		t.Errorf("referral signals lost: state has %d, sent %d", final.Referrals, len(signalled))
	}
	t.Logf("%d cycles in %d runs", cycles, runs)
}
