// Package activities holds the side effects of job-order workflows: reading and writing the
// database. Activities receive IDs and read personal data themselves, so it never enters a
// workflow history.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
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
}

// New returns the activities over db.
func New(db *gorm.DB) *Activities {
	return &Activities{DB: db, Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
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
	res := a.DB.WithContext(ctx).Model(&models.JobOrder{}).Where("id = ?", in.JobOrderID).Updates(map[string]any{
		"status":         in.Status,
		"sharing":        in.Sharing,
		"coordinator_id": in.CoordinatorID,
		"updated_at":     a.Now(),
	})
	if res.Error != nil {
		return fmt.Errorf("project job order %s: %w", in.JobOrderID, res.Error)
	}
	if res.RowsAffected == 0 {
		return temporal.NewNonRetryableApplicationError("job order "+in.JobOrderID+" is not in the database", joborder.ErrNotFound, nil)
	}
	return nil
}

// isNotFound tells whether Temporal answered that a workflow does not exist (any more).
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
