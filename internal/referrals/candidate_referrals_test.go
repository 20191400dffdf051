package referrals_test

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
	"jobordre/internal/referrals"
	"jobordre/models"
	"jobordre/workflows"
)

// quietWorkflows stands in for Temporal where a test only needs the database's side of a command.
type quietWorkflows struct{}

func (quietWorkflows) StartJobOrder(context.Context, workflows.JobOrderInput) error { return nil }
func (quietWorkflows) LiveState(context.Context, string) (joborder.LiveState, error) {
	return joborder.LiveState{}, errors.New("no workflows in this test")
}
func (quietWorkflows) Update(context.Context, string, string, any, any) error {
	return errors.New("no workflows in this test")
}
func (quietWorkflows) Signal(context.Context, string, string, any) error { return nil }

// The candidate's page lists every referral of the candidate, newest first, with the order's
// title and employer: sent to the own job centre's order, proposed to another's, withdrawn. Only
// the candidate's home job centre sees them.
func TestCandidateReferralsListsEveryReferralOfTheCandidateForItsHomeJobcentreOnly(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	osvc := orders.NewService(db, ref, quietWorkflows{}, access.DBRelations{DB: db, Ref: ref}, nil)
	svc := referrals.NewService(db, osvc, quietWorkflows{}, nil)
	cw := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	if err := db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	order := func(title, jobcenter, sharing string) string {
		t.Helper()
		now := time.Now().UTC()
		o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: title, Description: "x", WorkplaceAddress: "Vej 1",
			WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: jobcenter, OccupationCode: "7115",
			Positions: 1, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: sharing, CreatedBySubject: "x",
			CreatedByRole: auth.RoleCaseworker, CreatedAt: now, UpdatedAt: now}
		o.WorkflowID = joborder.WorkflowID(o.ID)
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	own := order("Tømrer til tage", "751", models.SharingInternal)
	national := order("Tømrer i København", "101", models.SharingNational)
	third := order("Tømrer til vinduer", "751", models.SharingInternal)

	name, email, yes := "Peter Tømrer", "peter@example.dk", true
	c, err := svc.CreateCandidate(ctx, cw, referrals.CandidateRequest{Name: &name, Email: &email, Searchable: &yes,
		CV: &referrals.CV{Headline: "Tømrer", Occupations: []string{"7115"}}})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := svc.Refer(ctx, cw, own, referrals.ReferRequest{CandidateID: c.ID, Note: "Passer godt"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	proposed, err := svc.Refer(ctx, cw, national, referrals.ReferRequest{CandidateID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	withdrawn, err := svc.Refer(ctx, cw, third, referrals.ReferRequest{CandidateID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Withdraw(ctx, cw, third, withdrawn.ID); err != nil {
		t.Fatal(err)
	}

	list, err := svc.CandidateReferrals(ctx, cw, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != withdrawn.ID || list[1].ID != proposed.ID || list[2].ID != sent.ID {
		t.Fatalf("referrals %+v, want withdrawn, proposed, sent (newest first)", list)
	}
	want := []struct{ status, title, jobcenter string }{
		{models.ReferralWithdrawn, "Tømrer til vinduer", "751"},
		{models.ReferralPendingApproval, "Tømrer i København", "101"},
		{models.ReferralSent, "Tømrer til tage", "751"},
	}
	for i, w := range want {
		r := list[i]
		if r.Status != w.status || r.OrderTitle != w.title || r.ResponsibleJobcenter != w.jobcenter || r.CompanyName != "Byg & Tag ApS" || r.CompanyCVR != "10103940" {
			t.Errorf("referral %d: %+v, want %+v of Byg & Tag ApS", i, r, w)
		}
	}
	if list[2].SentAt == nil || list[1].SentAt != nil || list[2].Note != "Passer godt" {
		t.Errorf("sent_at / note: %+v", list)
	}

	for _, p := range []auth.Principal{
		{Subject: "cw-kbh", Role: auth.RoleCaseworker, Jobcenter: "101"},
		{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"},
		{Subject: "admin", Role: auth.RoleAdmin},
	} {
		if _, err := svc.CandidateReferrals(ctx, p, c.ID); !errors.Is(err, referrals.ErrCandidateNotFound) {
			t.Errorf("%s %s: %v, want ErrCandidateNotFound", p.Role, p.Jobcenter, err)
		}
	}
	other, err := svc.CreateCandidate(ctx, cw, referrals.CandidateRequest{Name: &name, Email: &email, Searchable: &yes, CV: &referrals.CV{Headline: "Smed"}})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := svc.CandidateReferrals(ctx, cw, other.ID); err != nil || len(list) != 0 || list == nil {
		t.Errorf("a candidate never referred: %#v, %v; want an empty list", list, err)
	}
}

// A new candidate's form starts as CreateCandidate would store it: of the caseworker's job
// centre, active, Danish; only job-centre staff get one.
func TestCandidateDefaultsAreWhatCreateCandidateStarts(t *testing.T) {
	svc := referrals.NewService(nil, nil, quietWorkflows{}, nil)
	c, err := svc.CandidateDefaults(auth.Principal{Subject: "cw", Role: auth.RoleCaseworker, Jobcenter: "751"})
	if err != nil || c.HomeJobcenter != "751" || !c.Active || c.Language != "da" || c.ID != "" {
		t.Errorf("caseworker: %+v, %v", c, err)
	}
	for _, p := range []auth.Principal{{Subject: "e", Role: auth.RoleEmployer, CVR: "10103940"}, {Subject: "a", Role: auth.RoleAdmin}} {
		if _, err := svc.CandidateDefaults(p); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("%s: %v, want ErrForbidden", p.Role, err)
		}
	}
}

// A new candidate with several problems hears of all of them at once (a form shows them all),
// each field once.
func TestCreateCandidateNamesEveryProblemAtOnce(t *testing.T) {
	svc := referrals.NewService(nil, nil, quietWorkflows{}, nil)
	empty, bad := "", "not-an-address"
	_, err := svc.CreateCandidate(context.Background(), auth.Principal{Subject: "cw", Role: auth.RoleCaseworker, Jobcenter: "751"},
		referrals.CandidateRequest{Name: &empty, Email: &bad, CV: &referrals.CV{Occupations: []string{"71"}}})
	var ve *problem.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%v, want a validation error", err)
	}
	got := map[string]int{}
	for _, f := range ve.Fields {
		got[f.Field]++
	}
	for _, field := range []string{"searchable", "name", "email", "cv.headline", "cv.occupations[0]"} {
		if got[field] != 1 {
			t.Errorf("field %s named %d times in %+v", field, got[field], ve.Fields)
		}
	}
}
