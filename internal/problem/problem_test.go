package problem

import (
	"errors"
	"fmt"
	"testing"
)

func TestAKindMatchesEveryErrorOfThatKindAndASentinelOnlyItself(t *testing.T) {
	notFound := NotFound("no such order")
	wrapped := fmt.Errorf("load: %w", Forbidden("not yours"))
	if !errors.Is(notFound, ErrNotFound) || errors.Is(notFound, ErrForbidden) || !errors.Is(wrapped, ErrForbidden) {
		t.Fatal("kinds do not match")
	}
	other := NotFound("no such company")
	if errors.Is(other, notFound) || !errors.Is(fmt.Errorf("x: %w", notFound), notFound) {
		t.Fatal("a sentinel must match only itself")
	}
	if got := Conflict("already-referred", "x").TypeName(); got != "already-referred" {
		t.Fatal(got)
	}
	if got := Conflict("", "x").TypeName(); got != TypeConflict {
		t.Fatal(got)
	}
	if !HasType(wrapped, TypeForbidden) || HasType(wrapped, TypeConflict) {
		t.Fatal("HasType")
	}
}

func TestAValidationErrorWithoutFieldsIsNoError(t *testing.T) {
	v := &ValidationError{}
	if v.Err() != nil || Invalid() != nil {
		t.Fatal("no fields, no error")
	}
	v.Add("positions", "must be between 1 and %d", 999)
	if !v.Has("positions") || v.Has("title") || v.Err() == nil {
		t.Fatal("Add/Has")
	}
	if got := v.Error(); got != "invalid request: positions: must be between 1 and 999" {
		t.Fatal(got)
	}
	if got := (&ValidationError{Subject: "the caseworker"}).Summary(); got != "the caseworker is not valid; see errors" {
		t.Fatal(got)
	}
}
