package workflows

import (
	"sort"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

// pending is one deadline the order is waiting for.
type pending struct {
	name     string    // deadline name in the live view
	due      time.Time // when the promise falls due
	wake     time.Time // when the workflow acts (reminders: deliveryTime(due))
	paused   bool      // the order is inactive: this deadline waits with the time it has left
	reminder bool      // acting sends a notification
	fire     func(ctx workflow.Context, now time.Time) []workflow.Future
}

// deliveryTime is when a reminder due at due is sent: inside the delivery window on working
// days, and, from spreadChangeID on, spread over the window's first hour by the order's ID when
// it waited for the window (policy.SpreadDeliveryTime).
func (r *run) deliveryTime(due time.Time) time.Time {
	wd := r.s.Policy.WorkingDaysOnly
	if r.s.SpreadReminders {
		return policy.SpreadDeliveryTime(due, wd, r.s.JobOrderID)
	}
	return policy.DeliveryTime(due, wd)
}

// pendings derives every pending deadline from the state and the current policy. Deadlines are
// absolute times computed from their anchors (creation, first referral, hire, last event, last
// reminder) plus the time the order has spent paused since the anchor, so pausing, resuming and a
// policy change all just recompute them.
func (r *run) pendings(now time.Time) []pending {
	s, p := r.s, r.s.Policy
	wd := p.WorkingDaysOnly
	var out []pending
	if s.Status == models.StatusClosed {
		if s.ClosedAt != nil {
			due := policy.AddDuration(*s.ClosedAt, p.ReopenWindow, wd)
			out = append(out, pending{name: "reopen_window", due: due, wake: due, fire: func(workflow.Context, time.Time) []workflow.Future {
				r.done = true
				return nil
			}})
		}
		return out
	}
	paused := s.PausedSince != nil
	current := time.Duration(0)
	if paused {
		current = now.Sub(*s.PausedSince)
	}
	shift := func(pausedAtRef time.Duration) time.Duration { return s.PausedTotal - pausedAtRef + current }
	chainDue := func(c Chain, first policy.Duration) time.Time {
		d := first
		if c.Fired > 0 {
			d = p.ReminderRepeat
		}
		return policy.AddDuration(c.Ref, d, wd).Add(shift(c.PausedAtRef))
	}
	reminder := func(name string, due time.Time, fire func(workflow.Context, time.Time) []workflow.Future) {
		out = append(out, pending{name: name, due: due, wake: r.deliveryTime(due), paused: paused, reminder: true, fire: fire})
	}

	if s.Coordinator == nil && s.Coord.Active {
		reminder("coordinator", chainDue(s.Coord, p.CoordinatorDeadline), r.fireCoordinatorReminder)
	}
	if len(s.ContactIDs) == 0 && s.Contact.Active {
		reminder("contact", chainDue(s.Contact, p.ContactDeadline), r.fireContactReminder)
	}
	if s.FirstReferralAt == nil && s.FirstReferral.Active {
		reminder("first_referral", chainDue(s.FirstReferral, p.FirstReferralDeadline), r.fireFirstReferralReminder)
	}
	if !s.ManualSharing {
		for _, step := range p.SharingSteps {
			if models.SharingRank(step.Level) > models.SharingRank(s.Sharing) {
				level := step.Level
				due := policy.AddDuration(s.CreatedAt, step.After, wd).Add(shift(0))
				out = append(out, pending{name: "sharing:" + level, due: due, wake: due, paused: paused, fire: func(ctx workflow.Context, _ time.Time) []workflow.Future {
					return r.changeSharing(ctx, level, "sharing_step", systemActor, systemActor)
				}})
				break
			}
		}
	}
	if sch := s.ScheduledSharing; sch != nil {
		level := sch.Level
		out = append(out, pending{name: "scheduled_sharing:" + level, due: sch.At, wake: sch.At, fire: func(ctx workflow.Context, _ time.Time) []workflow.Future {
			r.s.ScheduledSharing = nil
			return r.changeSharing(ctx, level, "scheduled", systemActor, systemActor)
		}})
	}
	if s.FirstReferralAt != nil && !s.AutoFollowUpDone {
		due := policy.AddDuration(*s.FirstReferralAt, p.FollowUpAfterReferral, wd).Add(shift(s.PausedAtReferral))
		out = append(out, pending{name: "follow_up_after_referral", due: due, wake: due, paused: paused, fire: r.fireAutoFollowUp})
	}
	for _, f := range s.FollowUps {
		if f.Done {
			continue
		}
		due := f.Due.Add(shift(f.PausedAtRef))
		if f.Reminders > 0 {
			due = policy.AddDuration(f.Ref, p.ReminderRepeat, wd).Add(shift(f.PausedAtRef))
		}
		id := f.ID
		reminder("follow_up:"+id, due, func(ctx workflow.Context, now time.Time) []workflow.Future {
			return r.fireFollowUpReminder(ctx, now, id)
		})
	}
	if s.CloseOut.Active {
		if s.CloseOut.Fired > 0 {
			reminder("close_out", chainDue(s.CloseOut, p.ReminderRepeat), func(ctx workflow.Context, now time.Time) []workflow.Future {
				return r.fireCloseOutNudge(ctx, now, s.CloseOutCause)
			})
		} else {
			// Each trigger keeps its policy period, so an answer can count the same period again.
			type trigger struct {
				cause  string
				due    time.Time
				period policy.Duration
			}
			triggers := []trigger{{"inactivity", policy.AddDuration(s.LastEventAt, p.CloseOutAfterInactivity, wd).Add(shift(s.PausedAtLastEvent)), p.CloseOutAfterInactivity}}
			if s.FilledAt != nil {
				triggers = append(triggers, trigger{"hire", policy.AddDuration(*s.FilledAt, p.CloseOutAfterHire, wd).Add(shift(s.PausedAtFilled)), p.CloseOutAfterHire})
			}
			if s.ApplicationDeadline != nil {
				triggers = append(triggers, trigger{"deadline", policy.AddDuration(*s.ApplicationDeadline, p.CloseOutAfterDeadline, wd).Add(current), p.CloseOutAfterDeadline})
			}
			if s.CloseOutAnsweredAt != nil {
				// The employer said it is still recruiting: each trigger's period counts from the answer.
				for i, t := range triggers {
					if from := policy.AddDuration(*s.CloseOutAnsweredAt, t.period, wd); from.After(t.due) {
						triggers[i].due = from
					}
				}
			}
			best := triggers[0]
			for _, t := range triggers[1:] {
				if t.due.Before(best.due) || (t.due.Equal(best.due) && best.cause == "inactivity") {
					best = t
				}
			}
			reminder("close_out", best.due, func(ctx workflow.Context, now time.Time) []workflow.Future {
				return r.fireCloseOutNudge(ctx, now, best.cause)
			})
		}
	}
	if s.Status == models.StatusTemporarilyInactive && !s.InactiveEndedSent && s.InactiveSince != nil {
		due := policy.AddDuration(*s.InactiveSince, p.InactiveMax, wd)
		if s.InactiveUntil != nil {
			due = *s.InactiveUntil
		}
		out = append(out, pending{name: "inactive_end", due: due, wake: r.deliveryTime(due), reminder: true, fire: r.fireInactiveEnded})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].wake.Equal(out[j].wake) {
			return out[i].wake.Before(out[j].wake)
		}
		return out[i].name < out[j].name
	})
	return out
}

// nextWake is when the main loop must next act, or nil when nothing is pending.
func (r *run) nextWake(now time.Time) *time.Time {
	for _, p := range r.pendings(now) {
		if !p.paused {
			return timePtr(p.wake)
		}
	}
	return nil
}

// fireDue acts on every deadline that is due, one at a time (acting may change what is pending).
func (r *run) fireDue(ctx workflow.Context) {
	for range 1000 {
		now := workflow.Now(ctx)
		var next *pending
		for _, p := range r.pendings(now) {
			if !p.paused && !p.wake.After(now) {
				next = &p
				break
			}
		}
		if next == nil || r.done {
			return
		}
		r.runEvents++
		r.version++
		r.wait(ctx, next.fire(ctx, now))
	}
}

func (r *run) fireCoordinatorReminder(ctx workflow.Context, now time.Time) []workflow.Future {
	c := &r.s.Coord
	c.Fired, c.Ref, c.PausedAtRef = c.Fired+1, now, r.s.PausedTotal
	return []workflow.Future{r.notify(ctx, joborder.TemplateCoordinatorMissingReminder, joborder.RecipientManagers, "", strconv.Itoa(c.Fired))}
}

func (r *run) fireContactReminder(ctx workflow.Context, now time.Time) []workflow.Future {
	c := &r.s.Contact
	var fs []workflow.Future
	if c.Fired >= r.s.Policy.EscalateAfter && !r.s.ContactEscalated {
		r.s.ContactEscalated = true
		fs = append(fs,
			r.notify(ctx, joborder.TemplateEscalation, joborder.RecipientManagers, joborder.ReasonContact, "1"),
			r.recordEvent(ctx, joborder.EventEscalated, systemActor, systemActor, map[string]string{"reason": joborder.ReasonContact, "reminders": strconv.Itoa(c.Fired)}, false))
	}
	c.Fired, c.Ref, c.PausedAtRef = c.Fired+1, now, r.s.PausedTotal
	return append(fs, r.notify(ctx, joborder.TemplateContactReminder, joborder.RecipientCoordinator, "", strconv.Itoa(c.Fired)))
}

func (r *run) fireFirstReferralReminder(ctx workflow.Context, now time.Time) []workflow.Future {
	c := &r.s.FirstReferral
	c.Fired, c.Ref, c.PausedAtRef = c.Fired+1, now, r.s.PausedTotal
	return []workflow.Future{r.notify(ctx, joborder.TemplateFirstReferralReminder, joborder.RecipientCoordinator, "", strconv.Itoa(c.Fired))}
}

func (r *run) fireAutoFollowUp(ctx workflow.Context, now time.Time) []workflow.Future {
	s := r.s
	s.AutoFollowUpDone = true
	s.AutoFollowUps++
	id := "auto-" + strconv.Itoa(s.AutoFollowUps)
	s.FollowUps = append(s.FollowUps, FollowUp{ID: id, Due: now, Auto: true, PausedAtRef: s.PausedTotal})
	return []workflow.Future{r.recordEvent(ctx, joborder.EventFollowUpAdded, systemActor, systemActor, map[string]string{"follow_up_id": id, "cause": "follow_up_after_referral"}, false)}
}

func (r *run) fireFollowUpReminder(ctx workflow.Context, now time.Time, id string) []workflow.Future {
	for i := range r.s.FollowUps {
		f := &r.s.FollowUps[i]
		if f.ID == id {
			f.Reminders, f.Ref, f.PausedAtRef = f.Reminders+1, now, r.s.PausedTotal
			return []workflow.Future{r.notify(ctx, joborder.TemplateFollowUpReminder, joborder.RecipientCoordinator, "", id, strconv.Itoa(f.Reminders))}
		}
	}
	return nil
}

func (r *run) fireCloseOutNudge(ctx workflow.Context, now time.Time, cause string) []workflow.Future {
	s := r.s
	c := &s.CloseOut
	var fs []workflow.Future
	if c.Fired == 0 {
		s.CloseOutCause = cause
	}
	if c.Fired >= s.Policy.EscalateAfter && !s.CloseOutEscalated {
		s.CloseOutEscalated = true
		s.CloseOutEscalations++
		fs = append(fs,
			r.notify(ctx, joborder.TemplateEscalation, joborder.RecipientManagers, joborder.ReasonCloseOut, strconv.Itoa(s.CloseOutEscalations)),
			r.recordEvent(ctx, joborder.EventEscalated, systemActor, systemActor, map[string]string{"reason": joborder.ReasonCloseOut, "nudges": strconv.Itoa(c.Fired)}, false))
	}
	c.Fired, c.Ref, c.PausedAtRef = c.Fired+1, now, s.PausedTotal
	s.CloseOutNudges++
	fs = append(fs, r.notify(ctx, joborder.TemplateCloseOutNudge, joborder.RecipientCoordinator, "", strconv.Itoa(s.CloseOutNudges)))
	if !s.CloseOutQuestionSent {
		s.CloseOutQuestionSent = true
		fs = append(fs, r.notify(ctx, joborder.TemplateCloseOutQuestion, joborder.RecipientEmployer, "", "1"))
	}
	return fs
}

func (r *run) fireInactiveEnded(ctx workflow.Context, _ time.Time) []workflow.Future {
	r.s.InactiveEndedSent = true
	return []workflow.Future{r.notify(ctx, joborder.TemplateInactiveEndedReminder, joborder.RecipientCoordinator, "", strconv.Itoa(r.s.InactivePeriods))}
}

// changeSharing sets the sharing level, records it and projects it.
func (r *run) changeSharing(ctx workflow.Context, level, cause, actorID, actorRole string) []workflow.Future {
	if level == r.s.Sharing {
		return nil
	}
	r.s.Sharing = level
	fs := []workflow.Future{r.recordEvent(ctx, joborder.EventSharingChanged, actorID, actorRole, map[string]string{"level": level, "cause": cause}, false)}
	return append(fs, r.projectIfChanged(ctx)...)
}

// view is the live state at now.
func (r *run) view(now time.Time) joborder.LiveState {
	s := r.s
	v := joborder.LiveState{
		JobOrderID: s.JobOrderID, Status: s.Status, Sharing: s.Sharing, ResponsibleJobcenter: s.ResponsibleJobcenter,
		Coordinator: copyStr(s.Coordinator), OpenedAt: s.CreatedAt, Deadlines: []joborder.Deadline{}, FollowUps: []joborder.FollowUpView{},
		Coordinators: append([]joborder.Assignment{}, s.Coordinators...), Hires: len(s.Hires), Referrals: len(s.Referrals),
		Positions: s.Positions, CloseReason: s.CloseReason, ClosedAt: s.ClosedAt, InactiveUntil: s.InactiveUntil, Policy: s.Policy,
	}
	for _, p := range r.pendings(now) {
		v.Deadlines = append(v.Deadlines, joborder.Deadline{Name: p.name, Due: p.due})
		if p.reminder && !p.paused && v.NextReminderAt == nil {
			v.NextReminderAt = timePtr(p.wake)
		}
	}
	sortDeadlines(v.Deadlines)
	for _, f := range s.FollowUps {
		v.FollowUps = append(v.FollowUps, joborder.FollowUpView{ID: f.ID, Due: f.Due, Done: f.Done})
	}
	sort.SliceStable(v.FollowUps, func(i, j int) bool { return v.FollowUps[i].Due.Before(v.FollowUps[j].Due) })
	return v
}
