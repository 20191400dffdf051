package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// A preview puts the new order's reminders and sharing steps under both policies side by side
// and counts the running orders a change moves: a new first step already due shares every
// open order at once, except one whose sharing someone chose by hand.
func TestPreviewPolicyShowsTheNewOrdersStepsAndHowRunningOrdersMove(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	svc := orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil)
	manager := auth.Principal{Subject: "mgr-1", Role: auth.RoleManager, Jobcenter: "751"}
	created := time.Now().UTC().AddDate(0, 0, -14)
	add := func(status string, manual bool) {
		t.Helper()
		o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Ordre", Description: "x", WorkplaceAddress: "Vej 1",
			WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
			Positions: 1, Kind: models.KindOrdinary, Status: status, Sharing: models.SharingInternal, CreatedBySubject: "x",
			CreatedByRole: auth.RoleCaseworker, CreatedAt: created, UpdatedAt: created}
		o.WorkflowID = "job-order/" + o.ID
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		if manual {
			e := models.JobOrderEvent{JobOrderID: o.ID, EventKey: uuid.NewString(), Type: string(joborder.EventSharingChanged), At: created.Add(time.Hour),
				ActorID: "cw-1", ActorRole: "caseworker", Details: `{"level":"internal","cause":"manual"}`}
			if err := db.Create(&e).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	add(models.StatusOpen, false)
	add(models.StatusOpen, false)
	add(models.StatusOpen, true)
	add(models.StatusClosed, false)

	steps := []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours}}
	pv, err := svc.PreviewPolicy(ctx, manager, "751", policy.Patch{SharingSteps: &steps})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Running != 3 {
		t.Errorf("running %d, want 3", pv.Running)
	}
	var shareNow int
	for _, m := range pv.Moves {
		if m.Name == "sharing" && m.Level == models.SharingNeighbours && m.How == orders.MoveNow {
			shareNow = m.Orders
		}
	}
	if shareNow != 2 {
		t.Errorf("shared at once: %d, want 2 (moves %+v)", shareNow, pv.Moves)
	}
	var line *orders.PreviewLine
	for i := range pv.NewOrder {
		if pv.NewOrder[i].Name == "sharing" {
			line = &pv.NewOrder[i]
		}
	}
	want := policy.AddDuration(pv.CreatedAt, steps[0].After, true)
	if line == nil || line.Current != nil || line.Next == nil || !line.Next.Equal(want) {
		t.Errorf("the new order's sharing step: %+v, want next %s", line, want)
	}
	// A bad step is named, and nothing is previewed.
	bad := []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: "everywhere"}}
	if _, err := svc.PreviewPolicy(ctx, manager, "751", policy.Patch{SharingSteps: &bad}); err == nil {
		t.Error("an unknown level was previewed")
	}
	if _, err := svc.PreviewPolicy(ctx, auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}, "751", policy.Patch{}); err == nil {
		t.Error("a caseworker previewed the policy")
	}
}
