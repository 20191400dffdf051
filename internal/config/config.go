// Package config reads jobordre's settings from the environment, with every default in one place.
package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"jobordre/internal/policy"
)

// Config holds every setting of every jobordre process.
type Config struct {
	// Mail is how e-mail is delivered: SendGrid or the local mailbox (mail.go).
	Mail MailConfig
	// HTTPAddr is where the HTTP API listens.
	HTTPAddr string
	// WorkerMetricsAddr is where the worker process serves /healthz and /metrics.
	WorkerMetricsAddr string
	// DataDir holds the dev stack's SQLite files and generated secret.
	DataDir string
	// TemporalPort is the embedded Temporal frontend's gRPC port (dev only).
	TemporalPort int
	// UIPort is the embedded Temporal Web UI's port (dev only).
	UIPort int
	// DatabaseURL is the application database: a postgres:// URL, or empty for SQLite in DataDir (dev).
	DatabaseURL string
	// TemporalAddress is the external Temporal frontend (api and worker).
	TemporalAddress string
	// TemporalNamespace is the Temporal namespace the workflows run in.
	TemporalNamespace string
	// TaskQueue is the task queue the worker polls.
	TaskQueue string
	// JWTSecret signs and verifies HS256 bearer tokens; empty in dev means "generate and keep in DataDir".
	JWTSecret string
	// JWTIssuer is the iss claim written and required on HS256 tokens.
	JWTIssuer string
	// JWTAudience is the aud claim written and required on HS256 tokens.
	JWTAudience string
	// OIDCIssuer, when set, makes `jobordre api` verify bearer tokens issued by this OpenID Connect
	// identity provider (discovery + JWKS, asymmetric signatures) instead of HS256 ones.
	OIDCIssuer string
	// OIDCAudience is the aud the identity provider's tokens must carry; required with OIDCIssuer.
	OIDCAudience string
	// OIDCClockSkew is the leeway on exp, nbf and iat of OIDC tokens (0 = none).
	OIDCClockSkew time.Duration
	// OIDCAlgorithms are the accepted JWS algorithms (asymmetric only); empty means every asymmetric one.
	OIDCAlgorithms []string
	// OIDCStartTimeout bounds OIDC discovery and the first JWKS fetch when the API starts.
	OIDCStartTimeout time.Duration
	// RateLimitRPS is each principal's sustained request rate on /api/v1; 0 disables rate limiting.
	RateLimitRPS float64
	// RateLimitBurst is how many requests a principal may make at once; 0 disables rate limiting.
	RateLimitBurst int
	// AutoMigrate runs the schema migration when a process starts.
	AutoMigrate bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// PublicBaseURL is the externally visible base URL used in links and Location headers.
	PublicBaseURL string
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int64
	// QueryTimeout bounds the live-state workflow query made by GET requests.
	QueryTimeout time.Duration
	// SecureLinkTTL is how long a secure_link referral's link opens its page
	// (JOBORDRE_SECURE_LINK_TTL, default 14 days).
	SecureLinkTTL time.Duration
	// ShutdownTimeout bounds graceful shutdown of the HTTP server and worker.
	ShutdownTimeout time.Duration
	// PprofAddr, when set, serves Go's profiler (/debug/pprof/) on this address in the api, worker
	// and dev processes; empty (the default) serves nothing. Bind it to loopback: profiles show
	// the program's internals.
	PprofAddr string
	// TemporalMetricsAddr, when set, serves the embedded Temporal server's own Prometheus
	// metrics (persistence latency, shard locks, task queues) at /metrics on this address (dev only).
	TemporalMetricsAddr string
	// WebhooksAllowPrivate lets webhook subscriptions point at loopback, private and link-local
	// addresses (JOBORDRE_WEBHOOKS_ALLOW_PRIVATE). Off by default, so an endpoint cannot reach
	// the service's own network (SSRF); `jobordre dev` turns it on for local receivers.
	WebhooksAllowPrivate bool
	// WebhookDispatchInterval is how often the worker's dispatcher looks for new feed events to
	// deliver (JOBORDRE_WEBHOOK_DISPATCH_INTERVAL, default 1s).
	WebhookDispatchInterval time.Duration
	// RetentionCron is when the deletion schedule starts the retention workflow, a cron
	// expression in Copenhagen time (JOBORDRE_RETENTION_CRON, default "30 2 * * *": every night at
	// 02:30, when nobody works with the data).
	RetentionCron string
	// RetentionBatchSize is how many rows one deletion batch (one transaction) changes at most
	// (JOBORDRE_RETENTION_BATCH_SIZE, default 500).
	RetentionBatchSize int
	// RetentionRemovedContacts is the national period (ISO 8601) after a company contact person's
	// removal when their name, e-mail and phone are cleared (JOBORDRE_RETENTION_REMOVED_CONTACTS,
	// default P180D). National, not in a job centre's policy: a contact person belongs to a
	// company, which orders from any job centre.
	RetentionRemovedContacts string
	// Console holds the web console's settings: its OIDC client and session lifetimes.
	Console ConsoleConfig
}

// ConsoleConfig is the web console's login and session settings (docs/console.md).
type ConsoleConfig struct {
	// OIDCClientID is the console's client at JOBORDRE_OIDC_ISSUER; empty: no OIDC login.
	OIDCClientID string
	// OIDCClientSecret authenticates a confidential client; empty for a public client (PKCE).
	OIDCClientSecret string
	// OIDCScopes are requested besides openid.
	OIDCScopes []string
	// SessionIdleTimeout ends a session this long after its last request.
	SessionIdleTimeout time.Duration
	// SessionMaxAge ends a session this long after its login, whatever its activity.
	SessionMaxAge time.Duration
}

// Defaults are the values used when the environment says nothing.
func Defaults() Config {
	return Config{
		Mail:              mailDefaults(),
		HTTPAddr:          ":8080",
		WorkerMetricsAddr: ":9090",
		DataDir:           "./data",
		TemporalPort:      7233,
		UIPort:            8233,
		TemporalAddress:   "localhost:7233",
		TemporalNamespace: "default",
		TaskQueue:         "jobordre",
		JWTIssuer:         "jobordre",
		JWTAudience:       "jobordre-api",
		OIDCClockSkew:     60 * time.Second,
		OIDCStartTimeout:  10 * time.Second,
		RateLimitRPS:      20,
		RateLimitBurst:    40,
		AutoMigrate:       true,
		LogLevel:          "info",
		PublicBaseURL:     "http://localhost:8080",
		MaxBodyBytes:      1 << 20,
		QueryTimeout:      3 * time.Second,
		SecureLinkTTL:     14 * 24 * time.Hour,
		ShutdownTimeout:   10 * time.Second,
		// A second: receivers hear of an event soon after it happened, at one cheap query a second.
		WebhookDispatchInterval:  time.Second,
		RetentionCron:            "30 2 * * *",
		RetentionBatchSize:       500,
		RetentionRemovedContacts: "P180D",
		Console: ConsoleConfig{
			OIDCScopes:         []string{"profile", "email"},
			SessionIdleTimeout: 30 * time.Minute,
			SessionMaxAge:      10 * time.Hour,
		},
	}
}

// FromEnv returns the defaults overridden by the environment; getenv is os.Getenv outside tests.
func FromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Defaults()
	var errs []string
	str := func(key string, dst *string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	num := func(key string, dst *int) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65535 {
				errs = append(errs, fmt.Sprintf("%s: %q is not a port number", key, v))
				return
			}
			*dst = n
		}
	}
	boolean := func(key string, dst *bool) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not true or false", key, v))
				return
			}
			*dst = b
		}
	}
	dur := func(key string, dst *time.Duration) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Sprintf("%s: %q is not a positive duration such as 3s", key, v))
				return
			}
			*dst = d
		}
	}
	str("JOBORDRE_HTTP_ADDR", &c.HTTPAddr)
	str("JOBORDRE_WORKER_METRICS_ADDR", &c.WorkerMetricsAddr)
	str("JOBORDRE_DATA_DIR", &c.DataDir)
	num("JOBORDRE_TEMPORAL_PORT", &c.TemporalPort)
	num("JOBORDRE_UI_PORT", &c.UIPort)
	str("DATABASE_URL", &c.DatabaseURL)
	str("TEMPORAL_ADDRESS", &c.TemporalAddress)
	str("TEMPORAL_NAMESPACE", &c.TemporalNamespace)
	str("JOBORDRE_TASK_QUEUE", &c.TaskQueue)
	str("JOBORDRE_JWT_SECRET", &c.JWTSecret)
	str("JOBORDRE_JWT_ISSUER", &c.JWTIssuer)
	str("JOBORDRE_JWT_AUDIENCE", &c.JWTAudience)
	boolean("JOBORDRE_AUTO_MIGRATE", &c.AutoMigrate)
	str("JOBORDRE_LOG_LEVEL", &c.LogLevel)
	str("JOBORDRE_PUBLIC_BASE_URL", &c.PublicBaseURL)
	dur("JOBORDRE_QUERY_TIMEOUT", &c.QueryTimeout)
	dur("JOBORDRE_SECURE_LINK_TTL", &c.SecureLinkTTL)
	dur("JOBORDRE_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	boolean("JOBORDRE_WEBHOOKS_ALLOW_PRIVATE", &c.WebhooksAllowPrivate)
	dur("JOBORDRE_WEBHOOK_DISPATCH_INTERVAL", &c.WebhookDispatchInterval)
	str("JOBORDRE_RETENTION_CRON", &c.RetentionCron)
	if v := strings.TrimSpace(getenv("JOBORDRE_RETENTION_BATCH_SIZE")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			errs = append(errs, fmt.Sprintf("JOBORDRE_RETENTION_BATCH_SIZE: %q is not a number of rows from 1 to 10000", v))
		} else {
			c.RetentionBatchSize = n
		}
	}
	if v := strings.TrimSpace(getenv("JOBORDRE_RETENTION_REMOVED_CONTACTS")); v != "" {
		if d, err := policy.ParseDuration(v); err != nil || d.Approx() <= 0 {
			errs = append(errs, fmt.Sprintf("JOBORDRE_RETENTION_REMOVED_CONTACTS: %q is not a positive ISO 8601 duration such as P180D", v))
		} else {
			c.RetentionRemovedContacts = d.String()
		}
	}
	str("JOBORDRE_PPROF_ADDR", &c.PprofAddr)
	str("JOBORDRE_TEMPORAL_METRICS_ADDR", &c.TemporalMetricsAddr)
	str("JOBORDRE_OIDC_ISSUER", &c.OIDCIssuer)
	str("JOBORDRE_OIDC_AUDIENCE", &c.OIDCAudience)
	dur("JOBORDRE_OIDC_START_TIMEOUT", &c.OIDCStartTimeout)
	if v := strings.TrimSpace(getenv("JOBORDRE_OIDC_CLOCK_SKEW")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 5*time.Minute {
			errs = append(errs, fmt.Sprintf("JOBORDRE_OIDC_CLOCK_SKEW: %q is not a duration from 0s to 5m", v))
		} else {
			c.OIDCClockSkew = d
		}
	}
	if v := strings.TrimSpace(getenv("JOBORDRE_OIDC_ALGORITHMS")); v != "" {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				c.OIDCAlgorithms = append(c.OIDCAlgorithms, a)
			}
		}
	}
	str("JOBORDRE_OIDC_CLIENT_ID", &c.Console.OIDCClientID)
	str("JOBORDRE_OIDC_CLIENT_SECRET", &c.Console.OIDCClientSecret)
	if v := strings.TrimSpace(getenv("JOBORDRE_OIDC_SCOPES")); v != "" {
		c.Console.OIDCScopes = strings.Fields(strings.ReplaceAll(v, ",", " "))
	}
	dur("JOBORDRE_SESSION_IDLE_TIMEOUT", &c.Console.SessionIdleTimeout)
	dur("JOBORDRE_SESSION_MAX_AGE", &c.Console.SessionMaxAge)
	if c.Console.SessionIdleTimeout > c.Console.SessionMaxAge {
		errs = append(errs, "JOBORDRE_SESSION_IDLE_TIMEOUT: longer than JOBORDRE_SESSION_MAX_AGE")
	}
	if c.Console.OIDCClientID != "" && c.OIDCIssuer == "" {
		errs = append(errs, "JOBORDRE_OIDC_CLIENT_ID: set without JOBORDRE_OIDC_ISSUER; the console logs in with the issuer the API trusts")
	}
	switch {
	case c.OIDCIssuer != "" && c.OIDCAudience == "":
		errs = append(errs, "JOBORDRE_OIDC_AUDIENCE: required with JOBORDRE_OIDC_ISSUER (the aud the identity provider puts in tokens for this API)")
	case c.OIDCIssuer == "" && c.OIDCAudience != "":
		errs = append(errs, "JOBORDRE_OIDC_AUDIENCE: set without JOBORDRE_OIDC_ISSUER; set both to use OIDC, or neither for HS256")
	}
	if c.OIDCIssuer != "" {
		if err := checkIssuerURL(c.OIDCIssuer); err != nil {
			errs = append(errs, fmt.Sprintf("JOBORDRE_OIDC_ISSUER: %q %v", c.OIDCIssuer, err))
		}
	}
	if v := strings.TrimSpace(getenv("JOBORDRE_RATE_LIMIT_RPS")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			errs = append(errs, fmt.Sprintf("JOBORDRE_RATE_LIMIT_RPS: %q is not a number of requests per second (0 disables)", v))
		} else {
			c.RateLimitRPS = f
		}
	}
	if v := strings.TrimSpace(getenv("JOBORDRE_RATE_LIMIT_BURST")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("JOBORDRE_RATE_LIMIT_BURST: %q is not a whole number of requests (0 disables)", v))
		} else {
			c.RateLimitBurst = n
		}
	}
	if v := strings.TrimSpace(getenv("JOBORDRE_MAX_BODY_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("JOBORDRE_MAX_BODY_BYTES: %q is not a positive number of bytes", v))
		} else {
			c.MaxBodyBytes = n
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("JOBORDRE_LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	c.PublicBaseURL = strings.TrimRight(c.PublicBaseURL, "/")
	errs = append(errs, c.Mail.fromEnv(getenv)...)
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// checkIssuerURL requires an absolute https URL without query or fragment; plain http is allowed
// only on the loopback interface (a local identity provider in development).
func checkIssuerURL(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("is not an absolute URL without query or fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			return nil
		}
		return fmt.Errorf("must use https (plain http only on localhost)")
	}
	return fmt.Errorf("must be an https URL")
}
