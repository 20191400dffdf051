package orders_test

import (
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/models"
)

// Thursday 3 December 2026, 10:00 in Copenhagen: three working days later is Tuesday 8
// December, ten working days later Thursday 17 December.
var created = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func viewWith(sharing string, deadlines ...joborder.Deadline) orders.View {
	return orders.View{
		Order: &models.JobOrder{CreatedAt: created, Sharing: sharing},
		Live:  &joborder.LiveState{Sharing: sharing, Policy: withSteps(), Deadlines: deadlines},
	}
}

// withSteps is a job centre's own policy with sharing steps (the shipped defaults have none):
// neighbours after 3 working days, national after 10.
func withSteps() policy.Policy {
	p := policy.Defaults()
	p.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours},
		{After: policy.MustParseDuration("P10D"), Level: models.SharingNational}}
	return p
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, policy.Copenhagen)
	if err != nil {
		panic(err)
	}
	return t
}

func TestUpcomingSharingListsEveryPolicyStepStillToComeAsDates(t *testing.T) {
	v := viewWith(models.SharingInternal, joborder.Deadline{Name: "contact", Due: day("2026-12-07 10:00")},
		joborder.Deadline{Name: "sharing:neighbours", Due: day("2026-12-08 10:00")})
	got := v.UpcomingSharing()
	want := []orders.SharingStep{{Level: "neighbours", At: day("2026-12-08 10:00")}, {Level: "national", At: day("2026-12-17 10:00")}}
	assertSteps(t, got, want)
}

func TestUpcomingSharingMovesLaterStepsByTheTimeTheOrderWasPaused(t *testing.T) {
	// Paused for a day and two hours: the workflow's next step moved by that much, and so do the later ones.
	paused := 26 * time.Hour
	v := viewWith(models.SharingInternal, joborder.Deadline{Name: "sharing:neighbours", Due: day("2026-12-08 10:00").Add(paused)})
	assertSteps(t, v.UpcomingSharing(), []orders.SharingStep{
		{Level: "neighbours", At: day("2026-12-08 10:00").Add(paused)}, {Level: "national", At: day("2026-12-17 10:00").Add(paused)},
	})
}

func TestUpcomingSharingAfterTheFirstStepShowsTheRest(t *testing.T) {
	v := viewWith(models.SharingNeighbours, joborder.Deadline{Name: "sharing:national", Due: day("2026-12-17 10:00")})
	assertSteps(t, v.UpcomingSharing(), []orders.SharingStep{{Level: "national", At: day("2026-12-17 10:00")}})
}

func TestUpcomingSharingShowsAScheduledLevelAndNothingAfterAManualChoice(t *testing.T) {
	at := day("2026-12-07 08:00")
	v := viewWith(models.SharingInternal, joborder.Deadline{Name: "scheduled_sharing:community", Due: at})
	assertSteps(t, v.UpcomingSharing(), []orders.SharingStep{{Level: "community", At: at, Scheduled: true}})

	// Shared by hand now: the workflow waits for no sharing step.
	if got := viewWith(models.SharingNational, joborder.Deadline{Name: "contact", Due: at}).UpcomingSharing(); got != nil {
		t.Errorf("after a manual choice: %+v, want nothing", got)
	}
	// No live state (the workflow did not answer): nothing is promised.
	if got := (orders.View{Order: &models.JobOrder{CreatedAt: created}}).UpcomingSharing(); got != nil {
		t.Errorf("without a live state: %+v", got)
	}
}

func TestUpcomingSharingTrustsOnlyTheWorkflowWhenThePolicyDisagrees(t *testing.T) {
	// The live policy has no step to the level the workflow waits for (it changed meanwhile).
	v := viewWith(models.SharingInternal, joborder.Deadline{Name: "sharing:community", Due: day("2026-12-09 10:00")})
	assertSteps(t, v.UpcomingSharing(), []orders.SharingStep{{Level: "community", At: day("2026-12-09 10:00")}})
}

func assertSteps(t *testing.T, got, want []orders.SharingStep) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Level != want[i].Level || !got[i].At.Equal(want[i].At) || got[i].Scheduled != want[i].Scheduled {
			t.Errorf("step %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
