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
// returns how many were new; an entry whose key is already stored is skipped.
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
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
	if res.Error != nil {
		return 0, fmt.Errorf("append to history: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func orSystem(s string) string {
	if s == "" {
		return joborder.SystemActor
	}
	return s
}
