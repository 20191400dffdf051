package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jobordre/internal/mail"
)

// MailConfig is how e-mail is delivered (docs/email.md).
type MailConfig struct {
	// SendGridAPIKey (SENDGRID_API_KEY) makes the worker send through SendGrid; empty keeps every
	// e-mail in the local mailbox (dev).
	SendGridAPIKey string
	// SendGridSandbox (SENDGRID_SANDBOX) sends with mail_settings.sandbox_mode: SendGrid checks
	// the request and delivers nothing.
	SendGridSandbox bool
	// SendGridAPIHost (SENDGRID_API_HOST) is SendGrid's API base URL; EU-pinned accounts use
	// https://api.eu.sendgrid.com.
	SendGridAPIHost string
	// FromEmail and FromName (SENDGRID_FROM_EMAIL, SENDGRID_FROM_NAME) are the sender; with
	// SendGrid the address must be a verified sender identity, so it must be set explicitly.
	FromEmail string
	FromName  string
	// WebhookPublicKey (JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY) is the signed Event Webhook's
	// verification key (base64 DER, ECDSA P-256); empty refuses every webhook request.
	WebhookPublicKey string
	// UnknownOutcomeWait (JOBORDRE_MAIL_UNKNOWN_OUTCOME_WAIT) is how long after an attempt whose
	// outcome is unknown (the sender stopped between SendGrid's answer and recording it) the row is
	// sent again, unless the webhook's processed event has recorded it meanwhile; only with the
	// webhook configured (without it nothing can tell, and the row is sent again at once).
	UnknownOutcomeWait time.Duration
}

func mailDefaults() MailConfig {
	return MailConfig{
		SendGridAPIHost:    mail.DefaultSendGridHost,
		FromEmail:          "jobordre@localhost",
		FromName:           "jobordre",
		UnknownOutcomeWait: 5 * time.Minute,
	}
}

// mailFromEnv overrides c with the environment and returns the problems found.
func (c *MailConfig) fromEnv(getenv func(string) string) []string {
	var errs []string
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	if v := get("SENDGRID_API_KEY"); v != "" {
		c.SendGridAPIKey = v
	}
	if v := get("SENDGRID_SANDBOX"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("SENDGRID_SANDBOX: %q is not true or false", v))
		}
		c.SendGridSandbox = b
	}
	if v := get("SENDGRID_API_HOST"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("SENDGRID_API_HOST: %q is not an http(s) URL such as https://api.eu.sendgrid.com", v))
		}
		c.SendGridAPIHost = strings.TrimRight(v, "/")
	}
	if v := get("SENDGRID_FROM_EMAIL"); v != "" {
		if !strings.Contains(v, "@") {
			errs = append(errs, fmt.Sprintf("SENDGRID_FROM_EMAIL: %q is not an e-mail address", v))
		}
		c.FromEmail = v
	} else if c.SendGridAPIKey != "" {
		errs = append(errs, "SENDGRID_FROM_EMAIL: required with SENDGRID_API_KEY (a verified sender identity of the SendGrid account)")
	}
	if v := get("SENDGRID_FROM_NAME"); v != "" {
		c.FromName = v
	}
	if v := get("JOBORDRE_MAIL_UNKNOWN_OUTCOME_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			errs = append(errs, fmt.Sprintf("JOBORDRE_MAIL_UNKNOWN_OUTCOME_WAIT: %q is not a duration from 1s to 1h", v))
		} else {
			c.UnknownOutcomeWait = d
		}
	}
	if v := get("JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY"); v != "" {
		if _, err := mail.ParseWebhookPublicKey(v); err != nil {
			errs = append(errs, "JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY: "+err.Error())
		}
		c.WebhookPublicKey = v
	}
	return errs
}
