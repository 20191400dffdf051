package main

import (
	"net"

	"github.com/spf13/cobra"

	"jobordre/api"
	"jobordre/internal/app"
	"jobordre/internal/telemetry"
)

func apiCommand() *cobra.Command {
	var httpAddr string
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Run the HTTP API against an external Temporal and PostgreSQL",
		Long: `Run the HTTP API. Reads DATABASE_URL (PostgreSQL), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY / TEMPORAL_TLS_* (the Temporal SDK's environment configuration),
JOBORDRE_OIDC_ISSUER + JOBORDRE_OIDC_AUDIENCE (bearer tokens from an OpenID Connect identity
provider) or else JOBORDRE_JWT_SECRET (HS256), JOBORDRE_RATE_LIMIT_RPS / _BURST and the other
variables listed in the README and docs/security.md.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig()
			if err != nil {
				return err
			}
			applyFlags(cmd, map[string]func(){"http-addr": func() { cfg.HTTPAddr = httpAddr }})
			if err := requireProductionDatabase(cfg); err != nil {
				return err
			}
			ctx := cmd.Context()
			if err := telemetry.ServeProfiling(ctx, cfg.PprofAddr, log); err != nil {
				return err
			}
			verifier, err := app.APIVerifier(ctx, cfg, log)
			if err != nil {
				return err
			}
			b, err := openBackends(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer b.close()
			ln, err := net.Listen("tcp", cfg.HTTPAddr)
			if err != nil {
				return err
			}
			log.Info("jobordre api listening", "addr", ln.Addr().String(), "version", version)
			deps := app.NewAPIDeps(cfg, b.db, b.client, verifier, b.metrics, log)
			deps.RateLimiter = app.RateLimiter(cfg)
			if _, err := app.NewConsole(ctx, cfg, b.db, deps, verifier, log); err != nil {
				return err
			}
			return app.Serve(ctx, ln, api.New(*deps), cfg.ShutdownTimeout)
		},
	}
	cmd.Flags().StringVar(&httpAddr, "http-addr", ":8080", "address the HTTP API listens on (env JOBORDRE_HTTP_ADDR)")
	return cmd
}
