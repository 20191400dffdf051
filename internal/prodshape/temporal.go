//go:build !production

package prodshape

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"jobordre/internal/devstack"
	"jobordre/internal/temporalx"
)

// The Temporal server of the shape runs in its own OS process, as in docker-compose.yml: the
// test binary starts itself again with roleEnv set, and RunChild (called first thing in the
// package's TestMain) turns that copy into the server. It is the same server code as the dev
// stack's (internal/devstack), on PostgreSQL instead of SQLite.
const (
	roleEnv      = "JOBORDRE_PRODSHAPE_ROLE"
	roleTemporal = "temporal-server"
	configEnv    = "JOBORDRE_PRODSHAPE_TEMPORAL"
	readyPrefix  = "prodshape: temporal ready "
)

// temporalConfig is what the parent tells the server process.
type temporalConfig struct {
	Persistence   string `json:"persistence"`
	Visibility    string `json:"visibility"`
	FrontendPort  int    `json:"frontend_port"`
	MetricsAddr   string `json:"metrics_addr,omitempty"`
	PprofAddr     string `json:"pprof_addr,omitempty"`
	HistoryShards int32  `json:"history_shards"`
	Namespace     string `json:"namespace"`
}

// RunChild makes this process the shape's Temporal server when it was started as one, and
// never returns then; in any other process it returns at once. Call it first in TestMain:
//
//	func TestMain(m *testing.M) { prodshape.RunChild(); os.Exit(pgtest.Main(m)) }
func RunChild() {
	if os.Getenv(roleEnv) != roleTemporal {
		return
	}
	os.Exit(runTemporal())
}

func runTemporal() int {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var cfg temporalConfig
	if err := json.Unmarshal([]byte(os.Getenv(configEnv)), &cfg); err != nil {
		log.Error("prodshape: bad server configuration", "error", err)
		return 2
	}
	if cfg.PprofAddr != "" {
		if err := serveProfiling(cfg.PprofAddr); err != nil {
			log.Error("prodshape: profiler", "error", err)
			return 2
		}
	}
	srv, err := devstack.StartTemporal(devstack.TemporalOptions{
		FrontendPort:     cfg.FrontendPort,
		UIPort:           -1,
		Namespace:        cfg.Namespace,
		SearchAttributes: temporalx.SearchAttributes,
		Logger:           log,
		Postgres:         &devstack.PostgresStores{Persistence: cfg.Persistence, Visibility: cfg.Visibility},
		HistoryShards:    cfg.HistoryShards,
		MetricsAddr:      cfg.MetricsAddr,
	})
	if err != nil {
		log.Error("prodshape: start temporal server", "error", err)
		return 1
	}
	fmt.Printf("%s%s\n", readyPrefix, srv.FrontendAddress())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	srv.Stop()
	return 0
}

// startTemporalProcess starts the server process and waits until it says it is ready.
func startTemporalProcess(cfg temporalConfig, logDir string) (*Process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(cfg)
	env := append(BaseEnv(), roleEnv+"="+roleTemporal, configEnv+"="+string(raw))
	p := NewProcess("temporal", self, nil, env, logDir)
	if err := p.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if !p.Running() {
			return nil, fmt.Errorf("the Temporal server process ended: %v\n%s", p.ExitError(), p.LogTail(30))
		}
		if addr := readyLine(p.LogPath); addr != "" {
			return p, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = p.Kill()
	return nil, fmt.Errorf("the Temporal server process was not ready within 3 minutes:\n%s", p.LogTail(30))
}

// readyLine finds the server's ready line in its log.
func readyLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), readyPrefix); ok {
			return addr
		}
	}
	return ""
}
