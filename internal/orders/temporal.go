package orders

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

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
		ID:                       workflows.JobOrderWorkflowID(in.JobOrderID),
		TaskQueue:                t.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(temporalx.SAResponsibleJobcenter).ValueSet(in.ResponsibleJobcenter),
		),
	}
	_, err := t.Client.ExecuteWorkflow(ctx, opts, workflows.JobOrderWorkflowName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil
	}
	return err
}

// LiveState runs the live-state query, bounded by QueryTimeout.
func (t TemporalWorkflows) LiveState(ctx context.Context, jobOrderID string) (workflows.LiveState, error) {
	if t.QueryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.QueryTimeout)
		defer cancel()
	}
	var state workflows.LiveState
	v, err := t.Client.QueryWorkflow(ctx, workflows.JobOrderWorkflowID(jobOrderID), "", workflows.QueryLiveState)
	if err != nil {
		return state, err
	}
	err = v.Get(&state)
	return state, err
}
