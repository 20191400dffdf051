package workflows

import (
	"time"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
)

// JobOrderInput starts a JobOrderWorkflow. It carries IDs and codes only: no names, e-mail
// addresses or free text, so no personal data lands in the workflow history.
type JobOrderInput struct {
	JobOrderID           string
	ResponsibleJobcenter string
	OccupationCode       string
	CreatedAt            time.Time
	// Positions is how many people the employer wants to hire (0 counts as 1).
	Positions int
	// ApplicationDeadline is the order's application deadline, if any.
	ApplicationDeadline *time.Time
	// Policy is the responsible job centre's policy at creation; the zero Policy means policy.Defaults().
	Policy policy.Policy
	// State is the carried-over state of a continued-as-new run; nil on the first run.
	State *State
	// MaxEventsBeforeContinueAsNew bounds the events (commands, signals, timer firings) one run
	// handles before continuing as new; 0 means DefaultMaxEventsBeforeContinueAsNew.
	MaxEventsBeforeContinueAsNew int
}

// Chain is a reminder chain: the first reminder is due a policy offset after Ref, later ones
// reminder_repeat after the previous (Ref is then the previous delivery). Time spent inactive or
// closed since Ref (PausedTotal − PausedAtRef) is added, so a paused chain resumes with the time it had left.
type Chain struct {
	Active      bool          `json:"active"`
	Ref         time.Time     `json:"ref"`
	PausedAtRef time.Duration `json:"paused_at_ref"`
	Fired       int           `json:"fired"`
}

// FollowUp is one agreed (or automatic) follow-up.
type FollowUp struct {
	ID          string        `json:"id"`
	Due         time.Time     `json:"due"`
	Done        bool          `json:"done"`
	Auto        bool          `json:"auto,omitempty"`
	Reminders   int           `json:"reminders"`
	Ref         time.Time     `json:"ref"`
	PausedAtRef time.Duration `json:"paused_at_ref"`
}

// ScheduledSharing is a manual sharing level that takes effect at At.
type ScheduledSharing struct {
	Level string    `json:"level"`
	At    time.Time `json:"at"`
}

// State is the workflow's whole state; it is carried over on continue-as-new.
type State struct {
	JobOrderID string `json:"job_order_id"`
	// SpreadReminders: reminders that waited for the delivery window are spread over its first
	// hour (spreadChangeID); false only for runs recorded before that change.
	SpreadReminders      bool          `json:"spread_reminders,omitempty"`
	ResponsibleJobcenter string        `json:"responsible_jobcenter"`
	OccupationCode       string        `json:"occupation_code"`
	CreatedAt            time.Time     `json:"created_at"`
	Positions            int           `json:"positions"`
	ApplicationDeadline  *time.Time    `json:"application_deadline,omitempty"`
	Policy               policy.Policy `json:"policy"`

	Status       string                `json:"status"`
	Sharing      string                `json:"sharing"`
	Coordinator  *string               `json:"coordinator,omitempty"`
	Coordinators []joborder.Assignment `json:"coordinators"`
	CloseReason  string                `json:"close_reason,omitempty"`
	ClosedAt     *time.Time            `json:"closed_at,omitempty"`

	// PausedSince is set while the order is not open (inactive or closed); PausedTotal sums finished pauses.
	PausedSince       *time.Time    `json:"paused_since,omitempty"`
	PausedTotal       time.Duration `json:"paused_total"`
	InactiveSince     *time.Time    `json:"inactive_since,omitempty"`
	InactiveUntil     *time.Time    `json:"inactive_until,omitempty"`
	InactiveEndedSent bool          `json:"inactive_ended_sent"`
	InactivePeriods   int           `json:"inactive_periods"`

	ContactIDs       []string      `json:"contact_ids"`
	Referrals        []string      `json:"referrals"`
	FirstReferralAt  *time.Time    `json:"first_referral_at,omitempty"`
	PausedAtReferral time.Duration `json:"paused_at_referral"`
	Hires            []string      `json:"hires"`
	FilledAt         *time.Time    `json:"filled_at,omitempty"`
	PausedAtFilled   time.Duration `json:"paused_at_filled"`
	FollowUps        []FollowUp    `json:"follow_ups"`
	AutoFollowUpDone bool          `json:"auto_follow_up_done"`
	AutoFollowUps    int           `json:"auto_follow_ups"`

	ManualSharing    bool              `json:"manual_sharing"`
	ScheduledSharing *ScheduledSharing `json:"scheduled_sharing,omitempty"`

	LastEventAt       time.Time     `json:"last_event_at"`
	PausedAtLastEvent time.Duration `json:"paused_at_last_event"`

	Coord                Chain  `json:"coord"`
	Contact              Chain  `json:"contact"`
	ContactEscalated     bool   `json:"contact_escalated"`
	FirstReferral        Chain  `json:"first_referral"`
	CloseOut             Chain  `json:"close_out"`
	CloseOutCause        string `json:"close_out_cause,omitempty"`
	CloseOutEscalated    bool   `json:"close_out_escalated"`
	CloseOutNudges       int    `json:"close_out_nudges"`
	CloseOutEscalations  int    `json:"close_out_escalations"`
	CloseOutQuestionSent bool   `json:"close_out_question_sent"`
	// CloseOutAnsweredAt is when the employer last answered "still recruiting": no close-out
	// trigger falls due before the policy's period from then (unset in histories before the answer
	// existed, so their timers are unchanged on replay).
	CloseOutAnsweredAt *time.Time `json:"close_out_answered_at,omitempty"`

	StatusChanges int `json:"status_changes"`
	// CandidateChanges counts candidate active/inactive changes (notification keys).
	CandidateChanges int `json:"candidate_changes,omitempty"`
	// UpdateIDs are the IDs of the last applied updates, to recognise a retried command.
	UpdateIDs []string `json:"update_ids,omitempty"`
	// EventSeq numbers history entries (RecordEvent keys).
	EventSeq int `json:"event_seq"`
	// ProjectedStatus etc. are what the search attributes and the DB projection last saw.
	ProjectedStatus      string  `json:"projected_status"`
	ProjectedSharing     string  `json:"projected_sharing"`
	ProjectedCoordinator *string `json:"projected_coordinator,omitempty"`
	// ProjectedDeadlines are the reminder deadlines ProjectDeadlines last wrote (nil: none).
	ProjectedDeadlines []joborder.Deadline `json:"projected_deadlines,omitempty"`
}
