package inbox

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/pgtest"
	"jobordre/internal/store"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func migrated(t testing.TB) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDatabase(t), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(db) })
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

var (
	cw      = auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	cw2     = auth.Principal{Subject: "cw-2", Role: auth.RoleCaseworker, Jobcenter: "751"}
	mgr     = auth.Principal{Subject: "mgr-1", Role: auth.RoleManager, Jobcenter: "751"}
	far     = auth.Principal{Subject: "cw-9", Role: auth.RoleCaseworker, Jobcenter: "101"}
	emp     = auth.Principal{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"}
	created = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

// order stores an order row as the workflow's projection leaves it.
func order(t testing.TB, db *gorm.DB, jobcenter, status string, coordinator *string, at time.Time, title string) models.JobOrder {
	t.Helper()
	id := uuid.NewString()
	o := models.JobOrder{
		ID: id, CompanyCVR: "10103940", Title: title, Description: "d", WorkplaceAddress: "a", WorkplacePostalCode: "8000",
		WorkplaceMunicipalityCode: jobcenter, ResponsibleJobcenter: jobcenter, OccupationCode: "7115", Positions: 1,
		Kind: models.KindOrdinary, Status: status, Sharing: models.SharingInternal, CoordinatorID: coordinator,
		CreatedBySubject: "x", CreatedByRole: auth.RoleCaseworker, WorkflowID: "job-order/" + id, CreatedAt: at, UpdatedAt: at,
	}
	if err := db.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

func ptr(s string) *string { return &s }

func TestUnassignedOrdersOfMyJobcentreOldestFirstWithTheirCount(t *testing.T) {
	db := migrated(t)
	db.Create(&models.Company{CVR: "10103940", Name: "Tømrerfirmaet A/S", CreatedAt: created, UpdatedAt: created})
	for i := 0; i < MaxItems+5; i++ {
		order(t, db, "751", models.StatusOpen, nil, created.Add(time.Duration(MaxItems+5-i)*time.Hour), fmt.Sprintf("ledig %02d", i))
	}
	order(t, db, "751", models.StatusOpen, ptr("cw-1"), created, "has a coordinator")
	order(t, db, "751", models.StatusClosed, nil, created, "closed")
	order(t, db, "751", models.StatusTemporarilyInactive, nil, created, "inactive")
	order(t, db, "101", models.StatusOpen, nil, created, "another job centre")

	in, err := NewService(db).For(context.Background(), cw)
	if err != nil {
		t.Fatal(err)
	}
	u := in.Unassigned
	if u.Count != MaxItems+5 || len(u.Items) != MaxItems {
		t.Fatalf("count %d, items %d", u.Count, len(u.Items))
	}
	if first := u.Items[0]; first.Title != fmt.Sprintf("ledig %02d", MaxItems+4) || first.CompanyName != "Tømrerfirmaet A/S" || first.Kind != KindUnassigned {
		t.Errorf("first (oldest) row: %+v", first)
	}
	for i := 1; i < len(u.Items); i++ {
		if u.Items[i].At.Before(u.Items[i-1].At) {
			t.Fatalf("not oldest first at %d", i)
		}
	}
	// Another job centre's caseworker sees none of them.
	if in, _ := NewService(db).For(context.Background(), far); in.Unassigned.Count != 1 || in.Unassigned.Items[0].Title != "another job centre" {
		t.Errorf("job centre 101: %+v", in.Unassigned)
	}
}

func TestProposalsWaitForTheOrdersCoordinatorOrAManager(t *testing.T) {
	db := migrated(t)
	mine := order(t, db, "751", models.StatusOpen, ptr("cw-1"), created, "mine")
	theirs := order(t, db, "751", models.StatusOpen, ptr("cw-2"), created, "colleague's")
	refer := func(o models.JobOrder, status string, at time.Time) {
		c := models.Candidate{ID: uuid.NewString(), Name: "n", Email: "e@x.dk", HomeJobcenter: "710", Searchable: true, Active: true, CV: "{}", CreatedBy: "x", CreatedAt: at, UpdatedAt: at}
		db.Create(&c)
		if err := db.Create(&models.Referral{ID: uuid.NewString(), JobOrderID: o.ID, CandidateID: c.ID, Status: status, Channel: "email",
			ProposedBy: "cw-nabo", ProposedByJobcenter: "710", CreatedAt: at, UpdatedAt: at}).Error; err != nil {
			t.Fatal(err)
		}
	}
	refer(mine, models.ReferralPendingApproval, created.Add(2*time.Hour))
	refer(mine, models.ReferralPendingApproval, created.Add(time.Hour))
	refer(mine, models.ReferralSent, created)
	refer(theirs, models.ReferralPendingApproval, created)

	svc := NewService(db)
	in, _ := svc.For(context.Background(), cw)
	if in.Proposals.Count != 2 || !in.Proposals.Items[0].At.Equal(created.Add(time.Hour)) || in.Proposals.Items[0].FromJobcenter != "710" || in.Proposals.Items[0].ReferralID == "" {
		t.Errorf("coordinator's proposals: %+v", in.Proposals)
	}
	if in, _ := svc.For(context.Background(), cw2); in.Proposals.Count != 1 || in.Proposals.Items[0].Title != "colleague's" {
		t.Errorf("the colleague's: %+v", in.Proposals)
	}
	if in, _ := svc.For(context.Background(), mgr); in.Proposals.Count != 3 {
		t.Errorf("the manager sees every proposal of the job centre: %+v", in.Proposals)
	}
	if in, _ := svc.For(context.Background(), far); in.Proposals.Count != 0 {
		t.Errorf("another job centre: %+v", in.Proposals)
	}
}

func TestTheInboxIsForJobcentreStaff(t *testing.T) {
	db := migrated(t)
	if _, err := NewService(db).For(context.Background(), emp); err != ErrNotStaff {
		t.Errorf("employer: %v", err)
	}
}
