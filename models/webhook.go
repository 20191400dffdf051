package models

import "time"

// WebhookSubscription is an endpoint that receives feed events in the Standard Webhooks format.
type WebhookSubscription struct {
	ID  string `gorm:"primaryKey;size:36"`
	URL string `gorm:"size:2000;not null"`
	// Types are the feed types it receives, comma-separated; empty: every type.
	Types string `gorm:"type:text;not null;default:''"`
	// Jobcenter scopes it to the events of that job centre's orders; empty: every order (admins).
	Jobcenter   string `gorm:"size:3;not null;default:'';index"`
	Description string `gorm:"size:200;not null;default:''"`
	Enabled     bool   `gorm:"not null"`
	// DisabledReason says why it is disabled: "manual", or "gone" (the endpoint answered 410).
	DisabledReason string `gorm:"size:20;not null;default:''"`
	// Secret signs deliveries (whsec_...). PreviousSecret also signs them until
	// PreviousSecretExpiresAt, so a receiver can switch secrets without missing an event.
	Secret                  string `gorm:"size:100;not null"`
	PreviousSecret          string `gorm:"size:100;not null;default:''"`
	PreviousSecretExpiresAt *time.Time
	CreatedBy               string    `gorm:"size:200;not null"`
	CreatedAt               time.Time `gorm:"not null"`
	UpdatedAt               time.Time `gorm:"not null"`
}

// Webhook delivery statuses.
const (
	WebhookPending   = "pending"   // waiting for its next attempt
	WebhookSucceeded = "succeeded" // the endpoint answered 2xx
	WebhookFailed    = "failed"    // the schedule is used up, or the endpoint answered 410
	WebhookSkipped   = "skipped"   // the subscription was disabled or deleted first
)

// WebhookDelivery is one event's delivery to one subscription: the delivery log.
type WebhookDelivery struct {
	ID             uint64 `gorm:"primaryKey;autoIncrement"`
	SubscriptionID string `gorm:"size:36;not null;uniqueIndex:idx_webhook_deliveries_sub_event"`
	EventID        string `gorm:"size:60;not null;uniqueIndex:idx_webhook_deliveries_sub_event"`
	EventType      string `gorm:"size:60;not null"`
	Status         string `gorm:"size:20;not null"`
	Attempts       int    `gorm:"not null;default:0"`
	// LastStatusCode is the endpoint's last HTTP status (0: no answer); LastError why it failed.
	LastStatusCode int    `gorm:"not null;default:0"`
	LastError      string `gorm:"size:500;not null;default:''"`
	LastAttemptAt  *time.Time
	DeliveredAt    *time.Time
	// Replays counts how often an admin or manager started it again after it failed.
	Replays   int       `gorm:"not null;default:0"`
	CreatedAt time.Time `gorm:"not null;index"`
}

// FeedCursor is a reader's position in the feed (the webhook dispatcher's).
type FeedCursor struct {
	Name      string `gorm:"primaryKey;size:60"`
	TxID      int64  `gorm:"not null"`
	Position  uint64 `gorm:"not null"`
	UpdatedAt time.Time
}
