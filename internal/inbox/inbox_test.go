package inbox

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/pgtest"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

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

func newService(db *gorm.DB) *Service {
	return NewService(db, access.DBRelations{DB: db, Ref: refdata.Default()})
}

func TestUnassignedOrdersOfMyJobcentreOldestFirstWithTheirCount(t *testing.T) {
	db := dbtest.Postgres(t)
	db.Create(&models.Company{CVR: "10103940", Name: "Tømrerfirmaet A/S", CreatedAt: created, UpdatedAt: created})
	for i := 0; i < MaxItems+5; i++ {
		order(t, db, "751", models.StatusOpen, nil, created.Add(time.Duration(MaxItems+5-i)*time.Hour), fmt.Sprintf("ledig %02d", i))
	}
	order(t, db, "751", models.StatusOpen, ptr("cw-1"), created, "has a coordinator")
	order(t, db, "751", models.StatusClosed, nil, created, "closed")
	order(t, db, "751", models.StatusTemporarilyInactive, nil, created, "inactive")
	order(t, db, "101", models.StatusOpen, nil, created, "another job centre")

	in, err := newService(db).For(context.Background(), cw)
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
	if in, _ := newService(db).For(context.Background(), far); in.Unassigned.Count != 1 || in.Unassigned.Items[0].Title != "another job centre" {
		t.Errorf("job centre 101: %+v", in.Unassigned)
	}
}

func TestProposalsWaitForTheOrdersCoordinatorOrAManager(t *testing.T) {
	db := dbtest.Postgres(t)
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

	svc := newService(db)
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
	db := dbtest.Postgres(t)
	if _, err := newService(db).For(context.Background(), emp); err != ErrNotStaff {
		t.Errorf("employer: %v", err)
	}
}

// at fixes the service's clock.
func at(svc *Service, now time.Time) *Service { svc.now = func() time.Time { return now }; return svc }

func deadline(t testing.TB, db *gorm.DB, o models.JobOrder, name, kind string, due time.Time) {
	t.Helper()
	c := ""
	if o.CoordinatorID != nil {
		c = *o.CoordinatorID
	}
	if err := db.Create(&models.JobOrderDeadline{JobOrderID: o.ID, Name: name, Kind: kind, CoordinatorID: c, DueAt: due}).Error; err != nil {
		t.Fatal(err)
	}
}

func TestDueRemindersOfMyOpenOrdersLongestOverdueFirstWithWhatFallsToday(t *testing.T) {
	db := dbtest.Postgres(t)
	cph := policy.Copenhagen
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, cph)
	mine := order(t, db, "751", models.StatusOpen, ptr("cw-1"), created, "mine")
	other := order(t, db, "751", models.StatusOpen, ptr("cw-1"), created, "mine too")
	paused := order(t, db, "751", models.StatusTemporarilyInactive, ptr("cw-1"), created, "paused")
	colleagues := order(t, db, "751", models.StatusOpen, ptr("cw-2"), created, "colleague's")
	deadline(t, db, mine, "contact", models.DeadlineContact, time.Date(2026, 12, 3, 9, 0, 0, 0, cph))
	deadline(t, db, mine, "follow_up:f1", models.DeadlineFollowUp, time.Date(2026, 12, 7, 15, 0, 0, 0, cph))
	deadline(t, db, mine, "close_out", models.DeadlineCloseOut, time.Date(2026, 12, 8, 0, 0, 0, 0, cph)) // tomorrow
	deadline(t, db, other, "first_referral", models.DeadlineFirstReferral, time.Date(2026, 12, 7, 9, 59, 0, 0, cph))
	deadline(t, db, paused, "contact", models.DeadlineContact, time.Date(2026, 12, 1, 9, 0, 0, 0, cph))
	deadline(t, db, colleagues, "contact", models.DeadlineContact, time.Date(2026, 12, 1, 9, 0, 0, 0, cph))

	in, err := at(newService(db), now).For(context.Background(), cw)
	if err != nil {
		t.Fatal(err)
	}
	d := in.Due
	if d.Count != 3 || d.Overdue != 2 || d.Today != 1 || len(d.Items) != 3 {
		t.Fatalf("due: %+v", d)
	}
	want := []struct {
		title, deadline string
		overdue         bool
	}{{"mine", models.DeadlineContact, true}, {"mine too", models.DeadlineFirstReferral, true}, {"mine", models.DeadlineFollowUp, false}}
	for i, w := range want {
		if it := d.Items[i]; it.Title != w.title || it.Deadline != w.deadline || it.Overdue != w.overdue || it.Kind != KindDue {
			t.Errorf("row %d: %+v, want %+v", i, it, w)
		}
	}
	if in, _ := at(newService(db), now).For(context.Background(), cw2); in.Due.Count != 1 || in.Due.Items[0].Title != "colleague's" {
		t.Errorf("the colleague's: %+v", in.Due)
	}
}

func TestOrdersSharedWithMyJobcentreAreNewUntilIOpenThemOrMarkAllSeen(t *testing.T) {
	db := dbtest.Postgres(t)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	share := func(o models.JobOrder, level string, when time.Time) models.JobOrder {
		t.Helper()
		if err := db.Model(&o).Updates(map[string]any{"sharing": level, "shared_at": when}).Error; err != nil {
			t.Fatal(err)
		}
		return o
	}
	neighbour := share(order(t, db, "710", models.StatusOpen, nil, created, "Favrskov naboer"), models.SharingNeighbours, now.Add(-2*time.Hour))
	national := share(order(t, db, "101", models.StatusOpen, nil, created, "København landsdækkende"), models.SharingNational, now.Add(-time.Hour))
	share(order(t, db, "101", models.StatusOpen, nil, created, "København naboer"), models.SharingNeighbours, now.Add(-time.Hour)) // 101 is no neighbour of 751
	share(order(t, db, "710", models.StatusClosed, nil, created, "lukket"), models.SharingNational, now.Add(-time.Hour))
	share(order(t, db, "710", models.StatusOpen, nil, created, "gammel"), models.SharingNational, now.Add(-NewFor-time.Hour))
	share(order(t, db, "751", models.StatusOpen, nil, created, "vores egen"), models.SharingNational, now.Add(-time.Hour))
	order(t, db, "710", models.StatusOpen, nil, created, "intern")

	svc := at(newService(db), now)
	titles := func(p auth.Principal) []string {
		t.Helper()
		in, err := svc.For(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, it := range in.Shared.Items {
			if it.Kind != KindShared {
				t.Errorf("kind %q", it.Kind)
			}
			out = append(out, it.Title+"@"+it.FromJobcenter)
		}
		if in.Shared.Count != len(out) {
			t.Errorf("count %d, %d rows", in.Shared.Count, len(out))
		}
		return out
	}
	if got := titles(cw); fmt.Sprint(got) != "[Favrskov naboer@710 København landsdækkende@101]" {
		t.Errorf("new to cw-1: %v", got)
	}
	if err := svc.MarkSeen(context.Background(), cw, neighbour.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.MarkSeen(context.Background(), cw, neighbour.ID); err != nil {
		t.Errorf("seeing an order again: %v", err)
	}
	if got := titles(cw); fmt.Sprint(got) != "[København landsdækkende@101]" {
		t.Errorf("after opening the neighbour's: %v", got)
	}
	if got := titles(cw2); len(got) != 2 {
		t.Errorf("seen is per caseworker: cw-2 still has %v", got)
	}
	if err := svc.MarkAllSeen(context.Background(), cw2); err != nil {
		t.Fatal(err)
	}
	if got := titles(cw2); len(got) != 0 {
		t.Errorf("after marking all seen: %v", got)
	}
	// Shared again later (widened to national): new again to whoever has not opened it.
	share(neighbour, models.SharingNational, now.Add(time.Minute))
	if got := at(svc, now.Add(2*time.Minute)).titlesFor(t, cw2); fmt.Sprint(got) != "[Favrskov naboer]" {
		t.Errorf("widened after the mark: %v", got)
	}
	if got := titles(far); fmt.Sprint(got) != "[vores egen@751 Favrskov naboer@710]" {
		t.Errorf("far away sees the ones shared nationally: %v", got)
	}
	_ = national
}

func (s *Service) titlesFor(t *testing.T, p auth.Principal) []string {
	t.Helper()
	in, err := s.For(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range in.Shared.Items {
		out = append(out, it.Title)
	}
	return out
}
