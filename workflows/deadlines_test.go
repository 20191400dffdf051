package workflows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// describe writes a projection as "name@offset ..." (offsets since creation).
func describe(ds []joborder.Deadline) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s@%v", d.Name, d.Due.Sub(created)))
	}
	return strings.Join(out, " ")
}

func TestTheReminderDeadlinesAreProjectedWheneverTheyChangeAndClearedWhileNotOpen(t *testing.T) {
	h := newHarness(t)
	h.update(min(22), "contact", joborder.UpdateRecordContact, joborder.RecordContactInput{Actor: caseworker, ContactID: "k1"})
	h.update(min(30), "pause", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusTemporarilyInactive})
	h.update(min(35), "reopen", joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: caseworker, Status: models.StatusOpen})
	h.run(input("d1"), min(40))

	tenDays := 10 * 24 * time.Hour
	want := []string{
		// At creation: the contact (20 min), first-referral (60 min) and close-out (10 days of inactivity) deadlines.
		"0s: contact@20m0s first_referral@1h0m0s close_out@" + tenDays.String(),
		// The contact reminder fired: the next one is due after the repeat (5 min).
		"20m0s: contact@25m0s first_referral@1h0m0s close_out@" + tenDays.String(),
		// The contact was recorded: no contact deadline; the inactivity clock restarts.
		"22m0s: first_referral@1h0m0s close_out@" + (tenDays + min(22)).String(),
		// Paused: nothing is due while the order waits.
		"30m0s: ",
		// Reopened: the deadlines are back, later by the 5 minutes the order was paused.
		"35m0s: first_referral@1h5m0s close_out@" + (tenDays + min(35)).String(),
	}
	var got []string
	for _, c := range h.deadlines {
		if c.In.JobOrderID != "d1" {
			t.Errorf("projected for %q", c.In.JobOrderID)
		}
		got = append(got, fmt.Sprintf("%v: %s", c.At, describe(c.In.Deadlines)))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("projections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
