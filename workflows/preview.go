package workflows

import (
	"strings"
	"time"

	"jobordre/internal/policy"
	"jobordre/models"
)

// The policy editor's preview asks the workflow's own timing (pendings in timers.go) when an
// order's reminders and sharing steps would fire under a policy, so the preview can never
// disagree with what the workflow then does. Nothing here runs inside a workflow.

// Planned is one thing the workflow will do by itself: a reminder (Name "coordinator",
// "contact", "first_referral", "close_out", ...) or a sharing step (Name "sharing", Level set).
type Planned struct {
	Name  string
	Level string
	// Due is when the promise falls due; At is when the workflow acts (a reminder waits for the
	// delivery window on working days).
	Due, At time.Time
}

// Snapshot is what the database knows of a running order: enough to rebuild the part of the
// workflow's state its deadlines are computed from. Time spent paused before now is not known
// to the database and counts as none.
type Snapshot struct {
	// JobOrderID, when given, spreads the reminders that wait for the delivery window as the
	// workflow does (policy.SpreadDeliveryTime); without it they are shown at the window's opening.
	JobOrderID          string
	CreatedAt           time.Time
	OccupationCode      string
	Status, Sharing     string
	ApplicationDeadline *time.Time
	HasCoordinator      bool
	HasContact          bool
	FirstReferralAt     *time.Time
	// ManualSharing: someone at the job centre chose the sharing by hand (the steps stop).
	ManualSharing bool
	// LastEventAt is the order's last activity (the inactivity clock).
	LastEventAt time.Time
	// FilledAt is when the last position was filled (the close-out clock after a hire).
	FilledAt *time.Time
	// Reminders are the reminders already sent, by chain ("coordinator", "contact",
	// "first_referral", "close_out"): how many and when the last one went.
	Reminders map[string]SentReminders
}

// SentReminders is a reminder chain's progress.
type SentReminders struct {
	Count int
	Last  time.Time
}

// PlanNewOrder is what the workflow would do by itself for an order of occupation created at
// createdAt under p: every reminder's first firing and every sharing step, soonest first.
func PlanNewOrder(p policy.Policy, occupation string, createdAt time.Time) []Planned {
	s := newState(JobOrderInput{CreatedAt: createdAt, OccupationCode: occupation, Policy: p}, p)
	return plan(s, createdAt)
}

// PlanRunning is what the workflow of a running order would do by itself from now on under p:
// its pending reminders and every sharing step still to come, soonest first.
func PlanRunning(o Snapshot, p policy.Policy, now time.Time) []Planned {
	return plan(snapshotState(o, p, now), now)
}

// ReminderChain is when the workflow sends the reminders of one chain ("coordinator",
// "contact", "first_referral", "close_out") of the order o under p while the promise is not
// kept: the first n firings, each the workflow's own next deadline after the one before (the
// repeat, working days and the delivery window as the workflow applies them). The seed
// generator writes its synthetic reminders from it.
func ReminderChain(o Snapshot, p policy.Policy, chain string, n int) []Planned {
	s := snapshotState(o, p, o.CreatedAt)
	c := s.chain(chain)
	if c == nil {
		return nil
	}
	r := &run{s: s}
	var out []Planned
	for len(out) < n {
		var next *pending
		for _, pd := range r.pendings(o.CreatedAt) {
			if pd.name == chain {
				next = &pd
				break
			}
		}
		if next == nil {
			break
		}
		out = append(out, Planned{Name: chain, Due: next.due, At: next.wake})
		c.Fired, c.Ref, c.PausedAtRef = c.Fired+1, next.wake, s.PausedTotal // as the fire* functions do
	}
	return out
}

// chain is the reminder chain of that name, nil for an unknown name.
func (s *State) chain(name string) *Chain {
	switch name {
	case "coordinator":
		return &s.Coord
	case "contact":
		return &s.Contact
	case "first_referral":
		return &s.FirstReferral
	case "close_out":
		return &s.CloseOut
	}
	return nil
}

// snapshotState rebuilds the part of a workflow's state its deadlines come from.
func snapshotState(o Snapshot, p policy.Policy, now time.Time) *State {
	s := newState(JobOrderInput{JobOrderID: o.JobOrderID, CreatedAt: o.CreatedAt, OccupationCode: o.OccupationCode, ApplicationDeadline: o.ApplicationDeadline, Policy: p}, p)
	s.SpreadReminders = o.JobOrderID != ""
	s.Status, s.Sharing, s.ManualSharing = o.Status, o.Sharing, o.ManualSharing
	if s.Sharing == "" {
		s.Sharing = models.SharingInternal
	}
	if o.Status == models.StatusTemporarilyInactive {
		s.PausedSince = &now // paused: its deadlines are those it would have if reopened now
	}
	if o.HasCoordinator {
		c := "coordinator"
		s.Coordinator = &c
	}
	if o.HasContact {
		s.ContactIDs = []string{"contact"}
	}
	if o.FirstReferralAt != nil {
		s.FirstReferralAt, s.FirstReferral.Active = o.FirstReferralAt, false
		s.AutoFollowUpDone = true // a follow-up that is not the policy's to move
	}
	if !o.LastEventAt.IsZero() {
		s.LastEventAt = o.LastEventAt
	}
	if o.FilledAt != nil {
		s.FilledAt = o.FilledAt
	}
	for name, r := range o.Reminders {
		if c := s.chain(name); c != nil && r.Count > 0 {
			c.Fired, c.Ref = r.Count, r.Last
		}
	}
	return s
}

// plan walks the workflow's pending deadlines from now: every reminder once, and the sharing
// steps one after the other as the workflow takes them (taking one makes the next pending).
func plan(s *State, now time.Time) []Planned {
	r := &run{s: s}
	var out []Planned
	seen := map[string]bool{}
	for range len(models.SharingLevels) + 1 {
		var step *pending
		for _, p := range r.pendings(now) {
			if level, ok := strings.CutPrefix(p.name, "sharing:"); ok {
				if step == nil {
					q := p
					step = &q
					out = append(out, Planned{Name: "sharing", Level: level, Due: p.due, At: p.wake})
				}
				continue
			}
			if !seen[p.name] && p.reminder && !strings.HasPrefix(p.name, "follow_up:") {
				seen[p.name] = true
				out = append(out, Planned{Name: p.name, Due: p.due, At: p.wake})
			}
		}
		if step == nil {
			break
		}
		s.Sharing = strings.TrimPrefix(step.name, "sharing:")
	}
	sortPlanned(out)
	return out
}

func sortPlanned(p []Planned) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (p[j].At.Before(p[j-1].At) || (p[j].At.Equal(p[j-1].At) && p[j].Name < p[j-1].Name)); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}
