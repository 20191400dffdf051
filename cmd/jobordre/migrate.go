package main

import (
	"github.com/spf13/cobra"

	"jobordre/internal/app"
	"jobordre/internal/store"
)

func migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or update the database schema (idempotent)",
		Long:  "Create or update the schema of DATABASE_URL (or the dev SQLite file in JOBORDRE_DATA_DIR when unset) and seed the default job centres. Safe to run any number of times.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig()
			if err != nil {
				return err
			}
			db, err := app.OpenMigratedDatabase(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer store.Close(db)
			log.Info("schema is up to date")
			return nil
		},
	}
}
