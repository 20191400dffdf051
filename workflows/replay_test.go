package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	sdkworker "go.temporal.io/sdk/worker"

	"jobordre/worker"
)

// Histories recorded from the integration scenarios on a real Temporal server (make histories)
// must replay through today's workflow code: a change that breaks determinism for running
// orders fails here.
func TestCommittedHistoriesReplayThroughTheCurrentWorkflowCode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no committed histories in testdata/histories; run `make histories`")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join("testdata", "histories", "lifecycle-created-to-closed.json")); err != nil {
		t.Fatal("the full lifecycle scenario's history is missing")
	}
}
