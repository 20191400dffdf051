package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"jobordre/internal/app"
	"jobordre/internal/config"
	"jobordre/internal/store"
	"jobordre/internal/telemetry"
	"jobordre/internal/temporalx"
)

// loadConfig reads the environment; flags bound with envFlag override it.
func loadConfig() (config.Config, *slog.Logger, error) {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, telemetry.NewLogger(os.Stderr, cfg.LogLevel), nil
}

// applyFlags copies the flags the user set on the command line over the environment's values.
func applyFlags(cmd *cobra.Command, apply map[string]func()) {
	for name, f := range apply {
		if cmd.Flags().Changed(name) {
			f()
		}
	}
}

// requireProductionDatabase refuses to run api or worker on the dev SQLite default.
func requireProductionDatabase(cfg config.Config) error {
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("DATABASE_URL is not set: the api and worker processes need PostgreSQL (postgres://user:pass@host:5432/jobordre); for a local stack without servers use `jobordre dev`")
	}
	return nil
}

// backends are what the production processes share: the database, the metrics registry and the
// Temporal client. close releases them in reverse order.
type backends struct {
	db      *gorm.DB
	metrics *telemetry.Metrics
	client  client.Client
}

// openBackends opens the database (migrating it unless disabled), the metrics registry and a
// Temporal client configured from the environment (TLS / API key through the SDK's envconfig).
func openBackends(ctx context.Context, cfg config.Config, log *slog.Logger) (*backends, error) {
	db, err := app.OpenDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	b := &backends{db: db, metrics: telemetry.NewMetrics()}
	b.client, err = temporalx.Dial(ctx, temporalx.DialOptions{
		Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: log,
		MetricsHandler: b.metrics.Temporal, UseEnvConfig: true,
	})
	if err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *backends) close() {
	if b.client != nil {
		b.client.Close()
	}
	_ = b.metrics.Close()
	_ = store.Close(b.db)
}
