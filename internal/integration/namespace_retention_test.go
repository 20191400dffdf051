package integration

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobordre/internal/devstack"
	"jobordre/internal/pgtest"
	"jobordre/internal/telemetry"
)

// gauge reads a gauge's value from the stack's /metrics, waiting up to 5 s for it to be want: the
// SDK's metrics scope reports every second, and a gauge shows 0 until its first report.
func gauge(t *testing.T, s *devstack.Stack, name string, want float64) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`)
	v := -1.0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && v != want; time.Sleep(200 * time.Millisecond) {
		if m := re.FindStringSubmatch(string(call(t, http.MethodGet, s.HTTPURL+"/metrics", "", nil).body)); m != nil {
			v, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	return v
}

// The worker compares the embedded namespace's retention (30 days) with the shortest retention
// period at start-up: with the national defaults (outbox_mail P30D) the histories outlive nothing
// and the excess gauge is 0; after job centre 751 shortened outbox_mail to 7 days, the next
// start logs a warning naming the job centre, the period and the excess, and the gauges say 30
// days, 7 days and 23 days.
func TestTheWorkerWarnsWhenTheNamespaceKeepsHistoriesLongerThanTheShortestRetentionPeriod(t *testing.T) {
	cfg := stackConfig(t.TempDir(), pgtest.NewDatabase(t))
	const day = 24 * 3600
	first := startStack(t, cfg)
	if v := gauge(t, first, "temporal_jobordre_namespace_retention_seconds", 30*day); v != 30*day {
		t.Errorf("namespace retention gauge %v, want 30 days", v)
	}
	if v := gauge(t, first, "temporal_jobordre_retention_shortest_period_seconds", 30*day); v != 30*day {
		t.Errorf("shortest period gauge %v with the national defaults, want 30 days", v)
	}
	if v := gauge(t, first, "temporal_jobordre_namespace_retention_excess_seconds", 0); v != 0 {
		t.Errorf("excess gauge %v with the national defaults, want 0", v)
	}
	r := call(t, http.MethodPut, first.HTTPURL+"/api/v1/jobcenters/751/policy", first.Tokens["manager"], map[string]any{"retention": map[string]any{"outbox_mail": "P7D"}})
	if r.status != 200 {
		t.Fatalf("policy: %d %s", r.status, r.body)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}

	logs := &lockedBuffer{}
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	second, err := devstack.Start(context.Background(), cfg, telemetry.NewLogger(io.MultiWriter(w, logs), "warn"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Stop() })
	var warning string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "keeps closed workflow histories longer than the shortest retention period") {
			warning = line
		}
	}
	for _, want := range []string{`"level":"WARN"`, `"jobcenter":"751"`, `"period":"retention.outbox_mail"`, `"shortest_period":"P7D"`,
		`"namespace_retention":"720h0m0s"`, `"excess":"552h0m0s"`} {
		if !strings.Contains(warning, want) {
			t.Errorf("the start-up warning %q lacks %s", warning, want)
		}
	}
	for name, want := range map[string]float64{"temporal_jobordre_namespace_retention_seconds": 30 * day,
		"temporal_jobordre_retention_shortest_period_seconds": 7 * day, "temporal_jobordre_namespace_retention_excess_seconds": 23 * day} {
		if v := gauge(t, second, name, want); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
}
