package models

import "time"

// FeedEvent is one event of the integration feed: a business event of an order as other systems
// see it (internal/joborder's FeedType), written in the same transaction as the history entry it
// comes from (HistoryKey, unique: one history entry yields at most one event). It holds IDs and
// codes only.
type FeedEvent struct {
	// Position orders the feed; on PostgreSQL together with TxID (see internal/feed).
	Position uint64 `gorm:"primaryKey;autoIncrement;index:idx_feed_events_tx_position,priority:2"`
	// ID is the event's unique ID (the webhook-id of its deliveries).
	ID         string `gorm:"size:36;not null;uniqueIndex"`
	Type       string `gorm:"size:60;not null;index"`
	JobOrderID string `gorm:"size:36;not null;uniqueIndex:idx_feed_events_order_seq"`
	// Sequence numbers the order's events 1, 2, 3, ... so receivers order and deduplicate them.
	Sequence int64 `gorm:"not null;uniqueIndex:idx_feed_events_order_seq"`
	// Jobcenter is the order's responsible job centre when the event happened.
	Jobcenter  string    `gorm:"size:3;not null;index"`
	HistoryKey string    `gorm:"size:300;not null;uniqueIndex"`
	OccurredAt time.Time `gorm:"not null"`
	// TxID is the writing transaction's ID on PostgreSQL (0 on SQLite): readers only read events
	// of transactions older than every running one, so the feed never skips a late commit.
	TxID int64 `gorm:"not null;default:0;index:idx_feed_events_tx_position,priority:1"`
}

// FeedSequence is the last sequence number given to an order's feed events.
type FeedSequence struct {
	JobOrderID   string `gorm:"primaryKey;size:36"`
	LastSequence int64  `gorm:"not null"`
}
