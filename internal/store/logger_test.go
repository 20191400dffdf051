package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// A failed statement is logged with what identifies the database's error (SQLSTATE, table), not
// with its text, which may quote a value; a missing record is not logged at all.
func TestTheDatabaseLogShowsTheSQLStateNotTheDatabasesText(t *testing.T) {
	var buf bytes.Buffer
	l := gormLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	sql := func() (string, int64) { return `UPDATE "outbox_messages" SET "status"=$1$ WHERE id = $2$`, 0 }
	pg := &pgconn.PgError{Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type integer: "karen@example.dk"`, TableName: "outbox_messages"}
	l.Trace(context.Background(), time.Now(), sql, fmt.Errorf("mark outbox row %d sending: %w", 7, pg))
	l.Trace(context.Background(), time.Now(), sql, gorm.ErrRecordNotFound)
	// A session's own log mode (db.Debug() and the like) keeps the scrubbing.
	l.LogMode(logger.Error).Trace(context.Background(), time.Now(), sql, pg)
	out := buf.String()
	if strings.Contains(out, "karen") || !strings.Contains(out, "mark outbox row 7 sending: PostgreSQL error SQLSTATE 22P02 (table outbox_messages)") {
		t.Fatalf("logged: %s", out)
	}
	if n := strings.Count(out, "SQL executed"); n != 2 {
		t.Fatalf("%d statements logged, want the two failed ones only: %s", n, out)
	}
}
