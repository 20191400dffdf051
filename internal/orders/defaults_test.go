package orders_test

import (
	"errors"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// A new order's form starts as Create would complete it: the employer's own CVR, the
// caseworker's own job centre; those who may not create orders are refused as Create refuses them.
func TestCreateDefaultsAreWhatCreateWouldFillIn(t *testing.T) {
	svc := orders.NewService(nil, refdata.Default(), nil, nil, nil)
	got, err := svc.CreateDefaults(auth.Principal{Subject: "e", Role: auth.RoleEmployer, CVR: "10103940"})
	if err != nil || got.CompanyCVR != "10103940" || got.ResponsibleJobcenter != "" || got.Kind != models.KindOrdinary {
		t.Errorf("employer: %+v, %v", got, err)
	}
	for _, role := range []string{auth.RoleCaseworker, auth.RoleManager} {
		got, err = svc.CreateDefaults(auth.Principal{Subject: "cw", Role: role, Jobcenter: "751"})
		if err != nil || got.CompanyCVR != "" || got.ResponsibleJobcenter != "751" || got.Kind != models.KindOrdinary {
			t.Errorf("%s: %+v, %v", role, got, err)
		}
	}
	if _, err := svc.CreateDefaults(auth.Principal{Subject: "a", Role: auth.RoleAdmin}); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("admin: %v, want ErrForbidden", err)
	}
	if _, err := svc.Create(t.Context(), auth.Principal{Subject: "a", Role: auth.RoleAdmin}, orders.CreateRequest{}, ""); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("admin create: %v, want ErrForbidden", err)
	}
}
