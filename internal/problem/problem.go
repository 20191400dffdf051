// Package problem is the error vocabulary every service speaks: a request that is not valid
// (FieldError, ValidationError), malformed, not found, forbidden or in conflict with the state of
// things. It sits at the bottom of the import graph, so services, workflows' callers and the
// console share one set of errors; api/errors.go maps them to RFC 9457 problems once.
package problem

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what sort of refusal an Error is: callers match it with errors.Is (ErrNotFound, ...),
// and the HTTP status follows from it (api/errors.go).
type Kind int

// The kinds of refusal.
const (
	// KindInvalid: the request names something that breaks a rule (422).
	KindInvalid Kind = iota + 1
	// KindMalformed: the request cannot be read at all (400).
	KindMalformed
	// KindNotFound: the thing does not exist, or the caller may not know that it does (404).
	KindNotFound
	// KindForbidden: the caller may see the thing but not do this to it (403).
	KindForbidden
	// KindConflict: the thing's present state does not allow it (409).
	KindConflict
)

// Problem types that callers (and api's tests) tell apart by name.
const (
	// TypeValidation is the type of a ValidationError and of a field-level refusal.
	TypeValidation = "validation"
	// TypeMalformed is the type of a body that is not the JSON the endpoint takes.
	TypeMalformed = "malformed-json"
	// TypeNotFound is the default type of KindNotFound.
	TypeNotFound = "not-found"
	// TypeForbidden is the default type of KindForbidden.
	TypeForbidden = "forbidden"
	// TypeConflict is the default type of KindConflict.
	TypeConflict = "conflict"
	// TypeCommandRejected is a command the order's workflow refused (joborder.Rejection).
	TypeCommandRejected = "command-rejected"
)

// FieldError says what is wrong with one field; Field is a JSON path such as
// "workplace.postal_code" or "sharing_steps[1].level".
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Detail }

// Field returns a FieldError with a formatted detail.
func Field(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Detail: fmt.Sprintf(format, args...)}
}

// ValidationError lists every field that is wrong in a request; nothing was stored.
type ValidationError struct {
	// Subject names what was not valid in the problem's detail ("the caseworker"); empty
	// means "the request".
	Subject string
	Fields  []FieldError
}

// Error lists the fields and what is wrong with each.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid " + strings.TrimPrefix(e.subject(), "the ") + ": " + strings.Join(parts, "; ")
}

// Summary is the one sentence a problem's detail says about the error.
func (e *ValidationError) Summary() string { return e.subject() + " is not valid; see errors" }

func (e *ValidationError) subject() string {
	if e.Subject == "" {
		return "the request"
	}
	return e.Subject
}

// Add records a problem with a field.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Fields = append(e.Fields, Field(field, format, args...))
}

// Has tells whether a field already has a problem, so later checks don't pile onto it.
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns e when it holds a problem and nil when it holds none.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid returns a ValidationError for the fields, or nil when there are none.
func Invalid(fields ...FieldError) error {
	return (&ValidationError{Fields: fields}).Err()
}

// Error is a refusal of one Kind with the detail a caller is shown. Type names the problem
// (its RFC 9457 type slug); empty means the kind's default type. Fields, when set, name the
// fields the refusal is about.
type Error struct {
	Kind   Kind
	Type   string
	Detail string
	Fields []FieldError
}

// Error returns the detail.
func (e *Error) Error() string { return e.Detail }

// Is makes a bare Error of a kind (ErrNotFound, ErrForbidden, ...) match every Error of that
// kind, so errors.Is(err, problem.ErrForbidden) asks "is this a refusal of that kind".
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == "" && t.Detail == "" && len(t.Fields) == 0 && t.Kind == e.Kind
}

// TypeName is the problem type slug: Type, or the kind's default.
func (e *Error) TypeName() string {
	if e.Type != "" {
		return e.Type
	}
	switch e.Kind {
	case KindInvalid:
		return TypeValidation
	case KindMalformed:
		return TypeMalformed
	case KindNotFound:
		return TypeNotFound
	case KindForbidden:
		return TypeForbidden
	case KindConflict:
		return TypeConflict
	}
	return "internal"
}

// Kinds to match with errors.Is; they are never returned themselves.
var (
	ErrNotFound  = &Error{Kind: KindNotFound}
	ErrForbidden = &Error{Kind: KindForbidden}
	ErrConflict  = &Error{Kind: KindConflict}
)

// NotFound says the thing does not exist (or is out of the caller's reach).
func NotFound(detail string) *Error { return &Error{Kind: KindNotFound, Detail: detail} }

// Forbidden says the caller may not do this.
func Forbidden(detail string) *Error { return &Error{Kind: KindForbidden, Detail: detail} }

// Conflict says the present state does not allow it; typ names the problem ("" for "conflict").
func Conflict(typ, detail string, fields ...FieldError) *Error {
	return &Error{Kind: KindConflict, Type: typ, Detail: detail, Fields: fields}
}

// Unprocessable says the request is well-formed but breaks a rule that is not about one field;
// typ names the rule ("consent-missing").
func Unprocessable(typ, detail string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Type: typ, Detail: detail, Fields: fields}
}

// Malformed says the body is not the JSON the endpoint takes.
func Malformed(detail string, fields ...FieldError) *Error {
	return &Error{Kind: KindMalformed, Detail: detail, Fields: fields}
}

// BadRequest says a query parameter or header is not valid (400, type "validation").
func BadRequest(detail string, fields ...FieldError) *Error {
	return &Error{Kind: KindMalformed, Type: TypeValidation, Detail: detail, Fields: fields}
}

// HasType tells whether err is (or wraps) an Error of the problem type typ.
func HasType(err error, typ string) bool {
	var e *Error
	return errors.As(err, &e) && e.TypeName() == typ
}
