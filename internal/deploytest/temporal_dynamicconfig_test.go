package deploytest

import (
	"testing"

	"go.temporal.io/server/common/dynamicconfig"

	"jobordre/internal/devstack"
)

// TestTemporalDynamicConfig parses the inline dynamic config with the server's own loader, so a
// misspelt key or a wrong value type shows up here instead of as a warning in the server's log.
func TestTemporalDynamicConfig(t *testing.T) {
	p := mustLoadCompose(t)
	cfg, ok := p.Configs["temporal-dynamicconfig"]
	if !ok {
		t.Fatal("config temporal-dynamicconfig missing")
	}
	lr := dynamicconfig.LoadYamlFile([]byte(cfg.Content))
	if err := lr.Err(); err != nil {
		t.Fatalf("dynamic config: %v", err)
	}
	for _, w := range lr.Warnings {
		t.Errorf("dynamic config: %v", w)
	}
	if len(lr.Map) == 0 {
		t.Error("dynamic config sets nothing")
	}
	// The production shape (internal/prodshape) measures the embedded server's settings; the
	// compose file must run the server the same way.
	for _, key := range []dynamicconfig.Key{dynamicconfig.MatchingNumTaskqueueReadPartitions.Key(), dynamicconfig.MatchingNumTaskqueueWritePartitions.Key()} {
		cvs := lr.Map[key]
		if len(cvs) != 1 || cvs[0].Constraints != (dynamicconfig.Constraints{}) || cvs[0].Value != devstack.TaskQueuePartitions {
			t.Errorf("dynamic config %s = %+v, want %d for every task queue (devstack.TaskQueuePartitions)", key, cvs, devstack.TaskQueuePartitions)
		}
	}
}
