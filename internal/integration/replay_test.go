package integration

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"jobordre/worker"
)

// historiesDir is where replay histories are committed; `make histories` rewrites them from the
// integration scenarios (JOBORDRE_WRITE_HISTORIES=1), and workflows/replay_test.go replays them.
const historiesDir = "../../workflows/testdata/histories"

var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// fetchHistory reads a workflow's whole history (latest run) from the stack's Temporal.
func fetchHistory(t *testing.T, c client.Client, workflowID string) *historypb.History {
	t.Helper()
	it := c.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// checkReplay replays a scenario's history through the current workflow code (a determinism
// check on every run), checks that no personal data reached it, and, when
// JOBORDRE_WRITE_HISTORIES is set, saves it for the committed replay tests.
func checkReplay(t *testing.T, c client.Client, workflowID, name string, pii ...string) {
	t.Helper()
	h := fetchHistory(t, c, workflowID)
	r := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(r)
	if err := r.ReplayWorkflowHistory(nil, h); err != nil {
		t.Fatalf("replaying %s (%s): %v", name, workflowID, err)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range found(protoText(t, h), pii) {
		t.Errorf("the history of %s contains personal data %q", name, s)
	}
	if os.Getenv("JOBORDRE_WRITE_HISTORIES") != "" {
		if err := os.MkdirAll(historiesDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(historiesDir, name+".json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// protoText is a Temporal message (a history, a description) as JSON with every payload decoded
// after it: payloads are base64 inside the JSON, and the scan must see what they hold.
func protoText(t *testing.T, m proto.Message) string {
	t.Helper()
	b, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, m := range payloadData.FindAllStringSubmatch(text, -1) {
		if raw, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			text += "\n" + string(raw)
		}
	}
	return text
}

// found is the personal values that occur in text.
func found(text string, pii []string) []string {
	var out []string
	for _, s := range pii {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}
