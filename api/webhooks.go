package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/mail"
)

// MailEventRecorder records verified SendGrid delivery events on the outbox (and has the notices
// they cause delivered).
type MailEventRecorder interface {
	RecordMailEvents(ctx context.Context, events []mail.Event) error
}

// SendGridWebhook is the delivery-event webhook's configuration.
type SendGridWebhook struct {
	// Verifier checks SendGrid's signature; nil (no JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY) refuses every request.
	Verifier *mail.WebhookVerifier
	Events   MailEventRecorder
}

// webhookMaxBody bounds a webhook body: SendGrid posts batches of up to about 768 KB.
const webhookMaxBody = 4 << 20

// registerWebhooks adds the webhook routes. They are outside the bearer-token group: SendGrid
// authenticates with its signature instead.
func registerWebhooks(r *gin.Engine, w *SendGridWebhook) {
	r.POST("/api/v1/webhooks/sendgrid", limitBody(webhookMaxBody), func(c *gin.Context) { sendGridEvents(c, w) })
}

// sendGridEvents accepts SendGrid's signed Event Webhook: it verifies the ECDSA signature over
// timestamp + raw body before reading anything, then records the events. 204 tells SendGrid the
// batch is taken; a 5xx makes it post the batch again later (recording is idempotent).
func sendGridEvents(c *gin.Context, w *SendGridWebhook) {
	if w == nil || w.Verifier == nil || w.Events == nil {
		writeProblem(c, http.StatusForbidden, "webhook-not-configured",
			"the SendGrid event webhook is not configured here (JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY is not set)")
		return
	}
	body, ok := readBody(c)
	if !ok {
		return
	}
	err := w.Verifier.Verify(c.GetHeader(mail.SignatureHeader), c.GetHeader(mail.TimestampHeader), body)
	switch {
	case errors.Is(err, mail.ErrSignatureMissing):
		writeProblem(c, http.StatusUnauthorized, "invalid-signature",
			"send the "+mail.SignatureHeader+" and "+mail.TimestampHeader+" headers of a signed SendGrid event webhook")
		return
	case err != nil:
		writeProblem(c, http.StatusUnauthorized, "invalid-signature", "the webhook signature does not verify")
		return
	}
	events, err := mail.ParseEvents(body)
	if err != nil {
		writeProblem(c, http.StatusBadRequest, "malformed-json", "the body must be a JSON array of SendGrid events")
		return
	}
	// The OpenAPI request schema (schema.go); a batch of the wrong shape is the sender's error.
	switch v, err := mustRequestSchemas().check(c.Request.Method, c.FullPath(), body); {
	case err != nil:
		failInternal(c, err)
		return
	case v != nil:
		writeProblem(c, http.StatusBadRequest, "malformed-json", "the body must be a JSON array of SendGrid events",
			append(v.unknown, v.invalid...)...)
		return
	}
	if err := w.Events.RecordMailEvents(c.Request.Context(), events); err != nil {
		failInternal(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
