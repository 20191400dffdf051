package models

import "time"

// Erasure is the audit record of one candidate's erasure (on request, or by the deletion
// schedule after inactivity): who erased whom, when, why, and how many rows of each kind went.
// It never holds the deleted data: CandidateID is a random ID that no longer points at anyone.
type Erasure struct {
	ID          string `gorm:"primaryKey;size:36"`
	CandidateID string `gorm:"size:36;not null;uniqueIndex"`
	Jobcenter   string `gorm:"size:3;not null;index"`
	// ActorID and ActorRole are the staff member who erased the candidate; for the deletion
	// schedule ActorID is "retention" and ActorRole "system".
	ActorID   string `gorm:"size:200;not null"`
	ActorRole string `gorm:"size:20;not null"`
	// Reason is the reason the actor gave (the schedule's: "retention: inactive").
	Reason   string    `gorm:"type:text;not null"`
	ErasedAt time.Time `gorm:"not null;index"`
	// The counts of what was deleted or anonymised.
	Referrals     int64 `gorm:"not null;default:0"` // referrals unlinked from the candidate (the rows stay, anonymous)
	Consents      int64 `gorm:"not null;default:0"`
	CVReads       int64 `gorm:"not null;default:0"` // CV access log entries
	SecureLinks   int64 `gorm:"not null;default:0"`
	MailsStopped  int64 `gorm:"not null;default:0"` // outbox rows not sent (status cancelled)
	MailsCleared  int64 `gorm:"not null;default:0"` // settled outbox rows whose address was cleared
	MailboxCopies int64 `gorm:"not null;default:0"` // rendered copies in the dev mailbox
}
