package mail_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/mail"
	"jobordre/internal/mail/mailtest"
)

func message() mail.Message {
	return mail.Message{
		OutboxID: 7, IdempotencyKey: "job-order/o-1/new-order/1", JobOrderID: "o-1", Template: "new_order",
		From:    mail.Address{Name: "Jobcenter Aarhus", Email: "jobordre@aarhus.example"},
		To:      mail.Address{Name: "Ida Kristensen", Email: "ida@aarhus.example"},
		Subject: "Ny jobordre: Tømrer – Jobcenter Aarhus", Text: "Hej Ida,\n", HTML: "<p>Hej Ida,</p>",
	}
}

func TestSendGridSendsTheV3RequestWithCustomArgsAndBothContentTypes(t *testing.T) {
	fake := mailtest.NewSendGrid(t)
	fake.Script(mailtest.Accepted("abc123XYZ"))
	s := mail.NewSendGrid(mail.SendGridOptions{APIKey: "SG.test-key", Host: fake.URL})
	res, err := s.Send(context.Background(), message())
	if err != nil {
		t.Fatal(err)
	}
	if res.ProviderMessageID != "abc123XYZ" {
		t.Errorf("provider message ID %q", res.ProviderMessageID)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v3/mail/send" || r.Header.Get("Authorization") != "Bearer SG.test-key" {
		t.Errorf("request %s %s auth %q", r.Method, r.Path, r.Header.Get("Authorization"))
	}
	m := r.Mail
	if m.From.Email != "jobordre@aarhus.example" || m.From.Name != "Jobcenter Aarhus" {
		t.Errorf("from %+v", m.From)
	}
	if m.To() != "ida@aarhus.example" || len(m.Personalizations) != 1 || len(m.Personalizations[0].To) != 1 {
		t.Errorf("personalizations %+v", m.Personalizations)
	}
	if m.Subject != "Ny jobordre: Tømrer – Jobcenter Aarhus" {
		t.Errorf("subject %q", m.Subject)
	}
	if len(m.Content) != 2 || m.Content[0].Type != "text/plain" || m.Content[1].Type != "text/html" ||
		m.ContentOf("text/plain") != "Hej Ida,\n" || m.ContentOf("text/html") != "<p>Hej Ida,</p>" {
		t.Errorf("content %+v", m.Content)
	}
	if m.CustomArgs["idempotency_key"] != "job-order/o-1/new-order/1" || m.CustomArgs["job_order_id"] != "o-1" || len(m.CustomArgs) != 2 {
		t.Errorf("custom_args %v", m.CustomArgs)
	}
	if m.Sandbox() || strings.Contains(string(r.Body), "sandbox_mode") {
		t.Errorf("sandbox mode sent without SENDGRID_SANDBOX: %s", r.Body)
	}
}

func TestSendGridSandboxModeIsARealBooleanAnd200Counts(t *testing.T) {
	fake := mailtest.NewSendGrid(t)
	fake.Script(mailtest.Reply{Status: http.StatusOK})
	s := mail.NewSendGrid(mail.SendGridOptions{APIKey: "k", Host: fake.URL + "/", Sandbox: true})
	res, err := s.Send(context.Background(), message())
	if err != nil {
		t.Fatal(err)
	}
	if res.ProviderMessageID != "sandbox-7" {
		t.Errorf("provider message ID %q", res.ProviderMessageID)
	}
	r := fake.Requests()[0]
	if !r.Mail.Sandbox() || !strings.Contains(string(r.Body), `"sandbox_mode":{"enable":true}`) {
		t.Errorf("sandbox flag missing: %s", r.Body)
	}
}

func TestSendGridAnswersMapToRetryableAndPermanentErrors(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		reply     mailtest.Reply
		permanent bool
		after     time.Duration
		text      string
	}{
		"429 waits until X-RateLimit-Reset": {mailtest.TooManyRequests(now.Add(42 * time.Second)), false, 42 * time.Second, "too many requests"},
		"500 is retried with backoff":       {mailtest.ServerError(), false, 0, "internal error"},
		"503 is retried":                    {mailtest.Reply{Status: 503}, false, 0, "no error text"},
		"400 is permanent":                  {mailtest.Refused(400, "The to.email field must be a valid email address.", "personalizations.0.to.0.email"), true, 0, "The to.email field must be a valid email address. (field personalizations.0.to.0.email)"},
		"401 is permanent":                  {mailtest.Refused(401, "The provided authorization grant is invalid, expired, or revoked", ""), true, 0, "authorization grant is invalid"},
		"403 is permanent":                  {mailtest.Refused(403, "The from address does not match a verified Sender Identity.", "from"), true, 0, "verified Sender Identity"},
		"413 is permanent":                  {mailtest.Refused(413, "The JSON payload you have included in your request is too large.", ""), true, 0, "too large"},
	} {
		t.Run(name, func(t *testing.T) {
			fake := mailtest.NewSendGrid(t)
			fake.Script(tc.reply)
			s := mail.NewSendGrid(mail.SendGridOptions{APIKey: "k", Host: fake.URL, Now: func() time.Time { return now }})
			_, err := s.Send(context.Background(), message())
			var perm *mail.PermanentError
			var retry *mail.RetryableError
			switch {
			case tc.permanent && errors.As(err, &perm):
				if perm.StatusCode != tc.reply.Status || !strings.Contains(perm.Detail, tc.text) {
					t.Errorf("permanent error %+v", perm)
				}
			case !tc.permanent && errors.As(err, &retry):
				if retry.RetryAfter != tc.after || !strings.Contains(retry.Detail, tc.text) {
					t.Errorf("retryable error %+v", retry)
				}
			default:
				t.Fatalf("error %T %v", err, err)
			}
		})
	}
}

func TestSendGridTransportErrorIsNeitherPermanentNorRetryable(t *testing.T) {
	fake := mailtest.NewSendGrid(t)
	url := fake.URL
	fake.Close()
	_, err := mail.NewSendGrid(mail.SendGridOptions{APIKey: "k", Host: url}).Send(context.Background(), message())
	if err == nil || mail.IsPermanent(err) || mail.IsRetryable(err) {
		t.Fatalf("got %v", err)
	}
}

func TestTruncateKeepsCharactersWhole(t *testing.T) {
	if got := mail.Truncate("æøå", 3); got != "æ…" {
		t.Fatalf("%q", got)
	}
	if got := mail.Truncate("abc", 3); got != "abc" {
		t.Fatalf("%q", got)
	}
}
