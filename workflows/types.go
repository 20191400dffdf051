package workflows

import (
	"time"

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

// Actor is who issued a command: the caller's subject ID and role. IDs only, never names.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
}

// AssignCoordinatorInput makes CoordinatorID (a caseworker's subject ID) the order's coordinator.
type AssignCoordinatorInput struct {
	Actor         Actor  `json:"actor"`
	CoordinatorID string `json:"coordinator_id"`
}

// RecordContactInput records a contact with the employer; the first one stops the contact reminders.
type RecordContactInput struct {
	Actor     Actor  `json:"actor"`
	ContactID string `json:"contact_id"`
}

// SetSharingInput sets the sharing level now, at At, or After from now (at most one of At/After).
// Any manual choice stops the policy's automatic sharing steps.
type SetSharingInput struct {
	Actor Actor            `json:"actor"`
	Level string           `json:"level"`
	At    *time.Time       `json:"at,omitempty"`
	After *policy.Duration `json:"after,omitempty"`
}

// AddFollowUpInput agrees a follow-up with the employer, due at Due.
type AddFollowUpInput struct {
	Actor      Actor     `json:"actor"`
	FollowUpID string    `json:"follow_up_id"`
	Due        time.Time `json:"due"`
}

// CompleteFollowUpInput marks a follow-up done, stopping its reminders.
type CompleteFollowUpInput struct {
	Actor      Actor  `json:"actor"`
	FollowUpID string `json:"follow_up_id"`
}

// RegisterHireInput registers one hire.
type RegisterHireInput struct {
	Actor  Actor  `json:"actor"`
	HireID string `json:"hire_id"`
}

// SetStatusInput changes the order's status. Reason is required with closed (one of CloseReasons)
// and not allowed otherwise; Until is optional with temporarily_inactive only.
type SetStatusInput struct {
	Actor  Actor      `json:"actor"`
	Status string     `json:"status"`
	Reason string     `json:"reason,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
}

// CorrectDetailsInput corrects the order details the workflow keeps time by: the number of
// positions (close-out after hire) and the application deadline (close-out after the deadline).
// Fields names every corrected field, for the history; the values themselves stay in the database.
type CorrectDetailsInput struct {
	Actor               Actor      `json:"actor"`
	Positions           int        `json:"positions"`
	ApplicationDeadline *time.Time `json:"application_deadline,omitempty"`
	// OccupationCode is the corrected ISCO-08 code, "" when it did not change; a shortage
	// occupation of the policy's share_immediately is then shared at once.
	OccupationCode string   `json:"occupation_code,omitempty"`
	Fields         []string `json:"fields"`
}

// Every command returns the order's LiveState after the command.
type (
	AssignCoordinatorResult = LiveState
	RecordContactResult     = LiveState
	SetSharingResult        = LiveState
	AddFollowUpResult       = LiveState
	CompleteFollowUpResult  = LiveState
	RegisterHireResult      = LiveState
	SetStatusResult         = LiveState
	CorrectDetailsResult    = LiveState
)

// ReferralSentSignal tells the order a candidate was referred; the first one stops the
// first-referral reminders and starts the follow-up-after-referral deadline.
type ReferralSentSignal struct {
	ReferralID string    `json:"referral_id"`
	At         time.Time `json:"at"`
}

// EventRecordedSignal tells the order something happened (a note, an edit): it resets the inactivity clock.
type EventRecordedSignal struct {
	At time.Time `json:"at"`
}

// PolicyChangedSignal carries the job centre's new policy; pending timers are recomputed under it.
type PolicyChangedSignal struct {
	Policy policy.Policy `json:"policy"`
}

// Assignment is one coordinator assignment in the order's history.
type Assignment struct {
	CaseworkerID string    `json:"caseworker_id"`
	At           time.Time `json:"at"`
	By           string    `json:"by"`
}

// FollowUpView is a follow-up in the live view.
type FollowUpView struct {
	ID   string    `json:"id"`
	Due  time.Time `json:"due"`
	Done bool      `json:"done"`
}

// LiveState is what the live-state query (and every command) returns: the order's state as the workflow sees it now.
type LiveState struct {
	JobOrderID           string    `json:"job_order_id"`
	Status               string    `json:"status"`
	Sharing              string    `json:"sharing"`
	ResponsibleJobcenter string    `json:"responsible_jobcenter"`
	Coordinator          *string   `json:"coordinator"`
	OpenedAt             time.Time `json:"opened_at"`
	// Deadlines lists the pending deadlines, soonest first. While the order is temporarily
	// inactive they show when they would fall if it were reopened now.
	Deadlines []Deadline `json:"deadlines"`
	// FollowUps lists every follow-up, open and done, by due time.
	FollowUps []FollowUpView `json:"follow_ups"`
	// NextReminderAt is when the next notification is delivered, if any is pending.
	NextReminderAt *time.Time    `json:"next_reminder_at"`
	Coordinators   []Assignment  `json:"coordinators"`
	Hires          int           `json:"hires"`
	Referrals      int           `json:"referrals"`
	Positions      int           `json:"positions"`
	CloseReason    string        `json:"close_reason,omitempty"`
	ClosedAt       *time.Time    `json:"closed_at"`
	InactiveUntil  *time.Time    `json:"inactive_until"`
	Policy         policy.Policy `json:"policy"`
}

// Deadline is a pending promise with its due time.
type Deadline struct {
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
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
	JobOrderID           string        `json:"job_order_id"`
	ResponsibleJobcenter string        `json:"responsible_jobcenter"`
	OccupationCode       string        `json:"occupation_code"`
	CreatedAt            time.Time     `json:"created_at"`
	Positions            int           `json:"positions"`
	ApplicationDeadline  *time.Time    `json:"application_deadline,omitempty"`
	Policy               policy.Policy `json:"policy"`

	Status       string       `json:"status"`
	Sharing      string       `json:"sharing"`
	Coordinator  *string      `json:"coordinator,omitempty"`
	Coordinators []Assignment `json:"coordinators"`
	CloseReason  string       `json:"close_reason,omitempty"`
	ClosedAt     *time.Time   `json:"closed_at,omitempty"`

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
}
