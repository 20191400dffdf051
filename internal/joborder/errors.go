package joborder

import (
	"errors"

	"jobordre/internal/problem"
)

// Application error types the workflows and activities answer with. Temporal carries them as
// the ApplicationError's type; callers compare them with these constants only.
const (
	// ErrInvalidCommand: a malformed command (bad level, status, reason, time, missing ID).
	ErrInvalidCommand = "InvalidCommand"
	// ErrOrderClosed: the order is closed (and not being reopened within its window).
	ErrOrderClosed = "OrderClosed"
	// ErrConflict: an illegal transition or a duplicate ID.
	ErrConflict = "Conflict"
	// ErrNotFound: the command or activity names something that does not exist.
	ErrNotFound = "NotFound"
	// ErrInvalidInput: an activity or workflow input that can never succeed; not retried.
	ErrInvalidInput = "InvalidInput"
	// ErrMisconfigured: the worker lacks a dependency (e-mail sender, Temporal client); not retried.
	ErrMisconfigured = "Misconfigured"
	// ErrDeliveryRetry: some outbox rows could not be handed over yet (5xx, network, unknown
	// outcome); retried with the activity's backoff.
	ErrDeliveryRetry = "DeliveryRetry"
	// ErrRateLimited: the mail provider answered 429; retried after its X-RateLimit-Reset.
	ErrRateLimited = "RateLimited"
)

// RejectedError is a command the order refused, either its workflow or the service before
// asking it; nothing changed. Reason is the workflow's error type (ErrOrderClosed, ErrConflict,
// ...), which a form uses to say why. It is a problem of type "command-rejected" (Unwrap): the
// kind follows the reason — malformed commands are invalid, unknown follow-ups not found,
// everything else a conflict with the order's state.
type RejectedError struct {
	Reason  string
	problem *problem.Error
}

// Error returns the problem's detail.
func (e *RejectedError) Error() string { return e.problem.Detail }

// Unwrap returns the problem the rejection is.
func (e *RejectedError) Unwrap() error { return e.problem }

// Rejection returns the RejectedError for a command refused for reason (an error type) with message.
func Rejection(reason, message string) error {
	kind := problem.KindConflict
	switch reason {
	case ErrInvalidCommand:
		kind = problem.KindInvalid
	case ErrNotFound:
		kind = problem.KindNotFound
	}
	return &RejectedError{Reason: reason, problem: &problem.Error{Kind: kind, Type: problem.TypeCommandRejected, Detail: "the order refused the command: " + message}}
}

// IsRejection tells whether err is a command the order refused (nothing changed).
func IsRejection(err error) bool {
	var r *RejectedError
	return errors.As(err, &r)
}
