//go:build !production

package loadbench

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/mail/mailtest"
	"jobordre/internal/prodshape"
)

// Stack is a running jobordre stack as the benchmark sees it.
type Stack struct {
	// Name is "dev" or "production".
	Name            string
	HTTPURL         string
	TemporalAddress string
	JWTSecret       string
	// Processes are the stack's OS processes (PostgreSQL aside).
	Processes []*prodshape.Process
	// PostgresPID is the PostgreSQL postmaster of the production shape (0 for dev).
	PostgresPID int
	// TemporalMetricsURL is the Temporal server's Prometheus endpoint.
	TemporalMetricsURL string
	// Pprof maps a process name to its profiler's base URL.
	Pprof map[string]string

	signer *auth.HS256
}

// Token signs a bearer token for p, valid for a day.
func (s *Stack) Token(p auth.Principal) (string, error) {
	if s.signer == nil {
		h, err := auth.NewHS256(s.JWTSecret, "jobordre", "jobordre-api")
		if err != nil {
			return "", err
		}
		s.signer = h
	}
	return s.signer.Sign(p, 24*time.Hour)
}

// mailEnv sends every e-mail of the stack through the real sendgrid-go client to the stand-in.
func mailEnv(tally *mailtest.Tally) []string {
	return []string{
		"SENDGRID_API_KEY=SG.loadbench", "SENDGRID_API_HOST=" + tally.URL,
		"SENDGRID_FROM_EMAIL=jobordre@loadbench.example", "SENDGRID_FROM_NAME=jobordre",
		// The benchmark's few principals send far more than a person would.
		"JOBORDRE_RATE_LIMIT_RPS=0", "JOBORDRE_RATE_LIMIT_BURST=0",
		"JOBORDRE_LOG_LEVEL=warn",
	}
}

// StartDev runs `jobordre dev` (the binary at bin, a build without -tags production) in its own
// process on free loopback ports, with a fresh data dir, its profiler and the embedded server's
// metrics on.
func StartDev(t testing.TB, bin string, tally *mailtest.Tally, extraEnv []string) *Stack {
	t.Helper()
	ports := make([]int, 4)
	for i := range ports {
		ports[i] = freePort(t)
	}
	s := &Stack{
		Name: "dev", HTTPURL: "http://127.0.0.1:" + strconv.Itoa(ports[0]), TemporalAddress: "127.0.0.1:" + strconv.Itoa(ports[1]),
		JWTSecret: "loadbench-secret-0123456789abcdef0123456789", TemporalMetricsURL: "http://127.0.0.1:" + strconv.Itoa(ports[2]) + "/metrics",
		Pprof: map[string]string{"dev": "http://127.0.0.1:" + strconv.Itoa(ports[3]) + "/debug/pprof"},
	}
	dataDir := t.TempDir()
	env := append(prodshapeBaseEnv(), mailEnv(tally)...)
	env = append(env,
		"JOBORDRE_JWT_SECRET="+s.JWTSecret,
		"JOBORDRE_PUBLIC_BASE_URL="+s.HTTPURL,
		"JOBORDRE_TEMPORAL_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(ports[2]),
		"JOBORDRE_PPROF_ADDR=127.0.0.1:"+strconv.Itoa(ports[3]),
	)
	env = append(env, extraEnv...)
	p := prodshape.NewProcess("dev", bin, []string{"dev", "--data-dir", dataDir, "--http-addr", "127.0.0.1:" + strconv.Itoa(ports[0]),
		"--temporal-port", strconv.Itoa(ports[1]), "--ui-port", "0"}, env, t.TempDir())
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(60 * time.Second); err != nil {
			t.Logf("stop dev: %v", err)
		}
	})
	if err := waitReady(p, s.HTTPURL+"/readyz", 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	s.Processes = []*prodshape.Process{p}
	return s
}

// StartProduction runs the production shape (internal/prodshape) with its profilers and the
// Temporal server's metrics on.
func StartProduction(t testing.TB, tally *mailtest.Tally, extraEnv []string) *Stack {
	t.Helper()
	shape := prodshape.Start(t, prodshape.Options{Env: append(mailEnv(tally), extraEnv...), TemporalMetrics: true, Pprof: true})
	s := &Stack{
		Name: "production", HTTPURL: shape.HTTPURL, TemporalAddress: shape.TemporalAddress, JWTSecret: shape.JWTSecret,
		Processes: shape.Processes(), PostgresPID: shape.PostgresPID, TemporalMetricsURL: shape.TemporalMetricsURL,
		Pprof: map[string]string{},
	}
	for _, p := range s.Processes {
		s.Pprof[p.Name] = shape.PprofURL(p.Name)
	}
	return s
}

func waitReady(p *prodshape.Process, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if !p.Running() {
			return fmt.Errorf("%s ended: %v\n%s", p.Name, p.ExitError(), p.LogTail(30))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %s\n%s", p.Name, timeout, p.LogTail(30))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// prodshapeBaseEnv is the environment the stack's processes get from the benchmark's.
func prodshapeBaseEnv() []string { return prodshape.BaseEnv() }
