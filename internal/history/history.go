// Package history is the one writer of an order's history (formidlingslog): services and
// activities alike hand it typed entries (joborder.Event) keyed by joborder.EventKey, and it
// stores each once. Write an entry in the same transaction as the change it records, so the
// history never says more or less than happened.
//
// The key figures (internal/kpi) follow every entry written here: internal/app registers their
// refresh on the database when it assembles the application.
package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// Entry is one history entry as its writer hands it over.
type Entry struct {
	JobOrderID string
	Type       joborder.Event
	// Key makes the entry idempotent (joborder.EventKey): appending it again stores nothing.
	Key string
	At  time.Time
	// ActorID is the caller's subject, ActorRole its role; empty means joborder.SystemActor
	// (timer-driven and delivery entries).
	ActorID, ActorRole string
	// Details are IDs, codes and levels only — never names, e-mail addresses or free text.
	Details map[string]string
	// EmployerVisible marks entries the employer may see in its history view.
	EmployerVisible bool
}

// ErrIncomplete is returned for an entry without an order, a type or a key.
var ErrIncomplete = errors.New("a history entry needs an order, a type and a key")

// Append stores the entries with tx (a transaction, to store them with what they record) and
// returns how many were new; an entry whose key is already stored is skipped. A new entry that
// is a business event (joborder.FeedTypeOf) also writes its feed event (models.FeedEvent) in the
// same transaction, so the feed holds exactly one event per business entry: none lost, none
// invented, none twice.
func Append(tx *gorm.DB, entries ...Entry) (int64, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	rows := make([]models.JobOrderEvent, len(entries))
	for i, e := range entries {
		if e.JobOrderID == "" || e.Type == "" || e.Key == "" {
			return 0, ErrIncomplete
		}
		details := e.Details
		if details == nil {
			details = map[string]string{}
		}
		b, err := json.Marshal(details)
		if err != nil {
			return 0, fmt.Errorf("history details: %w", err)
		}
		rows[i] = models.JobOrderEvent{
			JobOrderID: e.JobOrderID, EventKey: e.Key, Type: string(e.Type), At: e.At.UTC(),
			ActorID: orSystem(e.ActorID), ActorRole: orSystem(e.ActorRole), Details: string(b), EmployerVisible: e.EmployerVisible,
		}
	}
	var stored int64
	err := tx.Transaction(func(tx *gorm.DB) error {
		for i := range rows {
			// One by one: only an entry that is new here may yield a feed event.
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows[i])
			if res.Error != nil {
				return fmt.Errorf("append to history: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				continue
			}
			stored++
			if ft, ok := joborder.FeedTypeOf(entries[i].Type, entries[i].Details); ok {
				if err := writeFeedEvent(tx, ft, &rows[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return stored, nil
}

// writeFeedEvent stores the feed event of the history row h: the order's next sequence number
// (the counter row is locked until the transaction ends, so an order's numbers have no gaps and
// no repeats) and its responsible job centre now.
func writeFeedEvent(tx *gorm.DB, ft joborder.FeedType, h *models.JobOrderEvent) error {
	var jobcenter []string
	if err := tx.Model(&models.JobOrder{}).Where("id = ?", h.JobOrderID).Pluck("responsible_jobcenter", &jobcenter).Error; err != nil {
		return fmt.Errorf("feed event: read the order: %w", err)
	}
	if len(jobcenter) != 1 {
		return fmt.Errorf("feed event: job order %s is not stored", h.JobOrderID)
	}
	var seq int64
	if err := tx.Raw(`INSERT INTO feed_sequences (job_order_id, last_sequence) VALUES (?, 1)
		ON CONFLICT (job_order_id) DO UPDATE SET last_sequence = feed_sequences.last_sequence + 1
		RETURNING last_sequence`, h.JobOrderID).Scan(&seq).Error; err != nil {
		return fmt.Errorf("feed event: sequence: %w", err)
	}
	txID := "0"
	if tx.Dialector.Name() == "postgres" {
		// The writing transaction's ID: see models.FeedEvent.TxID and internal/feed.
		txID = "pg_current_xact_id()::text::bigint"
	}
	err := tx.Exec(`INSERT INTO feed_events (id, type, job_order_id, sequence, jobcenter, history_key, occurred_at, tx_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, `+txID+`)`,
		uuid.NewString(), string(ft), h.JobOrderID, seq, jobcenter[0], h.EventKey, h.At.UTC()).Error
	if err != nil {
		return fmt.Errorf("feed event: %w", err)
	}
	return nil
}

func orSystem(s string) string {
	if s == "" {
		return joborder.SystemActor
	}
	return s
}
