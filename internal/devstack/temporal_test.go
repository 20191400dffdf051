package devstack

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const thirtyDays = 30 * 24 * time.Hour

// testLogger sends server warnings to stderr (not t.Log: the server may still
// log from background goroutines after a test has finished).
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func startTemporal(t *testing.T, opts TemporalOptions) *TemporalServer {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	kind := "in-memory"
	if opts.DataDir != "" {
		kind = "fresh data dir"
		if _, err := os.Stat(filepath.Join(opts.DataDir, dbFileName)); err == nil {
			kind = "existing data dir"
		}
	}
	began := time.Now()
	s, err := StartTemporal(opts)
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	t.Logf("StartTemporal on %s took %s (UI enabled: %t; frontend %s)",
		kind, time.Since(began).Round(time.Millisecond), s.UIAddress() != "", s.FrontendAddress())
	t.Cleanup(s.Stop)
	return s
}

func dial(t *testing.T, s *TemporalServer) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.FrontendAddress(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(testLogger()),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.FrontendAddress(), err)
	}
	t.Cleanup(c.Close)
	return c
}

func testContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func namespaceRetention(t *testing.T, ctx context.Context, c client.Client, ns string) time.Duration {
	t.Helper()
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("describe namespace %s: %v", ns, err)
	}
	return desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
}

func customSearchAttributes(t *testing.T, ctx context.Context, c client.Client, ns string) map[string]enumspb.IndexedValueType {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	return resp.GetCustomAttributes()
}

func TestStartedServerServesFrontendAndUI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev") // does not exist yet: StartTemporal creates it
	attrs := map[string]enumspb.IndexedValueType{
		"DevstackStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"DevstackCount":  enumspb.INDEXED_VALUE_TYPE_INT,
	}
	s := startTemporal(t, TemporalOptions{DataDir: dir, SearchAttributes: attrs})

	if s.Namespace() != "default" {
		t.Errorf("Namespace() = %q, want default", s.Namespace())
	}
	if !strings.HasPrefix(s.FrontendAddress(), "127.0.0.1:") {
		t.Errorf("FrontendAddress() = %q, want 127.0.0.1:<port>", s.FrontendAddress())
	}
	for _, f := range []string{dbFileName, stampFileName, lockFileName} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("data dir lacks %s: %v", f, err)
		}
	}

	ctx := testContext(t, 60*time.Second)
	c := dial(t, s)
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("CheckHealth: %v", err)
	}
	if got := namespaceRetention(t, ctx, c, "default"); got < thirtyDays {
		t.Errorf("retention of default namespace = %s, want >= %s", got, thirtyDays)
	}
	have := customSearchAttributes(t, ctx, c, "default")
	for name, typ := range attrs {
		if have[name] != typ {
			t.Errorf("search attribute %s: got type %v, want %v (all custom: %v)", name, have[name], typ, have)
		}
	}

	// Search-attribute based visibility works on SQLite: a workflow started
	// with a custom attribute is found by a query on it (no worker needed).
	status := temporal.NewSearchAttributeKeyKeyword("DevstackStatus")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    "visibility-probe",
		TaskQueue:             "nobody-polls-this",
		TypedSearchAttributes: temporal.NewSearchAttributes(status.ValueSet("open")),
	}, "NoSuchWorkflowType")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: "default",
			Query:     "DevstackStatus = 'open'",
		})
		if err != nil {
			t.Fatalf("list workflows by search attribute: %v", err)
		}
		if len(resp.GetExecutions()) == 1 && resp.GetExecutions()[0].GetExecution().GetRunId() == run.GetRunID() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow not found by search attribute query; got %d executions", len(resp.GetExecutions()))
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = c.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "test done")

	if s.UIAddress() == "" {
		t.Fatal("UIAddress() is empty although the UI was enabled")
	}
	resp, err := http.Get(s.UIAddress())
	if err != nil {
		t.Fatalf("GET %s: %v", s.UIAddress(), err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: status %d, want 200", s.UIAddress(), resp.StatusCode)
	}

	s.Stop()
	s.Stop() // idempotent
	if _, err := http.Get(s.UIAddress()); err == nil {
		t.Errorf("web UI still answers after Stop")
	}
}

// sleepThenGreet waits on a durable timer and then returns a greeting.
func sleepThenGreet(ctx workflow.Context, name string) (string, error) {
	if err := workflow.Sleep(ctx, 3*time.Second); err != nil {
		return "", err
	}
	return "hello " + name, nil
}

func startWorker(t *testing.T, c client.Client, taskQueue string) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(sleepThenGreet)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	return w
}

func historyHas(ctx context.Context, c client.Client, id, runID string, want enumspb.EventType) (bool, error) {
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return false, err
		}
		if ev.GetEventType() == want {
			return true, nil
		}
	}
	return false, nil
}

func TestRunningWorkflowAndTimerSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	const taskQueue = "devstack-restart"
	ctx := testContext(t, 3*time.Minute)

	// First life: start the workflow and let it reach its timer.
	s1 := startTemporal(t, TemporalOptions{DataDir: dir, UIPort: -1})
	c1 := dial(t, s1)
	w1 := startWorker(t, c1, taskQueue)
	run, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "survives-restart",
		TaskQueue: taskQueue,
	}, sleepThenGreet, "restart")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	for {
		started, err := historyHas(ctx, c1, run.GetID(), run.GetRunID(), enumspb.EVENT_TYPE_TIMER_STARTED)
		if err != nil {
			t.Fatalf("read history: %v", err)
		}
		if started {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("timer never started")
		}
		time.Sleep(100 * time.Millisecond)
	}
	w1.Stop()
	c1.Close()
	s1.Stop()

	// Second life on the same data dir (new free ports).
	s2 := startTemporal(t, TemporalOptions{DataDir: dir, UIPort: -1})
	c2 := dial(t, s2)
	w2 := startWorker(t, c2, taskQueue)
	defer w2.Stop()

	var got string
	if err := c2.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, &got); err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	if got != "hello restart" {
		t.Errorf("workflow result = %q, want %q", got, "hello restart")
	}
	fired, err := historyHas(ctx, c2, run.GetID(), run.GetRunID(), enumspb.EVENT_TYPE_TIMER_FIRED)
	if err != nil {
		t.Fatalf("read history: %v", err)
	}
	if !fired {
		t.Error("history has no TimerFired event")
	}
	if r := namespaceRetention(t, ctx, c2, "default"); r < thirtyDays {
		t.Errorf("retention after restart = %s, want >= %s", r, thirtyDays)
	}
}

func TestRestartRaisesRetentionAndAddsSearchAttributes(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t, 2*time.Minute)

	s1 := startTemporal(t, TemporalOptions{
		DataDir:          dir,
		UIPort:           -1,
		Retention:        48 * time.Hour,
		SearchAttributes: map[string]enumspb.IndexedValueType{"DevstackFirst": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	})
	if r := namespaceRetention(t, ctx, dial(t, s1), "default"); r != 48*time.Hour {
		t.Errorf("retention on a new data dir = %s, want 48h", r)
	}
	s1.Stop()

	s2 := startTemporal(t, TemporalOptions{
		DataDir: dir,
		UIPort:  -1,
		SearchAttributes: map[string]enumspb.IndexedValueType{
			"DevstackFirst":  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"DevstackSecond": enumspb.INDEXED_VALUE_TYPE_DATETIME,
		},
	})
	c := dial(t, s2)
	if r := namespaceRetention(t, ctx, c, "default"); r < thirtyDays {
		t.Errorf("retention after restart with the default = %s, want >= %s", r, thirtyDays)
	}
	have := customSearchAttributes(t, ctx, c, "default")
	if have["DevstackFirst"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD || have["DevstackSecond"] != enumspb.INDEXED_VALUE_TYPE_DATETIME {
		t.Errorf("custom search attributes after restart = %v", have)
	}
	s2.Stop()

	// A type clash with an existing attribute is reported, not ignored.
	_, err := StartTemporal(TemporalOptions{
		DataDir:          dir,
		UIPort:           -1,
		Logger:           testLogger(),
		SearchAttributes: map[string]enumspb.IndexedValueType{"DevstackFirst": enumspb.INDEXED_VALUE_TYPE_INT},
	})
	if err == nil || !strings.Contains(err.Error(), "DevstackFirst") {
		t.Errorf("StartTemporal with a clashing search attribute type: err = %v, want one naming DevstackFirst", err)
	}
}

func TestSecondStackOnSameDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := startTemporal(t, TemporalOptions{DataDir: dir, UIPort: -1})

	second, err := StartTemporal(TemporalOptions{DataDir: dir, UIPort: -1, Logger: testLogger()})
	if err == nil {
		second.Stop()
		t.Fatal("second StartTemporal on a locked data dir succeeded")
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("error should name the data dir and say it is in use: %v", err)
	}
	// The refused attempt must not have disturbed the running server.
	if _, err := dial(t, s).CheckHealth(testContext(t, 10*time.Second), &client.CheckHealthRequest{}); err != nil {
		t.Errorf("first server unhealthy after refused second start: %v", err)
	}

	// Once the first stack stops, the data dir can be used again.
	s.Stop()
	startTemporal(t, TemporalOptions{DataDir: dir, UIPort: -1}).Stop()
}

func TestTwoStacksWithDifferentDataDirsRunSideBySide(t *testing.T) {
	a := startTemporal(t, TemporalOptions{DataDir: t.TempDir()})
	b := startTemporal(t, TemporalOptions{DataDir: t.TempDir()})
	if a.FrontendAddress() == b.FrontendAddress() || a.UIAddress() == b.UIAddress() {
		t.Fatalf("stacks share addresses: %s/%s and %s/%s",
			a.FrontendAddress(), a.UIAddress(), b.FrontendAddress(), b.UIAddress())
	}
	ctx := testContext(t, 30*time.Second)
	for _, s := range []*TemporalServer{a, b} {
		if _, err := dial(t, s).CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			t.Errorf("%s unhealthy: %v", s.FrontendAddress(), err)
		}
		resp, err := http.Get(s.UIAddress())
		if err != nil {
			t.Errorf("GET %s: %v", s.UIAddress(), err)
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", s.UIAddress(), resp.StatusCode)
		}
	}
}

func TestVersionStampMismatchIsRefused(t *testing.T) {
	dir := t.TempDir()
	bogus := "temporal-server=0.0.1\nsqlite-schema=0.1\n"
	if err := os.WriteFile(filepath.Join(dir, stampFileName), []byte(bogus), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := StartTemporal(TemporalOptions{DataDir: dir, UIPort: -1, Logger: testLogger()})
	if err == nil {
		s.Stop()
		t.Fatal("StartTemporal accepted a data dir stamped by another Temporal version")
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error does not mention the data dir %s: %v", dir, err)
	}
	t.Logf("error: %v", err)
	if _, statErr := os.Stat(filepath.Join(dir, dbFileName)); statErr == nil {
		t.Error("a database was created in the refused data dir")
	}
}

func TestDatabaseWithoutStampIsRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, dbFileName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := StartTemporal(TemporalOptions{DataDir: dir, UIPort: -1, Logger: testLogger()})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("StartTemporal on an unstamped database: err = %v, want one naming %s", err, dir)
	}
}

func TestInMemoryServerStarts(t *testing.T) {
	s := startTemporal(t, TemporalOptions{UIPort: -1, Namespace: "scratch", Retention: 24 * time.Hour})
	if s.UIAddress() != "" {
		t.Errorf("UIAddress() = %q with the UI disabled", s.UIAddress())
	}
	ctx := testContext(t, 30*time.Second)
	if r := namespaceRetention(t, ctx, dial(t, s), "scratch"); r != 24*time.Hour {
		t.Errorf("retention = %s, want 24h", r)
	}
}

func TestInvalidOptionsAreRejected(t *testing.T) {
	for name, opts := range map[string]TemporalOptions{
		"short retention": {Retention: time.Hour},
		"bad UI port":     {UIPort: -2},
		"bad IP":          {FrontendIP: "localhost:1"},
	} {
		if s, err := StartTemporal(opts); err == nil {
			s.Stop()
			t.Errorf("%s: StartTemporal succeeded", name)
		}
	}
}
