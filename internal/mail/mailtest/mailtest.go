// Package mailtest holds test doubles for package mail: a fake SendGrid v3 mail send server that
// the real sendgrid-go client talks to, and an Event Webhook signing key.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// MailSend is the part of a v3 mail send body the tests check.
type MailSend struct {
	From struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"from"`
	Subject          string `json:"subject"`
	Personalizations []struct {
		To []struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		} `json:"to"`
	} `json:"personalizations"`
	Content []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"content"`
	CustomArgs   map[string]string `json:"custom_args"`
	Categories   []string          `json:"categories"`
	MailSettings *struct {
		SandboxMode *struct {
			Enable *bool `json:"enable"`
		} `json:"sandbox_mode"`
	} `json:"mail_settings"`
}

// Sandbox tells whether mail_settings.sandbox_mode.enable is true.
func (m MailSend) Sandbox() bool {
	return m.MailSettings != nil && m.MailSettings.SandboxMode != nil && m.MailSettings.SandboxMode.Enable != nil && *m.MailSettings.SandboxMode.Enable
}

// ContentOf returns the value of the content part with the media type, "" when absent.
func (m MailSend) ContentOf(mediaType string) string {
	for _, c := range m.Content {
		if c.Type == mediaType {
			return c.Value
		}
	}
	return ""
}

// To is the first personalization's first recipient.
func (m MailSend) To() string {
	if len(m.Personalizations) == 0 || len(m.Personalizations[0].To) == 0 {
		return ""
	}
	return m.Personalizations[0].To[0].Email
}

// Request is one request the fake server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Mail         MailSend
}

// Reply is a scripted answer.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
}

// Accepted is SendGrid's 202 with the message ID.
func Accepted(messageID string) Reply {
	return Reply{Status: http.StatusAccepted, Header: map[string]string{"X-Message-Id": messageID}}
}

// TooManyRequests is a 429 whose X-RateLimit-Reset is reset.
func TooManyRequests(reset time.Time) Reply {
	return Reply{Status: http.StatusTooManyRequests, Header: map[string]string{
		"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10),
	}, Body: `{"errors":[{"field":null,"message":"too many requests"}]}`}
}

// ServerError is a 500.
func ServerError() Reply {
	return Reply{Status: http.StatusInternalServerError, Body: `{"errors":[{"field":null,"message":"internal error"}]}`}
}

// Refused is a 4xx with SendGrid's error document.
func Refused(status int, message, field string) Reply {
	f := "null"
	if field != "" {
		f = strconv.Quote(field)
	}
	return Reply{Status: status, Body: fmt.Sprintf(`{"errors":[{"message":%q,"field":%s,"help":null}]}`, message, f)}
}

// SendGrid is a fake v3 API: it records every request and answers from a script, then 202 with
// X-Message-Id msg-<n> (n counts requests from 1).
type SendGrid struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	script   []Reply
	// Before runs before each answer (e.g. to block); nil by default.
	Before func(r Request)
}

// NewSendGrid starts a fake SendGrid closed at the end of the test.
func NewSendGrid(t testing.TB) *SendGrid {
	s := &SendGrid{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Script queues answers for the next requests.
func (s *SendGrid) Script(r ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, r...)
}

// Requests returns the requests received so far.
func (s *SendGrid) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *SendGrid) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	_ = json.Unmarshal(body, &req.Mail)
	s.mu.Lock()
	s.requests = append(s.requests, req)
	n := len(s.requests)
	reply := Accepted("msg-" + strconv.Itoa(n))
	if len(s.script) > 0 {
		reply, s.script = s.script[0], s.script[1:]
	}
	before := s.Before
	s.mu.Unlock()
	if before != nil {
		before(req)
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	if reply.Body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(reply.Status)
	_, _ = io.WriteString(w, reply.Body)
}

// WebhookKey signs Event Webhook requests as SendGrid does.
type WebhookKey struct {
	priv *ecdsa.PrivateKey
}

// NewWebhookKey generates an ECDSA P-256 key.
func NewWebhookKey(t testing.TB) *WebhookKey {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &WebhookKey{priv: priv}
}

// PublicKey is the verification key as SendGrid shows it: base64 of the DER public key.
func (k *WebhookKey) PublicKey() string {
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// Sign returns the X-Twilio-Email-Event-Webhook-Signature value for timestamp and body.
func (k *WebhookKey) Sign(timestamp string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write(body)
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, h.Sum(nil))
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}
