package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"jobordre/api"
	"jobordre/internal/app"
	"jobordre/internal/auth"
	"jobordre/internal/config"
	"jobordre/internal/store"
	"jobordre/internal/telemetry"
	"jobordre/internal/temporalx"
	"jobordre/models"
	"jobordre/web"
)

// ExampleCVR is the (modulus-11 valid) CVR number of the example employer token printed by dev.
const ExampleCVR = "10103940"

// ExampleJobcenter is the job centre (Aarhus) of the example caseworker and manager tokens.
const ExampleJobcenter = "751"

// Stack is a running dev stack: Temporal and its UI, the worker and the HTTP API in one process.
type Stack struct {
	// HTTPURL is the API's base URL, e.g. http://127.0.0.1:8080.
	HTTPURL string
	// UIURL is the Temporal Web UI's URL, "" when disabled.
	UIURL string
	// TemporalAddress is the embedded frontend's host:port.
	TemporalAddress string
	// DataDir holds the stack's SQLite files and token secret.
	DataDir string
	// Tokens holds an example bearer token per role, valid for 30 days.
	Tokens map[string]string
	// Users are the example users the console's dev login offers, each with its token.
	Users []web.DevUser

	temporal *TemporalServer
	db       *gorm.DB
	client   client.Client
	worker   *app.Worker
	metrics  *telemetry.Metrics
	cancel   context.CancelFunc
	served   chan error
	stopOnce sync.Once
	stopErr  error
}

// Start brings the whole stack up on cfg (HTTPAddr, DataDir, TemporalPort, UIPort, DatabaseURL)
// and returns when the API accepts requests. A data dir that already holds a stack resumes it:
// its orders, workflows and pending timers carry on.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *Stack, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Stack{served: make(chan error, 1), DataDir: cfg.DataDir}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()
	secret := cfg.JWTSecret
	if secret == "" {
		if secret, err = auth.LoadOrCreateSecret(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	verifier, err := app.HS256Verifier(cfg, secret)
	if err != nil {
		return nil, err
	}
	uiPort := cfg.UIPort
	if uiPort == 0 {
		uiPort = -1 // 0 in the config means "no UI"; StartTemporal reads 0 as "pick a port"
	}
	s.temporal, err = StartTemporal(TemporalOptions{
		DataDir:          cfg.DataDir,
		FrontendPort:     cfg.TemporalPort,
		UIPort:           uiPort,
		Namespace:        cfg.TemporalNamespace,
		SearchAttributes: temporalx.SearchAttributes,
		Logger:           log.With("component", "temporal-server"),
		MetricsAddr:      cfg.TemporalMetricsAddr,
	})
	if err != nil {
		return nil, err
	}
	s.TemporalAddress, s.UIURL = s.temporal.FrontendAddress(), s.temporal.UIAddress()

	if s.db, err = app.OpenDatabase(ctx, cfg, log); err != nil {
		return nil, err
	}
	if cfg.Mail.SendGridAPIKey == "" {
		// Mail goes to the local mailbox: give every job centre without a shared mailbox a
		// reserved (.example) address, so reminders for a centre with no registered people show up.
		if err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("mailbox_email = '' OR mailbox_email IS NULL").
			Update("mailbox_email", gorm.Expr("'jobcenter-' || code || '@jobcenter.example'")).Error; err != nil {
			return nil, fmt.Errorf("set dev mailbox addresses: %w", err)
		}
	}
	s.metrics = telemetry.NewMetrics()
	s.client, err = temporalx.Dial(ctx, temporalx.DialOptions{
		Address: s.TemporalAddress, Namespace: s.temporal.Namespace(), Logger: quietSlog(log), MetricsHandler: s.metrics.Temporal,
		Uncompressed: true,
	})
	if err != nil {
		return nil, err
	}
	// Listen first: the address is the public base URL of the links in e-mails.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	s.HTTPURL = "http://" + dialAddr(ln.Addr())
	if cfg.PublicBaseURL == config.Defaults().PublicBaseURL {
		cfg.PublicBaseURL = s.HTTPURL
	}
	if s.worker, err = app.StartWorker(cfg, s.db, s.client, s.metrics.Temporal, log); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if s.Users, s.Tokens, err = exampleUsers(verifier); err != nil {
		_ = ln.Close()
		return nil, err
	}
	deps := app.NewAPIDeps(cfg, s.db, s.client, verifier, s.metrics, log)
	// Dev-only pages, never registered by `jobordre api`.
	deps.Extra = func(r *gin.Engine) { r.GET(MailboxPath, mailboxHandler(s.db)) }
	console, err := app.NewConsole(ctx, cfg, s.db, deps, verifier, log)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	console.EnableDevLogin(s.Users, verifier)
	handler := api.New(*deps)
	var serveCtx context.Context
	serveCtx, s.cancel = context.WithCancel(context.Background())
	go func() { s.served <- app.Serve(serveCtx, ln, handler, cfg.ShutdownTimeout) }()
	return s, nil
}

// Wait blocks until the HTTP server stops by itself (an error) or ctx ends.
func (s *Stack) Wait(ctx context.Context) error {
	select {
	case err := <-s.served:
		s.served <- err
		return err
	case <-ctx.Done():
		return nil
	}
}

// Stop shuts everything down in reverse order: API, worker, client, database, Temporal.
func (s *Stack) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.cancel != nil {
			s.cancel()
			if err := <-s.served; err != nil {
				errs = append(errs, err)
			}
		}
		if s.worker != nil {
			s.worker.Stop()
		}
		if s.client != nil {
			s.client.Close()
		}
		if s.metrics != nil {
			_ = s.metrics.Close()
		}
		if s.db != nil {
			errs = append(errs, store.Close(s.db))
		}
		if s.temporal != nil {
			s.temporal.Stop()
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// Banner is what `jobordre dev` prints once the stack is up.
func (s *Stack) Banner(w io.Writer, dataDir string) {
	fmt.Fprintf(w, "\njobordre dev stack is ready\n\n")
	fmt.Fprintf(w, "  Console       %s/   (log in as an example user at %s/login)\n", s.HTTPURL, s.HTTPURL)
	fmt.Fprintf(w, "  HTTP API      %s   (OpenAPI: %s/openapi.yaml)\n", s.HTTPURL, s.HTTPURL)
	if s.UIURL != "" {
		fmt.Fprintf(w, "  Temporal UI   %s\n", s.UIURL)
	}
	fmt.Fprintf(w, "  Temporal      %s (namespace default)\n", s.TemporalAddress)
	fmt.Fprintf(w, "  Dev mailbox   %s%s   (every e-mail, unless SENDGRID_API_KEY is set)\n", s.HTTPURL, MailboxPath)
	fmt.Fprintf(w, "  Data dir      %s\n\n", dataDir)
	fmt.Fprintf(w, "Example bearer tokens (30 days; make more with `jobordre token`):\n")
	for _, role := range auth.Roles {
		fmt.Fprintf(w, "  %-10s %s\n", role, s.Tokens[role])
	}
	fmt.Fprintf(w, "\nTry:\n  curl -H \"Authorization: Bearer $TOKEN\" %s/api/v1/job-orders\n\nCtrl-C stops; starting again on the same data dir resumes every order and timer.\n", s.HTTPURL)
}

// Job centres of the example users besides ExampleJobcenter (Aarhus): a neighbour (Favrskov),
// which sees Aarhus's orders shared with neighbours, and one far away (København), which sees
// them only on the national list.
const (
	ExampleNeighbourJobcenter = "710"
	ExampleFarJobcenter       = "101"
)

// examplePrincipals are the dev stack's example users; the first of each role also has its
// token in Stack.Tokens.
var examplePrincipals = []auth.Principal{
	{Subject: "caseworker-1", Role: auth.RoleCaseworker, Jobcenter: ExampleJobcenter, Name: "Example Caseworker", Email: "caseworker-1@jobcenter.example", Phone: "+45 87 13 20 01"},
	{Subject: "caseworker-2", Role: auth.RoleCaseworker, Jobcenter: ExampleJobcenter, Name: "Second Caseworker", Email: "caseworker-2@jobcenter.example", Phone: "+45 87 13 20 02"},
	{Subject: "manager-1", Role: auth.RoleManager, Jobcenter: ExampleJobcenter, Name: "Example Manager", Email: "manager-1@jobcenter.example", Phone: "+45 87 13 20 00"},
	{Subject: "caseworker-favrskov", Role: auth.RoleCaseworker, Jobcenter: ExampleNeighbourJobcenter, Name: "Neighbour Caseworker", Email: "caseworker-favrskov@jobcenter.example"},
	{Subject: "caseworker-kbh", Role: auth.RoleCaseworker, Jobcenter: ExampleFarJobcenter, Name: "Far Caseworker", Email: "caseworker-kbh@jobcenter.example"},
	{Subject: "employer-1", Role: auth.RoleEmployer, CVR: ExampleCVR, Name: "Example Employer", Email: "employer-1@firma.example"},
	{Subject: "admin-1", Role: auth.RoleAdmin, Name: "Example Admin", Email: "admin-1@jobordre.example"},
	// Aarhus's case system: registers orders through the API (docs/integration.md); it has a
	// token but no console login.
	{Subject: "system-" + ExampleJobcenter, Role: auth.RoleSystem, Jobcenter: ExampleJobcenter, Name: "Example case system"},
}

// exampleUsers signs a 30-day token for every example principal; the console's dev login offers
// the people among them (a system client has no console).
func exampleUsers(v *auth.HS256) ([]web.DevUser, map[string]string, error) {
	users := make([]web.DevUser, 0, len(examplePrincipals))
	byRole := map[string]string{}
	for _, p := range examplePrincipals {
		tok, err := v.Sign(p, 30*24*time.Hour)
		if err != nil {
			return nil, nil, err
		}
		if p.Role != auth.RoleSystem {
			users = append(users, web.DevUser{Principal: p, Token: tok})
		}
		if _, ok := byRole[p.Role]; !ok {
			byRole[p.Role] = tok
		}
	}
	return users, byRole, nil
}

// dialAddr turns a listener address into one a client can dial (":8080" → "127.0.0.1:8080").
func dialAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if host == "" || host == "::" || host == "0.0.0.0" || strings.HasPrefix(host, "[::]") {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
