package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/internal/temporalx"
	"jobordre/models"
)

// JobOrderInput starts a JobOrderWorkflow. It carries IDs and codes only: no names, e-mail
// addresses or free text, so no personal data lands in the workflow history.
type JobOrderInput struct {
	JobOrderID           string
	ResponsibleJobcenter string
	OccupationCode       string
	CreatedAt            time.Time
}

// LiveState is what the live-state query returns: the order's state as the workflow sees it now.
type LiveState struct {
	JobOrderID           string    `json:"job_order_id"`
	Status               string    `json:"status"`
	Sharing              string    `json:"sharing"`
	ResponsibleJobcenter string    `json:"responsible_jobcenter"`
	Coordinator          *string   `json:"coordinator"`
	OpenedAt             time.Time `json:"opened_at"`
	// Deadlines lists the pending deadlines, soonest first.
	Deadlines []Deadline `json:"deadlines"`
}

// Deadline is a pending promise with its due time.
type Deadline struct {
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
}

// JobOrderWorkflow runs one job order from creation until it is closed.
func JobOrderWorkflow(ctx workflow.Context, in JobOrderInput) error {
	if in.JobOrderID == "" || in.ResponsibleJobcenter == "" {
		return temporal.NewNonRetryableApplicationError("job order input needs an ID and a responsible job centre", "InvalidInput", nil)
	}
	state := &LiveState{
		JobOrderID:           in.JobOrderID,
		Status:               models.StatusOpen,
		Sharing:              models.SharingInternal,
		ResponsibleJobcenter: in.ResponsibleJobcenter,
		OpenedAt:             in.CreatedAt,
		Deadlines:            []Deadline{},
	}
	if err := workflow.SetQueryHandler(ctx, QueryLiveState, func() (LiveState, error) {
		return *state, nil
	}); err != nil {
		return fmt.Errorf("register live-state query: %w", err)
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, searchAttributes(state)...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	// The order stays open until it is closed; commands that change it arrive as updates.
	return workflow.Await(ctx, func() bool { return state.Status == models.StatusClosed })
}

// searchAttributes are the order's indexed fields in Temporal's visibility store.
func searchAttributes(s *LiveState) []temporal.SearchAttributeUpdate {
	coordinator := temporal.NewSearchAttributeKeyKeyword(temporalx.SACoordinator)
	updates := []temporal.SearchAttributeUpdate{
		temporal.NewSearchAttributeKeyKeyword(temporalx.SAStatus).ValueSet(s.Status),
		temporal.NewSearchAttributeKeyKeyword(temporalx.SASharingLevel).ValueSet(s.Sharing),
		temporal.NewSearchAttributeKeyKeyword(temporalx.SAResponsibleJobcenter).ValueSet(s.ResponsibleJobcenter),
	}
	if s.Coordinator != nil {
		updates = append(updates, coordinator.ValueSet(*s.Coordinator))
	} else {
		updates = append(updates, coordinator.ValueUnset())
	}
	return updates
}
