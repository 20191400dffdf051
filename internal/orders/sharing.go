package orders

import (
	"strings"
	"time"

	"jobordre/internal/policy"
	"jobordre/models"
)

// SharingStep is a sharing level the order will get without anyone acting: a step of the job
// centre's policy, or a level a caseworker scheduled.
type SharingStep struct {
	Level string
	At    time.Time
	// Scheduled marks a level a caseworker chose for later (which stops the policy's steps).
	Scheduled bool
}

// UpcomingSharing lists the sharing the order will get on its own, soonest first: the level a
// caseworker scheduled, or every policy step still to come (the workflow only waits for the
// next one; the later ones fall at their policy time plus the same time spent paused). It is
// nil when nothing more will happen by itself (a manual choice, all steps taken, the order
// closed, or its live state unknown). While the order is paused the times are those the steps
// would have if it were reopened now, like the workflow's deadlines.
func (v View) UpcomingSharing() []SharingStep {
	if v.Live == nil || v.Order == nil {
		return nil
	}
	var out []SharingStep
	var next *SharingStep
	for _, d := range v.Live.Deadlines {
		if level, ok := strings.CutPrefix(d.Name, "scheduled_sharing:"); ok {
			out = append(out, SharingStep{Level: level, At: d.Due, Scheduled: true})
		}
		if level, ok := strings.CutPrefix(d.Name, "sharing:"); ok {
			next = &SharingStep{Level: level, At: d.Due}
		}
	}
	if next == nil {
		return out
	}
	p := v.Live.Policy
	created := v.Order.CreatedAt
	// The workflow widens the sharing one step at a time: the first step above the current
	// level, then the first above that, and so on.
	var steps []policy.SharingStep
	level := v.Live.Sharing
	for _, s := range p.SharingSteps {
		if models.SharingRank(s.Level) > models.SharingRank(level) {
			steps = append(steps, s)
			level = s.Level
		}
	}
	if len(steps) == 0 || steps[0].Level != next.Level {
		// The policy changed under the live state; trust the workflow's own deadline only.
		return append(out, *next)
	}
	shift := next.At.Sub(policy.AddDuration(created, steps[0].After, p.WorkingDaysOnly))
	out = append(out, *next)
	prev := next.At
	for _, s := range steps[1:] {
		at := policy.AddDuration(created, s.After, p.WorkingDaysOnly).Add(shift)
		if at.Before(prev) {
			at = prev // an earlier step for a wider level fires right after the one before it
		}
		out = append(out, SharingStep{Level: s.Level, At: at})
		prev = at
	}
	return out
}
