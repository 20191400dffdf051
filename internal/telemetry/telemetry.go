// Package telemetry sets up jobordre's logs and metrics: JSON logs through slog, and one
// Prometheus registry per process that holds the HTTP metrics and the Temporal SDK's metrics.
package telemetry

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// NewLogger returns a JSON logger at the given level (debug, info, warn, error).
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// Metrics is a process's Prometheus registry and the Temporal SDK handler that reports into it.
type Metrics struct {
	// Registry holds every metric the process exposes at /metrics.
	Registry *prometheus.Registry
	// Temporal is handed to the Temporal client so SDK metrics (workflow tasks, activities,
	// requests) land in Registry.
	Temporal client.MetricsHandler
	closer   io.Closer
}

// NewMetrics creates the registry with Go runtime and process collectors and the SDK bridge.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reporter := tallyprom.NewReporter(tallyprom.Options{Registerer: reg})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
		Prefix:          "temporal",
	}, time.Second)
	return &Metrics{
		Registry: reg,
		Temporal: sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)),
		closer:   closer,
	}
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Close flushes and stops the SDK metrics scope.
func (m *Metrics) Close() error { return m.closer.Close() }

// RetentionDeletedMetric counts the rows the deletion workflow deleted or anonymised, by kind
// (joborder.Retention*). It is reported through the Temporal SDK's handler of the activity, so it
// lands in the worker's registry as temporal_jobordre_retention_deleted_total{kind=...}.
const RetentionDeletedMetric = "jobordre_retention_deleted"

// CountRetention adds n rows of kind to RetentionDeletedMetric.
func CountRetention(h client.MetricsHandler, kind string, n int) {
	h.WithTags(map[string]string{"kind": kind}).Counter(RetentionDeletedMetric).Inc(int64(n))
}
