//go:build !production

package loadbench

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"jobordre/internal/joborder"
)

// workSample is how many orders' histories are read to count the Temporal work per order.
const workSample = 25

// temporalWork counts what the server did for one order, from its workflow history: workflow
// tasks, activity tasks scheduled on the task queue, local-activity markers and events. Unlike
// times, these counts do not depend on the machine; they are what the design decides.
type temporalWork struct {
	workflowTasks, activities, markers, events int
}

// sub is the work done between two counts of the same orders.
func (w temporalWork) sub(o temporalWork) temporalWork {
	return temporalWork{w.workflowTasks - o.workflowTasks, w.activities - o.activities, w.markers - o.markers, w.events - o.events}
}

// per formats the counts per order.
func (w temporalWork) per(n int) string {
	if n == 0 {
		return "-"
	}
	f := func(v int) float64 { return float64(v) / float64(n) }
	return fmt.Sprintf("%.1f workflow tasks, %.1f activity tasks, %.1f local activities, %.1f history events", f(w.workflowTasks), f(w.activities), f(w.markers), f(w.events))
}

// countWork reads the histories of the first workSample orders and adds up their work; it also
// returns how many orders it read.
func countWork(ctx context.Context, addr string, orders []order) (temporalWork, int, error) {
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default"})
	if err != nil {
		return temporalWork{}, 0, err
	}
	defer c.Close()
	var w temporalWork
	n := min(workSample, len(orders))
	for _, o := range orders[:n] {
		it := c.GetWorkflowHistory(ctx, joborder.WorkflowID(o.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				return w, n, fmt.Errorf("history of %s: %w", o.ID, err)
			}
			w.events++
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				w.workflowTasks++
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				w.activities++
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				if e.GetMarkerRecordedEventAttributes().GetMarkerName() == localActivityMarker {
					w.markers++
				}
			}
		}
	}
	return w, n, nil
}

// localActivityMarker is the marker name the Go SDK records for a local activity's result.
const localActivityMarker = "LocalActivity"
