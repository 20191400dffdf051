package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"jobordre/internal/history"
	"jobordre/internal/joborder"
)

// RecordEvent appends an entry to the order's history; the unique EventKey makes a retry a no-op.
func (a *Activities) RecordEvent(ctx context.Context, in RecordEventInput) error {
	_, err := history.Append(a.DB.WithContext(ctx), history.Entry{
		JobOrderID: in.JobOrderID, Type: in.Type, Key: in.EventKey, At: in.At,
		ActorID: in.ActorID, ActorRole: in.ActorRole, Details: in.Details, EmployerVisible: in.EmployerVisible,
	})
	if errors.Is(err, history.ErrIncomplete) {
		return temporal.NewNonRetryableApplicationError(err.Error(), joborder.ErrInvalidInput, err)
	}
	return err
}
