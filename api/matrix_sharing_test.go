package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/feed"
	"jobordre/models"
)

// The order routes of the authorization matrix (see matrix_test.go): every route that acts on
// one order, and the order lists, called by every caller with the fixture's order shared at each
// level. Who may read the order at each level (docs/api.md, "Who sees which orders"):
//
//	internal    E C C2 M A S           the employer, the responsible job centre 751 (its staff
//	                                   and its case system S), admins
//	neighbours  E C C2 M N A S         + 746, which borders 751
//	community   E C C2 M N K A S       + 101, in 751's recruitment community
//	national    E C C2 M N K F A S     + every job centre (461)
//
// Reading it is not changing it: only 751's staff change the order (the employer also its
// status); a caller who may read the order but not do this gets 403, anyone else 404.

// atLevels holds one cell string per sharing level.
type atLevels struct{ internal, neighbours, community, national string }

// everyLevel states that the sharing level does not change the answer.
func everyLevel(spec string) atLevels { return atLevels{spec, spec, spec, spec} }

func (l atLevels) at(level string) string {
	switch level {
	case models.SharingInternal:
		return l.internal
	case models.SharingNeighbours:
		return l.neighbours
	case models.SharingCommunity:
		return l.community
	case models.SharingNational:
		return l.national
	}
	panic("unknown sharing level " + level)
}

// sharingRow is an order route with its statuses per sharing level.
type sharingRow struct {
	route string         // "METHOD /path" as registered
	query string         // appended to the path, e.g. "?scope=national"
	rid   referralTarget // the referral :rid names
	body  func(f matrixFixture) any
	want  atLevels // "E=... E2=... C=... C2=... M=... N=... K=... F=... A=... S=..." per level
	// listed (list routes): the callers whose page holds the order, per level, or "none".
	listed *atLevels
	// shows: what a caller's successful answer must hold (proves the fixture planted what
	// forbiddenTexts looks for).
	shows map[string][]string
}

func (r sharingRow) name() string {
	n := r.route + r.query
	if r.rid != noReferral {
		n += " on " + r.rid.String()
	}
	return n
}

// parseListed reads "E C C2" (or "none") into a set of callers.
func parseListed(spec string) (map[string]bool, error) {
	set := map[string]bool{}
	if strings.TrimSpace(spec) == "none" {
		return set, nil
	}
	for _, k := range strings.Fields(spec) {
		if _, ok := callerByKey(k); !ok {
			return nil, fmt.Errorf("%q names no caller of matrixCallers", k)
		}
		set[k] = true
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("empty; write none when no caller lists the order")
	}
	return set, nil
}

// readers is who may read the order at each level (the table above).
var readers = atLevels{
	internal:   "E C C2 M A S",
	neighbours: "E C C2 M N A S",
	community:  "E C C2 M N K A S",
	national:   "E C C2 M N K F A S",
}

var sharingMatrix = []sharingRow{
	{route: "GET /api/v1/job-orders", want: everyLevel(all(200)), listed: &readers, shows: map[string][]string{
		"E": {coordinatorName, coordinatorEmail, coordinatorPhone, mailbox751},
	}},
	{route: "GET /api/v1/job-orders", query: "?scope=national", want: everyLevel(all(200)), listed: &atLevels{
		internal:   "none",
		neighbours: "none",
		community:  "none",
		national:   "E C C2 M N K F A S",
	}},
	// The pull feed: the order's events reach exactly those who may read the order.
	{route: "GET /api/v1/events", query: "?limit=200", want: everyLevel(all(200)), listed: &readers},
	{route: "GET /api/v1/job-orders/:id", want: atLevels{
		internal:   "E=200 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=200 S=200",
		neighbours: "E=200 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=200 S=200",
		community:  "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=404 A=200 S=200",
		national:   "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=200 A=200 S=200",
	}, shows: map[string][]string{
		"E": {coordinatorName, coordinatorEmail, coordinatorPhone, mailbox751},
		"C": {`"deadlines"`, `"next_reminder_at"`, `"policy"`, `"sharing"`, `"caseworker_id"`},
	}},
	{route: "GET /api/v1/job-orders/:id/history", want: atLevels{
		internal:   "E=200 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=200 S=200",
		neighbours: "E=200 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=200 S=200",
		community:  "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=404 A=200 S=200",
		national:   "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=200 A=200 S=200",
	}, shows: map[string][]string{
		"E": {sharedNote},
		"C": {secretNote, sharedNote, closeReason}, "C2": {secretNote, sharedNote, closeReason}, "M": {secretNote, sharedNote, closeReason},
		"N": {sharedNote}, "K": {sharedNote}, "F": {sharedNote},
		"A": {secretNote, sharedNote, closeReason},
	}},
	{route: "GET /api/v1/job-orders/:id/candidate-suggestions", want: atLevels{
		internal:   "E=403 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=403",
		neighbours: "E=403 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=403 S=403",
		community:  "E=403 E2=404 C=200 C2=200 M=200 N=200 K=200 F=404 A=403 S=403",
		national:   "E=403 E2=404 C=200 C2=200 M=200 N=200 K=200 F=200 A=403 S=403",
	}, shows: map[string][]string{
		"C": {"Kandidat Ny 751", "samme stilling"}, "N": {"Kandidat Ny 746", "Kandidat Ny 751"},
	}},
	{route: "PATCH /api/v1/job-orders/:id", body: func(matrixFixture) any { return map[string]any{"title": "Ny titel"} }, want: atLevels{
		internal:   "E=403 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=200",
		neighbours: "E=403 E2=404 C=200 C2=200 M=200 N=403 K=404 F=404 A=403 S=200",
		community:  "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=404 A=403 S=200",
		national:   "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=403 A=403 S=200",
	}},
	{route: "POST /api/v1/job-orders/:id/notes", body: func(matrixFixture) any { return map[string]any{"text": "x", "visibility": "internal"} }, want: atLevels{
		internal:   "E=403 E2=404 C=201 C2=201 M=201 N=404 K=404 F=404 A=403 S=201",
		neighbours: "E=403 E2=404 C=201 C2=201 M=201 N=403 K=404 F=404 A=403 S=201",
		community:  "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=404 A=403 S=201",
		national:   "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=403 A=403 S=201",
	}},
	{route: "PUT /api/v1/job-orders/:id/coordinator", body: func(matrixFixture) any { return map[string]any{"caseworker_id": "mgr-751"} }, want: atLevels{
		internal:   "E=403 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=200",
		neighbours: "E=403 E2=404 C=200 C2=200 M=200 N=403 K=404 F=404 A=403 S=200",
		community:  "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=404 A=403 S=200",
		national:   "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=403 A=403 S=200",
	}},
	// The contact person: the responsible job centre and the company's own people name one.
	{route: "PUT /api/v1/job-orders/:id/contact-person", body: func(matrixFixture) any { return map[string]any{"contact_id": employer.Subject} }, want: atLevels{
		internal:   "E=200 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=200",
		neighbours: "E=200 E2=404 C=200 C2=200 M=200 N=403 K=404 F=404 A=403 S=200",
		community:  "E=200 E2=404 C=200 C2=200 M=200 N=403 K=403 F=404 A=403 S=200",
		national:   "E=200 E2=404 C=200 C2=200 M=200 N=403 K=403 F=403 A=403 S=200",
	}},
	{route: "POST /api/v1/job-orders/:id/contacts", body: func(matrixFixture) any { return map[string]any{"note": "Ringet"} }, want: atLevels{
		internal:   "E=403 E2=404 C=201 C2=201 M=201 N=404 K=404 F=404 A=403 S=201",
		neighbours: "E=403 E2=404 C=201 C2=201 M=201 N=403 K=404 F=404 A=403 S=201",
		community:  "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=404 A=403 S=201",
		national:   "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=403 A=403 S=201",
	}},
	{route: "PUT /api/v1/job-orders/:id/sharing", body: func(matrixFixture) any { return map[string]any{"level": "national"} }, want: atLevels{
		internal:   "E=403 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=200",
		neighbours: "E=403 E2=404 C=200 C2=200 M=200 N=403 K=404 F=404 A=403 S=200",
		community:  "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=404 A=403 S=200",
		national:   "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=403 A=403 S=200",
	}},
	{route: "POST /api/v1/job-orders/:id/follow-ups", body: func(matrixFixture) any { return map[string]any{"due": future(), "note": "x"} }, want: atLevels{
		internal:   "E=403 E2=404 C=201 C2=201 M=201 N=404 K=404 F=404 A=403 S=201",
		neighbours: "E=403 E2=404 C=201 C2=201 M=201 N=403 K=404 F=404 A=403 S=201",
		community:  "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=404 A=403 S=201",
		national:   "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=403 A=403 S=201",
	}},
	{route: "POST /api/v1/job-orders/:id/follow-ups/:fid/done", want: atLevels{
		internal:   "E=403 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=200",
		neighbours: "E=403 E2=404 C=200 C2=200 M=200 N=403 K=404 F=404 A=403 S=200",
		community:  "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=404 A=403 S=200",
		national:   "E=403 E2=404 C=200 C2=200 M=200 N=403 K=403 F=403 A=403 S=200",
	}},
	{route: "POST /api/v1/job-orders/:id/hires", body: func(f matrixFixture) any { return map[string]any{"referral_id": f.sentReferral} }, want: atLevels{
		internal:   "E=403 E2=404 C=201 C2=201 M=201 N=404 K=404 F=404 A=403 S=201",
		neighbours: "E=403 E2=404 C=201 C2=201 M=201 N=403 K=404 F=404 A=403 S=201",
		community:  "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=404 A=403 S=201",
		national:   "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=403 A=403 S=201",
	}},
	{route: "PUT /api/v1/job-orders/:id/status", body: func(matrixFixture) any { return map[string]any{"status": "temporarily_inactive"} }, want: atLevels{
		internal:   "E=200 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=200",
		neighbours: "E=200 E2=404 C=200 C2=200 M=200 N=403 K=404 F=404 A=403 S=200",
		community:  "E=200 E2=404 C=200 C2=200 M=200 N=403 K=403 F=404 A=403 S=200",
		national:   "E=200 E2=404 C=200 C2=200 M=200 N=403 K=403 F=403 A=403 S=200",
	}},
	// Only the order's employer answers the close-out question (still_recruiting keeps the
	// fixture's order open for the rows after it).
	{route: "POST /api/v1/job-orders/:id/close-out-answer", body: func(matrixFixture) any { return map[string]any{"answer": "still_recruiting"} }, want: atLevels{
		internal:   "E=200 E2=404 C=403 C2=403 M=403 N=404 K=404 F=404 A=403 S=403",
		neighbours: "E=200 E2=404 C=403 C2=403 M=403 N=403 K=404 F=404 A=403 S=403",
		community:  "E=200 E2=404 C=403 C2=403 M=403 N=403 K=403 F=404 A=403 S=403",
		national:   "E=200 E2=404 C=403 C2=403 M=403 N=403 K=403 F=403 A=403 S=403",
	}},
	// Each job centre refers a candidate of its own: sent from 751, a proposal from a job centre
	// the order is shared with, 403 from one it is not shared with (it learns the order exists).
	{route: "POST /api/v1/job-orders/:id/referrals", body: func(f matrixFixture) any { return map[string]any{"candidate_id": f.freshCandidate} }, want: atLevels{
		internal:   "E=403 E2=404 C=201 C2=201 M=201 N=403 K=403 F=403 A=403 S=403",
		neighbours: "E=403 E2=404 C=201 C2=201 M=201 N=201 K=403 F=403 A=403 S=403",
		community:  "E=403 E2=404 C=201 C2=201 M=201 N=201 K=201 F=403 A=403 S=403",
		national:   "E=403 E2=404 C=201 C2=201 M=201 N=201 K=201 F=201 A=403 S=403",
	}},
	// The employer gets its sent CVs, 751 every referral, another job centre its own proposals.
	{route: "GET /api/v1/job-orders/:id/referrals", want: atLevels{
		internal:   "E=200 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=403 S=403",
		neighbours: "E=200 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=403 S=403",
		community:  "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=404 A=403 S=403",
		national:   "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=200 A=403 S=403",
	}, shows: map[string][]string{
		"E": {sentName, sentCV, employerOwnNote},
		"C": {secretReferral, neighbourProposalNote, communityProposalNote}, "C2": {secretReferral, neighbourProposalNote, communityProposalNote},
		"M": {secretReferral, neighbourProposalNote, communityProposalNote},
		"N": {neighbourProposalNote}, "K": {communityProposalNote},
	}},
	// Only the coordinator (C) or a manager of 751 decides; 751's other staff get 403, everyone
	// else 404, the proposer included, whatever the sharing.
	{route: "POST /api/v1/job-orders/:id/referrals/:rid/approve", rid: neighbourProposal, want: everyLevel(
		"E=404 E2=404 C=200 C2=403 M=200 N=404 K=404 F=404 A=404 S=403")},
	{route: "POST /api/v1/job-orders/:id/referrals/:rid/reject", rid: neighbourProposal, body: func(matrixFixture) any { return map[string]any{"reason": "Nej"} }, want: everyLevel(
		"E=404 E2=404 C=200 C2=403 M=200 N=404 K=404 F=404 A=404 S=403")},
	// 751's staff withdraw any referral; the proposer its own, while it may still see the order.
	{route: "POST /api/v1/job-orders/:id/referrals/:rid/withdraw", rid: sentReferral, want: everyLevel(
		"E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404")},
	{route: "POST /api/v1/job-orders/:id/referrals/:rid/withdraw", rid: neighbourProposal, want: atLevels{
		internal:   "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404",
		neighbours: "E=404 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=404 S=404",
		community:  "E=404 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=404 S=404",
		national:   "E=404 E2=404 C=200 C2=200 M=200 N=200 K=404 F=404 A=404 S=404",
	}},
	{route: "POST /api/v1/job-orders/:id/referrals/:rid/withdraw", rid: communityProposal, want: atLevels{
		internal:   "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404",
		neighbours: "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404",
		community:  "E=404 E2=404 C=200 C2=200 M=200 N=404 K=200 F=404 A=404 S=404",
		national:   "E=404 E2=404 C=200 C2=200 M=200 N=404 K=200 F=404 A=404 S=404",
	}},
	// The employer's own archive and note: 403 for everyone else, whatever they may read.
	{route: "PUT /api/v1/job-orders/:id/referrals/:rid/archive", rid: sentReferral, body: func(matrixFixture) any { return map[string]any{"archived": true} }, want: everyLevel(
		"E=200 E2=404 C=403 C2=403 M=403 N=403 K=403 F=403 A=403 S=403")},
	{route: "PUT /api/v1/job-orders/:id/referrals/:rid/employer-note", rid: sentReferral, body: func(matrixFixture) any { return map[string]any{"note": "Ring"} }, want: everyLevel(
		"E=200 E2=404 C=403 C2=403 M=403 N=403 K=403 F=403 A=403 S=403")},
}

// Every order route answers each caller with exactly its status at each sharing level; the
// lists hold the order exactly for those who may read it; no answer holds anything the caller
// must not see (internal notes, referral notes, other job centres' proposals, the employer's own
// note, inactive CVs, close reasons, candidates for admins).
func TestAuthorizationMatrixAnswersEveryCallerExactlyAtEverySharingLevel(t *testing.T) {
	w := newMatrixWorld(t)
	for _, level := range models.SharingLevels {
		t.Run(level, func(t *testing.T) {
			for _, row := range sharingMatrix {
				want, err := parseCells(row.want.at(level))
				if err != nil {
					t.Fatalf("%s: %v", row.name(), err)
				}
				var listed map[string]bool
				if row.listed != nil {
					if listed, err = parseListed(row.listed.at(level)); err != nil {
						t.Fatalf("%s: %v", row.name(), err)
					}
				}
				method, path, _ := strings.Cut(row.route, " ")
				for _, caller := range matrixCallers {
					t.Run(row.name()+" as "+caller.key, func(t *testing.T) {
						// Each cell has its own order; the shared candidates are only referred
						// to it, so the cells of a level run side by side.
						t.Parallel()
						a := w.as(t)
						f := w.fixture(a, caller, level)
						var body any
						if row.body != nil {
							body = row.body(f)
						}
						p := caller.p
						r := a.do(method, concrete(t, path, f, row.rid)+row.query, &p, body)
						if r.status != want[caller.key] {
							t.Fatalf("status %d, want %d: %s", r.status, want[caller.key], r.body)
						}
						checkAnswer(t, caller.key, f, r, row.shows[caller.key])
						if listed != nil && r.status == http.StatusOK {
							var l JobOrderList
							if path == "/api/v1/events" {
								// On PostgreSQL the feed shows an event once every transaction
								// older than its own has ended (internal/feed), and the other
								// cells write side by side: read again until it shows.
								for deadline := time.Now().Add(10 * time.Second); ; {
									l = feedOrders(t, a, p, r)
									if listHas(l, f.order) || !listed[caller.key] || time.Now().After(deadline) {
										break
									}
									time.Sleep(50 * time.Millisecond)
									r = a.do(method, path+row.query, &p, nil)
								}
							} else {
								r.json(t, &l)
							}
							if got := listHas(l, f.order); got != listed[caller.key] {
								t.Errorf("the order is on %s's page: %v, want %v", caller.key, got, listed[caller.key])
							}
						}
					})
				}
			}
		})
	}
}

// feedOrders reads the whole feed from its first page r on and lists the orders its events name.
func feedOrders(t *testing.T, a *testAPI, p auth.Principal, r response) JobOrderList {
	t.Helper()
	var l JobOrderList
	for {
		var page feed.Page
		r.json(t, &page)
		for _, e := range page.Items {
			l.Items = append(l.Items, JobOrderResponse{ID: e.Data.JobOrderID})
		}
		if len(page.Items) == 0 {
			return l
		}
		if r = a.do(http.MethodGet, "/api/v1/events?limit=200&after="+page.NextCursor, &p, nil); r.status != http.StatusOK {
			t.Fatalf("next page: %d %s", r.status, r.body)
		}
	}
}
