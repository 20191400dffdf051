package devstack

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	// internalIP is where the history, matching and worker services listen.
	internalIP = "127.0.0.1"
	// storeName names the single SQLite data store used for both persistence and visibility.
	storeName = "sqlite-default"
)

// servicePorts are the TCP ports picked for one server instance.
type servicePorts struct {
	frontendGRPC int
	frontendHTTP int
	history      int
	matching     int
	worker       int
	ui           int // 0 when the UI is disabled
}

// pickPorts resolves the requested ports and picks free ones for the rest.
func pickPorts(opts TemporalOptions) (servicePorts, error) {
	var p servicePorts
	var err error
	if p.frontendGRPC, err = portOrFree(opts.FrontendIP, opts.FrontendPort, "frontend"); err != nil {
		return p, err
	}
	if p.frontendHTTP, err = freePort(opts.FrontendIP); err != nil {
		return p, fmt.Errorf("frontend HTTP port: %w", err)
	}
	for _, s := range []struct {
		port *int
		name string
	}{{&p.history, "history"}, {&p.matching, "matching"}, {&p.worker, "worker"}} {
		if *s.port, err = freePort(internalIP); err != nil {
			return p, fmt.Errorf("%s service port: %w", s.name, err)
		}
	}
	if opts.UIPort >= 0 {
		if p.ui, err = portOrFree(opts.FrontendIP, opts.UIPort, "web UI"); err != nil {
			return p, err
		}
	}
	return p, nil
}

// sqlConfig returns the SQLite store configuration: a file in the data dir, or
// a uniquely named shared-cache in-memory database when there is no data dir.
func sqlConfig(dataDir string) (*config.SQL, error) {
	if dataDir == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		return &config.SQL{
			PluginName:        sqliteplugin.PluginName,
			DatabaseName:      "devstack-" + hex.EncodeToString(b[:]),
			ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
		}, nil
	}
	dbPath := filepath.Join(dataDir, dbFileName)
	// The plugin builds a "file:<path>?<attrs>" URI; these would be misread.
	if strings.ContainsAny(dbPath, "?#%") {
		return nil, fmt.Errorf("data dir %s: path must not contain '?', '#' or '%%'", dataDir)
	}
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		// Keys without a leading underscore: the plugin passes the known URI
		// parameters (mode, cache, ...) through and turns the rest into pragmas.
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			// NORMAL: in WAL mode a commit is written to the WAL file but not fsynced; the WAL
			// is synced at each checkpoint. A crash of the process (kill -9, panic) loses
			// nothing: the operating system still has every committed write. Only a power cut
			// or kernel crash can lose the last commits — acceptable for a dev stack, and it
			// saves an fsync on every one of the server's many small transactions
			// (docs/performance.md). The production shape runs on PostgreSQL.
			"synchronous":  "1",
			"busy_timeout": "10000",
		},
		// One connection, as the plugin defaults to; it is shared by all
		// services through the plugin's connection pool.
		MaxConns:     1,
		MaxIdleConns: 1,
	}, nil
}

// prepareDatabase creates the schema when the database is new and makes sure
// the namespace exists, and returns the store configuration.
func prepareDatabase(opts TemporalOptions, fresh bool) (*config.SQL, error) {
	cfg, err := sqlConfig(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if opts.DataDir != "" && fresh {
		// Stamp first, so that a database never exists without a stamp.
		if err := writeStamp(opts.DataDir, currentStamp()); err != nil {
			return nil, fmt.Errorf("write version stamp in data dir %s: %w", opts.DataDir, err)
		}
		if err := sqliteschema.SetupSchema(cfg); err != nil {
			removeDatabase(opts.DataDir)
			return nil, fmt.Errorf("create Temporal schema in %s: %w", cfg.DatabaseName, err)
		}
	}
	// (In-memory databases get their schema from the plugin on first connect.)

	if err := createNamespace(cfg, opts); err != nil {
		if opts.DataDir != "" && fresh {
			removeDatabase(opts.DataDir)
		}
		return nil, err
	}
	return cfg, nil
}

// createNamespace writes the namespace, with its search attributes, into the server's
// persistence database before the server starts, so that every service's cache has the
// attributes from the start and none has to refresh them on each read. It does nothing when the
// namespace exists; StartTemporal reconciles it (attributes, retention) once the server is up.
// The schema package's helper is named for SQLite but works through the SQL plugin of cfg, so
// it serves the PostgreSQL stores too.
func createNamespace(cfg *config.SQL, opts TemporalOptions) error {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return fmt.Errorf("namespace %s: %w", opts.Namespace, err)
	}
	// NewNamespaceConfig hard-codes a 24h retention.
	ns.Detail.Config.Retention = durationpb.New(opts.Retention)
	if err := sqliteschema.CreateNamespaces(cfg, ns); err != nil {
		return fmt.Errorf("create namespace %s: %w", opts.Namespace, err)
	}
	return nil
}

// removeDatabase deletes a half-created database so that the next start begins afresh.
func removeDatabase(dir string) {
	db := filepath.Join(dir, dbFileName)
	for _, p := range []string{db, db + "-wal", db + "-shm", filepath.Join(dir, stampFileName)} {
		_ = os.Remove(p)
	}
}

// historyCacheSize is how many workflows' mutable state the server keeps in memory. On SQLite
// (`jobordre dev`, one process with the worker and the API) 2,048, about as many as that
// process's worker caches (cmd/jobordre devWorkflowCache): 8,096 held memory the one process
// needed at 100,000 open orders. The PostgreSQL-backed server of the production shape runs in
// a process of its own and keeps the 8,096 it was measured with (docs/performance.md).
func historyCacheSize(opts TemporalOptions) int {
	if opts.Postgres != nil {
		return 8096
	}
	return 2048
}

// TaskQueuePartitions is how many partitions every task queue has on the embedded servers and
// in docker-compose.yml's dynamic config (the server's default is 4). A partition is a unit
// of work for one matching service; with one, the default four only add forwarding: a workflow
// task written to a partition whose pollers were all busy elsewhere waited to be forwarded, and
// in the production shape workflow tasks waited 10–17 s for idle workers while the machine was
// two-thirds idle (docs/performance.md, fourth step).
const TaskQueuePartitions = 1

// dynamicConfig is the dev stack's fixed dynamic configuration.
func dynamicConfig(opts TemporalOptions) dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Development-sized caches and limits.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 historyCacheSize(opts),
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// The search attributes are created with the namespace (createNamespace; or added at
		// start-up, which then waits for the servers' caches: ensureSearchAttributes), so the
		// cache is used as in production. Forcing a refresh on every read, as the Temporal CLI's
		// dev server does, cost 22 cluster-metadata reads per job order on SQLite and 16 on
		// PostgreSQL (docs/performance.md). Newly added Nexus endpoints are usable at once.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): false,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():         true,
		// Bypassing the Nexus endpoint cache costs DB reads; raise the limits accordingly.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// jobordre's workflows use Updates.
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// One partition per task queue, as docker-compose.yml sets (TaskQueuePartitions).
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  TaskQueuePartitions,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): TaskQueuePartitions,
	}
}

// serverConfig builds the static server configuration.
func serverConfig(opts TemporalOptions, persistence, visibility *config.SQL, ports servicePorts) *config.Config {
	frontendHost := dialHost(opts.FrontendIP)
	frontendAddr := net.JoinHostPort(frontendHost, strconv.Itoa(ports.frontendGRPC))

	var c config.Config
	c.Global.Membership.MaxJoinDuration = 30 * time.Second
	c.Global.Membership.BroadcastAddress = internalIP

	c.Persistence.NumHistoryShards = opts.HistoryShards
	if visibility == persistence {
		c.Persistence.DefaultStore = storeName
		c.Persistence.VisibilityStore = storeName
		c.Persistence.DataStores = map[string]config.DataStore{storeName: {SQL: persistence}}
	} else {
		c.Persistence.DefaultStore = pgStoreName
		c.Persistence.VisibilityStore = pgVisibilityStoreName
		c.Persistence.DataStores = map[string]config.DataStore{pgStoreName: {SQL: persistence}, pgVisibilityStoreName: {SQL: visibility}}
	}
	if opts.MetricsAddr != "" {
		c.Global.Metrics = &metrics.Config{Prometheus: &metrics.PrometheusConfig{ListenAddress: opts.MetricsAddr, HandlerPath: "/metrics"}}
	}

	c.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				HTTPAddress:            net.JoinHostPort(frontendHost, strconv.Itoa(ports.frontendHTTP)),
				// ClusterID left empty: the server generates one on first start
				// and keeps it in the database.
			},
		},
	}
	c.DCRedirectionPolicy.Policy = "noop"

	internal := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: internalIP}}
	}
	c.Services = map[string]config.Service{
		string(primitives.FrontendService): {RPC: config.RPC{
			GRPCPort: ports.frontendGRPC,
			HTTPPort: ports.frontendHTTP,
			BindOnIP: opts.FrontendIP,
		}},
		string(primitives.HistoryService):  internal(ports.history),
		string(primitives.MatchingService): internal(ports.matching),
		string(primitives.WorkerService):   internal(ports.worker),
	}

	c.Archival.History.State = "disabled"
	c.Archival.Visibility.State = "disabled"
	c.NamespaceDefaults.Archival.History.State = "disabled"
	c.NamespaceDefaults.Archival.Visibility.State = "disabled"

	c.PublicClient.HostPort = frontendAddr
	return &c
}

// newServer creates (but does not start) the Temporal server.
// Its logs pass through when at or above logLevel.
func newServer(opts TemporalOptions, persistence, visibility *config.SQL, ports servicePorts, logLevel slog.Leveler) (temporal.Server, error) {
	cfg := serverConfig(opts, persistence, visibility, ports)
	logger := serverLogger{l: thresholdSlog(opts.Logger, logLevel)}

	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("claim mapper: %w", err)
	}

	hostPort := func(host string, port int) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		// Fixed membership instead of ringpop gossip: every service runs once, in this process.
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: hostPort(dialHost(opts.FrontendIP), ports.frontendGRPC),
			primitives.HistoryService:  hostPort(internalIP, ports.history),
			primitives.MatchingService: hostPort(internalIP, ports.matching),
			primitives.WorkerService:   hostPort(internalIP, ports.worker),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig(opts)),
	)
}
