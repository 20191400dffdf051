package candidates

import (
	"context"
	"slices"
	"testing"
	"time"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
)

// A search for words within an occupation gives the same answer whichever way it reads it: the
// occupation's newest CVs first (the words are common there) or the CVs with the words first
// (they are rare there); boundedScan is lowered so both ways run on a small data set.
func TestWordsWithinAnOccupationGiveTheSameAnswerWhicheverIndexIsRead(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	osvc := orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil)
	refs := referrals.NewService(db, osvc, nil, nil)
	svc := NewService(db, osvc, ref)
	cw := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	add := func(name, headline string, occupations ...string) string {
		t.Helper()
		yes := true
		email := name + "@example.dk"
		c, err := refs.CreateCandidate(ctx, cw, referrals.CandidateRequest{Name: &name, Email: &email, Searchable: &yes,
			CV: &referrals.CV{Headline: headline, Occupations: occupations}})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
		return c.ID
	}
	weldingNurse := add("a", "Sygeplejerske og svejser", "2221", "7212")
	var nurses []string
	for _, n := range []string{"b", "c", "d", "e", "f", "g"} {
		nurses = append(nurses, add(n, "Sygeplejerske", "2221"))
	}
	add("h", "Svejser", "7212")
	add("i", "Svejser", "7212")
	search := func(q string, limit int) []string {
		t.Helper()
		var all []string
		f := Filter{Query: q, Occupation: "2221", Limit: limit}
		for range 10 {
			page, err := svc.Search(ctx, cw, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range page.Items {
				all = append(all, h.ID)
			}
			if page.NextCursor == "" {
				return all
			}
			f.Cursor = page.NextCursor
		}
		t.Fatal("paging does not end")
		return nil
	}
	for _, bound := range []int{500, 3} {
		boundedScan = bound
		if got := search("svejser", 2); len(got) != 1 || got[0] != weldingNurse {
			t.Errorf("boundedScan %d: svejser within 2221 found %v, want only the welding nurse", bound, got)
		}
		want := append([]string{weldingNurse}, nurses...)
		slices.Reverse(want) // newest first; the welding nurse's headline matches too
		if got := search("sygeplejersker", 2); !slices.Equal(got, want) {
			t.Errorf("boundedScan %d: sygeplejersker within 2221 paged %v, want %v", bound, got, want)
		}
	}
	boundedScan = 500
}
