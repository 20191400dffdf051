package models

import "time"

// Caseworker is a job-centre employee (caseworker or manager), known by the sub of their token;
// registered from the token's claims on first use, or added ahead of time by a manager.
type Caseworker struct {
	ID        string `gorm:"primaryKey;size:200" json:"id"`
	Jobcenter string `gorm:"size:3;not null;index" json:"jobcenter"`
	Role      string `gorm:"size:20;not null" json:"role"`
	Name      string `gorm:"size:200" json:"name"`
	Email     string `gorm:"size:320" json:"email"`
	// Phone is shown to the employers of the orders the person coordinates.
	Phone     string    `gorm:"size:40" json:"phone"`
	Language  string    `gorm:"size:2;not null;default:da" json:"language"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// RemovedAt is when a manager removed the person (they left): name, e-mail and phone are
	// cleared then, the ID stays as the actor of histories. A later login restores them.
	RemovedAt *time.Time `gorm:"index" json:"removed_at,omitempty"`
}

// CompanyContact is a person at an employer, known by the sub of their token.
// A contact a caseworker entered (the person it spoke to) has a generated ID and no token until
// the person logs in with one of their own.
type CompanyContact struct {
	ID       string `gorm:"primaryKey;size:200"`
	CVR      string `gorm:"size:8;not null;index"`
	Name     string `gorm:"size:200"`
	Email    string `gorm:"size:320"`
	Phone    string `gorm:"size:40;not null;default:''"`
	Language string `gorm:"size:2;not null;default:da"`
	// AddedBy is the subject of the caseworker who entered the contact; "" for one registered
	// from their own token or added by the company's main contact.
	AddedBy string `gorm:"size:200;not null;default:''"`
	// RemovedAt is when the company removed the contact person: their orders went to the main
	// contact and no mail is addressed to them. The row stays, so logs keep naming them.
	RemovedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// JobcenterPolicy is a job centre's lifecycle policy, stored as the JSON document the API speaks.
type JobcenterPolicy struct {
	Jobcenter string    `gorm:"primaryKey;size:3"`
	Document  string    `gorm:"type:text;not null"`
	UpdatedBy string    `gorm:"size:200"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Outbox statuses.
const (
	OutboxPending = "pending"
	// OutboxSending: an attempt to hand the row to the provider started (attempts counts it);
	// its outcome is known once ProviderMessageID or another status is written.
	OutboxSending   = "sending"
	OutboxDelivered = "delivered"
	OutboxFailed    = "failed"
	OutboxNoAddress = "no_address"
	// OutboxCancelled: never sent, because the candidate it was for (or whose CV it opens) was
	// erased before it went out; its address is cleared. Delivery skips it like every status
	// but pending and sending.
	OutboxCancelled = "cancelled"
)

// OutboxMessage is one notification to one recipient. (IdempotencyKey, RecipientID) is unique,
// so the same business event never yields two messages to the same person. Delivery moves it
// pending → sending (attempts+1) → delivered (provider_message_id, delivered_at) | failed (last_error);
// see docs/email.md.
type OutboxMessage struct {
	ID                uint64     `gorm:"primaryKey;autoIncrement" json:"id"`
	IdempotencyKey    string     `gorm:"size:300;not null;uniqueIndex:idx_outbox_key_recipient" json:"idempotency_key"`
	RecipientID       string     `gorm:"size:200;not null;uniqueIndex:idx_outbox_key_recipient" json:"recipient_id"`
	RecipientRole     string     `gorm:"size:20;not null" json:"recipient_role"`
	RecipientEmail    string     `gorm:"size:320" json:"recipient"`
	Language          string     `gorm:"size:2;not null" json:"language"`
	Template          string     `gorm:"size:60;not null;index" json:"template"`
	JobOrderID        string     `gorm:"size:36;index" json:"job_order_id"`
	Status            string     `gorm:"size:20;not null;index" json:"status"`
	Attempts          int        `gorm:"not null;default:0" json:"attempts"`
	ProviderMessageID string     `gorm:"size:200;index" json:"provider_message_id,omitempty"`
	LastError         string     `gorm:"type:text" json:"last_error,omitempty"`
	DeliveredAt       *time.Time `json:"delivered_at,omitempty"`
	// LastAttemptAt is when the last attempt to hand the row to the provider started.
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty"`
	// NextAttemptAt is, for a row the provider could not take yet, when the outbox dispatcher
	// tries it again (activities.DispatchOutbox); nil means as soon as possible.
	NextAttemptAt *time.Time `gorm:"index" json:"next_attempt_at,omitempty"`
	// ProviderStatus is the last delivery event the provider reported (processed, deferred,
	// delivered, bounce, dropped), from its event webhook.
	ProviderStatus string `gorm:"size:20" json:"provider_status,omitempty"`
	// Reason is why the notification was sent when its template alone does not say
	// (joborder.Reason*: an escalation's cause, a delivery_failed notice's refusal or bounce).
	Reason string `gorm:"size:20;not null;default:''" json:"reason,omitempty"`
	// AboutOutboxID is the row a delivery_failed notice is about.
	AboutOutboxID *uint64   `gorm:"index" json:"about_outbox_id,omitempty"`
	CreatedAt     time.Time `gorm:"not null;index" json:"created_at"`
}

// JobOrderEvent is one entry in an order's history (formidlingslog).
type JobOrderEvent struct {
	ID              uint64    `gorm:"primaryKey;autoIncrement"`
	JobOrderID      string    `gorm:"size:36;not null;index:idx_events_order_at"`
	EventKey        string    `gorm:"size:300;not null;uniqueIndex"`
	Type            string    `gorm:"size:60;not null"`
	At              time.Time `gorm:"not null;index:idx_events_order_at"`
	ActorID         string    `gorm:"size:200;not null"`
	ActorRole       string    `gorm:"size:20;not null"`
	Details         string    `gorm:"type:text;not null;default:'{}'"`
	EmployerVisible bool      `gorm:"not null;default:false"`
}

// Note visibility values.
const (
	NoteInternal = "internal"
	NoteEmployer = "employer"
)

// JobOrderNote is free text attached to an order: a note, a contact record or a follow-up
// agreement. The text stays in the database; workflows only ever see the note's ID.
type JobOrderNote struct {
	ID         string    `gorm:"primaryKey;size:36"`
	JobOrderID string    `gorm:"size:36;not null;index"`
	Kind       string    `gorm:"size:20;not null"` // note, contact, follow_up, hire
	Visibility string    `gorm:"size:10;not null"`
	Text       string    `gorm:"type:text;not null"`
	AuthorID   string    `gorm:"size:200;not null"`
	CreatedAt  time.Time `gorm:"not null"`
}
