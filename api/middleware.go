package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"jobordre/internal/auth"
	"jobordre/internal/directory"
	"jobordre/internal/ratelimit"
)

// Context keys set by the middleware.
const (
	ctxRequestID = "request_id"
	ctxPrincipal = "principal"
)

// RequestIDHeader carries the request ID in requests and responses.
const RequestIDHeader = "X-Request-ID"

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID reuses a well-formed incoming X-Request-ID or makes one, and echoes it back.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !safeRequestID.MatchString(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(ctxRequestID, id)
		c.Header(RequestIDHeader, id)
		c.Next()
	}
}

// securityHeaders keeps browsers from sniffing or framing API answers, and refuses paths with a
// NUL byte, which no resource has and PostgreSQL would reject deep inside a handler.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.ContainsRune(c.Request.URL.Path, 0) {
			writeProblem(c, http.StatusNotFound, "not-found", "no such resource")
			return
		}
		c.Next()
	}
}

// routeOf is the request's route template for logs and metrics (never the raw path, which holds
// IDs); requests that matched no route share one label.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// accessLog writes one structured line per request: never bodies, tokens or query values.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeOf(c)
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		attrs := []any{
			"request_id", c.GetString(ctxRequestID),
			"method", c.Request.Method,
			"route", route,
			"status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"bytes", c.Writer.Size(),
		}
		if p, ok := c.Get(ctxPrincipal); ok {
			attrs = append(attrs, "role", p.(auth.Principal).Role)
		}
		if len(c.Errors) > 0 {
			attrs = append(attrs, "error", c.Errors.String())
		}
		log.Log(c.Request.Context(), level, "http request", attrs...)
	}
}

// httpMetrics counts requests and their durations by route template (never by raw path).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobordre_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jobordre_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeOf(c)
		m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
		m.duration.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
	}
}

// recoverer turns a panic into a 500 problem and logs it with the request ID.
func recoverer(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(c.Request.Context(), "panic in handler", "request_id", c.GetString(ctxRequestID), "panic", fmt.Sprint(r))
				writeProblem(c, http.StatusInternalServerError, "internal", "an unexpected error occurred; quote the request ID when reporting it")
			}
		}()
		c.Next()
	}
}

// limitBody caps the request body; reading past the cap fails and the handler answers 413.
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			writeProblem(c, http.StatusRequestEntityTooLarge, "body-too-large",
				fmt.Sprintf("the request body is larger than %d bytes", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// authenticate requires a valid bearer token and stores its principal in the context.
func authenticate(v auth.Verifier) gin.HandlerFunc {
	return func(c *gin.Context) {
		header := c.GetHeader("Authorization")
		scheme, token, ok := strings.Cut(header, " ")
		if header == "" {
			c.Header("WWW-Authenticate", `Bearer realm="jobordre"`)
			writeProblem(c, http.StatusUnauthorized, "unauthenticated", "send a bearer token in the Authorization header")
			return
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="jobordre", error="invalid_request"`)
			writeProblem(c, http.StatusUnauthorized, "unauthenticated", "the Authorization header must be: Bearer <token>")
			return
		}
		p, err := v.Verify(strings.TrimSpace(token))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="jobordre", error="invalid_token"`)
			writeProblem(c, http.StatusUnauthorized, "invalid-token", "the bearer token is not valid: "+err.Error())
			return
		}
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}

// rateLimit answers 429 with Retry-After (whole seconds, rounded up) when the authenticated
// principal has used up its token bucket; it runs after authenticate.
func rateLimit(l *ratelimit.Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := l.Allow(principal(c).Subject)
		if !ok {
			secs := ratelimit.RetryAfterSeconds(wait)
			c.Header("Retry-After", strconv.Itoa(secs))
			writeProblem(c, http.StatusTooManyRequests, "rate-limited",
				fmt.Sprintf("too many requests from this caller; retry after %d s", secs))
			return
		}
		c.Next()
	}
}

// principal returns the authenticated caller; authenticate guarantees it exists on /api/v1.
func principal(c *gin.Context) auth.Principal {
	return c.MustGet(ctxPrincipal).(auth.Principal)
}

// register records the caller from its token on first use, so reminders can reach them.
func register(d *directory.Directory) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d != nil {
			if err := d.Register(c.Request.Context(), principal(c)); err != nil {
				_ = c.Error(err)
				writeProblem(c, http.StatusInternalServerError, "internal", "could not register the caller; quote the request ID when reporting it")
				return
			}
		}
		c.Next()
	}
}
