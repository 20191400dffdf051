package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
)

const address = "karen.vestergaard@example.dk"

// A database error quoting an address, wrapped by our code with IDs, leaves the worker with our
// text, the SQLSTATE and the table, and without the address; it stays retryable.
func TestScrubFailureKeepsOurTextAndDropsTheDatabasesText(t *testing.T) {
	pg := &pgconn.PgError{Severity: "ERROR", Code: "P0001", Message: "outbox row refused for " + address, TableName: "outbox_messages",
		Detail: "Failing row contains (" + address + ")"}
	err := ScrubFailure(fmt.Errorf("mark outbox row %d sending: %w", 12, pg))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		t.Fatalf("%T, want an ApplicationError", err)
	}
	if strings.Contains(err.Error(), address) || strings.Contains(err.Error(), "Failing row") {
		t.Fatalf("the scrubbed failure holds the database's text: %q", err)
	}
	if want := "mark outbox row 12 sending: PostgreSQL error SQLSTATE P0001 (table outbox_messages)"; !strings.HasPrefix(appErr.Message(), want) {
		t.Fatalf("message %q, want it to start %q", appErr.Message(), want)
	}
	if appErr.NonRetryable() || appErr.Type() != "pgconn.PgError" {
		t.Fatalf("non-retryable %v, type %q", appErr.NonRetryable(), appErr.Type())
	}
}

// An error of a library we do not know is named by its type only; fixed sentinel texts stay.
func TestScrubFailureNamesAForeignErrorByItsType(t *testing.T) {
	err := ScrubFailure(fmt.Errorf("send webhook %s: %w", "wh-1", &quoting{}))
	if strings.Contains(err.Error(), address) || !strings.HasPrefix(err.Error(), "send webhook wh-1: worker.quoting error; its text withheld") {
		t.Fatalf("scrubbed: %q", err)
	}
	if got := message(ScrubFailure(fmt.Errorf("load outbox rows: %w", context.DeadlineExceeded))); got != "load outbox rows: context deadline exceeded" {
		t.Fatalf("a deadline: %q", got)
	}
	if got := message(ScrubFailure(gorm.ErrRecordNotFound)); got != "record not found" {
		t.Fatalf("not found: %q", got)
	}
}

func message(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}

type quoting struct{}

func (*quoting) Error() string { return "bad request: {\"to\": \"" + address + "\"}" }

// Our ApplicationErrors keep message, type, retryability and next retry delay; their cause is
// scrubbed like any error.
func TestScrubFailureKeepsOurApplicationErrorsAndScrubsTheirCause(t *testing.T) {
	mine := temporal.NewApplicationErrorWithOptions("3 outbox row(s) of k not delivered yet (500); retrying", "DeliveryRetry",
		temporal.ApplicationErrorOptions{NextRetryDelay: 7 * time.Second})
	if ScrubFailure(mine) != mine {
		t.Fatal("an ApplicationError without a cause was changed")
	}
	withCause := temporal.NewNonRetryableApplicationError("job order o-1 is not in the database", "NotFound", &quoting{})
	err := ScrubFailure(withCause)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Message() != "job order o-1 is not in the database" || appErr.Type() != "NotFound" || !appErr.NonRetryable() {
		t.Fatalf("scrubbed %#v", err)
	}
	if strings.Contains(err.Error(), address) {
		t.Fatalf("the cause kept its text: %q", err)
	}
	wrapped := ScrubFailure(fmt.Errorf("notify order o-1: %w", withCause))
	if !errors.As(wrapped, &appErr) || appErr.Message() != "notify order o-1: job order o-1 is not in the database" || appErr.Type() != "NotFound" ||
		!appErr.NonRetryable() || strings.Contains(wrapped.Error(), address) {
		t.Fatalf("our ApplicationError wrapped in our text: %v", wrapped)
	}
	if ScrubFailure(nil) != nil {
		t.Fatal("nil became an error")
	}
	canceled := temporal.NewCanceledError()
	if ScrubFailure(canceled) != canceled {
		t.Fatal("a cancellation was changed")
	}
}
