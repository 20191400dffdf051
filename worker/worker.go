// Package worker registers jobordre's workflows and activities on a Temporal worker.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/workflows"
)

// New returns a worker on taskQueue with every workflow and activity registered.
func New(c client.Client, taskQueue string, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	Register(w, acts)
	return w
}

// Register adds the workflows and activities to any registry (a worker or a replayer).
func Register(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivity(any)
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.JobOrderWorkflow, workflow.RegisterOptions{Name: workflows.JobOrderWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.PolicyFanOutWorkflow, workflow.RegisterOptions{Name: workflows.PolicyFanOutWorkflowName})
	if acts != nil {
		r.RegisterActivity(acts)
	}
}
