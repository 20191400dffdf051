package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// An employer's orders, as a picker lists them, are the ones the caller may read and that are
// not closed: the caller's own job centre's, and others' only when shared with it.
func TestEmployerOrdersListsTheOpenOrdersOfThatEmployerTheCallerMayRead(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	svc := orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil)
	at := time.Now().UTC().Add(-time.Hour)
	add := func(cvr, jobcenter, status, sharing string) string {
		t.Helper()
		at = at.Add(time.Minute)
		o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: cvr, Title: "Ordre", Description: "x", WorkplaceAddress: "Vej 1",
			WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: jobcenter, OccupationCode: "7115",
			Positions: 1, Kind: models.KindOrdinary, Status: status, Sharing: sharing, CreatedBySubject: "x", CreatedByRole: auth.RoleCaseworker,
			CreatedAt: at, UpdatedAt: at}
		o.WorkflowID = "job-order/" + o.ID
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	const cvr, otherCVR = "10103940", "12345674"
	own := add(cvr, "751", models.StatusOpen, models.SharingInternal)
	paused := add(cvr, "751", models.StatusTemporarilyInactive, models.SharingInternal)
	add(cvr, "751", models.StatusClosed, models.SharingInternal)
	add(otherCVR, "751", models.StatusOpen, models.SharingInternal)
	kbh := add(cvr, "101", models.StatusOpen, models.SharingInternal) // København's, not shared
	national := add(cvr, "101", models.StatusOpen, models.SharingNational)

	ids := func(p auth.Principal, cvr string) []string {
		t.Helper()
		list, err := svc.EmployerOrders(ctx, p, cvr)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, o := range list {
			out = append(out, o.ID)
		}
		return out
	}
	equal := func(what string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %v, want %v (newest first)", what, got, want)
			}
		}
	}
	cw := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	equal("Aarhus caseworker", ids(cw, cvr), []string{national, paused, own})
	equal("the employer", ids(auth.Principal{Subject: "e", Role: auth.RoleEmployer, CVR: cvr}, cvr), []string{national, kbh, paused, own})
	equal("another company's CVR", ids(auth.Principal{Subject: "e2", Role: auth.RoleEmployer, CVR: otherCVR}, cvr), []string{})
	equal("a far caseworker", ids(auth.Principal{Subject: "cw-461", Role: auth.RoleCaseworker, Jobcenter: "461"}, cvr), []string{national})
	equal("not a CVR", ids(cw, "1234"), []string{})
}
