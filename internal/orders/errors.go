package orders

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError says what is wrong with one field; Field is a JSON path such as "workplace.postal_code".
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// ValidationError lists every field that is wrong in a command; nothing was stored.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Detail
	}
	return "invalid job order: " + strings.Join(parts, "; ")
}

// add records a problem with a field.
func (e *ValidationError) add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Detail: fmt.Sprintf(format, args...)})
}

// has tells whether a field already has a problem, so later checks don't pile onto it.
func (e *ValidationError) has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func (e *ValidationError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// ErrNotJobOrder is returned for requests of another kind than an ordinary job order.
var ErrNotJobOrder = errors.New("not a job order")

// ErrNotFound is returned for an order that does not exist or that the caller may not see.
var ErrNotFound = errors.New("job order not found")

// ErrForbidden is returned when the caller may see something but not do this to it.
var ErrForbidden = errors.New("forbidden")

// ErrIdempotencyKeyReused is returned when an Idempotency-Key comes back with a different body.
var ErrIdempotencyKeyReused = errors.New("idempotency key reused with a different request")

// WorkflowNotStartedError says the order was stored but its workflow could not be started yet;
// the worker's reconciler starts it later, so nothing is lost.
type WorkflowNotStartedError struct {
	JobOrderID string
	Err        error
}

func (e *WorkflowNotStartedError) Error() string {
	return fmt.Sprintf("job order %s is stored but its workflow could not be started yet: %v", e.JobOrderID, e.Err)
}

func (e *WorkflowNotStartedError) Unwrap() error { return e.Err }

// CommandRejectedError is a command the order's workflow refused (its update validator or
// handler said no); nothing changed. Reason is the workflow's error type, e.g. "InvalidCommand".
type CommandRejectedError struct {
	Reason  string
	Message string
}

func (e *CommandRejectedError) Error() string { return e.Message }

// ErrOrderEnded is returned for a command to an order whose workflow has finished.
var ErrOrderEnded = errors.New("the job order's workflow has ended; the order can no longer be changed")

// ErrJobcenterNotFound is returned for a job centre that does not exist or is not the caller's.
var ErrJobcenterNotFound = errors.New("no such job centre in your reach")

// MalformedError is a body that is not the JSON the endpoint takes; nothing was stored.
type MalformedError struct{ Detail string }

func (e *MalformedError) Error() string { return e.Detail }
