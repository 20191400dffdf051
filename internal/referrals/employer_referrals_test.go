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
)

// The employer's list of referred candidates holds the active CVs, each read logged in the CV
// access log as the API's GET .../referrals logs it, and says which referrals' CVs are gone
// (here a candidate whose CV was made inactive) without naming them; it is the order's
// employer's only. The order list's number of referred candidates (ReferredCounts) is the
// page's CVs plus the gone ones, a referral anonymised by the retention schedule included.
func TestForEmployerListsActiveCVsLogsEachReadAndCountsTheGoneOnes(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	osvc := orders.NewService(db, ref, quietWorkflows{}, access.DBRelations{DB: db, Ref: ref}, nil)
	svc := referrals.NewService(db, osvc, quietWorkflows{}, nil)
	cw := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	emp := auth.Principal{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"}
	if err := db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Tømrer", Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
		Positions: 1, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: "x",
		CreatedByRole: auth.RoleCaseworker, CreatedAt: now, UpdatedAt: now}
	o.WorkflowID = joborder.WorkflowID(o.ID)
	if err := db.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	candidate := func(name string) string {
		t.Helper()
		email, yes := "k@example.dk", true
		c, err := svc.CreateCandidate(ctx, cw, referrals.CandidateRequest{Name: &name, Email: &email, Searchable: &yes,
			CV: &referrals.CV{Headline: "Tømrer", Occupations: []string{"7115"}, Experience: "Tage og vinduer"}})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	active, inactive := candidate("Aktiv Kandidat"), candidate("Inaktiv Kandidat")
	var sent []string
	for _, c := range []string{active, inactive} {
		r, err := svc.Refer(ctx, cw, o.ID, referrals.ReferRequest{CandidateID: c})
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, r.ID)
	}
	no := false
	if _, err := svc.UpdateCandidate(ctx, cw, inactive, referrals.CandidateRequest{Active: &no}); err != nil {
		t.Fatal(err)
	}

	got, err := svc.ForEmployer(ctx, emp, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].ID != sent[0] || got.Items[0].Candidate.Name != "Aktiv Kandidat" || got.Items[0].Candidate.CV.Experience != "Tage og vinduer" {
		t.Errorf("items %+v, want the active candidate's referral with its CV", got.Items)
	}
	if len(got.Gone) != 1 || got.Gone[0].ID != sent[1] || got.Gone[0].SentAt == nil {
		t.Errorf("gone %+v, want the inactive candidate's referral with its sent date", got.Gone)
	}
	for _, c := range []struct {
		id   string
		want int
	}{{active, 1}, {inactive, 0}} {
		log, err := svc.AccessLog(ctx, cw, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != c.want {
			t.Errorf("candidate %s: %d reads in the access log, want %d", c.id, len(log), c.want)
			continue
		}
		if c.want == 1 && (log[0].ReaderID != emp.Subject || log[0].ReaderCVR != emp.CVR || log[0].JobOrderID != o.ID) {
			t.Errorf("the read is logged as %+v, want emp-1 of 10103940 on the order", log[0])
		}
	}
	// The API's list logs the same way: one more read of the active CV.
	if _, err := svc.List(ctx, emp, o.ID); err != nil {
		t.Fatal(err)
	}
	if log, _ := svc.AccessLog(ctx, cw, active); len(log) != 2 {
		t.Errorf("after the API's list: %d reads, want 2", len(log))
	}

	counts, err := svc.ReferredCounts(ctx, emp, []string{o.ID, uuid.NewString()})
	if err != nil || len(counts) != 1 || counts[o.ID] != 2 {
		t.Errorf("referred counts %v (%v), want 2 for the order and nothing for an unknown one", counts, err)
	}
	// The retention schedule anonymises a referral: its candidate ID becomes its own.
	if err := db.Model(&models.Referral{}).Where("id = ?", sent[1]).
		UpdateColumns(map[string]any{"candidate_id": sent[1], "anonymised_at": now}).Error; err != nil {
		t.Fatal(err)
	}
	if got, err := svc.ForEmployer(ctx, emp, o.ID); err != nil || len(got.Items) != 1 || len(got.Gone) != 1 || got.Gone[0].ID != sent[1] {
		t.Errorf("after anonymising: %+v (%v), want the anonymised referral among the gone ones", got, err)
	}
	if counts, _ := svc.ReferredCounts(ctx, emp, []string{o.ID}); counts[o.ID] != 2 {
		t.Errorf("after anonymising: counted %d, want 2", counts[o.ID])
	}
	if _, err := svc.ReferredCounts(ctx, cw, []string{o.ID}); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("a caseworker counting: %v, want 403", err)
	}

	if _, err := svc.ForEmployer(ctx, cw, o.ID); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("a caseworker: %v, want 403", err)
	}
	other := auth.Principal{Subject: "emp-2", Role: auth.RoleEmployer, CVR: "24256790"}
	if _, err := svc.ForEmployer(ctx, other, o.ID); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("another company's employer: %v, want not found", err)
	}
	if counts, err := svc.ReferredCounts(ctx, other, []string{o.ID}); err != nil || len(counts) != 0 {
		t.Errorf("another company's employer counted %v (%v), want nothing", counts, err)
	}
}
