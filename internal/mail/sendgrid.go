package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	sgmail "github.com/sendgrid/sendgrid-go/helpers/mail"
)

// DefaultSendGridHost is SendGrid's global API host; EU-pinned accounts use https://api.eu.sendgrid.com.
const DefaultSendGridHost = "https://api.sendgrid.com"

// sendGridTimeout bounds one mail-send request (the activity's own deadline bounds it too).
const sendGridTimeout = 30 * time.Second

// maxRetryAfter caps the wait a 429 answer may ask for.
const maxRetryAfter = time.Hour

// SendGridOptions configure the SendGrid sender.
type SendGridOptions struct {
	APIKey string
	// Host is the API's base URL (DefaultSendGridHost when empty).
	Host string
	// Sandbox sets mail_settings.sandbox_mode.enable: SendGrid validates the request, answers
	// 200 and sends nothing.
	Sandbox bool
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock used to turn X-RateLimit-Reset into a delay (time.Now when nil).
	Now func() time.Time
}

// SendGrid delivers through SendGrid's v3 mail send API with the sendgrid-go client.
type SendGrid struct {
	opts   SendGridOptions
	client *rest.Client
}

// NewSendGrid returns a SendGrid sender.
func NewSendGrid(o SendGridOptions) *SendGrid {
	if o.Host == "" {
		o.Host = DefaultSendGridHost
	}
	o.Host = strings.TrimRight(o.Host, "/")
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: sendGridTimeout}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &SendGrid{opts: o, client: &rest.Client{HTTPClient: o.HTTPClient}}
}

// Name implements Sender.
func (s *SendGrid) Name() string { return "sendgrid" }

// Request builds the v3 mail send request body for m: one personalization (the recipient),
// multipart text and HTML, custom_args idempotency_key and job_order_id, click and open tracking
// off, and sandbox mode when configured.
func (s *SendGrid) Request(m Message) *sgmail.SGMailV3 {
	v3 := sgmail.NewV3Mail()
	v3.SetFrom(sgmail.NewEmail(m.From.Name, m.From.Email))
	v3.Subject = m.Subject
	p := sgmail.NewPersonalization()
	p.AddTos(sgmail.NewEmail(m.To.Name, m.To.Email))
	v3.AddPersonalizations(p)
	// SendGrid wants text/plain before text/html.
	v3.AddContent(sgmail.NewContent("text/plain", m.Text), sgmail.NewContent("text/html", m.HTML))
	v3.SetCustomArg("idempotency_key", m.IdempotencyKey)
	v3.SetCustomArg("job_order_id", m.JobOrderID)
	if m.Template != "" {
		v3.AddCategories(m.Template)
	}
	v3.SetTrackingSettings(sgmail.NewTrackingSettings().
		SetClickTracking(sgmail.NewClickTrackingSetting().SetEnable(false).SetEnableText(false)).
		SetOpenTracking(sgmail.NewOpenTrackingSetting().SetEnable(false)))
	if s.opts.Sandbox {
		v3.SetMailSettings(sgmail.NewMailSettings().SetSandboxMode(sgmail.NewSetting(true)))
	}
	return v3
}

// Send implements Sender: 2xx is accepted (X-Message-Id is the provider message ID), 429 and 5xx
// are *RetryableError (429 with X-RateLimit-Reset as RetryAfter), other 4xx *PermanentError with
// SendGrid's error text; a transport error is returned as it is (outcome unknown).
func (s *SendGrid) Send(ctx context.Context, m Message) (Result, error) {
	req := sendgrid.GetRequest(s.opts.APIKey, "/v3/mail/send", s.opts.Host)
	req.Method = rest.Post
	req.Body = sgmail.GetRequestBody(s.Request(m))
	resp, err := s.client.SendWithContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("sendgrid mail send: %w", err)
	}
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		id := header(resp.Headers, "X-Message-Id")
		if id == "" {
			// Accepted without an ID (sandbox mode answers 200 and may send none): the row
			// still needs a non-empty ID to count as accepted.
			prefix := "sendgrid-"
			if s.opts.Sandbox {
				prefix = "sandbox-"
			}
			id = prefix + strconv.FormatUint(m.OutboxID, 10)
		}
		return Result{ProviderMessageID: id}, nil
	case code == http.StatusTooManyRequests:
		return Result{}, &RetryableError{StatusCode: code, Detail: errorText(resp.Body), RetryAfter: s.retryAfter(resp.Headers)}
	case code == http.StatusRequestTimeout || code >= 500 || code < 200 || (code >= 300 && code < 400):
		return Result{}, &RetryableError{StatusCode: code, Detail: errorText(resp.Body)}
	default: // 400, 401, 403, 404, 413, 415, ...: sending the same request again cannot succeed
		return Result{}, &PermanentError{StatusCode: code, Detail: errorText(resp.Body)}
	}
}

// retryAfter reads X-RateLimit-Reset (a Unix time in seconds) as a delay from now.
func (s *SendGrid) retryAfter(h map[string][]string) time.Duration {
	v := header(h, "X-RateLimit-Reset")
	if v == "" {
		return 0
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	d := time.Unix(sec, 0).Sub(s.opts.Now())
	switch {
	case d < time.Second:
		return time.Second
	case d > maxRetryAfter:
		return maxRetryAfter
	}
	return d
}

func header(h map[string][]string, name string) string {
	if v := http.Header(h).Get(name); v != "" {
		return v
	}
	for k, v := range h { // a client that did not canonicalise the keys
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// errorText turns SendGrid's {"errors":[{"message":…,"field":…}]} into one line; any other
// body is returned trimmed.
func errorText(body string) string {
	var doc struct {
		Errors []struct {
			Message string `json:"message"`
			Field   any    `json:"field"`
		} `json:"errors"`
	}
	text := strings.TrimSpace(body)
	if err := json.Unmarshal([]byte(body), &doc); err == nil && len(doc.Errors) > 0 {
		parts := make([]string, 0, len(doc.Errors))
		for _, e := range doc.Errors {
			p := strings.TrimSpace(e.Message)
			if f, ok := e.Field.(string); ok && f != "" {
				p += " (field " + f + ")"
			}
			parts = append(parts, p)
		}
		text = strings.Join(parts, "; ")
	}
	if text == "" {
		text = "no error text"
	}
	return Truncate(text, 1000)
}

// Truncate shortens s to at most max bytes without splitting a character, marking the cut with "…".
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
