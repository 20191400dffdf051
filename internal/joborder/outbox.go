package joborder

import "strconv"

// OutboxDispatcherWorkflowName is the registered name of the workflow that keeps one shard of
// the mail outbox delivered (workflows.OutboxDispatcherWorkflow).
const OutboxDispatcherWorkflowName = "OutboxDispatcherWorkflow"

// OutboxDispatcherShards is how many dispatchers share the outbox (rows by ID modulo). Two: the
// production shape runs two worker processes, and when one dies the other's shard goes on
// while Temporal moves the dead one's activity over.
const OutboxDispatcherShards = 2

// OutboxDispatcherWorkflowID is the workflow ID of the dispatcher of one shard: the worker
// starts it at start-up unless it runs already, so there is one per shard however many
// workers start.
func OutboxDispatcherWorkflowID(shard int) string {
	return "outbox-dispatcher/" + strconv.Itoa(shard)
}

// OutboxDispatcherInput names the shard a dispatcher delivers: the outbox rows whose ID
// modulo Shards is Shard.
type OutboxDispatcherInput struct {
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
}
