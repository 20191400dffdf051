package mail

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MailboxMessage is a copy of an e-mail the local mailbox "delivered" (no SENDGRID_API_KEY): what
// the recipient would have received. The dev stack shows them at /dev/mailbox.
type MailboxMessage struct {
	ID             uint64    `gorm:"primaryKey;autoIncrement"`
	OutboxID       uint64    `gorm:"not null;uniqueIndex"`
	IdempotencyKey string    `gorm:"size:300;not null"`
	JobOrderID     string    `gorm:"size:36;index"`
	Template       string    `gorm:"size:60;not null"`
	FromEmail      string    `gorm:"size:320"`
	FromName       string    `gorm:"size:200"`
	ToEmail        string    `gorm:"size:320"`
	ToName         string    `gorm:"size:200"`
	Subject        string    `gorm:"type:text;not null"`
	Text           string    `gorm:"type:text;not null"`
	HTML           string    `gorm:"type:text;not null"`
	CreatedAt      time.Time `gorm:"not null;index"`
}

// TableName keeps the mailbox's table name stable.
func (MailboxMessage) TableName() string { return "mailbox_messages" }

// Mailbox is the dev sender: it keeps a copy of every message in the application database and
// reports it delivered with provider message ID mailbox-<outbox row ID>. Nothing leaves the machine.
type Mailbox struct {
	db  *gorm.DB
	now func() time.Time
}

// NewMailbox returns the mailbox sender over db, creating its table when it is missing.
func NewMailbox(ctx context.Context, db *gorm.DB) (*Mailbox, error) {
	if err := db.WithContext(ctx).AutoMigrate(&MailboxMessage{}); err != nil {
		return nil, fmt.Errorf("create the mailbox table: %w", err)
	}
	return &Mailbox{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}, nil
}

// Name implements Sender.
func (b *Mailbox) Name() string { return "mailbox" }

// Send implements Sender. The copy is keyed by the outbox row, so a retried send keeps one copy.
func (b *Mailbox) Send(ctx context.Context, m Message) (Result, error) {
	row := MailboxMessage{
		OutboxID: m.OutboxID, IdempotencyKey: m.IdempotencyKey, JobOrderID: m.JobOrderID, Template: m.Template,
		FromEmail: m.From.Email, FromName: m.From.Name, ToEmail: m.To.Email, ToName: m.To.Name,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML, CreatedAt: b.now(),
	}
	err := b.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "outbox_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"subject", "text", "html", "to_email", "to_name", "created_at"}),
	}).Create(&row).Error
	if err != nil {
		return Result{}, fmt.Errorf("mailbox: %w", err)
	}
	return Result{ProviderMessageID: "mailbox-" + strconv.FormatUint(m.OutboxID, 10)}, nil
}

// MailboxEntry is a mailbox message with its outbox row's current status.
type MailboxEntry struct {
	MailboxMessage
	Status string
}

// ListMailbox returns the newest mailbox messages first, at most limit, with their outbox status.
func ListMailbox(ctx context.Context, db *gorm.DB, limit int) ([]MailboxEntry, error) {
	var out []MailboxEntry
	err := db.WithContext(ctx).Table("mailbox_messages AS m").
		Select("m.*, COALESCE(o.status, '') AS status").
		Joins("LEFT JOIN outbox_messages AS o ON o.id = m.outbox_id").
		Order("m.created_at DESC, m.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}
