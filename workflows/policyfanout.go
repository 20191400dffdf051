package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
)

// PolicyFanOutWorkflowName is the registered name of PolicyFanOutWorkflow.
const PolicyFanOutWorkflowName = "PolicyFanOutWorkflow"

// PolicyFanOutWorkflowID is the fan-out's workflow ID for a job centre; a newer policy change
// replaces a fan-out still running, and the activity always sends the policy stored now.
func PolicyFanOutWorkflowID(jobcenter string) string { return "policy-fanout/" + jobcenter }

// PolicyFanOutInput names the job centre whose policy changed.
type PolicyFanOutInput struct {
	Jobcenter string
}

// PolicyFanOutWorkflow durably tells every open order of a job centre about its new policy: if a
// process stops half-way, the activity is retried from its last heartbeat.
func PolicyFanOutWorkflow(ctx workflow.Context, in PolicyFanOutInput) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	var sent int
	err := workflow.ExecuteActivity(ctx, a.SignalOpenOrders, activities.SignalOpenOrdersInput{Jobcenter: in.Jobcenter, SignalName: SignalPolicyChanged}).Get(ctx, &sent)
	return sent, err
}
