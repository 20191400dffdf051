package orders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// fieldAnswer stands for a validation error naming the field answer.
const fieldAnswer problem.Kind = -1

// The close-out answer's rules that the service decides before the workflow is asked: only the
// order's employer answers, the answer is close or still_recruiting, a second "close" on a closed
// order returns the closed order, and an order that is not open is a conflict otherwise.
func TestAnswerCloseOutIsTheEmployersAndRejectsBadAnswersAndOrdersNotOpen(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	svc := orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil)
	const cvr = "10103940"
	add := func(status, reason string) string {
		t.Helper()
		at := time.Now().UTC().Add(-time.Hour)
		o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: cvr, Title: "Ordre", Description: "x", WorkplaceAddress: "Vej 1",
			WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
			Positions: 1, Kind: models.KindOrdinary, Status: status, CloseReason: reason, Sharing: models.SharingInternal, CreatedBySubject: "x",
			CreatedByRole: auth.RoleCaseworker, CreatedAt: at, UpdatedAt: at}
		o.WorkflowID = "job-order/" + o.ID
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	open := add(models.StatusOpen, "")
	paused := add(models.StatusTemporarilyInactive, "")
	closed := add(models.StatusClosed, joborder.CloseReasonClosedByEmployer)
	employer := auth.Principal{Subject: "e", Role: auth.RoleEmployer, CVR: cvr}
	other := auth.Principal{Subject: "e2", Role: auth.RoleEmployer, CVR: "12345674"}
	cw := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	kind := func(err error) problem.Kind {
		var pe *problem.Error
		if errors.As(err, &pe) {
			return pe.Kind
		}
		var ve *problem.ValidationError
		if errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Fields[0].Field == "answer" {
			return fieldAnswer
		}
		t.Fatalf("not a problem: %#v", err)
		return 0
	}
	still := orders.CloseOutAnswerRequest{Answer: joborder.CloseOutAnswerStillRecruiting}
	closeIt := orders.CloseOutAnswerRequest{Answer: joborder.CloseOutAnswerClose}
	for name, c := range map[string]struct {
		p    auth.Principal
		id   string
		r    orders.CloseOutAnswerRequest
		want problem.Kind
	}{
		"another company's employer does not see the order": {other, open, still, problem.KindNotFound},
		"the caseworker does not answer for the employer":   {cw, open, still, problem.KindForbidden},
		"an unknown answer names the field":                 {employer, open, orders.CloseOutAnswerRequest{Answer: "maybe"}, fieldAnswer},
		"still recruiting on a paused order":                {employer, paused, still, problem.KindConflict},
		"still recruiting on a closed order":                {employer, closed, still, problem.KindConflict},
	} {
		_, err := svc.AnswerCloseOut(ctx, c.p, c.id, c.r)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if got := kind(err); got != c.want {
			t.Errorf("%s: %d (%v), want %d", name, got, err, c.want)
		}
	}
	v, err := svc.AnswerCloseOut(ctx, employer, closed, closeIt)
	if err != nil {
		t.Fatalf("close on a closed order: %v", err)
	}
	if v.Order == nil || v.Order.Status != models.StatusClosed {
		t.Errorf("close on a closed order shows %+v", v.Order)
	}
}
