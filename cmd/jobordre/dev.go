//go:build !production

package main

import (
	"os"

	"github.com/spf13/cobra"
	sdkworker "go.temporal.io/sdk/worker"

	"jobordre/internal/devstack"
	"jobordre/internal/telemetry"
)

func init() { extraCommands = append(extraCommands, devCommand) }

// devWorkflowCache is how many running orders the dev process's worker keeps in memory (the
// SDK's sticky cache; default 10,000). The dev process also holds the Temporal server and the
// API, and the 10,000 cached orders were most of its 1.6 GB (docs/performance.md); an order
// not in the cache is rebuilt from its short history when it next has work.
const devWorkflowCache = 2000

func devCommand() *cobra.Command {
	var httpAddr, dataDir string
	var temporalPort, uiPort int
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process on embedded defaults (Temporal, Web UI, worker, API)",
		Long: `Run an embedded Temporal server (SQLite file in the data dir), the Temporal Web UI, the
worker and the HTTP API in one process. App data goes to a SQLite file in the data dir unless
DATABASE_URL points at PostgreSQL. Stopping (Ctrl-C) and starting again on the same data dir keeps
every job order and every running workflow with its timers. --ui-port 0 disables the Web UI;
--temporal-port 0 picks a free port.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig()
			if err != nil {
				return err
			}
			applyFlags(cmd, map[string]func(){
				"http-addr":     func() { cfg.HTTPAddr = httpAddr },
				"data-dir":      func() { cfg.DataDir = dataDir },
				"temporal-port": func() { cfg.TemporalPort = temporalPort },
				"ui-port":       func() { cfg.UIPort = uiPort },
			})
			if os.Getenv("JOBORDRE_WEBHOOKS_ALLOW_PRIVATE") == "" {
				// Webhook receivers on a developer's machine listen on loopback (jobordre webhook-receiver).
				cfg.WebhooksAllowPrivate = true
			}
			sdkworker.SetStickyWorkflowCacheSize(devWorkflowCache)
			ctx := cmd.Context()
			if err := telemetry.ServeProfiling(ctx, cfg.PprofAddr, log); err != nil {
				return err
			}
			stack, err := devstack.Start(ctx, cfg, log)
			if err != nil {
				return err
			}
			stack.Banner(os.Stdout, cfg.DataDir)
			err = stack.Wait(ctx)
			log.Info("stopping dev stack")
			if stopErr := stack.Stop(); err == nil {
				err = stopErr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&httpAddr, "http-addr", ":8080", "HTTP API address (env JOBORDRE_HTTP_ADDR)")
	f.StringVar(&dataDir, "data-dir", "./data", "directory for the SQLite files and dev secret (env JOBORDRE_DATA_DIR)")
	f.IntVar(&temporalPort, "temporal-port", 7233, "embedded Temporal frontend port (env JOBORDRE_TEMPORAL_PORT)")
	f.IntVar(&uiPort, "ui-port", 8233, "Temporal Web UI port, 0 disables it (env JOBORDRE_UI_PORT)")
	return cmd
}
