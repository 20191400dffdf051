package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm/clause"

	"jobordre/models"
)

// RecordEvent appends an entry to the order's history; the unique EventKey makes a retry a no-op.
func (a *Activities) RecordEvent(ctx context.Context, in RecordEventInput) error {
	if in.JobOrderID == "" || in.EventKey == "" || in.Type == "" {
		return temporal.NewNonRetryableApplicationError("an event needs an order, a key and a type", "InvalidInput", nil)
	}
	details := in.Details
	if details == nil {
		details = map[string]string{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("event details are not JSON", "InvalidInput", err)
	}
	actor := in.ActorID
	if actor == "" {
		actor = "system"
	}
	role := in.ActorRole
	if role == "" {
		role = "system"
	}
	ev := models.JobOrderEvent{
		JobOrderID: in.JobOrderID, EventKey: in.EventKey, Type: in.Type, At: in.At.UTC(),
		ActorID: actor, ActorRole: role, Details: string(b), EmployerVisible: in.EmployerVisible,
	}
	if err := a.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&ev).Error; err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}
