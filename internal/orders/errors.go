package orders

import (
	"errors"
	"fmt"

	"jobordre/internal/joborder"
	"jobordre/internal/problem"
)

// ErrNotJobOrder is returned for requests of another kind than an ordinary job order.
var ErrNotJobOrder = problem.Unprocessable("not-a-job-order",
	`only ordinary job orders (kind "ordinary") are accepted; wage subsidy, supported employment and similar requests are not job orders`,
	problem.FieldError{Field: "kind", Detail: `must be "ordinary"`})

// ErrNotFound is returned for an order that does not exist or that the caller may not see.
var ErrNotFound = problem.NotFound("no such job order")

// ErrIdempotencyKeyReused is returned when an Idempotency-Key comes back with a different body.
var ErrIdempotencyKeyReused = problem.Unprocessable("idempotency-key-reused",
	"this Idempotency-Key was already used with a different request body",
	problem.FieldError{Field: "Idempotency-Key", Detail: "use a new key for a different request"})

// ErrBadCursor is returned for a cursor this service did not hand out.
var ErrBadCursor = problem.BadRequest("cursor is not one this API handed out",
	problem.FieldError{Field: "cursor", Detail: "cursor is not one this API handed out"})

// ErrOrderEnded is returned for a command to an order whose workflow has finished.
var ErrOrderEnded = problem.Conflict("order-ended", "the job order's workflow has ended; the order can no longer be changed")

// ErrJobcenterNotFound is returned for a job centre that does not exist or is not the caller's.
var ErrJobcenterNotFound = problem.NotFound("no such job centre in your reach")

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

// refused tells whether a command changed nothing because the order refused it or has ended:
// whatever the service stored for it beforehand must be undone.
func refused(err error) bool {
	return joborder.IsRejection(err) || errors.Is(err, ErrOrderEnded)
}
