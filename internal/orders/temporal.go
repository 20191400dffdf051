package orders

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/internal/temporalx"
	"jobordre/workflows"
)

// TemporalWorkflows implements Workflows with a Temporal client.
type TemporalWorkflows struct {
	Client       client.Client
	TaskQueue    string
	QueryTimeout time.Duration
}

// StartJobOrder starts JobOrderWorkflow with ID job-order/<id>; the ID conflict policy is
// "fail", and an AlreadyStarted answer means an earlier attempt started it, which is success.
func (t TemporalWorkflows) StartJobOrder(ctx context.Context, in workflows.JobOrderInput) error {
	opts := client.StartWorkflowOptions{
		ID:                       joborder.WorkflowID(in.JobOrderID),
		TaskQueue:                t.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(temporalx.SAResponsibleJobcenter).ValueSet(in.ResponsibleJobcenter),
		),
	}
	_, err := t.Client.ExecuteWorkflow(ctx, opts, joborder.WorkflowName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil
	}
	return err
}

// LiveState runs the live-state query, bounded by QueryTimeout.
func (t TemporalWorkflows) LiveState(ctx context.Context, jobOrderID string) (joborder.LiveState, error) {
	if t.QueryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.QueryTimeout)
		defer cancel()
	}
	var state joborder.LiveState
	v, err := t.Client.QueryWorkflow(ctx, joborder.WorkflowID(jobOrderID), "", joborder.QueryLiveState)
	if err != nil {
		return state, err
	}
	err = v.Get(&state)
	return state, err
}

// Update sends an update and waits until the workflow has completed it. A validator's rejection
// or a handler's error comes back as a joborder.Rejection; a finished workflow as ErrOrderEnded.
func (t TemporalWorkflows) Update(ctx context.Context, jobOrderID, name string, arg, result any) error {
	handle, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   joborder.WorkflowID(jobOrderID),
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, result)
	}
	return commandError(err)
}

// Signal sends a signal to the order's workflow.
func (t TemporalWorkflows) Signal(ctx context.Context, jobOrderID, name string, arg any) error {
	return commandError(t.Client.SignalWorkflow(ctx, joborder.WorkflowID(jobOrderID), "", name, arg))
}

// commandError turns Temporal's answers into the service's vocabulary.
func commandError(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return joborder.Rejection(app.Type(), app.Message())
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return ErrOrderEnded
	}
	return err
}

// StartPolicyFanOut starts the durable fan-out of a job centre's new policy to its open orders.
// A fan-out still running for an older change is replaced: the activity sends the policy stored now.
func (t TemporalWorkflows) StartPolicyFanOut(ctx context.Context, jobcenter string) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       joborder.PolicyFanOutWorkflowID(jobcenter),
		TaskQueue:                t.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, joborder.PolicyFanOutWorkflowName, joborder.PolicyFanOutInput{Jobcenter: jobcenter})
	return err
}

// FanOutState is where the fan-out of a job centre's last policy change stands.
type FanOutState struct {
	// Started: a fan-out has been started for the job centre (none yet: nothing to wait for).
	Started bool
	// Done: it has signalled every order; Signalled is then how many.
	Done      bool
	Signalled int
	// LastOrderID is the last order it signalled while it runs ("" before the first).
	LastOrderID string
}

// PolicyFanOutState describes the job centre's latest policy fan-out: done with its count, or
// running with the last order its activity reached (its heartbeat).
func (t TemporalWorkflows) PolicyFanOutState(ctx context.Context, jobcenter string) (FanOutState, error) {
	id := joborder.PolicyFanOutWorkflowID(jobcenter)
	d, err := t.Client.DescribeWorkflowExecution(ctx, id, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return FanOutState{}, nil
	}
	if err != nil {
		return FanOutState{}, err
	}
	st := FanOutState{Started: true}
	switch d.GetWorkflowExecutionInfo().GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		for _, a := range d.GetPendingActivities() {
			if h := a.GetHeartbeatDetails(); h != nil {
				_ = converter.GetDefaultDataConverter().FromPayloads(h, &st.LastOrderID)
			}
		}
		return st, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		st.Done = true
		err := t.Client.GetWorkflow(ctx, id, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()).Get(ctx, &st.Signalled)
		return st, err
	}
	// Terminated by a newer change's fan-out, or failed: a newer run (or a retried save) follows.
	return st, nil
}
