package web_test

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/models"
)

// The console's authorization matrix: every page route, called as every kind of caller, with the
// exact status each one gets, and every answer searched for the fixture's data that caller must
// never see. The statuses are the API's (api/matrix_test.go) carried over to pages: where the API
// answers 404 the page is the console's 404 page, 403 its 403 page, 201/200 after a form post a
// 303 to the page that shows the result, 422 the form again with its errors; without a session
// every page goes (303) to the login.
//
// A page route registered without a row (here or in commandMatrix) fails
// TestConsoleMatrixCoversEveryPageRoute. Adding a
// row: the route as registered ("/candidates/:id"; :id, :cid and :oid are filled from the
// fixture), the form it posts (nil for a GET), and one KEY=STATUS cell per caller of
// consoleCallers: "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404".

// consoleCaller is one kind of caller of the console; key names its cells. anon has no session.
type consoleCaller struct {
	key string
	p   *auth.Principal
}

var (
	matrixOtherEmployer = auth.Principal{Subject: "emp-2", Role: auth.RoleEmployer, CVR: "24256790", Name: "Eva"}
	matrixNeighbour     = auth.Principal{Subject: "cw-746", Role: auth.RoleCaseworker, Jobcenter: "746", Name: "Nina Nabo"}

	// The fixture's order and candidate belong to job centre 751 (Aarhus) and employer 10103940;
	// 746 (Skanderborg) borders 751, 101 (København) does not.
	consoleCallers = []consoleCaller{
		{"anon", nil},
		{"E", &employer},
		{"E2", &matrixOtherEmployer},
		{"C", &caseworker},
		{"M", &manager},
		{"N", &matrixNeighbour},
		{"K", &otherCaseworker},
		{"A", &adminUser},
	}
)

// Texts the fixture plants that only the candidate's own job centre (C, M) may see.
const (
	matrixCandidateName = "Matrix Kandidat"
	matrixCVText        = "HEMMELIG-ERFARING-I-CV"
	matrixConsentText   = "HEMMELIGT-SAMTYKKE-FORMAAL"
)

// consoleFixture is what the rows act on.
type consoleFixture struct {
	order, candidate, consent string
	// erased is a candidate of 751 erased already (its /erased page has a record to show).
	erased string
	// coordinator is a caseworker of 751 who coordinates order (the staff removal's :id).
	coordinator string
}

type consoleRow struct {
	method, path string
	form         func(f consoleFixture) url.Values
	want         string
}

// The rows. The order page's command forms (POST /job-orders/:id/...) are in commandMatrix
// (matrix_commands_test.go): each of its cells needs an order of its own and a workflow behind it.
var consoleMatrix = []consoleRow{
	{"GET", "/", nil, "anon=303 E=200 E2=200 C=200 M=200 N=200 K=200 A=303"},

	// The manager's pages (web/dashboard.go, ...): a caseworker and an employer get the 404
	// page, admins may read any job centre's key figures as the API's /kpis.
	{"GET", "/jobcenters/:code/kpis", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=200"},
	{"GET", "/jobcenters/:code/kpis.csv", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=200"},
	{"GET", "/jobcenters/:code/follow-up/:list", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=200"},
	// The policy: the API's PUT /jobcenters/{code}/policy is its managers' only (C=403 there, the 404 page here).
	{"GET", "/jobcenters/:code/policy", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=404"},
	{"POST", "/jobcenters/:code/policy", func(consoleFixture) url.Values { return url.Values{"add_step": {"1"}} }, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=404"},
	{"GET", "/jobcenters/:code/policy/progress", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=404"},
	// The staff page (web/caseworkers.go): the API's POST /jobcenters/{code}/caseworkers is its
	// managers' and admins'; the mailbox, municipalities and communities are admins' (the
	// fixture has no community, so a community's own routes are 404 for everyone).
	{"GET", "/jobcenters/:code/caseworkers", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=200"},
	{"POST", "/jobcenters/:code/caseworkers", func(consoleFixture) url.Values {
		return url.Values{"id": {"cw-matrix"}, "name": {"Matrix Kollega"}, "email": {"matrix@aarhus.dk"}, "role": {"caseworker"}, "language": {"da"}}
	}, "anon=303 E=404 E2=404 C=404 M=303 N=404 K=404 A=303"},
	// Removing a person who has left (the API's DELETE /jobcenters/{code}/caseworkers/{id}): the
	// fixture's person coordinates the fixture's open order, so those who may get the refusal (409)
	// on the confirmation page and the person stays for the next cell; the removal itself is
	// TestAManagerRemovesACaseworkerWhoHasLeft's.
	{"GET", "/jobcenters/:code/caseworkers/:id/remove", nil, "anon=303 E=404 E2=404 C=404 M=200 N=404 K=404 A=200"},
	{"POST", "/jobcenters/:code/caseworkers/:id/remove", nil, "anon=303 E=404 E2=404 C=404 M=409 N=404 K=404 A=409"},
	{"POST", "/jobcenters/:code/mailbox", func(consoleFixture) url.Values { return url.Values{"mailbox_email": {"jobordre@aarhus.dk"}} }, "anon=303 E=404 E2=404 C=404 M=404 N=404 K=404 A=303"},
	{"POST", "/jobcenters/:code/municipalities", func(consoleFixture) url.Values { return url.Values{"municipalities": {"751"}} }, "anon=303 E=404 E2=404 C=404 M=404 N=404 K=404 A=303"},
	{"POST", "/jobcenters/:code/communities", func(consoleFixture) url.Values {
		return url.Values{"community_new.name": {"Matrixfællesskab"}, "community_new.members": {"751, 746"}}
	}, "anon=303 E=404 E2=404 C=404 M=404 N=404 K=404 A=303"},
	{"POST", "/jobcenters/:code/communities/:cid", func(consoleFixture) url.Values { return url.Values{"community_x.name": {"X"}} }, "anon=303 E=404 E2=404 C=404 M=404 N=404 K=404 A=404"},
	{"POST", "/jobcenters/:code/communities/:cid/delete", nil, "anon=303 E=404 E2=404 C=404 M=404 N=404 K=404 A=404"},
	// The inbox's "mark all as seen" (web/inbox.go): job-centre staff only.
	{"POST", "/inbox/seen", nil, "anon=303 E=403 E2=403 C=303 M=303 N=303 K=303 A=403"},
	{"GET", "/login", nil, "anon=200 E=303 E2=303 C=303 M=303 N=303 K=303 A=303"},
	{"POST", "/login", func(consoleFixture) url.Values { return url.Values{"token": {"not-a-token"}} }, "anon=422 E=422 E2=422 C=422 M=422 N=422 K=422 A=422"},
	{"GET", "/login/oidc", nil, "anon=404 E=404 E2=404 C=404 M=404 N=404 K=404 A=404"},
	{"GET", "/login/callback", nil, "anon=404 E=404 E2=404 C=404 M=404 N=404 K=404 A=404"},
	{"POST", "/logout", nil, "anon=303 E=303 E2=303 C=303 M=303 N=303 K=303 A=303"},
	{"GET", "/lang/:lang", nil, "anon=303 E=303 E2=303 C=303 M=303 N=303 K=303 A=303"},
	{"GET", "/tilgaengelighed", nil, "anon=200 E=200 E2=200 C=200 M=200 N=200 K=200 A=200"},
	{"POST", "/session/extend", nil, "anon=303 E=200 E2=200 C=200 M=200 N=200 K=200 A=200"},
	// Order list (web/joborders.go): GET /api/v1/job-orders answers 200 to everyone it lists orders for.
	{"GET", "/job-orders", nil, "anon=303 E=200 E2=200 C=200 M=200 N=200 K=200 A=200"},
	{"GET", "/job-orders/:id", nil, "anon=303 E=200 E2=404 C=200 M=200 N=404 K=404 A=200"},
	// The close-out question's page (web/closeout.go): the order's employer only; staff who may
	// read the order get the 404 page too. Its answer form is in commandMatrix.
	{"GET", "/job-orders/:id/close-out", nil, "anon=303 E=200 E2=404 C=404 M=404 N=404 K=404 A=404"},

	// New order (web/neworder.go): POST /api/v1/job-orders "E=201 E2=422 C=201 M=201 N=422 K=422 A=403".
	{"GET", "/job-orders/new", nil, "anon=303 E=200 E2=200 C=200 M=200 N=200 K=200 A=403"},
	{"POST", "/job-orders", func(consoleFixture) url.Values {
		return url.Values{"company_cvr": {"10103940"}, "title": {"Matrixordre"}, "description": {"x"}, "occupation_code": {"7115"}, "positions": {"1"},
			"kind": {"ordinary"}, "workplace.address": {"Vej 1"}, "workplace.postal_code": {"8000"}, "responsible_jobcenter": {"751"}}
	}, "anon=303 E=303 E2=422 C=303 M=303 N=422 K=422 A=403"},

	// Candidates (web/candidates.go, web/consents.go): the API's /api/v1/candidates rows, except
	// that an employer gets the 404 page for the register, as for every job-centre page
	// (the API answers it 403).
	{"GET", "/candidates", nil, "anon=303 E=404 E2=404 C=200 M=200 N=200 K=200 A=403"},
	{"GET", "/candidates/new", nil, "anon=303 E=404 E2=404 C=200 M=200 N=200 K=200 A=403"},
	{"POST", "/candidates", func(consoleFixture) url.Values {
		return url.Values{"name": {"Ny Person"}, "email": {"ny@example.dk"}, "language": {"da"}, "searchable": {"true"}, "cv.headline": {"Smed"}}
	}, "anon=303 E=404 E2=404 C=303 M=303 N=303 K=303 A=403"},
	{"GET", "/candidates/:id", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"GET", "/candidates/:id/insight", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"GET", "/candidates/:id/edit", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"POST", "/candidates/:id", func(consoleFixture) url.Values {
		return url.Values{"name": {matrixCandidateName}, "email": {"matrix@example.dk"}, "language": {"da"}, "searchable": {"false"}, "active": {"true"},
			"cv.headline": {"Tømrer"}, "cv.experience": {matrixCVText}, "cv.occupations": {"7115"}}
	}, "anon=303 E=404 E2=404 C=303 M=303 N=404 K=404 A=404"},
	// Erasure: the confirmation page, the post (an empty reason, so the form comes back with its
	// error for the candidate's own job centre and the fixture's candidate stays), and the
	// page after it (of a candidate erased already).
	{"GET", "/candidates/:id/erase", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"POST", "/candidates/:id/erase", func(consoleFixture) url.Values { return url.Values{"reason": {""}} }, "anon=303 E=404 E2=404 C=422 M=422 N=404 K=404 A=404"},
	{"GET", "/candidates/:id/erased", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"GET", "/candidates/:id/consents/new", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"POST", "/candidates/:id/consents", func(f consoleFixture) url.Values {
		return url.Values{"employer_cvr": {"10103940"}, "target": {"order"}, "job_order_id": {f.order}, "purpose": {"Formidling"},
			"data_categories": {"cv"}, "method": {"digital"}, "given_at.day": {"1"}, "given_at.month": {"12"}, "given_at.year": {"2026"}}
	}, "anon=303 E=404 E2=404 C=303 M=303 N=404 K=404 A=404"},
	{"GET", "/candidates/:id/consents/:cid/withdraw", nil, "anon=303 E=404 E2=404 C=200 M=200 N=404 K=404 A=404"},
	{"POST", "/candidates/:id/consents/:cid/withdraw", nil, "anon=303 E=404 E2=404 C=303 M=303 N=404 K=404 A=404"},

	// A secure_link referral's page (web/securelink.go): public, the link's token is the proof,
	// so a token no link has is 404 for everyone, logged in or not (securelink_test.go has the rest).
	{"GET", "/secure-links/:token", nil, all404},
	{"POST", "/secure-links/:token/code", nil, all404},
	{"POST", "/secure-links/:token", func(consoleFixture) url.Values { return url.Values{"code": {"123456"}} }, all404},

	// The company page (web/company.go), as /api/v1/companies/{cvr}: its own people, job-centre
	// staff and admins read it (another company's employer: 404). The fixture's company is one a
	// job centre stored; the rows run in this order, so E registers it first (taking it over and
	// becoming its main contact; E2 registers its own), then adds a contact and hands the role to
	// them. Registering is for employers (403), adding and handing over for the main contact
	// (everyone else: 404).
	{"GET", "/companies/:cvr", nil, "anon=303 E=200 E2=404 C=200 M=200 N=200 K=200 A=200"},
	{"POST", "/companies", func(consoleFixture) url.Values { return url.Values{"name": {"Byg & Tag ApS"}} }, "anon=303 E=303 E2=303 C=403 M=403 N=403 K=403 A=403"},
	{"POST", "/companies/:cvr/contacts", func(consoleFixture) url.Values {
		return url.Values{"contact.id": {"emp-matrix"}, "contact.name": {"Matrix Kontakt"}, "contact.email": {"matrix@firma.dk"}}
	}, "anon=303 E=303 E2=404 C=404 M=404 N=404 K=404 A=404"},
	{"POST", "/companies/:cvr/main-contact", func(consoleFixture) url.Values { return url.Values{"contact_id": {"emp-matrix"}} }, "anon=303 E=303 E2=404 C=404 M=404 N=404 K=404 A=404"},
}

const all404 = "anon=404 E=404 E2=404 C=404 M=404 N=404 K=404 A=404"

// employerPlanning marks the parts of the order page that are the job centre's own planning:
// sharing, deadlines and the next reminder, follow-ups, contacts and notes. The employer's
// order page is built from orders.EmployerView and has none of them; the job centre's has all.
var employerPlanning = []string{`id="sharing"`, `id="deadlines"`, `id="follow-ups"`, `id="contact"`, `id="notes"`, "Næste påmindelse"}

// hiddenFrom lists, per caller, the fixture's texts its answers must never hold. The employer
// was sent the candidate's CV, so only the consent's text is the job centre's own, besides the
// order page's planning.
var hiddenFrom = map[string][]string{
	"anon": {matrixCandidateName, matrixCVText, matrixConsentText},
	"E":    append([]string{matrixConsentText}, employerPlanning...),
	"E2":   {matrixCandidateName, matrixCVText, matrixConsentText},
	"N":    {matrixCandidateName, matrixCVText, matrixConsentText},
	"K":    {matrixCandidateName, matrixCVText, matrixConsentText},
	"A":    {matrixCandidateName, matrixCVText, matrixConsentText},
}

func consoleFixtures(t *testing.T, tc *testConsole) consoleFixture {
	t.Helper()
	// Stored by job centre 751 before the company registered (the company-page rows register it).
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS", CreatedByJobcenter: "751"}).Error; err != nil {
		t.Fatal(err)
	}
	f := consoleFixture{order: tc.createOrder("Matrixordre").ID}
	f.candidate = tc.candidate(caseworker, matrixCandidateName, false, "Tømrer", "7115", matrixCVText)
	var k struct{ ID string }
	tc.api(http.MethodPost, "/api/v1/candidates/"+f.candidate+"/consents", caseworker, map[string]any{"employer_cvr": "10103940", "job_order_id": f.order,
		"purpose": matrixConsentText, "data_categories": []string{"cv"}, "given_at": "2026-11-30T10:00:00Z", "method": "digital"}, http.StatusCreated, &k)
	f.consent = k.ID
	tc.api(http.MethodPost, "/api/v1/job-orders/"+f.order+"/referrals", caseworker, map[string]any{"candidate_id": f.candidate}, http.StatusCreated, nil)
	f.erased = tc.candidate(caseworker, "Slettet Kandidat", true, "Smed", "7212", "CV der slettes")
	tc.api(http.MethodDelete, "/api/v1/candidates/"+f.erased, caseworker, map[string]any{"reason": "Borgerens anmodning"}, http.StatusOK, nil)
	f.coordinator = "cw-matrix-tovholder"
	if err := tc.db.Create(&models.Caseworker{ID: f.coordinator, Jobcenter: "751", Role: auth.RoleCaseworker, Name: "Tove Tovholder", Email: "tove@aarhus.dk"}).Error; err != nil {
		t.Fatal(err)
	}
	if err := tc.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("coordinator_id", f.coordinator).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

func (f consoleFixture) fill(path string) string {
	candidate := pick(strings.HasSuffix(path, "/erased"), f.erased, f.candidate)
	id := pick(strings.HasPrefix(path, "/candidates/"), candidate, f.order)
	if strings.HasPrefix(path, "/jobcenters/") {
		id = f.coordinator
	}
	return strings.NewReplacer(":id", id, ":cid", f.consent, ":lang", "da", ":code", "751", ":list", "no-coordinator", ":token", "no-such-link-token", ":cvr", "10103940").Replace(path)
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func TestConsoleAuthorizationMatrix(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	f := consoleFixtures(t, tc)
	for _, row := range consoleMatrix {
		cells := parseCells(t, row.want)
		for _, caller := range consoleCallers {
			want, ok := cells[caller.key]
			if !ok {
				t.Errorf("%s %s: no cell for %s", row.method, row.path, caller.key)
				continue
			}
			b := tc.browser()
			csrfPage := b.get("/login")
			if caller.p != nil {
				b.login(tc, *caller.p)
				csrfPage = b.get("/tilgaengelighed")
			}
			path := f.fill(row.path)
			var res page
			if row.method == http.MethodGet {
				res = b.get(path)
			} else {
				form := url.Values{}
				if row.form != nil {
					form = row.form(f)
				}
				form.Set("csrf_token", csrfPage.csrf(t))
				res = b.post(path, form)
			}
			if res.status != want {
				t.Errorf("%s %s as %s: %d, want %d\n%.400s", row.method, row.path, caller.key, res.status, want, res.body)
			}
			if caller.key == "anon" && res.status == http.StatusSeeOther && !strings.HasPrefix(res.header.Get("Location"), "/login") &&
				row.path != "/logout" && row.path != "/lang/:lang" {
				t.Errorf("%s %s without a session goes to %s, not the login", row.method, row.path, res.header.Get("Location"))
			}
			for _, text := range hiddenFrom[caller.key] {
				if strings.Contains(res.body, text) {
					t.Errorf("%s %s shows %s %q", row.method, row.path, caller.key, text)
				}
			}
		}
	}
	// The job centre's own order page does show the planning the employer's leaves out.
	b := tc.browser()
	b.login(tc, caseworker)
	if pg := b.get("/job-orders/" + f.order); pg.status == http.StatusOK {
		for _, text := range employerPlanning {
			if !strings.Contains(pg.body, text) {
				t.Errorf("the caseworker's order page lacks %q, so the employer's check proves nothing", text)
			}
		}
	} else {
		t.Errorf("the caseworker's order page: %d", pg.status)
	}
	// What each order list shows: the fixture's order is internal to 751, so only its own job
	// centre, its employer and the admin find it, on any tab.
	for _, caller := range consoleCallers[1:] {
		b := tc.browser()
		b.login(tc, *caller.p)
		found := false
		for _, tab := range []string{"", "jobcenter", "shared", "national"} {
			if strings.Contains(b.get("/job-orders?status=all&tab="+tab).body, `href="/job-orders/`+f.order+`"`) {
				found = true
			}
		}
		if may := caller.key == "E" || caller.key == "C" || caller.key == "M" || caller.key == "A"; found != may {
			t.Errorf("the order list as %s shows the fixture's order: %v, want %v", caller.key, found, may)
		}
	}
	// What each candidate search shows: the fixture's candidate is not searchable, so only its
	// own job centre finds it.
	for _, caller := range consoleCallers[3:7] {
		b := tc.browser()
		b.login(tc, *caller.p)
		found := strings.Contains(b.get("/candidates?q="+url.QueryEscape("hemmelig-erfaring-i-cv")).body, matrixCandidateName)
		if own := caller.p.Jobcenter == "751"; found != own {
			t.Errorf("the search as %s finds the non-searchable candidate: %v, want %v", caller.key, found, own)
		}
	}
}

func parseCells(t *testing.T, s string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, cell := range strings.Fields(s) {
		k, v, ok := strings.Cut(cell, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			t.Fatalf("bad cell %q", cell)
		}
		out[k] = n
	}
	return out
}

// Every page route of the engine has a row in consoleMatrix or commandMatrix, and every row
// names a registered route.
func TestConsoleMatrixCoversEveryPageRoute(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	rows := map[string]bool{}
	for _, r := range consoleMatrix {
		rows[r.method+" "+r.path] = true
	}
	for _, r := range commandMatrix {
		rows[http.MethodPost+" "+r.path] = true
	}
	registered := map[string]bool{}
	var missing []string
	for _, r := range tc.srv.Config.Handler.(*gin.Engine).Routes() {
		if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/assets/") || r.Method == http.MethodHead ||
			r.Path == "/openapi.yaml" || r.Path == "/healthz" || r.Path == "/readyz" || r.Path == "/metrics" || strings.HasPrefix(r.Path, "/webhooks") {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if !rows[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("page route %s has no row in consoleMatrix or commandMatrix", m)
	}
	for key := range rows {
		if !registered[key] {
			t.Errorf("consoleMatrix row %s is not a registered route", key)
		}
	}
}
