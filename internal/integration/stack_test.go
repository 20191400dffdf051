// Package integration drives the real stack over HTTP: the embedded Temporal server, a real
// PostgreSQL (or the dev SQLite default), the worker and the HTTP API, exactly as `jobordre dev` runs them.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"jobordre/internal/config"
	"jobordre/internal/devstack"
	"jobordre/internal/pgtest"
	"jobordre/internal/prodshape"
	"jobordre/internal/telemetry"
)

// TestMain lets prodshape turn a copy of this binary into the production shape's Temporal server
// (a separate process), then runs the tests with a throwaway PostgreSQL.
func TestMain(m *testing.M) {
	prodshape.RunChild()
	os.Exit(pgtest.Main(m))
}

// stackConfig is a dev stack on free ports in dataDir; databaseURL "" means the dev SQLite default.
func stackConfig(dataDir, databaseURL string) config.Config {
	cfg := config.Defaults()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.DataDir = dataDir
	cfg.TemporalPort = 0
	cfg.UIPort = 0
	cfg.DatabaseURL = databaseURL
	cfg.LogLevel = "warn"
	return cfg
}

func startStack(t *testing.T, cfg config.Config) *devstack.Stack {
	t.Helper()
	w := &testWriter{t: t}
	// Registered first, so it runs last: the server's goroutines may still log while stopping.
	t.Cleanup(w.close)
	s, err := devstack.Start(context.Background(), cfg, telemetry.NewLogger(w, "error"))
	if err != nil {
		t.Fatalf("start dev stack: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// testWriter sends the stack's error logs to the test log, so a failure shows them, and drops
// whatever arrives after the test has ended.
type testWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(string(bytes.TrimSpace(p)))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url, token string, body any, headers ...string) reply {
	t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = bytes.NewReader([]byte(b))
	default:
		raw, _ := json.Marshal(b)
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rdr)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (r reply) decode(t *testing.T, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.body, dst); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// order is the part of a job order these tests read.
type order struct {
	ID                   string          `json:"id"`
	Status               string          `json:"status"`
	Sharing              string          `json:"sharing"`
	ResponsibleJobcenter string          `json:"responsible_jobcenter"`
	Coordinator          json.RawMessage `json:"coordinator"`
	Live                 *struct {
		Status  string `json:"status"`
		Sharing string `json:"sharing"`
	} `json:"live"`
	LiveError string `json:"live_error"`
}

func readmeOrder() map[string]any {
	return map[string]any{
		"company_cvr":  devstack.ExampleCVR,
		"company_name": "Byg & Tag ApS",
		"title":        "Tømrer til renovering",
		"description":  "To erfarne tømrere til renovering af vinduer og tage.",
		"workplace": map[string]any{
			"address": "Søren Frichs Vej 38", "postal_code": "8000", "municipality_code": "751",
		},
		"responsible_jobcenter": "751",
		"occupation_code":       "7115",
		"positions":             2,
		"start_date":            "2027-01-04",
		"application_deadline":  "2026-12-20",
		"kind":                  "ordinary",
	}
}

// temporalClient dials the stack's embedded Temporal to look at workflows directly.
func temporalClient(t *testing.T, s *devstack.Stack) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.TemporalAddress, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
