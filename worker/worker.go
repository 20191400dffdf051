// Package worker registers jobordre's workflows and activities on a Temporal worker.
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
	"jobordre/workflows"
)

// workerStopTimeout is how long a stopping worker waits for its running activities: more
// than one e-mail send (the SendGrid client's 30 s bound is the worst case; a send takes well
// under a second).
const workerStopTimeout = 15 * time.Second

// workflowTaskPollers is how many workflow-task polls a worker keeps open (SDK default 2).
const workflowTaskPollers = 8

// New returns a worker on taskQueue with every workflow and activity registered.
func New(c client.Client, taskQueue string, acts *activities.Activities) sdkworker.Worker {
	// Every activity's error leaves the worker scrubbed of text that is not ours (scrub.go).
	// WorkerStopTimeout: a stopping worker lets the outbox dispatcher finish the sends it has
	// in flight (activities.DispatchOutbox) instead of cutting them off mid-request.
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
		Interceptors:      []interceptor.WorkerInterceptor{&scrubInterceptor{}},
		WorkerStopTimeout: workerStopTimeout,
		// Every poll that gets a task waits for the server to record the task's start (a
		// persistence write) before it returns, so the number of pollers, not the worker's
		// CPU, bounded workflow tasks per second: with the SDK's 2, workers were idle while
		// tasks waited seconds for them (docs/performance.md).
		MaxConcurrentWorkflowTaskPollers: workflowTaskPollers,
	})
	RegisterWorkflows(w)
	w.RegisterActivity(acts)
	return w
}

// WorkflowRegistry is what workflows are registered on: a worker or a replayer.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow under its stable name (workers and replayers alike).
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.JobOrderWorkflow, workflow.RegisterOptions{Name: joborder.WorkflowName})
	r.RegisterWorkflowWithOptions(workflows.PolicyFanOutWorkflow, workflow.RegisterOptions{Name: joborder.PolicyFanOutWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.DeliverOutboxWorkflow, workflow.RegisterOptions{Name: joborder.DeliverOutboxWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.WebhookDeliveryWorkflow, workflow.RegisterOptions{Name: joborder.WebhookDeliveryWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.RetentionWorkflow, workflow.RegisterOptions{Name: joborder.RetentionWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.OutboxDispatcherWorkflow, workflow.RegisterOptions{Name: joborder.OutboxDispatcherWorkflowName})
}
