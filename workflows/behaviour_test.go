package workflows

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

func at(m int) *time.Time { t := created.Add(min(m)); return &t }

func TestCoordinatorMissingReminderRepeatsUntilAssignedAndReassignmentKeepsHistory(t *testing.T) {
	h := newHarness(t)
	h.update(min(22), "assign", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: joborder.Actor{ID: "mgr-1", Role: "manager"}, CoordinatorID: "cw-1"})
	h.update(min(25), "reassign", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: joborder.Actor{ID: "mgr-1", Role: "manager"}, CoordinatorID: "cw-2"})
	var st joborder.LiveState
	h.queryAt(min(26), &st)
	h.run(input("c1"), min(40))
	h.expectTimes(joborder.TemplateCoordinatorMissingReminder, min(10), min(15), min(20))
	for _, c := range h.sent(joborder.TemplateCoordinatorMissingReminder) {
		if c.Role != "managers" {
			t.Errorf("coordinator reminder goes to managers: %+v", c)
		}
	}
	got := h.sent(joborder.TemplateCoordinatorAssigned)
	if len(got) != 2 || got[0].Key != "job-order/c1/coordinator-assigned/1" || got[1].Key != "job-order/c1/coordinator-assigned/2" || got[0].Role != "employer" || got[1].Coord != "cw-2" {
		t.Errorf("coordinator_assigned: %+v", got)
	}
	if st.Coordinator == nil || *st.Coordinator != "cw-2" || len(st.Coordinators) != 2 || st.Coordinators[0].CaseworkerID != "cw-1" || st.Coordinators[0].By != "mgr-1" || !st.Coordinators[1].At.Equal(created.Add(min(25))) {
		t.Errorf("assignment history: %+v", st.Coordinators)
	}
	if res := h.results["assign"]; res.Coordinator == nil || *res.Coordinator != "cw-1" {
		t.Errorf("the update returns the new live state: %+v", res)
	}
	if n := len(h.projects); n < 2 || *h.projects[0].CoordinatorID != "cw-1" || *h.projects[1].CoordinatorID != "cw-2" {
		t.Errorf("projection after each assignment: %+v", h.projects)
	}
}

func TestContactReminderRepeatsAndEscalatesOnceAfterEscalateAfterMisses(t *testing.T) {
	h := newHarness(t)
	h.update(min(36), "contact", joborder.UpdateRecordContact, joborder.RecordContactInput{Actor: caseworker, ContactID: "k1"})
	h.run(input("c2"), min(50))
	h.expectTimes(joborder.TemplateContactReminder, min(20), min(25), min(30), min(35))
	h.expectTimes(joborder.TemplateEscalation, min(30))
	if e := h.sent(joborder.TemplateEscalation); len(e) == 1 && (e[0].Role != "managers" || e[0].Key != "job-order/c2/contact-escalation/1") {
		t.Errorf("escalation: %+v", e)
	}
	if c := h.sent(joborder.TemplateContactReminder); c[1].Role != "coordinator" || c[1].Key != "job-order/c2/contact-reminder/2" {
		t.Errorf("contact reminder: %+v", c[1])
	}
}

func TestSharingWidensOnEachPolicyStep(t *testing.T) {
	h := newHarness(t)
	var s29, s31, s91 joborder.LiveState
	h.queryAt(min(29), &s29)
	h.queryAt(min(31), &s31)
	h.queryAt(min(91), &s91)
	h.run(input("s1"), min(100))
	if s29.Sharing != "internal" || s31.Sharing != "neighbours" || s91.Sharing != "national" {
		t.Errorf("sharing at 29/31/91 min: %s %s %s", s29.Sharing, s31.Sharing, s91.Sharing)
	}
	if len(h.projects) != 2 || h.projects[0].Sharing != "neighbours" || h.projects[1].Sharing != "national" {
		t.Errorf("projections: %+v", h.projects)
	}
	if s29.Deadlines[0].Name == "" || !containsDeadline(s31, "sharing:national", created.Add(min(90))) {
		t.Errorf("deadlines: %+v", s31.Deadlines)
	}
}

func containsDeadline(s joborder.LiveState, name string, due time.Time) bool {
	for _, d := range s.Deadlines {
		if d.Name == name && d.Due.Equal(due) {
			return true
		}
	}
	return false
}

func TestManualSharingOverridesAutomaticSteps(t *testing.T) {
	h := newHarness(t)
	h.update(min(5), "now", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: "community"})
	h.update(min(10), "later", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: "national", At: at(50)})
	var s49, s51, s95 joborder.LiveState
	h.queryAt(min(49), &s49)
	h.queryAt(min(51), &s51)
	h.queryAt(min(95), &s95)
	h.run(input("s2"), min(100))
	if s49.Sharing != "community" || s51.Sharing != "national" || s95.Sharing != "national" {
		t.Errorf("sharing 49/51/95: %s %s %s", s49.Sharing, s51.Sharing, s95.Sharing)
	}
	if h.results["now"].Sharing != "community" {
		t.Errorf("immediate manual sharing: %+v", h.results["now"].Sharing)
	}
	for _, d := range s49.Deadlines {
		if strings.HasPrefix(d.Name, "sharing:") {
			t.Errorf("automatic steps must be cancelled: %+v", s49.Deadlines)
		}
	}
}

func TestManualSharingAfterDurationIsScheduled(t *testing.T) {
	h := newHarness(t)
	after := policy.MustParseDuration("PT20M")
	h.update(min(5), "after", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: "neighbours", After: &after})
	var s24, s26 joborder.LiveState
	h.queryAt(min(24), &s24)
	h.queryAt(min(26), &s26)
	h.run(input("s3"), min(30))
	if s24.Sharing != "internal" || s26.Sharing != "neighbours" {
		t.Errorf("sharing 24/26: %s %s", s24.Sharing, s26.Sharing)
	}
}

func TestShortageOccupationIsSharedAtOnce(t *testing.T) {
	h := newHarness(t)
	var st joborder.LiveState
	h.queryAt(time.Second, &st)
	in := input("s4")
	in.OccupationCode = "2221"
	h.run(in, min(100))
	if st.Sharing != "national" || len(h.projects) != 1 || h.projects[0].Sharing != "national" {
		t.Errorf("shortage occupation: %s %+v", st.Sharing, h.projects)
	}
}

func TestFirstReferralReminderStopsWhenReferralSent(t *testing.T) {
	h := newHarness(t)
	h.signal(min(67), joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: "r1", At: created.Add(min(67))})
	var st joborder.LiveState
	h.queryAt(min(68), &st)
	h.run(input("r1"), min(80))
	h.expectTimes(joborder.TemplateFirstReferralReminder, min(60), min(65))
	if st.Referrals != 1 {
		t.Errorf("referrals: %d", st.Referrals)
	}
}

func TestFollowUpRemindsAtDueAndRepeatsUntilDone(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "add", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f1", Due: created.Add(min(12))})
	h.update(min(2), "add2", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f2", Due: created.Add(min(14))})
	h.update(min(23), "done", joborder.UpdateCompleteFollowUp, joborder.CompleteFollowUpInput{Actor: caseworker, FollowUpID: "f1"})
	h.run(input("f1"), min(30))
	var f1 []string
	var f2 []time.Duration
	for _, c := range h.sent(joborder.TemplateFollowUpReminder) {
		if strings.Contains(c.Key, "reminder/f1/") {
			f1 = append(f1, fmt.Sprintf("%v %s", c.At, c.Key))
		} else {
			f2 = append(f2, c.At)
		}
	}
	want := []string{"12m0s job-order/f1/follow-up-reminder/f1/1", "17m0s job-order/f1/follow-up-reminder/f1/2", "22m0s job-order/f1/follow-up-reminder/f1/3"}
	if fmt.Sprint(f1) != fmt.Sprint(want) {
		t.Errorf("f1 reminders: %v", f1)
	}
	if fmt.Sprint(f2) != fmt.Sprint([]time.Duration{min(14), min(19), min(24), min(29)}) {
		t.Errorf("f2 reminders (still pending): %v", f2)
	}
	if st := h.results["done"]; len(st.FollowUps) != 2 || !st.FollowUps[0].Done || st.FollowUps[1].Done {
		t.Errorf("follow-ups: %+v", st.FollowUps)
	}
}

func TestFollowUpIsCreatedAutomaticallyAfterFirstReferral(t *testing.T) {
	h := newHarness(t)
	h.signal(min(3), joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: "r1"})
	var st joborder.LiveState
	h.queryAt(min(19), &st)
	h.run(input("f2"), min(30))
	got := h.sent(joborder.TemplateFollowUpReminder)
	if len(got) != 3 || got[0].At != min(18) || got[0].Key != "job-order/f2/follow-up-reminder/auto-1/1" || got[2].At != min(28) {
		t.Errorf("automatic follow-up reminders: %+v", got)
	}
	if len(st.FollowUps) != 1 || st.FollowUps[0].ID != "auto-1" || !st.FollowUps[0].Due.Equal(created.Add(min(18))) {
		t.Errorf("automatic follow-up: %+v", st.FollowUps)
	}
}

func TestAgreedFollowUpAfterReferralPreventsTheAutomaticOne(t *testing.T) {
	h := newHarness(t)
	h.signal(min(3), joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: "r1"})
	h.update(min(5), "add", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f1", Due: created.Add(min(100))})
	h.run(input("f3"), min(40))
	if got := h.sent(joborder.TemplateFollowUpReminder); len(got) != 0 {
		t.Errorf("no automatic follow-up expected: %+v", got)
	}
}

func TestTemporarilyInactivePausesDeadlinesAndResumesWithTimeLeft(t *testing.T) {
	h := newHarness(t)
	h.update(min(5), "pause", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusTemporarilyInactive})
	var paused joborder.LiveState
	h.queryAt(min(15), &paused)
	h.update(min(25), "resume", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusOpen})
	var s49, s51 joborder.LiveState
	h.queryAt(min(49), &s49)
	h.queryAt(min(51), &s51)
	h.run(input("i1"), min(52))
	// Coordinator deadline 10 min, 5 min left when paused at 5 → due 30; sharing step 30 → 50.
	h.expectTimes(joborder.TemplateCoordinatorMissingReminder, min(30), min(35), min(40), min(45), min(50))
	h.expectTimes(joborder.TemplateStatusChanged, min(5), min(25))
	if s49.Sharing != "internal" || s51.Sharing != "neighbours" {
		t.Errorf("sharing step paused: %s %s", s49.Sharing, s51.Sharing)
	}
	if paused.Status != models.StatusTemporarilyInactive || !containsDeadline(paused, "coordinator", created.Add(min(20))) || paused.NextReminderAt == nil {
		t.Errorf("paused view: %+v", paused)
	}
}

func TestInactiveEndedReminderAtUntil(t *testing.T) {
	h := newHarness(t)
	h.update(min(5), "pause", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusTemporarilyInactive, Until: at(20)})
	var st joborder.LiveState
	h.queryAt(min(30), &st)
	h.run(input("i2"), min(60))
	h.expectTimes(joborder.TemplateInactiveEndedReminder, min(20))
	if st.Status != models.StatusTemporarilyInactive || st.InactiveUntil == nil {
		t.Errorf("stays inactive until a command: %+v", st)
	}
	if len(h.sent(joborder.TemplateCoordinatorMissingReminder)) != 0 {
		t.Error("no deadline reminders while inactive")
	}
}

func TestInactiveEndedReminderAfterInactiveMax(t *testing.T) {
	h := newHarness(t)
	h.update(min(5), "pause", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusTemporarilyInactive})
	h.run(input("i3"), min(60))
	h.expectTimes(joborder.TemplateInactiveEndedReminder, min(45))
	if c := h.sent(joborder.TemplateInactiveEndedReminder); c[0].Role != "coordinator" || c[0].Key != "job-order/i3/inactive-ended-reminder/1" {
		t.Errorf("inactive ended: %+v", c)
	}
}

func TestCloseOutNudgeAfterHireRepeatsEscalatesAndAsksEmployerOnce(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "hire", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
	h.run(input("o1"), min(18))
	h.expectTimes(joborder.TemplateCloseOutNudge, min(6), min(11), min(16))
	h.expectTimes(joborder.TemplateCloseOutQuestion, min(6))
	if q := h.sent(joborder.TemplateCloseOutQuestion); q[0].Role != "employer" || q[0].Key != "job-order/o1/close-out-question/1" {
		t.Errorf("question: %+v", q)
	}
	var esc []string
	for _, c := range h.sent(joborder.TemplateEscalation) {
		esc = append(esc, fmt.Sprintf("%v %s", c.At, c.Key))
	}
	if fmt.Sprint(esc) != "[16m0s job-order/o1/close-out-escalation/1]" {
		t.Errorf("escalation: %v", esc)
	}
}

func TestCloseOutNudgeAfterApplicationDeadline(t *testing.T) {
	h := newHarness(t)
	in := input("o2")
	in.ApplicationDeadline = at(3)
	h.run(in, min(12))
	h.expectTimes(joborder.TemplateCloseOutNudge, min(10))
}

func TestCloseOutNudgeAfterInactivityCountsAnySignalAsActivity(t *testing.T) {
	h := newHarness(t)
	in := input("o3")
	in.Policy.CloseOutAfterInactivity = policy.MustParseDuration("PT30M")
	h.signal(min(20), joborder.SignalEventRecorded, joborder.EventRecordedSignal{At: created.Add(min(20))})
	h.run(in, min(52))
	h.expectTimes(joborder.TemplateCloseOutNudge, min(50))
}

func TestClosingCancelsEveryTimerAndTheWorkflowCompletesAfterTheReopenWindow(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "add", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f1", Due: created.Add(min(12))})
	h.update(min(5), "close", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusClosed, Reason: joborder.CloseReasonFilled})
	var st joborder.LiveState
	h.queryAt(min(6), &st)
	h.run(input("x1"), min(500))
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("the workflow must complete after the reopen window, got %v", err)
	}
	for _, c := range h.notifies {
		if c.At > min(5) {
			t.Errorf("notification after closing: %+v", c)
		}
	}
	h.expectTimes(joborder.TemplateStatusChanged, min(5))
	if st.Status != models.StatusClosed || st.CloseReason != joborder.CloseReasonFilled || st.ClosedAt == nil || len(st.Deadlines) != 1 || st.Deadlines[0].Name != "reopen_window" || !st.Deadlines[0].Due.Equal(created.Add(min(65))) {
		t.Errorf("closed view: %+v", st)
	}
	if p := h.projects[len(h.projects)-1]; p.Status != models.StatusClosed {
		t.Errorf("projection: %+v", p)
	}
}

func TestReopenWithinTheWindowResumesDeadlines(t *testing.T) {
	h := newHarness(t)
	h.update(min(5), "close", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusClosed, Reason: joborder.CloseReasonWithdrawnByEmployer})
	h.update(min(30), "reopen", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusOpen})
	h.run(input("x2"), min(36))
	if st := h.results["reopen"]; st.Status != models.StatusOpen || st.ClosedAt != nil || st.CloseReason != "" {
		t.Errorf("reopened: %+v", st)
	}
	h.expectTimes(joborder.TemplateCoordinatorMissingReminder, min(30)+min(5))
	h.expectTimes(joborder.TemplateStatusChanged, min(5), min(30))
}

func TestReopenAfterTheWindowIsRejected(t *testing.T) {
	h := newHarness(t)
	in := input("x3")
	in.Policy.ReopenWindow = policy.MustParseDuration("PT10M")
	h.update(min(5), "close", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusClosed, Reason: joborder.CloseReasonOther})
	h.update(min(14), "reopen-ok-check", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusTemporarilyInactive})
	h.run(in, min(60))
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("completes at the end of the window: %v", err)
	}
	if h.rejected["reopen-ok-check"] == nil {
		t.Error("a closed order can only be reopened")
	}
}

func TestPolicyChangeRecomputesPendingTimersFromTheOrdersStart(t *testing.T) {
	h := newHarness(t)
	np := testPolicy()
	np.CoordinatorDeadline = policy.MustParseDuration("PT7M")
	np.ContactDeadline = policy.MustParseDuration("PT30M")
	np.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("PT12M"), Level: "community"}}
	h.signal(min(5), joborder.SignalPolicyChanged, joborder.PolicyChangedSignal{Policy: np})
	h.update(min(8), "assign", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: caseworker, CoordinatorID: "cw-1"})
	var st joborder.LiveState
	h.queryAt(min(13), &st)
	h.run(input("p1"), min(31))
	h.expectTimes(joborder.TemplateCoordinatorMissingReminder, min(7))
	h.expectTimes(joborder.TemplateContactReminder, min(30))
	if st.Sharing != "community" || st.Policy.ContactDeadline.String() != "PT30M" {
		t.Errorf("after policy change: %s %s", st.Sharing, st.Policy.ContactDeadline)
	}
}

func TestPolicyChangeDoesNotRefireSentReminders(t *testing.T) {
	h := newHarness(t)
	np := testPolicy()
	np.CoordinatorDeadline = policy.MustParseDuration("PT3M")
	np.ReminderRepeat = policy.MustParseDuration("PT8M")
	h.signal(min(12), joborder.SignalPolicyChanged, joborder.PolicyChangedSignal{Policy: np})
	h.run(input("p2"), min(20))
	// First reminder at 10 under the old policy; the next is 8 min after it under the new one.
	h.expectTimes(joborder.TemplateCoordinatorMissingReminder, min(10), min(18))
}

// The policy fan-out's update (UpdateApplyPolicy) does what the signal does: the deadlines follow
// the new policy from the order's start, so a reminder the shorter deadline makes overdue is sent
// when the policy arrives, and the next follows the new repeat. An invalid policy is refused by
// the validator and changes nothing.
func TestThePolicyUpdateRecomputesTimersLikeTheSignalAndRefusesAnInvalidPolicy(t *testing.T) {
	h := newHarness(t)
	np := testPolicy()
	np.CoordinatorDeadline = policy.MustParseDuration("PT3M")
	np.ReminderRepeat = policy.MustParseDuration("PT8M")
	bad := np
	bad.ReminderRepeat = policy.Duration{}
	h.update(min(5), "apply", joborder.UpdateApplyPolicy, joborder.PolicyChangedSignal{Policy: np})
	h.update(min(6), "invalid", joborder.UpdateApplyPolicy, joborder.PolicyChangedSignal{Policy: bad})
	var st joborder.LiveState
	h.queryAt(min(7), &st)
	h.run(input("p-update"), min(20))
	h.expectTimes(joborder.TemplateCoordinatorMissingReminder, min(5), min(13))
	if err := h.failed["apply"]; err != nil {
		t.Errorf("the update failed: %v", err)
	}
	var appErr *temporal.ApplicationError
	if err := h.rejected["invalid"]; !errors.As(err, &appErr) || appErr.Type() != joborder.ErrInvalidInput {
		t.Errorf("an invalid policy: rejected with %v, want %s", err, joborder.ErrInvalidInput)
	}
	if st.Policy.ReminderRepeat.String() != "PT8M" || st.Policy.CoordinatorDeadline.String() != "PT3M" {
		t.Errorf("policy after the updates: %+v", st.Policy)
	}
}

func TestValidatorsRejectBadCommandsWithoutChangingState(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "bad level", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: "galaxy"})
	h.update(min(1), "past at", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: "national", At: at(0)})
	h.update(min(1), "unknown follow-up", joborder.UpdateCompleteFollowUp, joborder.CompleteFollowUpInput{Actor: caseworker, FollowUpID: "nope"})
	h.update(min(1), "bad reason", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusClosed, Reason: "bored"})
	h.update(min(1), "bad status", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: "paused"})
	h.update(min(1), "no actor", joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{CoordinatorID: "cw-1"})
	h.update(min(1), "already open", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusOpen})
	h.update(min(2), "add", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f1", Due: created.Add(min(50))})
	h.update(min(3), "duplicate follow-up", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f1", Due: created.Add(min(50))})
	h.update(min(3), "zero after", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: "national", After: &policy.Duration{}})
	h.update(min(4), "close", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusClosed, Reason: joborder.CloseReasonNoSuitableCandidates})
	h.update(min(5), "close closed", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusClosed, Reason: joborder.CloseReasonFilled})
	h.update(min(5), "hire on closed", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
	var st joborder.LiveState
	h.queryAt(min(6), &st)
	h.run(input("v1"), min(7))
	for _, label := range []string{"bad level", "past at", "unknown follow-up", "bad reason", "bad status", "no actor", "already open", "duplicate follow-up", "zero after", "close closed", "hire on closed"} {
		if h.rejected[label] == nil {
			t.Errorf("%s: not rejected", label)
		}
	}
	var appErr *temporal.ApplicationError
	if err := h.rejected["unknown follow-up"]; !errors.As(err, &appErr) || appErr.Type() != joborder.ErrNotFound {
		t.Errorf("unknown follow-up: %v", err)
	}
	if err := h.rejected["close closed"]; !errors.As(err, &appErr) || appErr.Type() != joborder.ErrConflict {
		t.Errorf("close closed: %v", err)
	}
	if len(h.failed) != 0 || h.results["add"].FollowUps == nil || h.results["close"].Status != models.StatusClosed {
		t.Errorf("accepted commands: failed %v", h.failed)
	}
	if got := h.eventTypes(); got != "follow-up-added,status-changed" {
		t.Errorf("only accepted commands leave history: %s", got)
	}
	if st.Sharing != "internal" || st.CloseReason != joborder.CloseReasonNoSuitableCandidates || st.Hires != 0 || len(st.FollowUps) != 1 {
		t.Errorf("state: %+v", st)
	}
}

func TestNotificationKeysAreUniqueAndDeterministic(t *testing.T) {
	scenario := func() []string {
		h := newHarness(t)
		h.update(min(1), "hire", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
		h.update(min(2), "add", joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: caseworker, FollowUpID: "f1", Due: created.Add(min(4))})
		h.signal(min(3), joborder.SignalReferralSent, joborder.ReferralSentSignal{ReferralID: "r1"})
		h.update(min(40), "pause", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusTemporarilyInactive, Until: at(45)})
		h.update(min(50), "resume", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusOpen})
		// Between two timers: a notification due at the instant of the cancellation may or may
		// not run before it, in either scenario.
		h.run(input("k1"), min(70)+30*time.Second)
		return h.keys()
	}
	a, b := scenario(), scenario()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("keys differ between runs:\n%v\n%v", a, b)
	}
	seen := map[string]bool{}
	for _, k := range a {
		if seen[k] {
			t.Errorf("duplicate key %s", k)
		}
		seen[k] = true
		if !strings.HasPrefix(k, "job-order/k1/") {
			t.Errorf("key %s", k)
		}
	}
	if len(a) < 30 {
		t.Errorf("scenario too small: %d keys", len(a))
	}
}

func TestCorrectingPositionsDownToTheHiresStartsTheCloseOutNudge(t *testing.T) {
	h := newHarness(t)
	in := input("o9")
	in.Positions = 2
	h.update(min(1), "hire", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
	h.update(min(3), "fewer", joborder.UpdateCorrectDetails, joborder.CorrectDetailsInput{Actor: caseworker, Positions: 1, Fields: []string{"positions"}})
	h.run(in, min(9))
	// One of two positions filled: no nudge until the correction makes it one of one (3 + 5 min).
	h.expectTimes(joborder.TemplateCloseOutNudge, min(8))
	if !strings.Contains(h.eventTypes(), "details-corrected") {
		t.Errorf("history: %s", h.eventTypes())
	}
}

func TestCorrectingDetailsIsRefusedForBadPositionsAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "zero", joborder.UpdateCorrectDetails, joborder.CorrectDetailsInput{Actor: caseworker, Positions: 0})
	var st joborder.LiveState
	h.queryAt(min(2), &st)
	h.run(input("o10"), min(3))
	if h.rejected["zero"] == nil || st.Positions != 1 {
		t.Fatalf("rejected %v, positions %d", h.rejected["zero"], st.Positions)
	}
}

func TestAPolicyChangeIsNotActivityAndDoesNotPostponeTheInactivityNudge(t *testing.T) {
	h := newHarness(t)
	in := input("o11")
	in.Policy.CloseOutAfterInactivity = policy.MustParseDuration("PT30M")
	in.Policy.ReminderRepeat = policy.MustParseDuration("PT60M")
	same := in.Policy
	h.signal(min(20), joborder.SignalPolicyChanged, joborder.PolicyChangedSignal{Policy: same})
	h.run(in, min(35))
	h.expectTimes(joborder.TemplateCloseOutNudge, min(30))
}

// A reminder that falls due after the delivery window closes waits for it to open and is then
// sent at the opening plus the order's own offset (policy.SpreadOffset of its ID), not at 08:00
// with every other reminder that waited.
func TestAReminderThatWaitedForTheWindowIsSentAtTheOrdersOffsetIntoIt(t *testing.T) {
	h := newHarness(t)
	in := input("spread-4f1c")
	in.Policy.WorkingDaysOnly = true
	in.Policy.ContactDeadline = policy.MustParseDuration("PT7H") // Thursday 10:00 + 7 h: after 16:00
	due := policy.AddDuration(created, in.Policy.ContactDeadline, true)
	opening := policy.DeliveryTime(due, true)
	if opening.Equal(due) || policy.SpreadOffset(in.JobOrderID) == 0 {
		t.Fatalf("the fixture must wait for the window and have an offset: due %s, opening %s", due, opening)
	}
	h.run(in, opening.Add(2*time.Hour).Sub(created))
	want := opening.Add(policy.SpreadOffset(in.JobOrderID))
	if got := h.times(joborder.TemplateContactReminder); len(got) == 0 || !created.Add(got[0]).Equal(want) {
		t.Errorf("contact reminder sent at %v after creation, want %s (%v)", got, want.In(policy.Copenhagen), want.Sub(created))
	}
}

var employerActor = joborder.Actor{ID: "emp-1", Role: "employer"}

func TestCloseOutAnswerStillRecruitingRestartsTheNudgesAfterThePolicysPeriod(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "hire", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
	h.update(min(7), "answer", joborder.UpdateAnswerCloseOut, joborder.AnswerCloseOutInput{Actor: employerActor, Answer: joborder.CloseOutAnswerStillRecruiting})
	h.run(input("o1"), min(20))
	// Without the answer the nudges would come at 6, 11, 16; after it the hire period (5m) counts
	// from the answer at 7: the next nudge is at 12, then every 5 minutes; the question is not
	// asked again.
	h.expectTimes(joborder.TemplateCloseOutNudge, min(6), min(12), min(17))
	h.expectTimes(joborder.TemplateCloseOutQuestion, min(6))
	if st := h.results["answer"]; st.Status != models.StatusOpen {
		t.Errorf("after still recruiting the order is %q", st.Status)
	}
	if !strings.Contains(h.eventTypes(), string(joborder.EventCloseOutAnswered)) {
		t.Errorf("no %s in the history: %s", joborder.EventCloseOutAnswered, h.eventTypes())
	}
}

func TestCloseOutAnswerCloseClosesTheOrderAsTheEmployer(t *testing.T) {
	h := newHarness(t)
	h.update(min(1), "hire", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
	h.update(min(7), "answer", joborder.UpdateAnswerCloseOut, joborder.AnswerCloseOutInput{Actor: employerActor, Answer: joborder.CloseOutAnswerClose})
	h.update(min(8), "again", joborder.UpdateAnswerCloseOut, joborder.AnswerCloseOutInput{Actor: employerActor, Answer: joborder.CloseOutAnswerStillRecruiting})
	h.update(min(8), "bad", joborder.UpdateAnswerCloseOut, joborder.AnswerCloseOutInput{Actor: employerActor, Answer: "maybe"})
	h.run(input("o1"), min(20))
	h.expectTimes(joborder.TemplateCloseOutNudge, min(6))
	if st := h.results["answer"]; st.Status != models.StatusClosed || st.CloseReason != joborder.CloseReasonClosedByEmployer {
		t.Errorf("after close: %q %q", st.Status, st.CloseReason)
	}
	var appErr *temporal.ApplicationError
	if err := h.rejected["again"]; err == nil || !asApplicationError(err, &appErr) || appErr.Type() != joborder.ErrOrderClosed {
		t.Errorf("still recruiting on a closed order: %v", err)
	}
	if err := h.rejected["bad"]; err == nil || !asApplicationError(err, &appErr) || appErr.Type() != joborder.ErrInvalidCommand {
		t.Errorf("an unknown answer: %v", err)
	}
}
