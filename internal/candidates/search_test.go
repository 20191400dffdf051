package candidates_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/internal/dbtest"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/models"
)

// The dev database (SQLite) answers searches and suggestions like PostgreSQL does (the API tests
// run on PostgreSQL): FTS5 with the same Danish stemmer, the same index tables and orders.
func TestSearchAndSuggestionsOnTheSQLiteDevDatabase(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	ref := refdata.Default()
	osvc := orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil)
	refs := referrals.NewService(db, osvc, nil, nil)
	search := candidates.NewService(db, osvc, ref)
	cw := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	other := auth.Principal{Subject: "cw-2", Role: auth.RoleCaseworker, Jobcenter: "101"}
	add := func(p auth.Principal, name string, searchable bool, headline, occupation, experience string) string {
		t.Helper()
		c, err := refs.CreateCandidate(ctx, p, referrals.CandidateRequest{Name: &name, Email: ptr(uuid.NewString()[:8] + "@example.dk"), Searchable: &searchable,
			CV: &referrals.CV{Headline: headline, Occupations: []string{occupation}, Experience: experience}})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct updated_at: newest first is well defined
		return c.ID
	}
	carpenter := add(cw, "Peter", true, "Tømrer", "7115", "Tage og vinduer")
	welder := add(cw, "Ole", true, "Smed", "7212", "Svejser sammen med tømrere")
	mason := add(cw, "Mads", true, "Murer", "7112", "Facader")
	hidden := add(other, "Skjult", false, "Tømrer", "7115", "")
	otherCarpenter := add(other, "Anden", true, "Tømrer", "7115", "")

	page, err := search.Search(ctx, cw, candidates.Filter{Query: "tømrerne"})
	if err != nil {
		t.Fatal(err)
	}
	got := hitIDs(page)
	if len(got) != 3 || got[0] != otherCarpenter || got[1] != carpenter || got[2] != welder {
		t.Errorf("q=tømrerne found %v, want both carpenters (headline matches) before the welder (experience)", got)
	}
	page, err = search.Search(ctx, cw, candidates.Filter{Occupation: "711"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(page); len(got) != 3 || got[0] != otherCarpenter || got[1] != mason || got[2] != carpenter {
		t.Errorf("occupation=711 found %v, want 101's carpenter, the mason, 751's carpenter (newest first)", got)
	}
	for _, h := range page.Items {
		if h.ID == hidden {
			t.Error("another job centre's non-searchable CV was found")
		}
	}
	now := time.Now().UTC()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Tømrer til tage", Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115", Positions: 1,
		Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: cw.Subject, CreatedByRole: cw.Role,
		CreatedAt: now, UpdatedAt: now}
	o.WorkflowID = "job-order/" + o.ID
	if err := db.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	list, err := search.Suggest(ctx, cw, o.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range list.Items {
		order = append(order, s.Candidate.ID)
	}
	if len(order) != 3 || order[0] != carpenter || order[1] != otherCarpenter || order[2] != mason {
		t.Fatalf("suggestions %v, want 751's carpenter, 101's carpenter, then the mason (minor group)", order)
	}
	if list.Items[0].Match != candidates.MatchSameOccupation || list.Items[2].Match != candidates.MatchRelatedOccupation {
		t.Errorf("matches %s, %s", list.Items[0].Match, list.Items[2].Match)
	}
}

func ptr[T any](v T) *T { return &v }

func hitIDs(p candidates.Page) []string {
	var out []string
	for _, h := range p.Items {
		out = append(out, h.ID)
	}
	return out
}
