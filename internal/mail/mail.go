// Package mail renders jobordre's notification e-mails and hands them to a provider: SendGrid
// (v3 mail send, through sendgrid-go) when an API key is configured, otherwise the local mailbox
// (dev). It also verifies SendGrid's signed Event Webhook. Which outbox rows are sent, and their
// state machine, is the Deliver activity's job (package activities); see docs/email.md.
package mail

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Address is an e-mail address with an optional display name.
type Address struct {
	Name  string
	Email string
}

// Message is one rendered e-mail to one recipient, for one outbox row.
type Message struct {
	// OutboxID is the outbox row the message delivers.
	OutboxID uint64
	// IdempotencyKey and JobOrderID travel as SendGrid custom_args, so delivery events can be
	// matched back to the row.
	IdempotencyKey string
	JobOrderID     string
	Template       string
	From           Address
	To             Address
	Subject        string
	Text           string
	HTML           string
}

// Result is the provider's answer to an accepted message.
type Result struct {
	// ProviderMessageID identifies the message at the provider (SendGrid's X-Message-Id).
	ProviderMessageID string
}

// Sender hands one message to a provider. An error is a *PermanentError when the provider
// refused the message for good, a *RetryableError when it answered that it could not take it
// now; any other error (network, timeout) leaves open whether the provider accepted it.
type Sender interface {
	Send(ctx context.Context, m Message) (Result, error)
	// Name is the provider's name: "sendgrid" or "mailbox".
	Name() string
}

// PermanentError is a refusal that sending again cannot fix (SendGrid 400, 401, 403, 413, ...).
type PermanentError struct {
	StatusCode int
	// Detail is the provider's explanation (SendGrid's errors[].message, joined).
	Detail string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("provider refused the message (HTTP %d): %s", e.StatusCode, e.Detail)
}

// RetryableError is an answer saying the message was not taken now (429, 5xx): send it again
// later. RetryAfter is when the provider said to retry (0: use the normal backoff).
type RetryableError struct {
	StatusCode int
	Detail     string
	RetryAfter time.Duration
}

func (e *RetryableError) Error() string {
	return fmt.Sprintf("provider could not take the message now (HTTP %d): %s", e.StatusCode, e.Detail)
}

// IsPermanent tells whether err is a *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// IsRetryable tells whether err is a *RetryableError (the provider answered and did not accept).
func IsRetryable(err error) bool {
	var r *RetryableError
	return errors.As(err, &r)
}
