package workflows

import (
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

func cph(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, policy.Copenhagen)
	if err != nil {
		panic(err)
	}
	return t
}

// An order created now fires each reminder once and takes every sharing step in turn, at the
// times the workflow's own deadlines give: working days, holidays and the delivery window applied.
func TestPlanNewOrderListsEveryReminderAndSharingStepAtTheWorkflowsTimes(t *testing.T) {
	p := policy.Defaults()
	p.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours}, {After: policy.MustParseDuration("P10D"), Level: models.SharingNational}}
	// Friday 18 December 2026 at 15:30: Christmas Eve, Christmas Day and Boxing Day are not working days.
	got := PlanNewOrder(p, "7115", cph("2026-12-18 15:30"))
	want := map[string]time.Time{
		"coordinator":        cph("2026-12-21 15:30"), // P1D: Monday
		"contact":            cph("2026-12-22 15:30"), // P2D: Tuesday
		"sharing:neighbours": cph("2026-12-23 15:30"), // P3D: Wednesday (24–26 December closed)
		// P10D: 21, 22, 23, 28, 29, 30, 31 December, 4, 5, 6 January (1 January closed).
		"first_referral":   cph("2027-01-06 15:30"),
		"sharing:national": cph("2027-01-06 15:30"),
		"close_out":        policy.DeliveryTime(policy.AddDuration(cph("2026-12-18 15:30"), p.CloseOutAfterInactivity, true), true),
	}
	if len(got) != len(want) {
		t.Fatalf("planned %v", got)
	}
	for _, g := range got {
		key := g.Name
		if g.Level != "" {
			key += ":" + g.Level
		}
		if w, ok := want[key]; !ok || !g.Due.Equal(w) {
			t.Errorf("%s due %s, want %s", key, g.Due.In(policy.Copenhagen), w)
		}
		if g.Name != "sharing" && !g.At.Equal(policy.DeliveryTime(g.Due, true)) {
			t.Errorf("%s acts at %s, not in the delivery window", key, g.At)
		}
	}
}

// A running order's plan starts from what it has done: a coordinator assigned ends that chain,
// a sharing level reached leaves the later steps, a manual choice ends the steps.
func TestPlanRunningLeavesOutWhatTheOrderHasDone(t *testing.T) {
	p := policy.Defaults()
	p.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours}, {After: policy.MustParseDuration("P10D"), Level: models.SharingNational}}
	created := cph("2026-11-02 09:00")
	now := cph("2026-11-06 09:00")
	o := Snapshot{CreatedAt: created, OccupationCode: "7115", Status: models.StatusOpen, Sharing: models.SharingNeighbours, HasCoordinator: true, HasContact: true, LastEventAt: created}
	names := func(ps []Planned) map[string]bool {
		out := map[string]bool{}
		for _, p := range ps {
			out[p.Name+":"+p.Level] = true
		}
		return out
	}
	got := names(PlanRunning(o, p, now))
	if got["coordinator:"] || got["contact:"] || got["sharing:neighbours"] || !got["sharing:national"] || !got["first_referral:"] {
		t.Errorf("plan %v", got)
	}
	o.ManualSharing = true
	if got := names(PlanRunning(o, p, now)); got["sharing:national"] {
		t.Errorf("a manual choice keeps the steps: %v", got)
	}
}

// ReminderChain, which the seed generator writes its synthetic reminders from, gives the times
// a real run of the workflow sends them at: each chain's first reminder and its repeats, and the
// close-out nudge after the last hire.
func TestReminderChainGivesTheTimesTheWorkflowSendsItsRemindersAt(t *testing.T) {
	h := newHarness(t)
	in := input("chain")
	h.run(in, min(36))
	snap := Snapshot{CreatedAt: created, OccupationCode: in.OccupationCode, Status: models.StatusOpen, LastEventAt: created}
	for chain, template := range map[string]string{"coordinator": joborder.TemplateCoordinatorMissingReminder, "contact": joborder.TemplateContactReminder} {
		sent := h.times(template)
		if len(sent) == 0 {
			t.Fatalf("%s: the run sent none", chain)
		}
		planned := ReminderChain(snap, in.Policy, chain, len(sent))
		if len(planned) != len(sent) {
			t.Fatalf("%s: planned %v, sent %v", chain, planned, sent)
		}
		for i := range sent {
			if got := planned[i].At.Sub(created); got != sent[i] {
				t.Errorf("%s reminder %d: planned at +%v, sent at +%v", chain, i+1, got, sent[i])
			}
		}
	}

	h = newHarness(t)
	h.update(min(1), "hire", joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: caseworker, HireID: "h1"})
	h.run(input("hired"), min(18))
	filled := created.Add(min(1))
	snap.LastEventAt, snap.FilledAt = filled, &filled
	sent := h.times(joborder.TemplateCloseOutNudge)
	planned := ReminderChain(snap, in.Policy, "close_out", len(sent))
	if len(sent) < 2 || len(planned) != len(sent) {
		t.Fatalf("close-out: planned %v, sent %v", planned, sent)
	}
	for i := range sent {
		if got := planned[i].At.Sub(created); got != sent[i] {
			t.Errorf("close-out nudge %d: planned at +%v, sent at +%v", i+1, got, sent[i])
		}
	}
	if ReminderChain(snap, in.Policy, "no such chain", 1) != nil {
		t.Error("an unknown chain has no reminders")
	}
}
