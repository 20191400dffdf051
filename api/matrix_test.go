package api

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/models"
)

// The authorization matrix: every route, called as every kind of caller, against a fixture where
// the employer 10103940 owns an internal (unshared) order of job centre 751. Each cell is the exact
// status; employers' answers are also searched for data they must never see. A route added
// without a row here fails TestAuthorizationMatrixCoversEveryRoute.

// Callers of the matrix.
var matrixCallers = []struct {
	key string
	p   auth.Principal
}{
	{"E", employer},       // the order's employer
	{"E2", otherEmployer}, // another company
	{"C", caseworker},     // a caseworker of the responsible job centre (the coordinator)
	{"M", auth.Principal{Subject: "mgr-751", Role: auth.RoleManager, Jobcenter: "751"}},
	{"N", neighbourCW}, // a caseworker of a neighbouring job centre (746); the order is not shared
	{"F", auth.Principal{Subject: "cw-461", Role: auth.RoleCaseworker, Jobcenter: "461"}}, // far away
	{"A", admin},
}

// matrixFixture is a fresh order with everything the routes act on.
type matrixFixture struct {
	order, note, sentReferral, pendingReferral, candidate, freshCandidate, consent, community string
}

// Texts the employer must never see.
const (
	secretNote     = "INTERNAL-SECRET-NOTE"
	secretReferral = "INTERN-HENVISNINGSNOTE"
	pendingName    = "Kandidat Foreslaaet"
)

func newMatrixFixture(a *testAPI) matrixFixture {
	t := a.t
	var f matrixFixture
	f.order = a.createOrder(employer, validOrder()).ID
	a.db.Where("cvr = ?", employer.CVR).Delete(&models.Company{})
	if r := a.do(http.MethodPost, "/api/v1/companies", &employer, map[string]any{"cvr": employer.CVR, "name": "Tømrerfirmaet ApS", "industry_code": "43.32.00"}); r.status != 201 {
		t.Fatalf("company: %d %s", r.status, r.body)
	}
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("coordinator_id", caseworker.Subject).Error; err != nil {
		t.Fatal(err)
	}
	var note struct {
		Details map[string]string
	}
	a.do(http.MethodPost, "/api/v1/job-orders/"+f.order+"/notes", &caseworker, map[string]any{"text": secretNote, "visibility": "internal"}).json(t, &note)
	f.note = note.Details["note_id"]
	f.candidate = a.candidate(caseworker, "Kandidat Sendt", true)
	f.freshCandidate = a.candidate(caseworker, "Kandidat Ny", true)
	var ref struct{ ID string }
	a.do(http.MethodPost, "/api/v1/job-orders/"+f.order+"/referrals", &caseworker, map[string]any{"candidate_id": f.candidate, "note": secretReferral}).json(t, &ref)
	f.sentReferral = ref.ID
	// A proposal from the neighbour while the order was briefly shared with it.
	a.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", models.SharingNeighbours)
	nc := a.candidate(neighbourCW, pendingName, true)
	a.do(http.MethodPost, "/api/v1/job-orders/"+f.order+"/referrals", &neighbourCW, map[string]any{"candidate_id": nc}).json(t, &ref)
	f.pendingReferral = ref.ID
	a.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", models.SharingInternal)
	f.consent = a.consent(caseworker, f.candidate, employer.CVR, f.order)
	var c struct{ ID string }
	a.do(http.MethodPost, "/api/v1/recruitment-communities", &admin, map[string]any{"name": "Fællesskab " + f.order[:8], "members": []string{"751", "101"}}).json(t, &c)
	f.community = c.ID
	if f.note == "" || f.sentReferral == "" || f.pendingReferral == "" || f.consent == "" || f.community == "" {
		t.Fatalf("fixture incomplete: %+v", f)
	}
	return f
}

type matrixRow struct {
	method, path string // path template as registered, e.g. /api/v1/job-orders/:id
	body         func(f matrixFixture) any
	want         map[string]int // caller key → status
}

// all gives every caller the same status.
func all(status int) map[string]int {
	m := map[string]int{}
	for _, c := range matrixCallers {
		m[c.key] = status
	}
	return m
}

// cells reads "E=200 E2=404 ..." into a map and checks that every caller is named.
func cells(spec string) map[string]int {
	m := map[string]int{}
	for _, cell := range strings.Fields(spec) {
		var k string
		var v int
		parts := strings.SplitN(cell, "=", 2)
		k = parts[0]
		fmt.Sscan(parts[1], &v)
		m[k] = v
	}
	return m
}

func future() string { return time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339) }

var matrix = []matrixRow{
	{"POST", "/api/v1/job-orders", func(matrixFixture) any { return validOrder() }, cells("E=201 E2=422 C=201 M=201 N=422 F=422 A=403")},
	{"GET", "/api/v1/job-orders", nil, all(200)},
	{"GET", "/api/v1/job-orders/:id", nil, cells("E=200 E2=404 C=200 M=200 N=404 F=404 A=200")},
	{"PATCH", "/api/v1/job-orders/:id", func(matrixFixture) any { return map[string]any{"title": "Ny titel"} }, cells("E=403 E2=404 C=200 M=200 N=404 F=404 A=403")},
	{"GET", "/api/v1/job-orders/:id/history", nil, cells("E=200 E2=404 C=200 M=200 N=404 F=404 A=200")},
	{"POST", "/api/v1/job-orders/:id/notes", func(matrixFixture) any { return map[string]any{"text": "x", "visibility": "internal"} }, cells("E=403 E2=404 C=201 M=201 N=404 F=404 A=403")},
	{"PUT", "/api/v1/job-orders/:id/coordinator", func(matrixFixture) any { return map[string]any{"caseworker_id": "mgr-751"} }, cells("E=403 E2=404 C=200 M=200 N=404 F=404 A=403")},
	{"POST", "/api/v1/job-orders/:id/contacts", func(matrixFixture) any { return map[string]any{"note": "Ringet"} }, cells("E=403 E2=404 C=201 M=201 N=404 F=404 A=403")},
	{"PUT", "/api/v1/job-orders/:id/sharing", func(matrixFixture) any { return map[string]any{"level": "national"} }, cells("E=403 E2=404 C=200 M=200 N=404 F=404 A=403")},
	{"POST", "/api/v1/job-orders/:id/follow-ups", func(matrixFixture) any { return map[string]any{"due": future(), "note": "x"} }, cells("E=403 E2=404 C=201 M=201 N=404 F=404 A=403")},
	{"POST", "/api/v1/job-orders/:id/follow-ups/:fid/done", nil, cells("E=403 E2=404 C=200 M=200 N=404 F=404 A=403")},
	{"POST", "/api/v1/job-orders/:id/hires", func(f matrixFixture) any { return map[string]any{"referral_id": f.sentReferral} }, cells("E=403 E2=404 C=201 M=201 N=404 F=404 A=403")},
	{"PUT", "/api/v1/job-orders/:id/status", func(matrixFixture) any { return map[string]any{"status": "temporarily_inactive"} }, cells("E=200 E2=404 C=200 M=200 N=404 F=404 A=403")},
	{"POST", "/api/v1/job-orders/:id/referrals", func(f matrixFixture) any { return map[string]any{"candidate_id": f.freshCandidate} }, cells("E=403 E2=404 C=201 M=201 N=403 F=403 A=403")},
	{"GET", "/api/v1/job-orders/:id/referrals", nil, cells("E=200 E2=404 C=200 M=200 N=404 F=404 A=403")},
	{"POST", "/api/v1/job-orders/:id/referrals/:rid/approve", nil, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"POST", "/api/v1/job-orders/:id/referrals/:rid/reject", func(matrixFixture) any { return map[string]any{"reason": "Nej"} }, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"POST", "/api/v1/job-orders/:id/referrals/:rid/withdraw", nil, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"PUT", "/api/v1/job-orders/:id/referrals/:rid/archive", func(matrixFixture) any { return map[string]any{"archived": true} }, cells("E=200 E2=404 C=403 M=403 N=403 F=403 A=403")},
	{"PUT", "/api/v1/job-orders/:id/referrals/:rid/employer-note", func(matrixFixture) any { return map[string]any{"note": "Ring"} }, cells("E=200 E2=404 C=403 M=403 N=403 F=403 A=403")},
	{"POST", "/api/v1/candidates", func(matrixFixture) any { return candidateBody("Ny Person", true) }, cells("E=403 E2=403 C=201 M=201 N=201 F=201 A=403")},
	{"GET", "/api/v1/candidates/:id", nil, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"PATCH", "/api/v1/candidates/:id", func(matrixFixture) any { return map[string]any{"active": true} }, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"POST", "/api/v1/candidates/:id/consents", func(f matrixFixture) any {
		return map[string]any{"employer_cvr": employer.CVR, "job_order_id": f.order, "purpose": "Formidling", "data_categories": []string{"cv"},
			"given_at": time.Now().Add(-time.Hour).UTC(), "method": "written"}
	}, cells("E=404 E2=404 C=201 M=201 N=404 F=404 A=404")},
	{"DELETE", "/api/v1/candidates/:id/consents/:cid", nil, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"GET", "/api/v1/candidates/:id/access-log", nil, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=404")},
	{"GET", "/api/v1/jobcenters", nil, all(200)},
	{"GET", "/api/v1/jobcenters/:code", nil, all(200)},
	{"PUT", "/api/v1/jobcenters/:code", func(matrixFixture) any { return map[string]any{"mailbox_email": "jobcenter@aarhus.example"} }, cells("E=403 E2=403 C=403 M=403 N=403 F=403 A=200")},
	{"GET", "/api/v1/jobcenters/:code/caseworkers", nil, cells("E=404 E2=404 C=200 M=200 N=404 F=404 A=200")},
	{"POST", "/api/v1/jobcenters/:code/caseworkers", func(matrixFixture) any {
		return map[string]any{"id": "cw-ny", "name": "Ny Kollega", "email": "ny@aarhus.example", "role": "caseworker"}
	}, cells("E=404 E2=404 C=403 M=201 N=404 F=404 A=201")},
	{"GET", "/api/v1/jobcenters/:code/policy", nil, cells("E=404 E2=404 C=403 M=200 N=404 F=404 A=404")},
	{"PUT", "/api/v1/jobcenters/:code/policy", func(matrixFixture) any { return map[string]any{"escalate_after": 2} }, cells("E=404 E2=404 C=403 M=200 N=404 F=404 A=404")},
	{"GET", "/api/v1/outbox", nil, cells("E=403 E2=403 C=403 M=403 N=403 F=403 A=200")},
	{"GET", "/api/v1/recruitment-communities", nil, all(200)},
	{"POST", "/api/v1/recruitment-communities", func(f matrixFixture) any {
		return map[string]any{"name": "Nyt fællesskab", "members": []string{"751", "746"}}
	}, cells("E=403 E2=403 C=403 M=403 N=403 F=403 A=201")},
	{"PUT", "/api/v1/recruitment-communities/:cid", func(f matrixFixture) any {
		return map[string]any{"name": "Omdøbt " + f.order[:8], "members": []string{"751", "101", "147"}}
	}, cells("E=403 E2=403 C=403 M=403 N=403 F=403 A=200")},
	{"DELETE", "/api/v1/recruitment-communities/:cid", nil, cells("E=403 E2=403 C=403 M=403 N=403 F=403 A=204")},
	{"POST", "/api/v1/companies", func(matrixFixture) any { return map[string]any{"cvr": employer.CVR, "name": "Tømrerfirmaet ApS"} }, cells("E=409 E2=422 C=403 M=403 N=403 F=403 A=403")},
	{"GET", "/api/v1/companies/:cvr", nil, cells("E=200 E2=404 C=200 M=200 N=200 F=200 A=200")},
	{"PATCH", "/api/v1/companies/:cvr", func(matrixFixture) any { return map[string]any{"industry_code": "43.32.00"} }, cells("E=200 E2=404 C=404 M=404 N=404 F=404 A=404")},
	{"POST", "/api/v1/companies/:cvr/contacts", func(f matrixFixture) any {
		return map[string]any{"id": "kontakt-" + f.order[:8], "name": "Ny Kontakt", "email": "kontakt@firma.example"}
	}, cells("E=201 E2=404 C=404 M=404 N=404 F=404 A=404")},
	{"PUT", "/api/v1/companies/:cvr/main-contact", func(matrixFixture) any { return map[string]any{"contact_id": employer.Subject} }, cells("E=200 E2=404 C=404 M=404 N=404 F=404 A=404")},
	{"GET", "/api/v1/reference/municipalities", nil, all(200)},
	{"GET", "/api/v1/reference/postal-codes", nil, all(200)},
	{"GET", "/api/v1/reference/occupations", nil, all(200)},
	{"GET", "/api/v1/reference/industries", nil, all(200)},
}

// matrixExempt are routes outside bearer authentication, tested on their own.
var matrixExempt = map[string]string{
	"GET /healthz":      "liveness, no auth",
	"GET /readyz":       "readiness, no auth",
	"GET /metrics":      "Prometheus scrape, no auth",
	"GET /openapi.yaml": "the public API description",
}

// concrete fills a path template from the fixture; approve/reject act on the pending proposal,
// everything else on the sent referral.
func concrete(path string, f matrixFixture) string {
	rid := f.sentReferral
	if strings.HasSuffix(path, "/approve") || strings.HasSuffix(path, "/reject") {
		rid = f.pendingReferral
	}
	cid := f.community
	if strings.Contains(path, "/consents/") {
		cid = f.consent
	}
	r := strings.NewReplacer(":id/referrals", f.order+"/referrals", ":rid", rid, ":fid", "fu-1", ":cid", cid, ":code", "751", ":cvr", employer.CVR)
	out := r.Replace(path)
	if strings.HasPrefix(path, "/api/v1/candidates/:id") {
		return strings.Replace(out, ":id", f.candidate, 1)
	}
	return strings.Replace(out, ":id", f.order, 1)
}

func TestAuthorizationMatrixCoversEveryRoute(t *testing.T) {
	a := newTestAPI(t)
	rows := map[string]bool{}
	for _, r := range matrix {
		rows[r.method+" "+r.path] = true
		if len(r.want) != len(matrixCallers) {
			t.Errorf("%s %s: %d cells, want one per caller (%d)", r.method, r.path, len(r.want), len(matrixCallers))
		}
	}
	var missing []string
	for _, rt := range New(Deps{Metrics: nil, Verifier: a.signer}).Routes() {
		key := rt.Method + " " + rt.Path
		if !rows[key] && matrixExempt[key] == "" && !strings.HasPrefix(rt.Path, "/api/v1/webhooks/") {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes without a row in the authorization matrix:\n  %s", strings.Join(missing, "\n  "))
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	a := newTestAPI(t)
	for _, row := range matrix {
		for _, caller := range matrixCallers {
			row, caller := row, caller
			t.Run(fmt.Sprintf("%s %s as %s", row.method, row.path, caller.key), func(t *testing.T) {
				f := newMatrixFixture(a)
				var body any
				if row.body != nil {
					body = row.body(f)
				}
				p := caller.p
				r := a.do(row.method, concrete(row.path, f), &p, body)
				if want := row.want[caller.key]; r.status != want {
					t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
				}
				if caller.p.Role == auth.RoleEmployer {
					for _, secret := range []string{secretNote, secretReferral, pendingName, "close_reason", "reject_reason"} {
						if strings.Contains(string(r.body), secret) {
							t.Fatalf("an employer's answer contains %q: %s", secret, r.body)
						}
					}
				}
				if r.status >= 400 {
					problemOf(t, r)
				}
			})
		}
	}
}

// At every sharing level, other job centres see exactly what the level allows: the order, its
// history without internal note texts, and only their own proposals.
func TestSharingLevelsDecideWhichOtherJobcentresSeeTheOrder(t *testing.T) {
	a := newTestAPI(t)
	far := matrixCallers[5].p // 461, put in a community with 751 below
	a.do(http.MethodPost, "/api/v1/recruitment-communities", &admin, map[string]any{"name": "Aarhus og Odense", "members": []string{"751", "461"}})
	f := newMatrixFixture(a)
	cases := []struct {
		level     string
		neighbour int
		far       int
	}{
		{models.SharingInternal, 404, 404},
		{models.SharingNeighbours, 200, 404},
		{models.SharingCommunity, 200, 200},
		{models.SharingNational, 200, 200},
	}
	for _, tc := range cases {
		t.Run(tc.level, func(t *testing.T) {
			a.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", tc.level)
			for _, who := range []struct {
				p    auth.Principal
				want int
			}{{neighbourCW, tc.neighbour}, {far, tc.far}, {otherEmployer, 404}} {
				p := who.p
				for _, path := range []string{"/api/v1/job-orders/" + f.order, "/api/v1/job-orders/" + f.order + "/history", "/api/v1/job-orders/" + f.order + "/referrals"} {
					r := a.do(http.MethodGet, path, &p, nil)
					if r.status != who.want {
						t.Fatalf("%s reading %s at %s: %d, want %d", p.Subject, path, tc.level, r.status, who.want)
					}
					for _, secret := range []string{secretNote, secretReferral, "Kandidat Sendt"} {
						if strings.Contains(string(r.body), secret) {
							t.Fatalf("%s sees %q at %s: %s", p.Subject, secret, tc.level, r.body)
						}
					}
				}
				var l JobOrderList
				a.do(http.MethodGet, "/api/v1/job-orders", &p, nil).json(t, &l)
				if listHas(l, f.order) != (who.want == 200) {
					t.Fatalf("%s's list at %s: has the order = %v", p.Subject, tc.level, listHas(l, f.order))
				}
			}
		})
	}
}
