package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"

	"jobordre/activities"
	"jobordre/internal/joborder"
)

// Commands run their history writes as local activities, but no more than
// maxLocalCommandsPerTask of them in one workflow task; the next command's go to the task queue,
// so the task completes and answers the commands before it. (The test environment keeps the
// history length at 0, so here every command after the bound counts as the same task's.)
func TestCommandsRunTheirActivitiesLocallyUpToTheBoundPerWorkflowTask(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	local, queued := 0, 0
	count := func(in activities.RecordEventInput, n *int) {
		if in.Type == joborder.EventContactRecorded {
			mu.Lock()
			*n++
			mu.Unlock()
		}
	}
	h.env.SetOnLocalActivityStartedListener(func(_ *activity.Info, _ context.Context, args []any) {
		if len(args) > 0 {
			if in, ok := args[0].(activities.RecordEventInput); ok {
				count(in, &local)
			}
		}
	})
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		var in activities.RecordEventInput
		if info.ActivityType.Name == "RecordEvent" && args.Get(&in) == nil {
			count(in, &queued)
		}
	})
	for i := range 6 {
		h.update(min(1), fmt.Sprintf("contact-%d", i), joborder.UpdateRecordContact, joborder.RecordContactInput{Actor: caseworker, ContactID: fmt.Sprintf("k%d", i)})
	}
	h.run(input("lc1"), min(3))
	for i := range 6 {
		if err := h.failed[fmt.Sprintf("contact-%d", i)]; err != nil {
			t.Fatalf("contact %d: %v", i, err)
		}
	}
	if local != maxLocalCommandsPerTask || queued != 6-maxLocalCommandsPerTask {
		t.Fatalf("%d commands wrote their history locally and %d on the task queue, want %d and %d", local, queued, maxLocalCommandsPerTask, 6-maxLocalCommandsPerTask)
	}
}
