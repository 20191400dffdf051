// Package scrub turns an error into text that may be kept outside the application database
// (Temporal's failures, the logs): our own wrapping text, which holds IDs, stays; the text of
// the first error in the chain that is not ours (the database's, a driver's, a library's) is
// replaced by what identifies it without its data. PostgreSQL quotes input values in its texts
// ("invalid input syntax for type …: "…""), a trigger or a check may quote a whole row, and an
// HTTP client may quote a body. docs/privacy.md, "Temporal's side".
package scrub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Text is err's text with the text of the first error that is not ours (not made by fmt.Errorf
// with %w) replaced by Describe of it.
func Text(err error) string {
	foreign := Foreign(err)
	prefix := ""
	if msg, tail := err.Error(), foreign.Error(); foreign != err && strings.HasSuffix(msg, tail) {
		prefix = strings.TrimSuffix(msg, tail)
	}
	return prefix + Describe(foreign)
}

// Foreign is the first error in err's chain that fmt.Errorf did not make: where our text ends.
func Foreign(err error) error {
	for isWrapper(err) {
		inner := errors.Unwrap(err)
		if inner == nil {
			break
		}
		err = inner
	}
	return err
}

// withheld ends the description of an error whose text was dropped.
const withheld = "text withheld: it may hold personal data"

// isWrapper tells whether err was made by fmt.Errorf with %w: its text is the caller's.
func isWrapper(err error) bool {
	switch reflect.TypeOf(err).String() {
	case "*fmt.wrapError", "*fmt.wrapErrors":
		return true
	}
	return false
}

// Describe names an error that is not ours without its text, unless the text is fixed.
func Describe(err error) string {
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &pg):
		var where []string
		for _, kv := range [][2]string{{"table", pg.TableName}, {"column", pg.ColumnName}, {"constraint", pg.ConstraintName}} {
			if kv[1] != "" {
				where = append(where, kv[0]+" "+kv[1])
			}
		}
		s := "PostgreSQL error SQLSTATE " + pg.Code
		if len(where) > 0 {
			s += " (" + strings.Join(where, ", ") + ")"
		}
		return s + "; the database's " + withheld
	case fixedText(err) != "":
		return fixedText(err)
	}
	return fmt.Sprintf("%s error; its %s", TypeName(err), withheld)
}

// fixedText is the text of a sentinel error when err is exactly that sentinel.
func fixedText(err error) string {
	for _, s := range []error{context.Canceled, context.DeadlineExceeded, gorm.ErrRecordNotFound, sql.ErrNoRows, sql.ErrConnDone} {
		if err == s {
			return s.Error()
		}
	}
	return ""
}

// TypeName is the error's Go type without pointers, as the SDK names an error's type.
func TypeName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != "" && t.Name() != "" {
		return t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + "." + t.Name()
	}
	return t.String()
}
