// Package activities holds the side effects of job-order workflows: reading and writing the
// database. Activities receive IDs and read personal data themselves, so it never enters a
// workflow history.
package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/internal/webhooks"
	"jobordre/models"
)

// Activities holds the dependencies every activity needs.
type Activities struct {
	DB *gorm.DB
	// Temporal signals workflows (the policy fan-out); nil where no activity needs it.
	Temporal client.Client
	Now      func() time.Time
	// Mail hands rendered outbox rows to the e-mail provider (Deliver); MailOptions say from
	// whom, how links look and how to render. See deliver.go.
	Mail        mail.Sender
	MailOptions MailOptions
	// OutboxWaker wakes this process's outbox dispatchers when Notify wrote rows (dispatch.go);
	// nil leaves them to their poll.
	OutboxWaker *OutboxWaker
	// Webhooks makes webhook delivery attempts (AttemptWebhook); nil where no worker delivers them.
	Webhooks *webhooks.Sender
}

// New returns the activities over db.
func New(db *gorm.DB) *Activities {
	return &Activities{DB: db, Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }, OutboxWaker: NewOutboxWaker()}
}

// ProjectStateInput is the part of a workflow's state that list views read from the database.
type ProjectStateInput struct {
	JobOrderID    string
	Status        string
	Sharing       string
	CoordinatorID *string
}

// ProjectState writes the workflow's status, sharing level and coordinator to the order's row,
// so list queries and visibility checks see what the workflow decided. Repeating it is harmless.
func (a *Activities) ProjectState(ctx context.Context, in ProjectStateInput) error {
	if models.SharingRank(in.Sharing) < 0 {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("unknown sharing level %q", in.Sharing), joborder.ErrInvalidInput, nil)
	}
	now := a.Now()
	var res *gorm.DB
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res = tx.Model(&models.JobOrder{}).Where("id = ?", in.JobOrderID).Updates(map[string]any{
			"status":         in.Status,
			"sharing":        in.Sharing,
			"coordinator_id": in.CoordinatorID,
			"updated_at":     now,
			// When the order reached its sharing level: the old row's level decides (SET sees it).
			"shared_at": gorm.Expr("CASE WHEN sharing <> ? THEN ? ELSE shared_at END", in.Sharing, now),
		})
		if res.Error != nil {
			return res.Error
		}
		// The projected reminder deadlines carry the coordinator they are due for.
		return tx.Model(&models.JobOrderDeadline{}).Where("job_order_id = ?", in.JobOrderID).
			Update("coordinator_id", deref(in.CoordinatorID)).Error
	})
	if err != nil {
		return fmt.Errorf("project job order %s: %w", in.JobOrderID, err)
	}
	if res.RowsAffected == 0 {
		return temporal.NewNonRetryableApplicationError("job order "+in.JobOrderID+" is not in the database", joborder.ErrNotFound, nil)
	}
	return nil
}

// ProjectDeadlinesInput is an open order's pending reminder deadlines as its workflow computed
// them (names and times only): all of them, replacing what was projected before.
type ProjectDeadlinesInput struct {
	JobOrderID string
	// CoordinatorID is the order's coordinator now (nil: none), whom the deadlines are due for.
	CoordinatorID *string
	Deadlines     []joborder.Deadline
}

// ProjectDeadlines replaces the order's rows in job_order_deadlines with in.Deadlines, so the
// inbox finds a coordinator's due and overdue reminders in the database. Each row's kind is its
// name up to the first colon ("follow_up:<id>" is a follow_up). Repeating it is harmless.
func (a *Activities) ProjectDeadlines(ctx context.Context, in ProjectDeadlinesInput) error {
	rows := make([]models.JobOrderDeadline, 0, len(in.Deadlines))
	for _, d := range in.Deadlines {
		kind, _, _ := strings.Cut(d.Name, ":")
		rows = append(rows, models.JobOrderDeadline{JobOrderID: in.JobOrderID, Name: d.Name, Kind: kind, CoordinatorID: deref(in.CoordinatorID), DueAt: d.Due.UTC()})
	}
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Two projections of one order at once (an attempt that timed out still running beside
		// its retry) would each delete and insert the same keys; the order's row lock makes the
		// second wait for the first (SQLite has one writer anyway).
		if tx.Dialector.Name() == "postgres" {
			var o models.JobOrder
			err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&o, "id = ?", in.JobOrderID).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		if err := tx.Where("job_order_id = ?", in.JobOrderID).Delete(&models.JobOrderDeadline{}).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.Create(&rows).Error
	})
	if err != nil {
		return fmt.Errorf("project the deadlines of job order %s: %w", in.JobOrderID, err)
	}
	return nil
}

// isNotFound tells whether Temporal answered that a workflow does not exist (any more).
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// deref is *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
