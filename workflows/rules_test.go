package workflows

import (
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

// STAR's guide: since 17 March 2021 orders are not shared automatically; the national list holds
// only orders a job centre actively chose to share. An order of a job centre that never set a
// policy (the zero Policy in the input means policy.Defaults()) stays internal past the old
// defaults' 3 and 10 working days.
func TestAnOrderOfAJobCentreWithoutAPolicyStaysInternalPastTheOldSharingSteps(t *testing.T) {
	h := newHarness(t)
	in := input("no-policy")
	in.Policy = policy.Policy{}
	var after3, after15 joborder.LiveState
	h.queryAt(4*24*time.Hour, &after3)   // Monday: 3 working days after Thursday
	h.queryAt(21*24*time.Hour, &after15) // 15 working days on
	h.run(in, 22*24*time.Hour)
	for name, st := range map[string]joborder.LiveState{"after 3 working days": after3, "after 15 working days": after15} {
		if st.Sharing != models.SharingInternal {
			t.Errorf("%s the order is shared %s", name, st.Sharing)
		}
		for _, d := range st.Deadlines {
			if len(d.Name) > 8 && d.Name[:8] == "sharing:" {
				t.Errorf("%s a sharing step is pending: %+v", name, d)
			}
		}
		if len(st.Policy.SharingSteps) != 0 {
			t.Errorf("%s the policy has sharing steps %+v", name, st.Policy.SharingSteps)
		}
	}
	for _, e := range h.events {
		if e.Type == "sharing-changed" {
			t.Errorf("sharing changed: %+v", e)
		}
	}
}

// A manager's own sharing steps stay the job centre's choice, national ones included.
func TestAManagersOwnSharingStepsStillShareTheOrder(t *testing.T) {
	h := newHarness(t)
	var st joborder.LiveState
	h.queryAt(min(100), &st)
	h.run(input("own-steps"), min(101))
	if st.Sharing != models.SharingNational {
		t.Fatalf("sharing %s after the policy's national step, want national", st.Sharing)
	}
}

// The shortage rule (share_immediately) is applied when a policy change names the order's
// occupation, not only at creation; a manual sharing choice is left alone.
func TestAPolicyChangeNamingTheOccupationAsAShortageSharesTheOrderAtOnce(t *testing.T) {
	for _, manual := range []bool{false, true} {
		h := newHarness(t)
		in := input("shortage-policy")
		in.Policy.SharingSteps = nil
		if manual {
			h.update(min(1), "internal", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: models.SharingInternal})
		}
		p := in.Policy
		p.ShareImmediately = []policy.ShareImmediately{{OccupationCode: "7115", Level: models.SharingCommunity}}
		h.signal(min(5), joborder.SignalPolicyChanged, joborder.PolicyChangedSignal{Policy: p})
		var st joborder.LiveState
		h.queryAt(min(6), &st)
		h.run(in, min(7))
		want := models.SharingCommunity
		if manual {
			want = models.SharingInternal
		}
		if st.Sharing != want {
			t.Errorf("manual=%v: sharing %s after the policy change, want %s", manual, st.Sharing, want)
		}
	}
}

// Correcting the occupation to a shortage occupation shares the order at once.
func TestCorrectingTheOccupationToAShortageOccupationSharesTheOrder(t *testing.T) {
	h := newHarness(t)
	in := input("shortage-correction") // testPolicy shares 2221 nationally at once
	in.Policy.SharingSteps = nil
	h.update(min(3), "correct", joborder.UpdateCorrectDetails, joborder.CorrectDetailsInput{Actor: caseworker, Positions: 1, OccupationCode: "2221", Fields: []string{"occupation_code"}})
	h.run(in, min(5))
	if st := h.results["correct"]; st.Sharing != models.SharingNational {
		t.Fatalf("sharing %s after the correction to 2221, want national: %+v", st.Sharing, h.failed)
	}
	found := false
	for _, e := range h.events {
		found = found || (e.Type == "sharing-changed" && e.Details["cause"] == "share_immediately")
	}
	if !found {
		t.Errorf("no sharing-changed (share_immediately) in %s", h.eventTypes())
	}
}

// A manual `after` is counted as the job centre counts its days: working days by default.
func TestAManualSharingAfterFollowsTheWorkingDaySetting(t *testing.T) {
	for _, wd := range []bool{true, false} {
		h := newHarness(t)
		in := input("after")
		in.Policy.WorkingDaysOnly = wd
		in.Policy.SharingSteps = nil
		// created is Thursday 26 November 2026 09:00 UTC; at minute 1 a caseworker asks for P2D.
		h.update(min(1), "after", joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: caseworker, Level: models.SharingNational, After: ptrDuration(policy.MustParseDuration("P2D"))})
		h.run(in, min(2))
		var due time.Time
		for _, d := range h.results["after"].Deadlines {
			if d.Name == "scheduled_sharing:national" {
				due = d.Due
			}
		}
		want := created.Add(min(1)).AddDate(0, 0, 2) // Saturday
		if wd {
			want = created.Add(min(1)).AddDate(0, 0, 4) // Monday: Friday and Monday are the two working days
		}
		if !due.Equal(want) {
			t.Errorf("working days %v: scheduled at %s, want %s", wd, due, want)
		}
	}
}

func ptrDuration(d policy.Duration) *policy.Duration { return &d }
