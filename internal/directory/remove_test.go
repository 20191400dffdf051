package directory

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/pgtest"
	"jobordre/internal/problem"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// storeOrder puts an order of 751 coordinated by coordinator in status in the database.
func storeOrder(t *testing.T, db *gorm.DB, status, coordinator string) {
	t.Helper()
	now := time.Now().UTC()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Tømrer", Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
		Positions: 1, Kind: models.KindOrdinary, Status: status, Sharing: models.SharingInternal, CoordinatorID: &coordinator,
		CreatedBySubject: "x", CreatedByRole: auth.RoleCaseworker, CreatedAt: now, UpdatedAt: now}
	o.WorkflowID = "job-order/" + o.ID
	if err := db.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
}

// login registers p as the middleware does at every request, and gives them a console session.
func login(t *testing.T, db *gorm.DB, d *Directory, p auth.Principal) {
	t.Helper()
	if err := d.Register(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := db.Create(&models.WebSession{ID: uuid.NewString(), Subject: p.Subject, Role: p.Role, Jobcenter: p.Jobcenter, Name: p.Name,
		Email: p.Email, Phone: p.Phone, CSRFToken: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
}

func sessionsOf(t *testing.T, db *gorm.DB, subject string) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.WebSession{}).Where("subject = ?", subject).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var leaver = auth.Principal{Subject: "cw-ida", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Fratrådt", Email: "ida@aarhus.dk", Phone: "+45 87 13 20 00"}

func TestRemovingACaseworkerClearsTheirPersonalDataEndsTheirSessionsAndKeepsTheID(t *testing.T) {
	db := dbtest.Postgres(t)
	d, ctx := New(db), context.Background()
	login(t, db, d, leaver)
	colleague := auth.Principal{Subject: "cw-bo", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Bo Bliver", Email: "bo@aarhus.dk"}
	login(t, db, d, colleague)
	storeOrder(t, db, models.StatusClosed, leaver.Subject) // a closed order keeps naming its coordinator's ID

	if err := d.RemoveCaseworker(ctx, "751", leaver.Subject); err != nil {
		t.Fatalf("remove: %v", err)
	}
	cw, err := d.Caseworker(ctx, leaver.Subject)
	if err != nil {
		t.Fatalf("the row (the ID of histories) must stay: %v", err)
	}
	if cw.Name != "" || cw.Email != "" || cw.Phone != "" || cw.RemovedAt == nil {
		t.Errorf("removed row = name %q email %q phone %q removed_at %v; want the personal data cleared and removed_at set", cw.Name, cw.Email, cw.Phone, cw.RemovedAt)
	}
	if n := sessionsOf(t, db, leaver.Subject); n != 0 {
		t.Errorf("the removed person has %d console sessions left", n)
	}
	if n := sessionsOf(t, db, colleague.Subject); n != 1 {
		t.Errorf("a colleague's sessions = %d, want 1 (untouched)", n)
	}
	staff, err := d.Caseworkers(ctx, "751")
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != 1 || staff[0].ID != colleague.Subject {
		t.Errorf("the staff list = %+v, want only %s (the removed person is not listed)", staff, colleague.Subject)
	}
	if err := d.RemoveCaseworker(ctx, "751", leaver.Subject); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("second removal = %v, want not found", err)
	}
	if err := d.RemoveCaseworker(ctx, "751", "cw-unknown"); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("unknown ID = %v, want not found", err)
	}
	if err := d.RemoveCaseworker(ctx, "746", colleague.Subject); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("another job centre's removal of 751's person = %v, want not found", err)
	}
}

func TestACoordinatorOfAnOpenOrPausedOrderCannotBeRemovedAndTheRefusalCountsTheOrders(t *testing.T) {
	db := dbtest.Postgres(t)
	d, ctx := New(db), context.Background()
	login(t, db, d, leaver)
	storeOrder(t, db, models.StatusOpen, leaver.Subject)
	storeOrder(t, db, models.StatusTemporarilyInactive, leaver.Subject)
	storeOrder(t, db, models.StatusClosed, leaver.Subject)

	err := d.RemoveCaseworker(ctx, "751", leaver.Subject)
	if !errors.Is(err, problem.ErrConflict) {
		t.Fatalf("remove = %v, want a conflict", err)
	}
	var refusal *CoordinatorError
	if !errors.As(err, &refusal) || refusal.Orders != 2 {
		t.Errorf("refusal %#v: want the count of open and paused orders, 2", err)
	}
	if !strings.Contains(err.Error(), "coordinates 2 open or temporarily inactive orders") || strings.Contains(err.Error(), leaver.Name) {
		t.Errorf("refusal %q: want the count of open and paused orders (2), never a name", err)
	}
	cw, _ := d.Caseworker(ctx, leaver.Subject)
	if cw.Name != leaver.Name || cw.RemovedAt != nil || sessionsOf(t, db, leaver.Subject) != 1 {
		t.Errorf("after the refusal: %+v, sessions %d; want nothing changed", cw, sessionsOf(t, db, leaver.Subject))
	}
	// Once the orders have another coordinator, the removal goes through.
	if err := db.Model(&models.JobOrder{}).Where("coordinator_id = ? AND status <> ?", leaver.Subject, models.StatusClosed).
		Update("coordinator_id", "cw-other").Error; err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveCaseworker(ctx, "751", leaver.Subject); err != nil {
		t.Errorf("remove after reassigning = %v", err)
	}
}

func TestALoginAfterRemovalRestoresThePersonFromTheirClaims(t *testing.T) {
	db := dbtest.Postgres(t)
	d, ctx := New(db), context.Background()
	login(t, db, d, leaver) // the directory has seen these claims: the next identical login must write anyway
	if err := d.RemoveCaseworker(ctx, "751", leaver.Subject); err != nil {
		t.Fatal(err)
	}
	if err := d.Register(ctx, leaver); err != nil {
		t.Fatal(err)
	}
	cw, err := d.Caseworker(ctx, leaver.Subject)
	if err != nil {
		t.Fatal(err)
	}
	if cw.RemovedAt != nil || cw.Name != leaver.Name || cw.Email != leaver.Email || cw.Phone != leaver.Phone {
		t.Errorf("after a new login: %+v; want removed_at cleared and name, e-mail and phone from the claims", cw)
	}
	if staff, _ := d.Caseworkers(ctx, "751"); len(staff) != 1 {
		t.Errorf("staff list = %+v, want the restored person", staff)
	}
}

func TestTwoRemovalsOfTheSamePersonAtOnceRemoveOnce(t *testing.T) {
	db := dbtest.Postgres(t)
	d, ctx := New(db), context.Background()
	login(t, db, d, leaver)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = d.RemoveCaseworker(ctx, "751", leaver.Subject) })
	}
	wg.Wait()
	ok, notFound := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, problem.ErrNotFound):
			notFound++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || notFound != 1 {
		t.Errorf("removals: %d succeeded, %d not found; want one each (%v)", ok, notFound, errs)
	}
}
