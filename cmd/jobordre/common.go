package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"jobordre/internal/config"
	"jobordre/internal/telemetry"
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
