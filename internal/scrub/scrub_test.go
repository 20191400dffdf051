package scrub

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Our fmt.Errorf text stays; the first error that is not ours is described without its text.
func TestTextKeepsOurWrappingAndDescribesTheForeignError(t *testing.T) {
	pg := &pgconn.PgError{Code: "23514", Message: "Failing row contains (karen@example.dk)", ConstraintName: "chk_email"}
	if got := Text(fmt.Errorf("referral %s: %w", "r-1", fmt.Errorf("store: %w", pg))); got != "referral r-1: store: PostgreSQL error SQLSTATE 23514 (constraint chk_email); the database's text withheld: it may hold personal data" {
		t.Fatalf("got %q", got)
	}
	if got := Text(errors.New("karen@example.dk is not valid")); strings.Contains(got, "karen") || !strings.HasPrefix(got, "errors.errorString error") {
		t.Fatalf("a bare foreign error: %q", got)
	}
	joined := fmt.Errorf("two: %w, %w", errors.New("karen@example.dk"), pg)
	if got := Text(joined); strings.Contains(got, "karen") {
		t.Fatalf("an error wrapping two: %q", got)
	}
}
