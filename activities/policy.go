package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/store"
	"jobordre/models"
)

// SignalOpenOrdersInput names the job centre whose open orders must hear of its new policy.
type SignalOpenOrdersInput struct {
	Jobcenter string
}

// policyInFlight is how many orders the fan-out waits on at once. Each answer comes only when
// the order has taken the policy, so no more than this many orders' policy work stands in the
// task queue in front of a command: sent as fire-and-forget signals, a job centre's thousands
// of orders queued in front of every command for seconds (docs/performance.md).
const policyInFlight = 8

// policyAnswerTimeout bounds the wait for one order's answer. An order that does not answer in
// time (its worker died holding it) gets the signal as well; applying a policy twice is harmless.
var policyAnswerTimeout = 30 * time.Second

// SignalOpenOrders sends the job centre's current policy (read now, so a late retry never sends
// an older one) to every order of the job centre that is not closed, or was closed recently
// enough to be reopened, as the UpdateApplyPolicy update, policyInFlight orders at a time. It
// heartbeats the last page it finished, so a retry carries on from there; an order that hears
// the policy twice is unchanged because the workflow recomputes its timers from the order's own
// start. (The name is from when it sent only signals; it stays because histories name it.)
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
	// One update ID per fan-out run: a retried attempt's update to an order that already has it
	// is answered by the server without running it again.
	updateID := "apply-policy/" + activity.GetInfo(ctx).WorkflowExecution.RunID
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
		if err := a.sendPolicyToPage(ctx, page, pol, updateID, after); err != nil {
			return sent, err
		}
		sent += len(page)
		after = page[len(page)-1].ID
		activity.RecordHeartbeat(ctx, after)
	}
}

// sendPolicyToPage sends the policy to every order of the page, policyInFlight at a time, and
// heartbeats the last finished page (after) while it waits.
func (a *Activities) sendPolicyToPage(ctx context.Context, page []models.JobOrder, pol policy.Policy, updateID, after string) error {
	type result struct {
		order string
		err   error
	}
	done := make(chan result, len(page))
	var first error
	collect := func() {
		r := <-done
		activity.RecordHeartbeat(ctx, after)
		if r.err != nil && first == nil {
			first = fmt.Errorf("send the policy to job order %s: %w", r.order, r.err)
		}
	}
	running := 0
	for _, o := range page {
		if running == policyInFlight {
			collect()
			running--
		}
		if first != nil {
			break
		}
		running++
		go func(o models.JobOrder) { done <- result{o.ID, a.sendPolicy(ctx, o.WorkflowID, pol, updateID)} }(o)
	}
	for ; running > 0; running-- {
		collect()
	}
	return first
}

// sendPolicy gives one order the policy and waits for its answer. A worker that predates
// UpdateApplyPolicy, an order that does not answer in time, and a run not found get the signal
// instead; an order whose workflow has finished for good needs nothing.
func (a *Activities) sendPolicy(ctx context.Context, workflowID string, pol policy.Policy, updateID string) error {
	msg := joborder.PolicyChangedSignal{Policy: pol}
	uctx, cancel := context.WithTimeout(ctx, policyAnswerTimeout)
	defer cancel()
	h, err := a.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: joborder.UpdateApplyPolicy,
		Args: []any{msg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(uctx, nil)
	}
	var refused *temporal.ApplicationError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &refused) && refused.Type() == joborder.ErrInvalidInput:
		// The order refused the policy (its validator): a signal would be ignored the same way.
		activity.GetLogger(ctx).Warn("an order refused the policy", "workflow_id", workflowID, "error", err)
		return nil
	case uctx.Err() != nil, unknownUpdate(err), isNotFound(err):
		// No answer in time, a worker that does not know the update yet, or no run to take it
		// (the order finished for good, or the update met a continue-as-new): the signal, which
		// reaches the current run, and is not found only when the order is gone.
	default:
		return err
	}
	if err := a.Temporal.SignalWorkflow(ctx, workflowID, "", joborder.SignalPolicyChanged, msg); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// unknownUpdate tells whether a workflow rejected an update because it has no handler for it
// (the SDK's "unknown update" rejection): a worker of an older release.
func unknownUpdate(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unknown update")
}
