// Package devstack runs the local development stack of the jobordre dev command:
// an embedded, file-backed Temporal server and its Web UI.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/temporal"
)

const (
	defaultFrontendIP = "127.0.0.1"
	defaultNamespace  = "default"
	defaultRetention  = 30 * 24 * time.Hour
	minRetention      = 24 * time.Hour

	// startupTimeout bounds how long StartTemporal waits for the frontend to
	// answer health checks and for the namespace to be set up.
	startupTimeout = 60 * time.Second

	// clusterName is the name of the single, local Temporal cluster.
	clusterName = "active"
)

// TemporalOptions configures the embedded Temporal server.
type TemporalOptions struct {
	DataDir          string                              // directory holding temporal.db; "" = in-memory (tests)
	FrontendIP       string                              // default "127.0.0.1"
	FrontendPort     int                                 // 0 = pick a free port
	UIPort           int                                 // 0 = pick a free port; -1 = no Web UI
	Namespace        string                              // default "default"
	Retention        time.Duration                       // default 30 days (720h); must be >= 24h
	SearchAttributes map[string]enumspb.IndexedValueType // custom attributes to register
	Logger           *slog.Logger                        // server logs go here at Warn and above only; nil = discard
	// Postgres, when set, keeps the server's data in PostgreSQL instead of SQLite (the production
	// shape, see PostgresStores); DataDir must then be empty.
	Postgres *PostgresStores
	// HistoryShards is the number of history shards, fixed when the database is created
	// (default 1; the production shape runs more).
	HistoryShards int32
	// MetricsAddr, when set, serves the server's own Prometheus metrics (persistence latency,
	// shard locks, task queues) at /metrics on this address.
	MetricsAddr string
}

// TemporalServer is a running embedded Temporal server, plus its Web UI when enabled.
type TemporalServer struct {
	frontendAddr string
	uiAddr       string
	namespace    string

	server temporal.Server
	ui     *webUI
	lock   *dirLock
	// logLevel is the threshold for server logs: Warn while running, silent
	// from Stop on (shutting down makes the server log spurious warnings and
	// "context canceled" errors).
	logLevel *slog.LevelVar

	stopOnce sync.Once
}

// StartTemporal starts the server and returns once its frontend answers health checks.
func StartTemporal(opts TemporalOptions) (_ *TemporalServer, err error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	s := &TemporalServer{namespace: opts.Namespace, logLevel: new(slog.LevelVar)}
	s.logLevel.Set(slog.LevelWarn)
	// Undo whatever was started if a later step fails.
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()

	fresh := true
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir %s: %w", opts.DataDir, err)
		}
		if s.lock, err = lockDataDir(opts.DataDir); err != nil {
			return nil, err
		}
		if fresh, err = checkDataDirVersion(opts.DataDir); err != nil {
			return nil, err
		}
	}

	var persistence, visibility *config.SQL
	if opts.Postgres != nil {
		persistence, visibility, err = preparePostgres(opts, serverLogger{l: thresholdSlog(opts.Logger, s.logLevel)})
	} else {
		persistence, err = prepareDatabase(opts, fresh)
		visibility = persistence
	}
	if err != nil {
		return nil, err
	}

	ports, err := pickPorts(opts)
	if err != nil {
		return nil, err
	}
	s.frontendAddr = net.JoinHostPort(dialHost(opts.FrontendIP), strconv.Itoa(ports.frontendGRPC))

	srv, err := newServer(opts, persistence, visibility, ports, s.logLevel)
	if err != nil {
		return nil, fmt.Errorf("configure temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		// Start can fail half-way; Stop tears down whatever did start.
		_ = srv.Stop()
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s.server = srv

	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	defer cancel()
	if err := s.waitReadyAndSetUp(ctx, opts); err != nil {
		return nil, err
	}

	if opts.UIPort >= 0 {
		if s.ui, err = startUI(opts.FrontendIP, ports.ui, s.frontendAddr, opts.Namespace); err != nil {
			return nil, err
		}
		s.uiAddr = "http://" + net.JoinHostPort(dialHost(opts.FrontendIP), strconv.Itoa(ports.ui))
	}
	return s, nil
}

// FrontendAddress returns the host:port of the frontend gRPC endpoint, e.g. "127.0.0.1:7233".
func (s *TemporalServer) FrontendAddress() string { return s.frontendAddr }

// UIAddress returns the Web UI's base URL, e.g. "http://127.0.0.1:8233", or "" when the UI is disabled.
func (s *TemporalServer) UIAddress() string { return s.uiAddr }

// Namespace returns the namespace the server was set up with.
func (s *TemporalServer) Namespace() string { return s.namespace }

// Stop shuts down the Web UI, then the server, then releases the data dir lock; it is idempotent.
func (s *TemporalServer) Stop() {
	s.stopOnce.Do(func() {
		s.logLevel.Set(levelSilent)
		if s.ui != nil {
			s.ui.stop()
		}
		if s.server != nil {
			_ = s.server.Stop()
		}
		s.lock.unlock()
	})
}

// normalize applies defaults and validates the options.
func (o *TemporalOptions) normalize() error {
	if o.FrontendIP == "" {
		o.FrontendIP = defaultFrontendIP
	}
	if net.ParseIP(o.FrontendIP) == nil {
		return fmt.Errorf("frontend IP %q is not an IP address", o.FrontendIP)
	}
	if o.Namespace == "" {
		o.Namespace = defaultNamespace
	}
	if o.Retention == 0 {
		o.Retention = defaultRetention
	}
	if o.Retention < minRetention {
		return fmt.Errorf("namespace retention %s is below the minimum of %s", o.Retention, minRetention)
	}
	if o.FrontendPort < 0 || o.FrontendPort > 65535 {
		return fmt.Errorf("frontend port %d out of range", o.FrontendPort)
	}
	if o.UIPort < -1 || o.UIPort > 65535 {
		return fmt.Errorf("web UI port %d out of range (-1 disables the UI)", o.UIPort)
	}
	if o.Postgres != nil && o.DataDir != "" {
		return errors.New("give a data dir (SQLite) or PostgreSQL stores, not both")
	}
	if o.HistoryShards < 0 {
		return fmt.Errorf("history shards %d: must be positive", o.HistoryShards)
	}
	if o.HistoryShards == 0 {
		o.HistoryShards = 1
	}
	if o.DataDir != "" {
		abs, err := filepath.Abs(o.DataDir)
		if err != nil {
			return fmt.Errorf("data dir %s: %w", o.DataDir, err)
		}
		o.DataDir = abs
	}
	for name, typ := range o.SearchAttributes {
		if name == "" {
			return errors.New("search attribute with an empty name")
		}
		if _, ok := enumspb.IndexedValueType_name[int32(typ)]; !ok || typ == enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return fmt.Errorf("search attribute %q has invalid type %v", name, typ)
		}
	}
	return nil
}

// dialHost is the address clients use to reach a server bound on ip: a
// wildcard bind is reached through the loopback address.
func dialHost(ip string) string {
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsUnspecified() {
		if parsed.To4() != nil {
			return "127.0.0.1"
		}
		return "::1"
	}
	return ip
}
