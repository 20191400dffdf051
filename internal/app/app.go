// Package app assembles jobordre's processes from their parts: the database, the Temporal client,
// the worker, the HTTP API. The `api`, `worker` and `dev` commands share it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/api"
	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/internal/companies"
	"jobordre/internal/config"
	"jobordre/internal/directory"
	"jobordre/internal/feed"
	"jobordre/internal/jobcenters"
	"jobordre/internal/kpi"
	"jobordre/internal/orders"
	"jobordre/internal/ratelimit"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/internal/store"
	"jobordre/internal/telemetry"
	"jobordre/internal/webhooks"
	"jobordre/worker"
)

// OpenDatabase opens the application database, wires the key-figure upkeep into it
// (WireDatabase) and migrates it (Migrate) when cfg.AutoMigrate is set.
func OpenDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*gorm.DB, error) {
	return openDatabase(ctx, cfg, log, cfg.AutoMigrate)
}

// OpenMigratedDatabase is OpenDatabase that always migrates (the migrate and seed commands).
func OpenMigratedDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*gorm.DB, error) {
	return openDatabase(ctx, cfg, log, true)
}

func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*gorm.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err == nil {
		err = WireDatabase(db)
	}
	if err == nil && migrate {
		err = Migrate(ctx, db)
	}
	if err != nil {
		if db != nil {
			_ = store.Close(db)
		}
		return nil, err
	}
	return db, nil
}

// WireDatabase makes every history entry written (internal/history) refresh its order's key
// figures in the same transaction (internal/kpi). internal/dbtest does the same for tests.
func WireDatabase(db *gorm.DB) error {
	if err := kpi.Register(db, store.LoadPolicy); err != nil {
		return fmt.Errorf("register key-figure upkeep: %w", err)
	}
	return nil
}

// Migrate brings the schema up to date (store.Migrate) and adds the key figures' indexes.
func Migrate(ctx context.Context, db *gorm.DB) error {
	if err := store.Migrate(ctx, db); err != nil {
		return err
	}
	return kpi.EnsureIndexes(ctx, db)
}

// HS256Verifier returns the token verifier for a JWT secret.
func HS256Verifier(cfg config.Config, secret string) (*auth.HS256, error) {
	return auth.NewHS256(secret, cfg.JWTIssuer, cfg.JWTAudience)
}

// APIVerifier chooses how `jobordre api` verifies bearer tokens: with JOBORDRE_OIDC_ISSUER set,
// by OIDC discovery and the identity provider's JWKS (discovery must succeed within
// cfg.OIDCStartTimeout, or the API does not start); otherwise HS256 with JOBORDRE_JWT_SECRET.
func APIVerifier(ctx context.Context, cfg config.Config, log *slog.Logger) (auth.Verifier, error) {
	if cfg.OIDCIssuer == "" {
		if cfg.JWTSecret == "" {
			return nil, errors.New("neither JOBORDRE_OIDC_ISSUER nor JOBORDRE_JWT_SECRET is set: the API cannot verify bearer tokens")
		}
		return HS256Verifier(cfg, cfg.JWTSecret)
	}
	skew := cfg.OIDCClockSkew
	if skew == 0 {
		skew = -1 // auth: negative means no leeway, 0 its default
	}
	v, err := auth.NewOIDC(ctx, auth.OIDCConfig{
		Issuer: cfg.OIDCIssuer, Audience: cfg.OIDCAudience, Algorithms: cfg.OIDCAlgorithms,
		ClockSkew: skew, StartTimeout: cfg.OIDCStartTimeout, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	log.Info("bearer tokens are verified by OIDC", "issuer", cfg.OIDCIssuer, "audience", cfg.OIDCAudience)
	return v, nil
}

// RateLimiter returns the per-principal rate limiter of JOBORDRE_RATE_LIMIT_RPS and
// JOBORDRE_RATE_LIMIT_BURST, or nil (no limit) when either is 0.
func RateLimiter(cfg config.Config) *ratelimit.Limiter {
	return ratelimit.New(ratelimit.Config{RPS: cfg.RateLimitRPS, Burst: cfg.RateLimitBurst})
}

// temporalWorkflows is the services' view of Temporal.
func temporalWorkflows(cfg config.Config, c client.Client) orders.TemporalWorkflows {
	return orders.TemporalWorkflows{Client: c, TaskQueue: cfg.TaskQueue, QueryTimeout: cfg.QueryTimeout}
}

// NewOrderService wires the job-order service to the database and Temporal.
func NewOrderService(cfg config.Config, db *gorm.DB, c client.Client, log *slog.Logger) *orders.Service {
	wf := temporalWorkflows(cfg, c)
	ref := refdata.Default()
	svc := orders.NewService(db, ref, wf, access.DBRelations{DB: db, Ref: ref}, log)
	svc.OnPolicyChanged(wf.StartPolicyFanOut)
	svc.OnPolicyFanOutState(wf.PolicyFanOutState)
	return svc
}

// NewAPIDeps gathers the HTTP API's dependencies, with readiness checks on the database and Temporal.
func NewAPIDeps(cfg config.Config, db *gorm.DB, c client.Client, v auth.Verifier, m *telemetry.Metrics, log *slog.Logger) *api.Deps {
	svc := NewOrderService(cfg, db, c, log)
	refs := referrals.NewService(db, svc, temporalWorkflows(cfg, c), log)
	outbox := newOutboxSender(cfg, db, c)
	refs.SetNotifier(outbox)
	refs.SetSecureLinkTTL(cfg.SecureLinkTTL)
	// No Digital Post provider ships with jobordre: until an adapter is handed to
	// refs.SetDigitalPost, the eboks channel refuses referrals (docs/referrals.md).
	svc.SetReaddresser(outbox)
	comps := companies.NewService(db, refdata.Default())
	comps.SetReaddresser(outbox, log)
	return &api.Deps{
		Orders:       svc,
		Directory:    directory.New(db),
		Referrals:    refs,
		Candidates:   candidates.NewService(db, svc, refdata.Default()),
		Jobcenters:   jobcenters.NewService(db, refdata.Default()),
		Companies:    comps,
		Reference:    refdata.Default(),
		KPIs:         kpi.NewService(db, refdata.Default()),
		Feed:         feed.New(db, access.DBRelations{DB: db, Ref: refdata.Default()}),
		Webhooks:     webhooks.NewService(db, webhookStarter(cfg, c), cfg.WebhooksAllowPrivate),
		Verifier:     v,
		Logger:       log,
		Metrics:      m,
		MaxBodyBytes: cfg.MaxBodyBytes,
		BaseURL:      cfg.PublicBaseURL,
		// SendGrid's delivery events; refused unless JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY is set.
		SendGridWebhook: newSendGridWebhook(cfg, db, c, log),
		Readiness: map[string]api.ReadinessCheck{
			"database": func(ctx context.Context) error { return store.Ping(ctx, db) },
			"temporal": func(ctx context.Context) error {
				_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			},
		},
	}
}

// webhookStarter starts webhook delivery workflows on the worker's task queue.
func webhookStarter(cfg config.Config, c client.Client) webhooks.TemporalStarter {
	return webhooks.TemporalStarter{Client: c, TaskQueue: cfg.TaskQueue}
}

// Serve runs an HTTP server on ln until ctx ends, then shuts it down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, shutdownTimeout time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Worker is a running Temporal worker with the reconciler that starts forgotten workflows.
type Worker struct {
	w      sdkworker.Worker
	cancel context.CancelFunc
	done   chan struct{}
	// dispatching closes when the webhook dispatcher has stopped.
	dispatching chan struct{}
}

// StartWorker starts the worker on cfg.TaskQueue, the reconciler loop and the namespace
// retention check (namespace.go: once before it returns, then hourly; its gauges go to metrics,
// the handler the client was dialled with; nil: none).
func StartWorker(cfg config.Config, db *gorm.DB, c client.Client, metrics client.MetricsHandler, log *slog.Logger) (*Worker, error) {
	acts := activities.New(db)
	acts.Temporal = c
	acts.Webhooks = webhooks.NewSender(db, cfg.WebhooksAllowPrivate)
	if err := configureMail(cfg, db, acts, log); err != nil {
		return nil, err
	}
	w := worker.New(c, cfg.TaskQueue, acts)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
	_, err := EnsureRetentionSchedule(sctx, cfg, c)
	if err == nil {
		err = EnsureOutboxDispatchers(sctx, c, cfg.TaskQueue)
	}
	scancel()
	if err != nil {
		w.Stop()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	wk := &Worker{w: w, cancel: cancel, done: make(chan struct{})}
	checked := make(chan struct{})
	go watchNamespaceRetention(ctx, c, cfg.TemporalNamespace, db, metrics, log, checked)
	<-checked
	svc := NewOrderService(cfg, db, c, log)
	refs := referrals.NewService(db, svc, temporalWorkflows(cfg, c), log)
	go runUpgrades(ctx, db, temporalWorkflows(cfg, c).StartPolicyFanOut, log)
	dispatcher := &webhooks.Dispatcher{DB: db, Feed: feed.New(db, access.DBRelations{DB: db, Ref: refdata.Default()}),
		Starter: webhookStarter(cfg, c), Log: log}
	wk.dispatching = make(chan struct{})
	go func() {
		defer close(wk.dispatching)
		dispatcher.Run(ctx, cfg.WebhookDispatchInterval)
	}()
	go wk.reconcile(ctx, svc, refs, newOutboxSender(cfg, db, c), log)
	return wk, nil
}

// reconcile starts, every 30 s, the workflows of orders that were stored but never started,
// tells workflows about sent referrals they never heard of (a process stopped between storing
// and telling), and sends the employer mails that waited without an address to a company that
// has a contact person with one now, so nothing stored is left without its durable follow-through.
func (wk *Worker) reconcile(ctx context.Context, svc *orders.Service, refs *referrals.Service, outbox *outboxSender, log *slog.Logger) {
	defer close(wk.done)
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		n, err := svc.StartPendingWorkflows(ctx, 10*time.Second)
		if err != nil && ctx.Err() == nil {
			log.Warn("reconciler could not start pending workflows", "error", err)
		} else if n > 0 {
			log.Info("reconciler started pending workflows", "count", n)
		}
		if n, err := refs.ResignalSent(ctx, 10*time.Second); err != nil && ctx.Err() == nil {
			log.Warn("reconciler could not tell workflows about sent referrals", "error", err)
		} else if n > 0 {
			log.Info("reconciler told workflows about sent referrals", "count", n)
		}
		if ids, err := outbox.acts.OrdersWithWaitingEmployerMail(ctx, 200); err != nil && ctx.Err() == nil {
			log.Warn("reconciler could not look for waiting employer mail", "error", err)
		} else if len(ids) > 0 {
			if err := outbox.Readdress(ctx, ids...); err != nil && ctx.Err() == nil {
				log.Warn("reconciler could not send waiting employer mail", "error", err)
			} else {
				log.Info("reconciler sent waiting employer mail", "orders", len(ids))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Stop stops the reconciler and the worker, letting running activities finish.
func (wk *Worker) Stop() {
	wk.cancel()
	<-wk.done
	<-wk.dispatching
	wk.w.Stop()
}
