//go:build !production

// Package prodshape runs the production shape of docker-compose.yml on one machine without
// Docker, for the load benchmark (internal/loadbench) and the fault test
// (internal/integration): a throwaway PostgreSQL cluster (internal/pgtest) with three databases,
// the Temporal server on PostgreSQL in its own process (the server's postgres12 persistence, its
// schema set up by the server's own schema tool), `jobordre migrate` once, then `jobordre api` and
// two `jobordre worker` processes of the binary built with -tags production, each a separate OS
// process that can be killed and started again.
//
// It imports the Temporal server (through internal/devstack), so only tests may import it; the
// build constraint keeps it out of a -tags production build in any case.
package prodshape

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jobordre/internal/pgtest"
	"jobordre/internal/telemetry"
)

// Options configure a production shape.
type Options struct {
	// Binary is a jobordre executable built with -tags production; "" builds one (Build).
	Binary string
	// Workers is how many worker processes run (default 2).
	Workers int
	// HistoryShards is the Temporal server's number of history shards (default 4; see
	// docs/performance.md for why not compose's 512 on two cores).
	HistoryShards int32
	// Env is added to the environment of migrate, api and the workers (SendGrid stand-in,
	// webhook key, rate limits, …); it overrides the shape's own settings.
	Env []string
	// TemporalMetrics serves the Temporal server's Prometheus metrics on a free port
	// (Shape.TemporalMetricsURL); Pprof serves Go's profiler in every process (Shape.PprofURL).
	TemporalMetrics, Pprof bool
}

// Shape is a running production shape.
type Shape struct {
	// HTTPURL is the API's base URL (it keeps its port across RestartAPI).
	HTTPURL string
	// TemporalAddress is the Temporal frontend's host:port.
	TemporalAddress string
	// DatabaseURL is the application database.
	DatabaseURL string
	// JWTSecret signs bearer tokens the API accepts (HS256).
	JWTSecret string
	// TemporalMetricsURL is the server's /metrics URL when Options.TemporalMetrics was set.
	TemporalMetricsURL string
	// PostgresPID is the PostgreSQL cluster's postmaster (0 with TEST_DATABASE_URL).
	PostgresPID int

	Temporal *Process
	API      *Process
	Workers  []*Process

	pprof        map[string]string // process name → profiler address
	workerHealth []string
}

// Namespace and TaskQueue of the shape (the defaults of docker-compose.yml).
const (
	Namespace = "default"
	TaskQueue = "jobordre"
)

// Start brings the whole shape up and stops it at t.Cleanup. The PostgreSQL cluster is the test
// process's pgtest cluster.
func Start(t testing.TB, o Options) *Shape {
	t.Helper()
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.HistoryShards <= 0 {
		o.HistoryShards = 4
	}
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = Build(); err != nil {
			t.Fatal(err)
		}
	}
	logDir := t.TempDir()
	s := &Shape{pprof: map[string]string{}}
	temporalDB, visibilityDB := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	s.DatabaseURL = pgtest.NewDatabase(t)
	s.PostgresPID = pgtest.ServerPID()
	s.JWTSecret = randomSecret()

	ports, err := freePorts(3 + o.Workers)
	if err != nil {
		t.Fatal(err)
	}
	tcfg := temporalConfig{
		Persistence: temporalDB, Visibility: visibilityDB, FrontendPort: ports[0],
		HistoryShards: o.HistoryShards, Namespace: Namespace,
	}
	if o.TemporalMetrics {
		tcfg.MetricsAddr = "127.0.0.1:" + strconv.Itoa(ports[1])
		s.TemporalMetricsURL = "http://" + tcfg.MetricsAddr + "/metrics"
	}
	if o.Pprof {
		tcfg.PprofAddr = s.pprofAddr("temporal", t)
	}
	start := time.Now()
	if s.Temporal, err = startTemporalProcess(tcfg, logDir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Temporal.Stop(30 * time.Second) })
	s.TemporalAddress = "127.0.0.1:" + strconv.Itoa(ports[0])
	t.Logf("prodshape: Temporal server on PostgreSQL ready in %s (%d history shards)", time.Since(start).Round(time.Millisecond), o.HistoryShards)

	apiAddr := "127.0.0.1:" + strconv.Itoa(ports[2])
	s.HTTPURL = "http://" + apiAddr
	common := append(BaseEnv(),
		"DATABASE_URL="+s.DatabaseURL,
		"TEMPORAL_ADDRESS="+s.TemporalAddress,
		"TEMPORAL_NAMESPACE="+Namespace,
		"JOBORDRE_TASK_QUEUE="+TaskQueue,
		"JOBORDRE_JWT_SECRET="+s.JWTSecret,
		"JOBORDRE_AUTO_MIGRATE=false",
		"JOBORDRE_LOG_LEVEL=warn",
		"JOBORDRE_PUBLIC_BASE_URL="+s.HTTPURL,
	)
	// The shape's own settings first, the caller's after: the last value of a variable wins.
	withEnv := func(extra ...string) []string {
		env := append(append([]string{}, common...), extra...)
		return append(env, o.Env...)
	}

	// compose's migrate job: once, before api and workers.
	migrate := NewProcess("migrate", bin, []string{"migrate"}, withEnv(), logDir)
	if err := migrate.Start(); err != nil {
		t.Fatal(err)
	}
	<-migrate.Done()
	if err := migrate.ExitError(); err != nil {
		t.Fatalf("jobordre migrate: %v\n%s", err, migrate.LogTail(30))
	}

	apiEnv := []string{"JOBORDRE_HTTP_ADDR=" + apiAddr}
	if o.Pprof {
		apiEnv = append(apiEnv, "JOBORDRE_PPROF_ADDR="+s.pprofAddr("api", t))
	}
	s.API = NewProcess("api", bin, []string{"api"}, withEnv(apiEnv...), logDir)
	for i := range o.Workers {
		name := fmt.Sprintf("worker-%d", i+1)
		addr := "127.0.0.1:" + strconv.Itoa(ports[3+i])
		env := []string{"JOBORDRE_WORKER_METRICS_ADDR=" + addr}
		if o.Pprof {
			env = append(env, "JOBORDRE_PPROF_ADDR="+s.pprofAddr(name, t))
		}
		s.Workers = append(s.Workers, NewProcess(name, bin, []string{"worker"}, withEnv(env...), logDir))
		s.workerHealth = append(s.workerHealth, "http://"+addr+"/healthz")
	}
	t.Cleanup(func() {
		// API first (no new work), then the workers, as compose stops them.
		_ = s.API.Stop(20 * time.Second)
		var wg sync.WaitGroup
		for _, w := range s.Workers {
			wg.Add(1)
			go func() { defer wg.Done(); _ = w.Stop(20 * time.Second) }()
		}
		wg.Wait()
	})
	for i := range s.Workers {
		if err := s.StartWorker(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.StartAPI(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range s.Processes() {
				t.Logf("--- %s log (last lines)\n%s", p.Name, p.LogTail(40))
			}
		}
	})
	return s
}

// Processes lists the shape's processes: Temporal, api, workers.
func (s *Shape) Processes() []*Process {
	return append([]*Process{s.Temporal, s.API}, s.Workers...)
}

// PprofURL is the profiler's base URL of a process ("temporal", "api", "worker-1", …), "" without
// Options.Pprof.
func (s *Shape) PprofURL(name string) string {
	if a := s.pprof[name]; a != "" {
		return "http://" + a + "/debug/pprof"
	}
	return ""
}

// StartAPI starts the API process and waits until /readyz answers 200 (database and Temporal).
func (s *Shape) StartAPI() error {
	if err := s.API.Start(); err != nil {
		return err
	}
	return waitHTTP(s.API, s.HTTPURL+"/readyz", time.Minute)
}

// RestartAPI stops the API gracefully (SIGTERM: requests in flight finish) and starts it again on
// the same address.
func (s *Shape) RestartAPI() error {
	if err := s.API.Stop(30 * time.Second); err != nil {
		return err
	}
	return s.StartAPI()
}

// StartWorker starts worker i (0-based) and waits until its /healthz answers.
func (s *Shape) StartWorker(i int) error {
	if err := s.Workers[i].Start(); err != nil {
		return err
	}
	return waitHTTP(s.Workers[i], s.workerHealth[i], time.Minute)
}

// KillWorker kills worker i with SIGKILL.
func (s *Shape) KillWorker(i int) error { return s.Workers[i].Kill() }

func (s *Shape) pprofAddr(name string, t testing.TB) string {
	ports, err := freePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	s.pprof[name] = "127.0.0.1:" + strconv.Itoa(ports[0])
	return s.pprof[name]
}

// waitHTTP polls url until it answers 200, the process ends or the timeout passes.
func waitHTTP(p *Process, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if !p.Running() {
			return fmt.Errorf("%s ended before it was ready: %v\n%s", p.Name, p.ExitError(), p.LogTail(30))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s within %s (last: %v)\n%s", p.Name, url, timeout, err, p.LogTail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// BaseEnv is the little of the test's environment the processes need: no TEMPORAL_* or
// DATABASE_URL of the developer's shell leaks in, and HOME is empty so the Temporal SDK's
// environment configuration finds no profile file.
func BaseEnv() []string {
	env := []string{"HOME=" + os.TempDir()}
	for _, k := range []string{"PATH", "TMPDIR", "TZ", "GOCOVERDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Build compiles jobordre with -tags production (what the Dockerfile ships) into bin/prodshape/
// of the module, once per test process; go's build cache makes a rebuild of unchanged code quick.
func Build() (string, error) {
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(root, "bin", "prodshape", "jobordre")
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "production", "-o", buildPath, "./cmd/jobordre")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build jobordre -tags production: %v\n%s", err, out)
		}
	})
	return buildPath, buildErr
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the jobordre module")
	}
	return filepath.Dir(gomod), nil
}

func serveProfiling(addr string) error {
	return telemetry.ServeProfiling(context.Background(), addr, nil)
}
