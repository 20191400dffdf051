// Package config reads jobordre's settings from the environment, with every default in one place.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of every jobordre process.
type Config struct {
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
	// ShutdownTimeout bounds graceful shutdown of the HTTP server and worker.
	ShutdownTimeout time.Duration
}

// Defaults are the values used when the environment says nothing.
func Defaults() Config {
	return Config{
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
		AutoMigrate:       true,
		LogLevel:          "info",
		PublicBaseURL:     "http://localhost:8080",
		MaxBodyBytes:      1 << 20,
		QueryTimeout:      3 * time.Second,
		ShutdownTimeout:   10 * time.Second,
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
	dur("JOBORDRE_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
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
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}
