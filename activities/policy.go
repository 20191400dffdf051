package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/internal/store"
	"jobordre/models"
)

// SignalOpenOrdersInput names the job centre whose open orders must hear of its new policy.
type SignalOpenOrdersInput struct {
	Jobcenter string
}

// SignalOpenOrders sends the job centre's current policy (read now, so a late retry never sends
// an older one) to every order of the job centre that is not closed, or was closed recently
// enough to be reopened. It heartbeats the last order
// it reached, so a retry carries on from there; signalling an order twice is harmless because the
// workflow recomputes its timers from the order's own start.
func (a *Activities) SignalOpenOrders(ctx context.Context, in SignalOpenOrdersInput) (int, error) {
	if a.Temporal == nil {
		return 0, temporal.NewNonRetryableApplicationError("the worker has no Temporal client for signals", joborder.ErrMisconfigured, nil)
	}
	pol, err := store.LoadPolicy(ctx, a.DB, in.Jobcenter)
	if err != nil {
		return 0, err
	}
	after := ""
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after)
	}
	sent := 0
	for {
		var page []models.JobOrder
		// Closed orders are included for a year: they can still be reopened within their window.
		if err := store.PolicyRecipients(a.DB.WithContext(ctx), in.Jobcenter, a.Now()).Select("id", "workflow_id").
			Where("id > ?", after).Order("id").Limit(200).Find(&page).Error; err != nil {
			return sent, err
		}
		if len(page) == 0 {
			return sent, nil
		}
		for _, o := range page {
			err := a.Temporal.SignalWorkflow(ctx, o.WorkflowID, "", joborder.SignalPolicyChanged, joborder.PolicyChangedSignal{Policy: pol})
			if err != nil && !isNotFound(err) {
				return sent, fmt.Errorf("signal order %s: %w", o.ID, err)
			}
			sent++
			after = o.ID
			activity.RecordHeartbeat(ctx, after)
		}
	}
}
