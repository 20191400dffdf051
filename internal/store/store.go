// Package store opens jobordre's application database (PostgreSQL, or a SQLite file in dev) and
// migrates its schema.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"jobordre/internal/scrub"
)

// Dialect names the kind of database behind a URL.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DialectOf tells which database a DATABASE_URL points at; empty means the dev default, SQLite.
func DialectOf(url string) (Dialect, error) {
	switch {
	case url == "", strings.HasPrefix(url, "sqlite:"), strings.HasPrefix(url, "file:"):
		return SQLite, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return Postgres, nil
	default:
		return "", fmt.Errorf("DATABASE_URL must start with postgres://, postgresql:// or sqlite:, got %q", redact(url))
	}
}

// SQLitePath is the dev database file inside a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "jobordre.db") }

// Open connects to the database at url; an empty url opens (and creates) SQLitePath(dataDir).
func Open(ctx context.Context, url, dataDir string, log *slog.Logger) (*gorm.DB, error) {
	dialect, err := DialectOf(url)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger:                 gormLogger(log),
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var db *gorm.DB
	switch dialect {
	case Postgres:
		db, err = gorm.Open(postgres.Open(url), cfg)
	case SQLite:
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o755); err != nil {
				return nil, fmt.Errorf("create data dir: %w", err)
			}
			path = SQLitePath(dataDir)
		}
		// WAL lets readers run beside the single writer; busy_timeout waits for the writer
		// instead of failing with SQLITE_BUSY.
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		db, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// SQLite has one writer; one connection avoids lock contention inside the process.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("reach %s database: %w", dialect, err)
	}
	return db, nil
}

// Close releases the database's connections.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers; /readyz uses it.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

func redact(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "***" + url[i:]
		}
	}
	return url
}

func gormLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		return logger.Discard
	}
	// Only slow queries and errors; never the SQL arguments, which may hold personal data, nor
	// the database's error texts, which may quote them (scrubbedLogger).
	return scrubbedLogger{logger.NewSlogLogger(log.With("component", "gorm"), logger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	})}
}

// scrubbedLogger logs a failed statement's error as scrub.Text: PostgreSQL's SQLSTATE, table
// and constraint, never its message ("invalid input syntax …: "<the value>"", a trigger's text).
type scrubbedLogger struct {
	logger.Interface
}

func (l scrubbedLogger) LogMode(level logger.LogLevel) logger.Interface {
	return scrubbedLogger{l.Interface.LogMode(level)}
}

func (l scrubbedLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		err = errors.New(scrub.Text(err))
	}
	l.Interface.Trace(ctx, begin, fc, err)
}
