package joborder

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

// The rules of the order's commands that need nothing but the command and the order's status.
// Each is written once, here, and used twice: by the order service, to answer 4xx before
// anything is stored or sent, and by the workflow's update validators, which have the last word
// because only the workflow knows the order's state for certain. The functions are pure (no
// clock, no I/O), so they are safe in workflow code.

// CheckSharing checks a sharing command on its own: a known level, and at most one of at (a time
// in the future) and after (a positive duration).
func CheckSharing(now time.Time, level string, at *time.Time, after *policy.Duration) []problem.FieldError {
	var v []problem.FieldError
	if models.SharingRank(level) < 0 {
		v = append(v, problem.FieldError{Field: "level", Detail: "must be internal, neighbours, community or national"})
	}
	if at != nil && after != nil {
		v = append(v, problem.FieldError{Field: "at", Detail: "give either at or after, not both"})
	}
	if at != nil && !at.After(now) {
		v = append(v, problem.FieldError{Field: "at", Detail: "must be in the future"})
	}
	if after != nil && (after.IsZero() || after.Days() < 0 || after.Clock() < 0) {
		v = append(v, problem.FieldError{Field: "after", Detail: "must be a positive ISO 8601 duration such as P3D"})
	}
	return v
}

// CheckStatus checks a status command on its own: a known status; a close reason when closing
// (one of CloseReasons, or CloseReasonClosedByEmployer) and only then; until only with
// temporarily_inactive, and in the future.
func CheckStatus(now time.Time, status, reason string, until *time.Time) []problem.FieldError {
	var v []problem.FieldError
	switch status {
	case models.StatusOpen, models.StatusTemporarilyInactive:
		if reason != "" {
			v = append(v, problem.FieldError{Field: "reason", Detail: "is only given when closing"})
		}
	case models.StatusClosed:
		if !slices.Contains(CloseReasons, reason) && reason != CloseReasonClosedByEmployer {
			v = append(v, problem.FieldError{Field: "reason", Detail: "is required when closing: one of " + strings.Join(CloseReasons, ", ")})
		}
	default:
		v = append(v, problem.FieldError{Field: "status", Detail: "must be open, temporarily_inactive or closed"})
	}
	if until != nil && status != models.StatusTemporarilyInactive {
		v = append(v, problem.FieldError{Field: "until", Detail: "is only given with temporarily_inactive"})
	}
	if until != nil && !until.After(now) {
		v = append(v, problem.FieldError{Field: "until", Detail: "must be in the future"})
	}
	return v
}

// CheckCloseOutAnswer checks the employer's answer to the close-out question on its own: one
// of CloseOutAnswerClose and CloseOutAnswerStillRecruiting. The order service and the
// workflow's validator both use it.
func CheckCloseOutAnswer(answer string) []problem.FieldError {
	if answer == CloseOutAnswerClose || answer == CloseOutAnswerStillRecruiting {
		return nil
	}
	return []problem.FieldError{{Field: "answer", Detail: "must be " + CloseOutAnswerClose + " or " + CloseOutAnswerStillRecruiting}}
}

// CheckTransition checks a status command against the order's current status (from): a closed
// order can only be reopened, and only before reopenBy (nil when the caller does not know the
// order's reopen window; the workflow always does); nothing is set to the status it already has,
// except a temporarily inactive order getting a new until. A refusal is an error type
// (ErrConflict, ErrOrderClosed) and a message; both are empty when the transition is allowed.
func CheckTransition(orderID, from, to string, until, reopenBy *time.Time, now time.Time) (errType, message string) {
	switch {
	case from == models.StatusClosed && to == models.StatusClosed:
		return ErrConflict, fmt.Sprintf("job order %s is already closed", orderID)
	case from == models.StatusClosed && to != models.StatusOpen:
		return ErrOrderClosed, fmt.Sprintf("job order %s is closed; it can only be reopened", orderID)
	case from == models.StatusClosed && reopenBy != nil && !now.Before(*reopenBy):
		return ErrOrderClosed, fmt.Sprintf("job order %s can no longer be reopened", orderID)
	case from == models.StatusOpen && to == models.StatusOpen:
		return ErrConflict, fmt.Sprintf("job order %s is already open", orderID)
	case from == models.StatusTemporarilyInactive && to == models.StatusTemporarilyInactive && until == nil:
		return ErrConflict, fmt.Sprintf("job order %s is already temporarily inactive", orderID)
	}
	return "", ""
}

// CheckPositions checks the number of positions of an order.
func CheckPositions(positions int) []problem.FieldError {
	if positions < 1 || positions > MaxPositions {
		return []problem.FieldError{{Field: "positions", Detail: fmt.Sprintf("must be between 1 and %d", MaxPositions)}}
	}
	return nil
}

// MaxPositions is the most positions one order may have.
const MaxPositions = 999

// FieldsMessage is the one-line message of a command whose fields break the rules above, as
// the workflow's validators answer it (with ErrInvalidCommand): every field and what is wrong.
func FieldsMessage(fields []problem.FieldError) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + " " + f.Detail
	}
	return strings.Join(parts, "; ")
}
