package devstack

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	schematool "go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// PostgresStores puts the server's data in PostgreSQL, as the production shape does
// (docker-compose.yml: databases temporal and temporal_visibility): the server's own postgres12
// persistence, its schema created and upgraded by the server's own schema tool
// (temporal-sql-tool's setup-schema and update-schema, embedded), and the namespace with its
// search attributes written before the server starts (createNamespace).
type PostgresStores struct {
	// Persistence and Visibility are postgres:// URLs of two existing databases, e.g.
	// postgres://user:pass@127.0.0.1:5432/temporal?sslmode=disable.
	Persistence, Visibility string
}

// Embedded schema names of the server's schema tool (go.temporal.io/server/schema).
const (
	pgPersistenceSchema = "postgresql/v12/temporal"
	pgVisibilitySchema  = "postgresql/v12/visibility"
)

// Store names in the server configuration when it runs on PostgreSQL.
const (
	pgStoreName           = "postgres-default"
	pgVisibilityStoreName = "postgres-visibility"
)

// postgresSQL turns a postgres:// URL into the server's SQL store configuration.
func postgresSQL(raw string) (*config.SQL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, errors.New("not a postgres://user:pass@host:port/database URL")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	db := u.Path
	if len(db) > 0 && db[0] == '/' {
		db = db[1:]
	}
	if db == "" {
		return nil, errors.New("the URL names no database")
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		if len(v) > 0 {
			attrs[k] = v[0]
		}
	}
	if attrs["sslmode"] == "" {
		attrs["sslmode"] = "disable"
	}
	pass, _ := u.User.Password()
	return &config.SQL{
		PluginName:        pgplugin.PluginName,
		ConnectAddr:       host,
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		Password:          pass,
		DatabaseName:      db,
		ConnectAttributes: attrs,
		// Per store and service (frontend, history, matching, worker each open their own pool):
		// 4 × 2 × 10 = 80 connections at most, well inside a default max_connections.
		MaxConns:        10,
		MaxIdleConns:    10,
		MaxConnLifetime: time.Hour,
	}, nil
}

// preparePostgres brings both databases' schemas to this server's version, as compose's
// temporal-schema job does (setup-schema -v 0.0, then update-schema), and returns the stores.
// Every step is idempotent: an up-to-date database is left as it is.
func preparePostgres(opts TemporalOptions, logger log.Logger) (persistence, visibility *config.SQL, err error) {
	pg := opts.Postgres
	if persistence, err = postgresSQL(pg.Persistence); err != nil {
		return nil, nil, fmt.Errorf("temporal persistence database: %w", err)
	}
	if visibility, err = postgresSQL(pg.Visibility); err != nil {
		return nil, nil, fmt.Errorf("temporal visibility database: %w", err)
	}
	for _, s := range []struct {
		cfg    *config.SQL
		schema string
	}{{persistence, pgPersistenceSchema}, {visibility, pgVisibilitySchema}} {
		if err := migratePostgres(s.cfg, s.schema, logger); err != nil {
			return nil, nil, fmt.Errorf("schema of database %s: %w", s.cfg.DatabaseName, err)
		}
	}
	if err := createNamespace(persistence, opts); err != nil {
		return nil, nil, err
	}
	return persistence, visibility, nil
}

// migratePostgres runs the schema tool's setup (the version tables) and update (every versioned
// step of the embedded schema not applied yet) on one database.
func migratePostgres(cfg *config.SQL, schemaName string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(cfg, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := schematool.NewSetupSchemaTask(conn, &schematool.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("setup-schema: %w", err)
	}
	if err := schematool.NewUpdateSchemaTask(conn, &schematool.UpdateConfig{SchemaName: schemaName}, logger).Run(); err != nil {
		return fmt.Errorf("update-schema: %w", err)
	}
	return nil
}
