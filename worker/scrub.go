package worker

import (
	"context"
	"errors"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/scrub"
)

// An activity's error becomes a failure that Temporal keeps: in the pending activity's last
// failure while it retries, in the history once it gives up, and in the worker's SDK log. Our own
// errors say what failed with IDs only, but the text of an error from the database, a driver or
// another library is not ours (internal/scrub). So every activity's error, local activities'
// included, leaves the worker through ScrubFailure. docs/privacy.md, "Temporal's side".

// scrubInterceptor applies ScrubFailure to every activity and local activity of the worker.
type scrubInterceptor struct {
	interceptor.WorkerInterceptorBase
}

func (*scrubInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &scrubActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type scrubActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *scrubActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	return res, ScrubFailure(err)
}

// ScrubFailure returns err as it may leave the worker for Temporal: nil stays nil; cancellation
// and a pending result stay as they are (the SDK acts on them); an ApplicationError made by our
// code keeps its message, type, retryability and next retry delay, with its cause scrubbed; any
// other error becomes a retryable ApplicationError (as the SDK would make it) whose message is
// scrub.Text: our wrapping text (fmt.Errorf's "…: %w" prefixes, which hold IDs) followed by a
// description of the first error that is not ours, without its text.
func ScrubFailure(err error) error {
	if err == nil {
		return nil
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) || errors.Is(err, activity.ErrResultPending) {
		return err
	}
	if appErr, ok := err.(*temporal.ApplicationError); ok {
		cause := errors.Unwrap(appErr)
		if cause == nil {
			return err
		}
		return temporal.NewApplicationErrorWithOptions(appErr.Message(), appErr.Type(), temporal.ApplicationErrorOptions{
			NonRetryable: appErr.NonRetryable(), Cause: ScrubFailure(cause), NextRetryDelay: appErr.NextRetryDelay(),
			Category: appErr.Category(),
		})
	}
	if appErr, ok := scrub.Foreign(err).(*temporal.ApplicationError); ok {
		// One of ours, wrapped with more of our text: keep it all, scrub its cause.
		inner := ScrubFailure(appErr).(*temporal.ApplicationError)
		prefix := ""
		if msg, tail := err.Error(), appErr.Error(); strings.HasSuffix(msg, tail) {
			prefix = strings.TrimSuffix(msg, tail)
		}
		return temporal.NewApplicationErrorWithOptions(prefix+inner.Message(), inner.Type(), temporal.ApplicationErrorOptions{
			NonRetryable: inner.NonRetryable(), Cause: errors.Unwrap(inner), NextRetryDelay: inner.NextRetryDelay(), Category: inner.Category(),
		})
	}
	return temporal.NewApplicationError(scrub.Text(err), scrub.TypeName(scrub.Foreign(err)))
}
