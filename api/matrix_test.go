package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/webhooks"
	"jobordre/models"
)

// The authorization matrix: every route, called as every kind of caller, with the exact status
// each one must get, and every answer searched for data that caller must never see.
//
//   - Routes that act on one job order (path under /api/v1/job-orders/:id) and routes whose answer
//     depends on an order's sharing (the order lists) are in sharingMatrix
//     (matrix_sharing_test.go): each is called by every caller with the order shared at each of
//     the four levels, and states the statuses per level.
//   - Every other route is in matrix below: one status per caller.
//
// A route added without a row, an order route without its rows per sharing level, or a row
// that does not name every caller fails TestAuthorizationMatrixCoversEveryRoute. The
// expectations are written from the rules in docs/api.md ("What each role may do", "Who sees
// which orders"), never computed from internal/access.
//
// Adding a row: write the route as registered (e.g. "/api/v1/jobcenters/:code/kpis"; concrete
// fills :id, :rid, :fid, :cid, :code and :cvr from the fixture) and one KEY=STATUS cell per
// caller, in the order of matrixCallers: "E=403 E2=403 C=403 C2=403 M=200 N=404 K=404 F=404 A=200 S=403".

// matrixCaller is one kind of caller; key names its cells.
type matrixCaller struct {
	key string
	p   auth.Principal
}

// The callers. The fixture's order belongs to employer 10103940, job centre 751 is responsible,
// and cw-1 is its coordinator. 746 borders 751; 101 shares a recruitment community with 751 but
// no border; 461 neither (see internal/refdata/data/municipality_neighbours.csv).
var matrixCallers = []matrixCaller{
	{"E", employer},       // the order's employer
	{"E2", otherEmployer}, // another company
	{"C", caseworker},     // a caseworker of the responsible job centre, the order's coordinator
	{"C2", auth.Principal{Subject: "cw-4", Role: auth.RoleCaseworker, Jobcenter: "751"}}, // another caseworker of 751, not the coordinator
	{"M", auth.Principal{Subject: "mgr-751", Role: auth.RoleManager, Jobcenter: "751"}},  // a manager of 751
	{"N", neighbourCW}, // a caseworker of the neighbouring job centre 746
	{"K", otherCW},     // a caseworker of 101, in 751's recruitment community, not a neighbour
	{"F", auth.Principal{Subject: "cw-461", Role: auth.RoleCaseworker, Jobcenter: "461"}}, // far away: neither
	{"A", admin},
	// 751's case system (role system): acts as its job centre on its orders, but is no person
	// (no candidates, referrals, inbox, policy or subscriptions).
	{"S", auth.Principal{Subject: "momentum-751", Role: auth.RoleSystem, Jobcenter: "751"}},
}

func callerByKey(key string) (matrixCaller, bool) {
	for _, c := range matrixCallers {
		if c.key == key {
			return c, true
		}
	}
	return matrixCaller{}, false
}

// Texts the fixture plants; forbiddenTexts says who must never see which.
const (
	secretNote            = "INTERNAL-SECRET-NOTE"        // 751's internal note on the order
	sharedNote            = "DELT-NOTE-TIL-VIRKSOMHEDEN"  // 751's note with visibility employer
	secretReferral        = "INTERN-HENVISNINGSNOTE"      // 751's note on its sent referral
	neighbourProposalNote = "NABOENS-FORSLAGSNOTE"        // 746's note on its proposal
	communityProposalNote = "FAELLESSKABETS-FORSLAGSNOTE" // 101's note on its proposal
	employerOwnNote       = "VIRKSOMHEDENS-EGEN-NOTE"     // the employer's own note on the sent referral
	sentName              = "Kandidat Sendt"              // 751's candidate, sent to the employer
	sentCV                = "CV-SENDT-KANDIDAT"
	pendingName           = "Kandidat Foreslaaet" // 746's candidate, proposed, not approved
	neighbourCV           = "CV-NABO-KANDIDAT"
	communityName         = "Kandidat Faellesskab" // 101's candidate, proposed, not approved
	communityCV           = "CV-FAELLESSKAB-KANDIDAT"
	inactiveName          = "Kandidat Inaktiv" // 751's candidate, sent, then deactivated
	inactiveCV            = "CV-INAKTIV-KANDIDAT"
	// closeReason is the reason the order was once closed for (then reopened); employers never see it.
	closeReason = joborder.CloseReasonNoSuitableCandidates
	// The coordinator cw-1 as the directory knows them, and 751's shared mailbox: the employer
	// sees these on its order instead of the job centre's planning.
	coordinatorName  = "Kim Koordinator"
	coordinatorEmail = "kim.koordinator@aarhus.example"
	coordinatorPhone = "+45 87 13 20 42"
	mailbox751       = "jobcenter@aarhus.example"
)

// employerNeverSees are the JSON fields of the job centre's planning and internals that no
// employer answer may hold (docs/api.md, "What the employer sees of an order"): deadlines,
// reminders, the policy, the sharing level, the close reason, notes on referrals and
// caseworker IDs. The fixture's workflow reports every one of them to job-centre staff.
var employerNeverSees = []string{`"live"`, `"deadlines"`, `"next_reminder_at"`, `"policy"`, `"sharing"`, `"close_reason"`,
	`"caseworker_id"`, `"coordinators"`, `"follow_ups"`, `"reject_reason"`}

// forbiddenTexts lists, per caller, what must not appear in any answer it gets (docs/api.md and
// docs/referrals.md): employers never see internal notes, referral notes, proposals, inactive
// CVs or close reasons; other job centres never see 751's internal notes, the employer's own
// note, or candidates and proposals that are not theirs; admins never see candidates or CVs.
var forbiddenTexts = map[string][]string{
	"E": append([]string{secretNote, secretReferral, neighbourProposalNote, communityProposalNote, pendingName, neighbourCV, communityName, communityCV,
		inactiveName, inactiveCV, closeReason}, employerNeverSees...),
	"E2": append([]string{secretNote, sharedNote, secretReferral, neighbourProposalNote, communityProposalNote, employerOwnNote, sentName, sentCV,
		pendingName, neighbourCV, communityName, communityCV, inactiveName, inactiveCV, closeReason}, employerNeverSees...),
	"C":  {employerOwnNote, pendingName, neighbourCV, communityName, communityCV},
	"C2": {employerOwnNote, pendingName, neighbourCV, communityName, communityCV},
	"S":  {employerOwnNote, pendingName, neighbourCV, communityName, communityCV},
	"M":  {employerOwnNote, pendingName, neighbourCV, communityName, communityCV},
	"N": {secretNote, secretReferral, communityProposalNote, employerOwnNote, sentName, sentCV, communityName, communityCV,
		inactiveName, inactiveCV},
	"K": {secretNote, secretReferral, neighbourProposalNote, employerOwnNote, sentName, sentCV, pendingName, neighbourCV,
		inactiveName, inactiveCV},
	"F": {secretNote, secretReferral, neighbourProposalNote, communityProposalNote, employerOwnNote, sentName, sentCV,
		pendingName, neighbourCV, communityName, communityCV, inactiveName, inactiveCV},
	"A": {secretReferral, neighbourProposalNote, communityProposalNote, employerOwnNote, sentName, sentCV, pendingName, neighbourCV,
		communityName, communityCV, inactiveName, inactiveCV},
}

// forbiddenIDs lists the IDs a caller must not find in a successful answer (a refusal may echo
// the path the caller sent in its instance field): the employer never learns of proposals or
// inactive candidates' referrals, another company of nothing on the order.
func forbiddenIDs(key string, f matrixFixture) []string {
	switch key {
	case "E":
		return []string{f.neighbourProposal, f.communityProposal, f.inactiveReferral}
	case "E2":
		return []string{f.order, f.sentReferral, f.neighbourProposal, f.communityProposal, f.inactiveReferral}
	}
	return nil
}

// checkAnswer asserts that the answer holds nothing the caller must not see, and everything in
// shows (only for successful answers), and that refusals are problem documents.
func checkAnswer(t *testing.T, key string, f matrixFixture, r response, shows []string) {
	t.Helper()
	body := string(r.body)
	for _, s := range forbiddenTexts[key] {
		if strings.Contains(body, s) {
			t.Errorf("%s's answer (%d) contains %q: %s", key, r.status, s, body)
		}
	}
	if r.status < 300 {
		for _, id := range forbiddenIDs(key, f) {
			if strings.Contains(body, id) {
				t.Errorf("%s's answer (%d) contains the ID %s: %s", key, r.status, id, body)
			}
		}
		for _, s := range shows {
			if !strings.Contains(body, s) {
				t.Errorf("%s's answer (%d) lacks %q, which it may see (is the fixture complete?): %s", key, r.status, s, body)
			}
		}
	}
	if r.status >= 400 {
		problemOf(t, r)
	}
}

// matrixWorld is one test API with every caller registered, 751's recruitment community with
// 101, and the candidates every fixture refers (candidates are not tied to one order).
type matrixWorld struct {
	api *testAPI
	// sent, inactive: 751's; proposedByNeighbour: 746's; proposedByCommunity: 101's.
	sent, inactive, proposedByNeighbour, proposedByCommunity string
	// fresh holds, per job centre, a searchable candidate the fixture never refers.
	fresh map[string]string
	// receiver is a webhook endpoint that answers 204 to everything.
	receiver *httptest.Server
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	a := newTestAPI(t)
	w := &matrixWorld{api: a, fresh: map[string]string{}}
	w.receiver = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(w.receiver.Close)
	for _, c := range matrixCallers {
		p := c.p // the first request registers the caller, so cw-1 and mgr-751 can be coordinators
		if r := a.do(http.MethodGet, "/api/v1/jobcenters/751", &p, nil); r.status != http.StatusOK {
			t.Fatalf("register %s: %d %s", c.key, r.status, r.body)
		}
	}
	if r := a.do(http.MethodPost, "/api/v1/recruitment-communities", &admin, map[string]any{"name": "Aarhus og København", "members": []string{"751", "101"}}); r.status != http.StatusCreated {
		t.Fatalf("community: %d %s", r.status, r.body)
	}
	m, _ := callerByKey("M")
	if r := a.do(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", &m.p, map[string]any{"id": caseworker.Subject, "name": coordinatorName,
		"email": coordinatorEmail, "phone": coordinatorPhone, "role": "caseworker"}); r.status != http.StatusCreated {
		t.Fatalf("coordinator's phone: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPut, "/api/v1/jobcenters/751", &admin, map[string]any{"mailbox_email": mailbox751}); r.status != http.StatusOK {
		t.Fatalf("mailbox: %d %s", r.status, r.body)
	}
	k, _ := callerByKey("K")
	far, _ := callerByKey("F")
	// The candidates the fixture refers have non-searchable CVs (each fixture records their
	// consents for its order), so no other job centre finds them in a candidate search either.
	w.sent = w.newCandidate(t, caseworker, sentName, sentCV, false)
	w.inactive = w.newCandidate(t, caseworker, inactiveName, inactiveCV, true)
	if r := a.do(http.MethodPatch, "/api/v1/candidates/"+w.inactive, &caseworker, map[string]any{"active": false}); r.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	w.proposedByNeighbour = w.newCandidate(t, neighbourCW, pendingName, neighbourCV, false)
	w.proposedByCommunity = w.newCandidate(t, k.p, communityName, communityCV, false)
	for _, p := range []auth.Principal{caseworker, neighbourCW, k.p, far.p} {
		w.fresh[p.Jobcenter] = w.newCandidate(t, p, "Kandidat Ny "+p.Jobcenter, "CV-NY-"+p.Jobcenter, true)
	}
	return w
}

func (w *matrixWorld) newCandidate(t *testing.T, p auth.Principal, name, cv string, searchable bool) string {
	t.Helper()
	body := candidateBody(name, searchable)
	body["cv"].(map[string]any)["headline"] = cv
	var c struct{ ID string }
	r := w.api.do(http.MethodPost, "/api/v1/candidates", &p, body)
	if r.status != http.StatusCreated {
		t.Fatalf("candidate %s: %d %s", name, r.status, r.body)
	}
	r.json(t, &c)
	return c.ID
}

// as is the world's API reporting to t (a cell's subtest).
func (w *matrixWorld) as(t *testing.T) *testAPI {
	a := *w.api
	a.t = t
	return &a
}

// matrixFixture is a fresh order of employer 10103940 and job centre 751 with everything the
// routes act on, shared at the level under test.
type matrixFixture struct {
	order string
	// sentReferral: 751's, of sentName, with an internal note and the employer's own note.
	// neighbourProposal, communityProposal: 746's and 101's, pending approval.
	// inactiveReferral: 751's sent referral of a candidate deactivated since.
	sentReferral, neighbourProposal, communityProposal, inactiveReferral string

	candidate      string // the candidate the candidate routes act on (751's sent candidate)
	erasable       string // a candidate of 751 the erasure acts on, made for this fixture (routes outside orders only)
	freshCandidate string // a candidate of the caller's own job centre (751's for non-staff), not referred to the order
	consent        string // a consent of candidate for the order (routes outside orders only)
	community      string // a community the community routes change (routes outside orders only)
	contact        string // a contact person of the employer's company the removal acts on (routes outside orders only)
	leaver         string // a caseworker of 751 who coordinates nothing, the staff removal acts on (routes outside orders only)
	subscription   string // 751's webhook subscription, to the world's receiver (routes outside orders only)
	delivery       string // a failed delivery of it (routes outside orders only)
}

// referralTarget names which referral of the fixture a :rid row acts on.
type referralTarget int

const (
	noReferral        referralTarget = iota // the route names no referral
	sentReferral                            // 751's sent referral
	neighbourProposal                       // 746's pending proposal
	communityProposal                       // 101's pending proposal
)

func (t referralTarget) String() string {
	return [...]string{"no referral", "751's sent referral", "746's proposal", "101's proposal"}[t]
}

func (f matrixFixture) referral(t referralTarget) string {
	return [...]string{"", f.sentReferral, f.neighbourProposal, f.communityProposal}[t]
}

// fixture builds the order through the API as the callers would, sharing it only while the
// proposer's job centre may see it, then leaves it at level.
func (w *matrixWorld) fixture(a *testAPI, caller matrixCaller, level string) matrixFixture {
	t := a.t
	f := matrixFixture{candidate: w.sent, freshCandidate: w.fresh["751"]}
	if caller.p.IsJobcenterStaff() {
		f.freshCandidate = w.fresh[caller.p.Jobcenter]
	}
	f.order = a.createOrder(employer, validOrder()).ID
	setSharing := func(level string) {
		if err := a.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", level).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("coordinator_id", caseworker.Subject).Error; err != nil {
		t.Fatal(err)
	}
	a.wf.setCoordinator(f.order, caseworker.Subject)
	for text, visibility := range map[string]string{secretNote: models.NoteInternal, sharedNote: models.NoteEmployer} {
		if r := a.do(http.MethodPost, "/api/v1/job-orders/"+f.order+"/notes", &caseworker, map[string]any{"text": text, "visibility": visibility}); r.status != http.StatusCreated {
			t.Fatalf("note: %d %s", r.status, r.body)
		}
	}
	refer := func(p auth.Principal, candidate, note string) string {
		a.consent(p, candidate, employer.CVR, f.order)
		var ref struct{ ID string }
		r := a.do(http.MethodPost, "/api/v1/job-orders/"+f.order+"/referrals", &p, map[string]any{"candidate_id": candidate, "note": note})
		if r.status != http.StatusCreated {
			t.Fatalf("referral by %s: %d %s", p.Subject, r.status, r.body)
		}
		r.json(t, &ref)
		return ref.ID
	}
	f.sentReferral = refer(caseworker, w.sent, secretReferral)
	setSharing(models.SharingNeighbours)
	f.neighbourProposal = refer(neighbourCW, w.proposedByNeighbour, neighbourProposalNote)
	setSharing(models.SharingCommunity)
	k, _ := callerByKey("K")
	f.communityProposal = refer(k.p, w.proposedByCommunity, communityProposalNote)
	setSharing(level)
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+f.order+"/referrals/"+f.sentReferral+"/employer-note", &employer, map[string]any{"note": employerOwnNote}); r.status != http.StatusOK {
		t.Fatalf("employer note: %d %s", r.status, r.body)
	}
	// What the API and the workflow would have stored: a referral of a candidate deactivated
	// since, and the order once closed with a reason and reopened.
	now := time.Now().UTC().Truncate(time.Millisecond)
	f.inactiveReferral = uuid.NewString()
	wid := joborder.WorkflowID(f.order)
	rows := []any{
		&models.Referral{ID: f.inactiveReferral, JobOrderID: f.order, CandidateID: w.inactive, Status: models.ReferralSent, Channel: "jobag",
			ProposedBy: caseworker.Subject, ProposedByJobcenter: "751", SentAt: &now, CreatedAt: now, UpdatedAt: now},
		&models.JobOrderEvent{JobOrderID: f.order, EventKey: wid + "/status-changed/matrix-1", Type: "status-changed", At: now, ActorID: caseworker.Subject,
			ActorRole: auth.RoleCaseworker, Details: `{"status":"closed","from":"open","reason":"` + closeReason + `"}`, EmployerVisible: true},
		&models.JobOrderEvent{JobOrderID: f.order, EventKey: wid + "/status-changed/matrix-2", Type: "status-changed", At: now.Add(time.Millisecond),
			ActorID: caseworker.Subject, ActorRole: auth.RoleCaseworker, Details: `{"status":"open","from":"closed"}`, EmployerVisible: true},
	}
	for _, row := range rows {
		if err := a.db.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// outsideOrder adds what the routes outside orders act on: the employer's company registered
// afresh, a consent and a community of their own.
func (w *matrixWorld) outsideOrder(a *testAPI, f *matrixFixture) {
	t := a.t
	a.db.Where("cvr = ?", employer.CVR).Delete(&models.Company{})
	if r := a.do(http.MethodPost, "/api/v1/companies", &employer, map[string]any{"cvr": employer.CVR, "name": "Tømrerfirmaet ApS", "industry_code": "43.32.00"}); r.status != http.StatusCreated {
		t.Fatalf("company: %d %s", r.status, r.body)
	}
	f.contact = "fjernes-" + f.order[:8]
	if err := a.db.Create(&models.CompanyContact{ID: f.contact, CVR: employer.CVR, Name: "Fjernes Snart", Email: "fjernes@firma.example"}).Error; err != nil {
		t.Fatal(err)
	}
	f.consent = a.consent(caseworker, f.candidate, employer.CVR, f.order)
	f.leaver = "cw-fratraadt-" + f.order[:8]
	if err := a.db.Create(&models.Caseworker{ID: f.leaver, Jobcenter: "751", Role: "caseworker", Name: "Fratrådt Kollega", Email: "fratraadt@aarhus.example"}).Error; err != nil {
		t.Fatal(err)
	}
	f.erasable = a.candidate(caseworker, "Kandidat Slettes "+f.order[:8], true)
	var c struct{ ID string }
	a.do(http.MethodPost, "/api/v1/recruitment-communities", &admin, map[string]any{"name": "Fællesskab " + f.order[:8], "members": []string{"751", "101"}}).json(t, &c)
	f.community = c.ID
	now := time.Now().UTC()
	sub := models.WebhookSubscription{ID: uuid.NewString(), URL: w.receiver.URL + "/hook", Jobcenter: "751", Enabled: true,
		Secret: webhooks.NewSecret(), CreatedBy: "mgr-751", CreatedAt: now, UpdatedAt: now}
	del := models.WebhookDelivery{SubscriptionID: sub.ID, EventID: uuid.NewString(), EventType: string(joborder.FeedCreated), Status: models.WebhookFailed,
		Attempts: 10, LastStatusCode: 500, CreatedAt: now}
	if err := a.db.Create(&sub).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Create(&del).Error; err != nil {
		t.Fatal(err)
	}
	f.subscription, f.delivery = sub.ID, strconv.FormatUint(del.ID, 10)
	if f.consent == "" || f.community == "" {
		t.Fatalf("fixture incomplete: %+v", f)
	}
}

// parseCells reads "E=200 E2=404 ..." and checks that it names every caller exactly once.
func parseCells(spec string) (map[string]int, error) {
	m := map[string]int{}
	for _, cell := range strings.Fields(spec) {
		k, v, ok := strings.Cut(cell, "=")
		status, err := strconv.Atoi(v)
		if !ok || err != nil || status < 100 || status > 599 {
			return nil, fmt.Errorf("cell %q is not CALLER=STATUS", cell)
		}
		if _, known := callerByKey(k); !known {
			return nil, fmt.Errorf("cell %q names no caller of matrixCallers", cell)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("caller %s has two cells", k)
		}
		m[k] = status
	}
	for _, c := range matrixCallers {
		if _, ok := m[c.key]; !ok {
			return nil, fmt.Errorf("no cell for caller %s in %q", c.key, spec)
		}
	}
	return m, nil
}

// all gives every caller the same status.
func all(status int) string {
	cells := make([]string, 0, len(matrixCallers))
	for _, c := range matrixCallers {
		cells = append(cells, c.key+"="+strconv.Itoa(status))
	}
	return strings.Join(cells, " ")
}

func future() string { return time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339) }

// matrixRow is a route outside orders: one status per caller, against an internal order.
type matrixRow struct {
	method, path string // path as registered, e.g. /api/v1/candidates/:id
	body         func(f matrixFixture) any
	want         string // "E=... E2=... C=... C2=... M=... N=... K=... F=... A=... S=..."
}

var matrix = []matrixRow{
	{"POST", "/api/v1/job-orders", func(matrixFixture) any { return validOrder() }, "E=201 E2=422 C=201 C2=201 M=201 N=422 K=422 F=422 A=403 S=422"},
	{"POST", "/api/v1/candidates", func(matrixFixture) any { return candidateBody("Ny Person", true) }, "E=403 E2=403 C=201 C2=201 M=201 N=201 K=201 F=201 A=403 S=403"},
	{"GET", "/api/v1/candidates", nil, "E=403 E2=403 C=200 C2=200 M=200 N=200 K=200 F=200 A=403 S=403"},
	{"GET", "/api/v1/candidates/:id", nil, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"PATCH", "/api/v1/candidates/:id", func(matrixFixture) any { return map[string]any{"active": true} }, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"POST", "/api/v1/candidates/:id/consents", func(f matrixFixture) any {
		return map[string]any{"employer_cvr": employer.CVR, "job_order_id": f.order, "purpose": "Formidling", "data_categories": []string{"cv"},
			"given_at": time.Now().Add(-time.Hour).UTC(), "method": "written"}
	}, "E=404 E2=404 C=201 C2=201 M=201 N=404 K=404 F=404 A=404 S=404"},
	// Erasure: the home job centre's staff; the candidate is one of the fixture's own
	// (erasable), so the other cells still have theirs.
	{"DELETE", "/api/v1/candidates/:id", func(matrixFixture) any { return map[string]any{"reason": "Borgerens anmodning"} }, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"GET", "/api/v1/candidates/:id/consents", nil, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"DELETE", "/api/v1/candidates/:id/consents/:cid", nil, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"GET", "/api/v1/candidates/:id/access-log", nil, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"GET", "/api/v1/candidates/:id/insight", nil, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=404 S=404"},
	{"GET", "/api/v1/jobcenters", nil, all(200)},
	{"GET", "/api/v1/jobcenters/:code", nil, all(200)},
	{"PUT", "/api/v1/jobcenters/:code", func(matrixFixture) any { return map[string]any{"mailbox_email": "jobcenter@aarhus.example"} }, "E=403 E2=403 C=403 C2=403 M=403 N=403 K=403 F=403 A=200 S=403"},
	{"GET", "/api/v1/jobcenters/:code/caseworkers", nil, "E=404 E2=404 C=200 C2=200 M=200 N=404 K=404 F=404 A=200 S=200"},
	{"POST", "/api/v1/jobcenters/:code/caseworkers", func(f matrixFixture) any {
		return map[string]any{"id": "cw-ny-" + f.order[:8], "name": "Ny Kollega", "email": "ny@aarhus.example", "role": "caseworker"}
	}, "E=404 E2=404 C=403 C2=403 M=201 N=404 K=404 F=404 A=201 S=403"},
	{"DELETE", "/api/v1/jobcenters/:code/caseworkers/:id", nil, "E=404 E2=404 C=403 C2=403 M=204 N=404 K=404 F=404 A=204 S=403"},
	{"GET", "/api/v1/jobcenters/:code/policy", nil, "E=404 E2=404 C=403 C2=403 M=200 N=404 K=404 F=404 A=404 S=403"},
	{"PUT", "/api/v1/jobcenters/:code/policy", func(matrixFixture) any { return map[string]any{"escalate_after": 2} }, "E=404 E2=404 C=403 C2=403 M=200 N=404 K=404 F=404 A=404 S=403"},
	{"GET", "/api/v1/jobcenters/:code/kpis", nil, "E=404 E2=404 C=403 C2=403 M=200 N=404 K=404 F=404 A=200 S=403"},
	{"GET", "/api/v1/kpis", nil, "E=403 E2=403 C=403 C2=403 M=403 N=403 K=403 F=403 A=200 S=403"},
	{"GET", "/api/v1/outbox", nil, "E=403 E2=403 C=403 C2=403 M=403 N=403 K=403 F=403 A=200 S=403"},
	{"GET", "/api/v1/recruitment-communities", nil, all(200)},
	{"POST", "/api/v1/recruitment-communities", func(f matrixFixture) any {
		return map[string]any{"name": "Nyt fællesskab " + f.order[:8], "members": []string{"751", "746"}}
	}, "E=403 E2=403 C=403 C2=403 M=403 N=403 K=403 F=403 A=201 S=403"},
	{"PUT", "/api/v1/recruitment-communities/:cid", func(f matrixFixture) any {
		return map[string]any{"name": "Omdøbt " + f.order[:8], "members": []string{"751", "101", "147"}}
	}, "E=403 E2=403 C=403 C2=403 M=403 N=403 K=403 F=403 A=200 S=403"},
	{"DELETE", "/api/v1/recruitment-communities/:cid", nil, "E=403 E2=403 C=403 C2=403 M=403 N=403 K=403 F=403 A=204 S=403"},
	{"POST", "/api/v1/companies", func(matrixFixture) any { return map[string]any{"cvr": employer.CVR, "name": "Tømrerfirmaet ApS"} }, "E=409 E2=422 C=403 C2=403 M=403 N=403 K=403 F=403 A=403 S=403"},
	{"GET", "/api/v1/companies/:cvr", nil, "E=200 E2=404 C=200 C2=200 M=200 N=200 K=200 F=200 A=200 S=200"},
	{"PATCH", "/api/v1/companies/:cvr", func(matrixFixture) any { return map[string]any{"industry_code": "43.32.00"} }, "E=200 E2=404 C=404 C2=404 M=404 N=404 K=404 F=404 A=404 S=404"},
	{"POST", "/api/v1/companies/:cvr/contacts", func(f matrixFixture) any {
		return map[string]any{"id": "kontakt-" + f.order[:8], "name": "Ny Kontakt", "email": "kontakt@firma.example"}
	}, "E=201 E2=404 C=404 C2=404 M=404 N=404 K=404 F=404 A=404 S=404"},
	// Removing a contact: the main contact; job-centre staff only for a company their job centre
	// stored that has not registered (this one registered itself).
	{"DELETE", "/api/v1/companies/:cvr/contacts/:contact", nil, "E=200 E2=404 C=403 C2=403 M=403 N=403 K=403 F=403 A=404 S=403"},
	{"PUT", "/api/v1/companies/:cvr/main-contact", func(matrixFixture) any { return map[string]any{"contact_id": employer.Subject} }, "E=200 E2=404 C=404 C2=404 M=404 N=404 K=404 F=404 A=404 S=404"},
	// Webhook subscriptions: admins and managers of the subscription's job centre (751's here);
	// nobody else keeps any, so they are refused outright.
	{"POST", "/api/v1/webhook-subscriptions", func(f matrixFixture) any { return map[string]any{"url": "http://127.0.0.1:9/hook"} }, "E=403 E2=403 C=403 C2=403 M=201 N=403 K=403 F=403 A=201 S=403"},
	{"GET", "/api/v1/webhook-subscriptions", nil, "E=403 E2=403 C=403 C2=403 M=200 N=403 K=403 F=403 A=200 S=403"},
	{"GET", "/api/v1/webhook-subscriptions/:sid", nil, "E=403 E2=403 C=403 C2=403 M=200 N=403 K=403 F=403 A=200 S=403"},
	{"PATCH", "/api/v1/webhook-subscriptions/:sid", func(matrixFixture) any { return map[string]any{"description": "Momentum"} }, "E=403 E2=403 C=403 C2=403 M=200 N=403 K=403 F=403 A=200 S=403"},
	{"DELETE", "/api/v1/webhook-subscriptions/:sid", nil, "E=403 E2=403 C=403 C2=403 M=204 N=403 K=403 F=403 A=204 S=403"},
	{"POST", "/api/v1/webhook-subscriptions/:sid/rotate-secret", nil, "E=403 E2=403 C=403 C2=403 M=200 N=403 K=403 F=403 A=200 S=403"},
	{"POST", "/api/v1/webhook-subscriptions/:sid/ping", nil, "E=403 E2=403 C=403 C2=403 M=200 N=403 K=403 F=403 A=200 S=403"},
	{"GET", "/api/v1/webhook-subscriptions/:sid/deliveries", nil, "E=403 E2=403 C=403 C2=403 M=200 N=403 K=403 F=403 A=200 S=403"},
	{"POST", "/api/v1/webhook-subscriptions/:sid/deliveries/:did/replay", nil, "E=403 E2=403 C=403 C2=403 M=202 N=403 K=403 F=403 A=202 S=403"},
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

// concrete fills a path template from the fixture; :rid is the referral rid names.
func concrete(t *testing.T, path string, f matrixFixture, rid referralTarget) string {
	t.Helper()
	segments := strings.Split(path, "/")
	for i, s := range segments {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		switch s {
		case ":id":
			segments[i] = f.order
			if strings.HasPrefix(path, "/api/v1/candidates/") {
				segments[i] = f.candidate
			}
			if strings.HasPrefix(path, "/api/v1/jobcenters/") {
				segments[i] = f.leaver
			}
		case ":rid":
			if rid == noReferral {
				t.Fatalf("concrete: %s names a referral; say which one (rid)", path)
			}
			segments[i] = f.referral(rid)
		case ":fid":
			segments[i] = "fu-1" // the fake workflow accepts any follow-up
		case ":cid":
			segments[i] = f.community
			if strings.Contains(path, "/consents/") {
				segments[i] = f.consent
			}
		case ":code":
			segments[i] = "751"
		case ":cvr":
			segments[i] = employer.CVR
		case ":contact":
			segments[i] = f.contact
		case ":sid":
			segments[i] = f.subscription
		case ":did":
			segments[i] = f.delivery
		default:
			t.Fatalf("concrete: no value for %s in %s; teach concrete (matrix_test.go) what the fixture has for it", s, path)
		}
	}
	return strings.Join(segments, "/")
}

// isOrderRoute tells whether a route's answer depends on an order's sharing: it acts on one
// order, or it lists orders. Such routes need rows per sharing level in sharingMatrix.
func isOrderRoute(route string) bool {
	method, path, _ := strings.Cut(route, " ")
	return strings.HasPrefix(path, "/api/v1/job-orders/:id") || (method == http.MethodGet && (path == "/api/v1/job-orders" || path == "/api/v1/events"))
}

func TestAuthorizationMatrixCoversEveryRoute(t *testing.T) {
	signer, err := auth.NewHS256(testSecret, "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, rt := range New(Deps{Verifier: signer}).Routes() {
		registered[rt.Method+" "+rt.Path] = true
	}
	plain, perLevel := map[string]bool{}, map[string]bool{}
	for _, r := range matrix {
		key := r.method + " " + r.path
		plain[key] = true
		if _, err := parseCells(r.want); err != nil {
			t.Errorf("matrix row %s: %v", key, err)
		}
		if isOrderRoute(key) {
			t.Errorf("matrix row %s: the route depends on the order's sharing; give it a row per sharing level in sharingMatrix instead", key)
		}
		if !registered[key] {
			t.Errorf("matrix row %s: no such route is registered", key)
		}
	}
	for _, r := range sharingMatrix {
		perLevel[r.route] = true
		for _, level := range models.SharingLevels {
			if _, err := parseCells(r.want.at(level)); err != nil {
				t.Errorf("sharingMatrix row %s at %s: %v", r.name(), level, err)
			}
			if r.listed != nil {
				if _, err := parseListed(r.listed.at(level)); err != nil {
					t.Errorf("sharingMatrix row %s, listed at %s: %v", r.name(), level, err)
				}
			}
		}
		if !isOrderRoute(r.route) {
			t.Errorf("sharingMatrix row %s: not an order route; put it in matrix", r.name())
		}
		if !registered[r.route] {
			t.Errorf("sharingMatrix row %s: no such route is registered", r.name())
		}
		if strings.Contains(r.route, ":rid") != (r.rid != noReferral) {
			t.Errorf("sharingMatrix row %s: name the referral (rid) exactly when the route has :rid", r.name())
		}
	}
	for _, c := range matrixCallers {
		if _, ok := forbiddenTexts[c.key]; !ok {
			t.Errorf("forbiddenTexts has no entry for caller %s", c.key)
		}
	}
	var missing []string
	for key := range registered {
		_, path, _ := strings.Cut(key, " ")
		switch {
		case matrixExempt[key] != "" || strings.HasPrefix(path, "/api/v1/webhooks/"):
		case isOrderRoute(key) && !perLevel[key]:
			missing = append(missing, key+" (an order route: needs a sharingMatrix row with every sharing level)")
		case !isOrderRoute(key) && !plain[key]:
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes without a row in the authorization matrix:\n  %s", strings.Join(missing, "\n  "))
	}
}

// Every route outside orders answers each caller with exactly its status, and no answer holds
// anything that caller must not see.
func TestAuthorizationMatrixAnswersEveryCallerExactlyOnRoutesOutsideOrders(t *testing.T) {
	w := newMatrixWorld(t)
	for _, row := range matrix {
		want, err := parseCells(row.want)
		if err != nil {
			t.Fatalf("%s %s: %v", row.method, row.path, err)
		}
		for _, caller := range matrixCallers {
			t.Run(fmt.Sprintf("%s %s as %s", row.method, row.path, caller.key), func(t *testing.T) {
				a := w.as(t)
				f := w.fixture(a, caller, models.SharingInternal)
				w.outsideOrder(a, &f)
				var body any
				if row.body != nil {
					body = row.body(f)
				}
				p := caller.p
				if row.method == http.MethodDelete && row.path == "/api/v1/candidates/:id" {
					f.candidate = f.erasable // erasing the world's candidate would leave the next cells none
				}
				r := a.do(row.method, concrete(t, row.path, f, noReferral), &p, body)
				if r.status != want[caller.key] {
					t.Fatalf("status %d, want %d: %s", r.status, want[caller.key], r.body)
				}
				checkAnswer(t, caller.key, f, r, nil)
			})
		}
	}
}
