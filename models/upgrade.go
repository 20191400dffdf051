package models

import "time"

// Upgrade records a one-off upgrade of stored data or running workflows that has been carried
// out, so it runs once per database (internal/app runs them when a worker starts).
type Upgrade struct {
	Name   string    `gorm:"primaryKey;size:100"`
	DoneAt time.Time `gorm:"not null"`
}
