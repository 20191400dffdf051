package activities

import (
	"context"
	"time"

	"jobordre/internal/joborder"
)

// NotifyInput asks for one notification. IdempotencyKey is derived from the workflow ID and the
// business event (e.g. job-order/<id>/contact-reminder/2), so a retried or replayed activity
// never creates a second notification.
type NotifyInput struct {
	JobOrderID     string
	Template       string
	RecipientRole  string
	IdempotencyKey string
	// CoordinatorID is the coordinator at the time of the event (joborder.RecipientCoordinator).
	CoordinatorID *string
	// ReferralID names the referral a candidate or proposer notification is about.
	ReferralID string
	// Reason says why it is sent when the template alone does not (joborder.Reason*): an
	// escalation's cause, a delivery_failed notice's refusal or bounce. It is stored on the
	// outbox rows, so the e-mail says it without reading anything out of the key.
	Reason string `json:",omitempty"`
	// AboutOutboxID is the outbox row a delivery_failed notice is about.
	AboutOutboxID uint64 `json:",omitempty"`
}

// NotifyResult says how many outbox rows the notification produced (0 when it already existed).
type NotifyResult struct {
	Created int
}

// RecordEventInput appends one entry to the order's history (formidlingslog).
type RecordEventInput struct {
	JobOrderID string
	// EventKey makes the entry idempotent: job-order/<id>/<event>/<n>.
	EventKey  string
	Type      joborder.Event
	At        time.Time
	ActorID   string // the caller's sub, or "system" for timer-driven events
	ActorRole string
	// Details are IDs, codes and levels only — never names, e-mail addresses or free text.
	Details map[string]string
	// EmployerVisible marks entries the employer may see in its history view.
	EmployerVisible bool
}

// LoadPolicyInput names the job centre whose policy to load.
type LoadPolicyInput struct {
	Jobcenter string
}

// Compile-time signatures the workflow relies on; bodies live in notify.go, events.go and policy.go.
var (
	_ func(*Activities, context.Context, NotifyInput) (NotifyResult, error) = (*Activities).Notify
	_ func(*Activities, context.Context, RecordEventInput) error            = (*Activities).RecordEvent
	_ func(*Activities, context.Context, ProjectStateInput) error           = (*Activities).ProjectState
	_ func(*Activities, context.Context, ProjectDeadlinesInput) error       = (*Activities).ProjectDeadlines
)
