package joborder

import (
	"time"

	"jobordre/internal/policy"
)

// LiveState is what the live-state query (and every command) returns: the order's state as the
// workflow sees it now.
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

// Deadline is a pending promise with its due time.
type Deadline struct {
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
}
