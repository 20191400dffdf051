// Package workflows holds JobOrderWorkflow: one durable workflow per job order that keeps the
// job centre's promises with timers. Workflow code is deterministic and carries IDs only, never
// personal data; activities read what they need from the database.
package workflows

import "strings"

// Names of the workflow, its queries, updates and signals; clients use these constants.
const (
	// JobOrderWorkflowName is the registered name of JobOrderWorkflow.
	JobOrderWorkflowName = "JobOrderWorkflow"
	// QueryLiveState returns the order's LiveState.
	QueryLiveState = "live-state"
)

// workflowIDPrefix starts every job-order workflow ID.
const workflowIDPrefix = "job-order/"

// JobOrderWorkflowID is the workflow ID of the job order with the given ID.
func JobOrderWorkflowID(jobOrderID string) string { return workflowIDPrefix + jobOrderID }

// JobOrderIDFromWorkflowID returns the job order ID inside a workflow ID, or false if it is not one.
func JobOrderIDFromWorkflowID(workflowID string) (string, bool) {
	id, ok := strings.CutPrefix(workflowID, workflowIDPrefix)
	return id, ok && id != ""
}
