package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// PolicyFanOutWorkflow durably tells every open order of a job centre about its new policy: if a
// process stops half-way, the activity is retried from its last heartbeat.
func PolicyFanOutWorkflow(ctx workflow.Context, in joborder.PolicyFanOutInput) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	var sent int
	err := workflow.ExecuteActivity(ctx, a.SignalOpenOrders, activities.SignalOpenOrdersInput{Jobcenter: in.Jobcenter}).Get(ctx, &sent)
	return sent, err
}
