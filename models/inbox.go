package models

import "time"

// JobOrderSeen records that a caseworker has opened an order's page: an order shared with their
// job centre is "new to me" in the inbox until then.
type JobOrderSeen struct {
	CaseworkerID string    `gorm:"primaryKey;size:200"`
	JobOrderID   string    `gorm:"primaryKey;size:36"`
	SeenAt       time.Time `gorm:"not null"`
}

// TableName keeps the table name readable.
func (JobOrderSeen) TableName() string { return "job_orders_seen" }

// InboxMark is a caseworker's "mark all as seen": orders shared with their job centre before
// SharedSeenUntil are no longer new to them, opened or not.
type InboxMark struct {
	CaseworkerID    string    `gorm:"primaryKey;size:200"`
	SharedSeenUntil time.Time `gorm:"not null"`
}

// Deadline kinds the inbox shows when due (JobOrderDeadline.Kind): the reminders that ask the
// order's coordinator to act.
const (
	DeadlineContact       = "contact"
	DeadlineFirstReferral = "first_referral"
	DeadlineFollowUp      = "follow_up"
	DeadlineCloseOut      = "close_out"
)

// JobOrderDeadline is one pending reminder deadline of an open order as its workflow last
// computed it (the ProjectDeadlines activity replaces an order's rows whenever they change), so
// the inbox finds the coordinator's due and overdue reminders with one indexed query instead
// of asking every workflow. The workflow stays the source of truth; Name is its deadline's name
// ("contact", "follow_up:<id>", ...).
type JobOrderDeadline struct {
	JobOrderID string `gorm:"primaryKey;size:36"`
	Name       string `gorm:"primaryKey;size:80"`
	Kind       string `gorm:"size:20;not null"`
	// CoordinatorID is the order's coordinator ("" for none), kept with the row by
	// ProjectDeadlines and ProjectState so a coordinator's due reminders are one index range.
	CoordinatorID string    `gorm:"size:200;not null;default:'';index:idx_deadlines_coordinator_due,priority:1"`
	DueAt         time.Time `gorm:"not null;index:idx_deadlines_coordinator_due,priority:2"`
}
