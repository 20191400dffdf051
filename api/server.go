// Package api is jobordre's HTTP API: Gin handlers that validate requests, apply the access
// rules and turn commands into workflow starts, updates and queries.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/internal/companies"
	"jobordre/internal/directory"
	"jobordre/internal/feed"
	"jobordre/internal/jobcenters"
	"jobordre/internal/kpi"
	"jobordre/internal/orders"
	"jobordre/internal/ratelimit"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/internal/telemetry"
	"jobordre/internal/webhooks"
)

//go:embed openapi.yaml
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.1 description of the API served at /openapi.yaml.
func OpenAPIDocument() []byte { return openAPIDocument }

// ReadinessCheck is one dependency /readyz asks; it returns nil when the dependency answers.
type ReadinessCheck func(ctx context.Context) error

// Deps are the API's dependencies.
type Deps struct {
	Orders    *orders.Service
	Directory *directory.Directory
	Referrals *referrals.Service
	// Candidates searches candidates and suggests them for orders.
	Candidates *candidates.Service
	Jobcenters *jobcenters.Service
	Companies  *companies.Service
	Reference  *refdata.Data
	KPIs       *kpi.Service
	// Feed reads the event feed (GET /api/v1/events).
	Feed *feed.Service
	// Webhooks keeps the webhook subscriptions and their delivery logs.
	Webhooks     *webhooks.Service
	Verifier     auth.Verifier
	Logger       *slog.Logger
	Metrics      *telemetry.Metrics
	MaxBodyBytes int64
	// BaseURL is the public base URL used in Location headers; empty means relative locations.
	BaseURL string
	// Readiness maps a dependency's name ("database", "temporal") to its check.
	Readiness map[string]ReadinessCheck
	// RateLimiter limits each principal's requests on /api/v1 (after authentication); nil: no limit.
	RateLimiter *ratelimit.Limiter
	// SendGridWebhook verifies and records SendGrid's delivery events (POST
	// /api/v1/webhooks/sendgrid); nil refuses them.
	SendGridWebhook *SendGridWebhook
	// Extra adds routes outside /api/v1 (the dev stack's pages); nil in production.
	Extra func(r *gin.Engine)
	// Pages is the console (package web) served on the same engine at the API's paths without
	// /api/v1; nil serves the JSON API alone.
	Pages Pages
}

// Pages is what the API needs of the console: its routes, and its answers for paths and
// methods no route has outside /api/.
type Pages interface {
	Register(r *gin.Engine)
	NotFound(c *gin.Context)
	MethodNotAllowed(c *gin.Context)
}

// isAPIPath tells whether an unmatched path gets a JSON problem rather than a console page.
func isAPIPath(p string) bool { return strings.HasPrefix(p, "/api/") || p == "/api" }

// New builds the HTTP handler.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	mustRequestSchemas() // compiled once, at start-up: a request schema that does not compile is a bug
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(requestID(), securityHeaders(), accessLog(d.Logger), recoverer(d.Logger))
	if d.Metrics != nil {
		r.Use(newHTTPMetrics(d.Metrics.Registry).middleware())
		r.GET("/metrics", gin.WrapH(d.Metrics.Handler()))
	}
	r.NoRoute(func(c *gin.Context) {
		if d.Pages != nil && !isAPIPath(c.Request.URL.Path) {
			d.Pages.NotFound(c)
			return
		}
		writeProblem(c, http.StatusNotFound, "not-found", "no such resource")
	})
	r.NoMethod(func(c *gin.Context) {
		if d.Pages != nil && !isAPIPath(c.Request.URL.Path) {
			d.Pages.MethodNotAllowed(c)
			return
		}
		writeProblem(c, http.StatusMethodNotAllowed, "method-not-allowed", c.Request.Method+" is not allowed here")
	})
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(d.Readiness))
	r.GET("/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openAPIDocument) })

	v1 := r.Group("/api/v1", authenticate(d.Verifier))
	if d.RateLimiter != nil {
		v1.Use(rateLimit(d.RateLimiter))
	}
	v1.Use(limitBody(d.MaxBodyBytes), register(d.Directory))
	// One registerX per resource file.
	registerJobOrders(v1, d.Orders, d.BaseURL)
	registerCommands(v1, d.Orders)
	registerReferrals(v1, d.Referrals)
	registerErasure(v1, d.Referrals)
	registerCandidates(v1, d.Candidates)
	registerJobcenters(v1, d.Jobcenters)
	registerCompanies(v1, d.Companies)
	registerReference(v1, d.Reference)
	registerKPIs(v1, d.KPIs)
	registerPolicy(v1, d.Orders)
	registerCaseworkers(v1, d.Directory)
	registerOutbox(v1, d.Orders)
	registerEvents(v1, d.Feed)
	registerWebhookSubscriptions(v1, d.Webhooks)
	registerWebhooks(r, d.SendGridWebhook)
	if d.Extra != nil {
		d.Extra(r)
	}
	if d.Pages != nil {
		d.Pages.Register(r)
	}
	return r
}

// readyz answers 200 when every dependency answers within two seconds, 503 naming those that don't.
func readyz(checks map[string]ReadinessCheck) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		status := http.StatusOK
		result := gin.H{}
		for name, check := range checks {
			if err := check(ctx); err != nil {
				status = http.StatusServiceUnavailable
				result[name] = "unavailable: " + err.Error()
			} else {
				result[name] = "ok"
			}
		}
		c.JSON(status, gin.H{"status": map[bool]string{true: "ready", false: "not ready"}[status == http.StatusOK], "checks": result})
	}
}
