package app

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"jobordre/internal/joborder"
)

// EnsureOutboxDispatchers starts the mail outbox's dispatchers, one OutboxDispatcherWorkflow
// per shard (joborder.OutboxDispatcherShards) on taskQueue, unless they run already: every
// worker calls it at start-up, and however many start there is one dispatcher per shard. A
// dispatcher that ended (terminated by an operator, failed) is started again.
func EnsureOutboxDispatchers(ctx context.Context, c client.Client, taskQueue string) error {
	for shard := range joborder.OutboxDispatcherShards {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                       joborder.OutboxDispatcherWorkflowID(shard),
			TaskQueue:                taskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}, joborder.OutboxDispatcherWorkflowName, joborder.OutboxDispatcherInput{Shard: shard, Shards: joborder.OutboxDispatcherShards})
		if err != nil {
			return fmt.Errorf("start the outbox dispatcher of shard %d: %w", shard, err)
		}
	}
	return nil
}
