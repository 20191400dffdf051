package main

import (
	"net"
	"net/http"

	"github.com/spf13/cobra"

	"jobordre/internal/app"
	"jobordre/internal/telemetry"
	"jobordre/internal/temporalx"
)

func workerCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker (workflows and activities) against an external Temporal and PostgreSQL",
		Long: `Run the worker. It registers the job-order search attributes in the namespace if they are
missing, polls the task queue (JOBORDRE_TASK_QUEUE), starts workflows of orders whose start was
interrupted, and serves /healthz and /metrics on JOBORDRE_WORKER_METRICS_ADDR (default :9090).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig()
			if err != nil {
				return err
			}
			if err := requireProductionDatabase(cfg); err != nil {
				return err
			}
			ctx := cmd.Context()
			if err := telemetry.ServeProfiling(ctx, cfg.PprofAddr, log); err != nil {
				return err
			}
			b, err := openBackends(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer b.close()
			if err := temporalx.EnsureSearchAttributes(ctx, b.client, cfg.TemporalNamespace); err != nil {
				return err
			}
			w, err := app.StartWorker(cfg, b.db, b.client, b.metrics.Temporal, log)
			if err != nil {
				return err
			}
			defer w.Stop()
			mux := http.NewServeMux()
			mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"status":"ok"}`))
			})
			mux.Handle("GET /metrics", b.metrics.Handler())
			ln, err := net.Listen("tcp", cfg.WorkerMetricsAddr)
			if err != nil {
				return err
			}
			log.Info("jobordre worker running", "task_queue", cfg.TaskQueue, "metrics_addr", ln.Addr().String(), "version", version)
			return app.Serve(ctx, ln, mux, cfg.ShutdownTimeout)
		},
	}
	return cmd
}
