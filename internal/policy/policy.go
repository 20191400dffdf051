// Package policy holds a job centre's service policy for job orders — the deadlines, reminder
// cadence and sharing steps JobOrderWorkflow enforces — and the Danish working-day calendar the
// deadlines are measured in. It is pure Go: no database, no Temporal.
package policy

import (
	"fmt"
	"regexp"
	"strings"

	"jobordre/internal/problem"
	"jobordre/models"
)

// SharingStep widens an order's sharing to Level once After has passed since the order was created.
type SharingStep struct {
	After Duration `json:"after"`
	Level string   `json:"level"`
}

// ShareImmediately shares orders for a (shortage) occupation at Level as soon as they are created.
type ShareImmediately struct {
	OccupationCode string `json:"occupation_code"`
	Level          string `json:"level"`
}

// Policy is a job centre's service policy. Durations count working days when WorkingDaysOnly.
type Policy struct {
	CoordinatorDeadline     Duration           `json:"coordinator_deadline"`
	ContactDeadline         Duration           `json:"contact_deadline"`
	FirstReferralDeadline   Duration           `json:"first_referral_deadline"`
	SharingSteps            []SharingStep      `json:"sharing_steps"`
	ShareImmediately        []ShareImmediately `json:"share_immediately"`
	FollowUpAfterReferral   Duration           `json:"follow_up_after_referral"`
	CloseOutAfterHire       Duration           `json:"close_out_after_hire"`
	CloseOutAfterDeadline   Duration           `json:"close_out_after_deadline"`
	CloseOutAfterInactivity Duration           `json:"close_out_after_inactivity"`
	InactiveMax             Duration           `json:"inactive_max"`
	ReminderRepeat          Duration           `json:"reminder_repeat"`
	EscalateAfter           int                `json:"escalate_after"`
	ReopenWindow            Duration           `json:"reopen_window"`
	WorkingDaysOnly         bool               `json:"working_days_only"`
	// Retention is empty in documents stored before it existed and in running orders' inputs:
	// empty means DefaultRetention (see RetentionOrDefault), so those stay valid.
	Retention Retention `json:"retention"`
}

// Defaults is the policy a job centre has until it sets its own:
//
//   - coordinator_deadline P1D: an order without an owner is invisible work; managers hear the next working day.
//   - contact_deadline P2D: the employer should hear from the job centre within two working days of ordering.
//   - first_referral_deadline P10D: two working weeks to find and refer the first candidate.
//   - sharing_steps empty: sharing is the job centre's active choice. Since 17 March 2021 orders
//     are not shared on the national list automatically; "the national list only contains job
//     orders that a job centre has actively chosen to share with all job centres" (STAR's guide,
//     section 3). An order stays internal until someone at the responsible job centre shares it
//     (PUT .../sharing) or the job centre's managers set steps of their own, which may be any
//     level, national included: that is the job centre's choice, the guideline the guide asks
//     managers to set ("Sæt retningslinjer for, hvornår en jobordre deles").
//   - share_immediately empty: shortage occupations are a local political choice.
//   - follow_up_after_referral P7D: a week after the first referral someone should ask how it went.
//   - close_out_after_hire P3D: when all positions are filled, close the order within three days.
//   - close_out_after_deadline P7D: a week after the application deadline the order is usually done.
//   - close_out_after_inactivity P30D: a month without any activity suggests a forgotten order.
//   - inactive_max P30D: a pause without an end date is reconsidered after a month.
//   - reminder_repeat P2D: repeat unanswered reminders every other working day, not daily noise.
//   - escalate_after 3: after three ignored reminders a manager steps in.
//   - reopen_window P30D: a closed order can be reopened for a month (e.g. a hire falls through).
//   - working_days_only true: deadlines count Danish working days; reminders arrive 08–16.
func Defaults() Policy {
	return Policy{
		CoordinatorDeadline:     MustParseDuration("P1D"),
		ContactDeadline:         MustParseDuration("P2D"),
		FirstReferralDeadline:   MustParseDuration("P10D"),
		SharingSteps:            []SharingStep{},
		ShareImmediately:        []ShareImmediately{},
		FollowUpAfterReferral:   MustParseDuration("P7D"),
		CloseOutAfterHire:       MustParseDuration("P3D"),
		CloseOutAfterDeadline:   MustParseDuration("P7D"),
		CloseOutAfterInactivity: MustParseDuration("P30D"),
		InactiveMax:             MustParseDuration("P30D"),
		ReminderRepeat:          MustParseDuration("P2D"),
		EscalateAfter:           3,
		ReopenWindow:            MustParseDuration("P30D"),
		WorkingDaysOnly:         true,
		Retention:               DefaultRetention(),
	}
}

// RetentionOrDefault is p's retention periods, or DefaultRetention when p has none set.
func (p Policy) RetentionOrDefault() Retention {
	if p.Retention == (Retention{}) {
		return DefaultRetention()
	}
	return p.Retention
}

// IsZero reports whether p is the zero Policy (nothing set at all).
func (p Policy) IsZero() bool {
	return p.CoordinatorDeadline.IsZero() && p.ContactDeadline.IsZero() && p.FirstReferralDeadline.IsZero() &&
		len(p.SharingSteps) == 0 && len(p.ShareImmediately) == 0 && p.FollowUpAfterReferral.IsZero() &&
		p.CloseOutAfterHire.IsZero() && p.CloseOutAfterDeadline.IsZero() && p.CloseOutAfterInactivity.IsZero() &&
		p.InactiveMax.IsZero() && p.ReminderRepeat.IsZero() && p.EscalateAfter == 0 && p.ReopenWindow.IsZero() && !p.WorkingDaysOnly &&
		p.Retention == (Retention{})
}

// ImmediateLevel is the sharing level an order for occupationCode gets at creation, or "" for none.
func (p Policy) ImmediateLevel(occupationCode string) string {
	best := ""
	for _, s := range p.ShareImmediately {
		if s.OccupationCode == occupationCode && models.SharingRank(s.Level) > models.SharingRank(best) {
			best = s.Level
		}
	}
	return best
}

var occupationCode = regexp.MustCompile(`^[0-9]{4}$`)

// Validate returns every problem with p (fields as JSON paths such as sharing_steps[1].level);
// none means valid.
func (p Policy) Validate() []problem.FieldError {
	var errs []problem.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, problem.Field(field, format, args...))
	}
	errs = append(errs, positiveDurations("", "P2D", []namedDuration{
		{"coordinator_deadline", p.CoordinatorDeadline},
		{"contact_deadline", p.ContactDeadline},
		{"first_referral_deadline", p.FirstReferralDeadline},
		{"follow_up_after_referral", p.FollowUpAfterReferral},
		{"close_out_after_hire", p.CloseOutAfterHire},
		{"close_out_after_deadline", p.CloseOutAfterDeadline},
		{"close_out_after_inactivity", p.CloseOutAfterInactivity},
		{"inactive_max", p.InactiveMax},
		{"reminder_repeat", p.ReminderRepeat},
		{"reopen_window", p.ReopenWindow},
	})...)
	prevRank, prevAfter := models.SharingRank(models.SharingInternal), Duration{}
	for i, s := range p.SharingSteps {
		field := fmt.Sprintf("sharing_steps[%d]", i)
		rank := models.SharingRank(s.Level)
		switch {
		case rank < 0:
			add(field+".level", "unknown sharing level %q (want one of %s)", s.Level, strings.Join(models.SharingLevels[1:], ", "))
		case rank == 0:
			add(field+".level", "a sharing step cannot be %q: orders start there", s.Level)
		case rank <= prevRank:
			add(field+".level", "steps must widen sharing: %q is not wider than the previous step", s.Level)
		}
		if s.After.IsZero() {
			add(field+".after", "must be a positive ISO 8601 duration such as P3D")
		} else if i > 0 && s.After.Approx() <= prevAfter.Approx() {
			add(field+".after", "must be later than the previous step's %s", prevAfter)
		}
		if rank > prevRank {
			prevRank = rank
		}
		prevAfter = s.After
	}
	seen := map[string]bool{}
	for i, s := range p.ShareImmediately {
		field := fmt.Sprintf("share_immediately[%d]", i)
		if !occupationCode.MatchString(s.OccupationCode) {
			add(field+".occupation_code", "occupation code must be 4 digits, got %q", s.OccupationCode)
		} else if seen[s.OccupationCode] {
			add(field+".occupation_code", "occupation code %s is listed twice", s.OccupationCode)
		}
		seen[s.OccupationCode] = true
		if r := models.SharingRank(s.Level); r < 0 {
			add(field+".level", "unknown sharing level %q (want one of %s)", s.Level, strings.Join(models.SharingLevels[1:], ", "))
		} else if r == 0 {
			add(field+".level", "sharing immediately at %q changes nothing", s.Level)
		}
	}
	if p.EscalateAfter < 1 || p.EscalateAfter > 20 {
		add("escalate_after", "must be between 1 and 20, got %d", p.EscalateAfter)
	}
	if p.Retention != (Retention{}) {
		errs = append(errs, p.Retention.Validate("retention.")...)
	}
	return errs
}

// Patch is a partial policy for PUT/PATCH: nil fields keep their current value.
type Patch struct {
	CoordinatorDeadline     *Duration           `json:"coordinator_deadline,omitempty"`
	ContactDeadline         *Duration           `json:"contact_deadline,omitempty"`
	FirstReferralDeadline   *Duration           `json:"first_referral_deadline,omitempty"`
	SharingSteps            *[]SharingStep      `json:"sharing_steps,omitempty"`
	ShareImmediately        *[]ShareImmediately `json:"share_immediately,omitempty"`
	FollowUpAfterReferral   *Duration           `json:"follow_up_after_referral,omitempty"`
	CloseOutAfterHire       *Duration           `json:"close_out_after_hire,omitempty"`
	CloseOutAfterDeadline   *Duration           `json:"close_out_after_deadline,omitempty"`
	CloseOutAfterInactivity *Duration           `json:"close_out_after_inactivity,omitempty"`
	InactiveMax             *Duration           `json:"inactive_max,omitempty"`
	ReminderRepeat          *Duration           `json:"reminder_repeat,omitempty"`
	EscalateAfter           *int                `json:"escalate_after,omitempty"`
	ReopenWindow            *Duration           `json:"reopen_window,omitempty"`
	WorkingDaysOnly         *bool               `json:"working_days_only,omitempty"`
	Retention               *RetentionPatch     `json:"retention,omitempty"`
}

// Merge returns p with the fields set in patch replaced; p itself is not changed. Validate the result.
func (p Policy) Merge(patch Patch) Policy {
	out := p
	out.SharingSteps = append([]SharingStep(nil), p.SharingSteps...)
	out.ShareImmediately = append([]ShareImmediately(nil), p.ShareImmediately...)
	setDuration(&out.CoordinatorDeadline, patch.CoordinatorDeadline)
	setDuration(&out.ContactDeadline, patch.ContactDeadline)
	setDuration(&out.FirstReferralDeadline, patch.FirstReferralDeadline)
	setDuration(&out.FollowUpAfterReferral, patch.FollowUpAfterReferral)
	setDuration(&out.CloseOutAfterHire, patch.CloseOutAfterHire)
	setDuration(&out.CloseOutAfterDeadline, patch.CloseOutAfterDeadline)
	setDuration(&out.CloseOutAfterInactivity, patch.CloseOutAfterInactivity)
	setDuration(&out.InactiveMax, patch.InactiveMax)
	setDuration(&out.ReminderRepeat, patch.ReminderRepeat)
	setDuration(&out.ReopenWindow, patch.ReopenWindow)
	if patch.SharingSteps != nil {
		out.SharingSteps = append([]SharingStep{}, (*patch.SharingSteps)...)
	}
	if patch.ShareImmediately != nil {
		out.ShareImmediately = append([]ShareImmediately{}, (*patch.ShareImmediately)...)
	}
	if patch.EscalateAfter != nil {
		out.EscalateAfter = *patch.EscalateAfter
	}
	if patch.WorkingDaysOnly != nil {
		out.WorkingDaysOnly = *patch.WorkingDaysOnly
	}
	if patch.Retention != nil {
		out.Retention = p.RetentionOrDefault().Merge(*patch.Retention)
	}
	return out
}

// namedDuration is a policy duration with its JSON field name, for positiveDurations.
type namedDuration struct {
	name string
	d    Duration
}

// positiveDurations names (under prefix) every duration that is zero or negative: a period of
// nothing would make a reminder fire at once or data vanish at once. example is shown in the error.
func positiveDurations(prefix, example string, fields []namedDuration) []problem.FieldError {
	var errs []problem.FieldError
	for _, f := range fields {
		if f.d.Days() < 0 || f.d.Clock() < 0 || f.d.IsZero() {
			errs = append(errs, problem.Field(prefix+f.name, "must be a positive ISO 8601 duration such as %s", example))
		}
	}
	return errs
}

// setDuration copies a patch's duration over the current one when the patch sets it.
func setDuration(dst, src *Duration) {
	if src != nil {
		*dst = *src
	}
}
