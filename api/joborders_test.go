package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

func TestCreateStoresTheOrderStartsItsWorkflowAndAnswers201WithLocation(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, validOrder())
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var o JobOrderResponse
	r.json(t, &o)
	if o.ID == "" || r.header.Get("Location") != "/api/v1/job-orders/"+o.ID {
		t.Fatalf("id %q, location %q", o.ID, r.header.Get("Location"))
	}
	if o.Status != "open" || o.Sharing != "internal" || o.Coordinator != nil || o.ResponsibleJobcenter != "751" {
		t.Fatalf("new order state: %+v", o)
	}
	if o.Workplace.PostalCode != "8000" || o.OccupationCode != "7115" || o.Positions != 2 ||
		o.StartDate.String() != "2027-01-04" || o.ApplicationDeadline.String() != "2026-12-20" || o.Kind != "ordinary" {
		t.Fatalf("fields not echoed: %+v", o)
	}
	if a.wf.startedCount() != 1 || a.wf.started[0].JobOrderID != o.ID || a.wf.started[0].ResponsibleJobcenter != "751" {
		t.Fatalf("workflow starts: %+v", a.wf.started)
	}
	var stored models.JobOrder
	if err := a.db.Take(&stored, "id = ?", o.ID).Error; err != nil {
		t.Fatal(err)
	}
	if stored.WorkflowID != joborder.WorkflowID(o.ID) || stored.WorkflowStartedAt == nil {
		t.Fatalf("workflow bookkeeping: id %q started %v", stored.WorkflowID, stored.WorkflowStartedAt)
	}
	// Read your writes: the order is there at once, with the workflow's live state.
	g := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &caseworker, nil)
	var got JobOrderResponse
	g.json(t, &got)
	if g.status != http.StatusOK || got.ID != o.ID || got.Live == nil || got.Live.Status != "open" {
		t.Fatalf("get after create: %d %s", g.status, g.body)
	}
}

func TestEmployerCreatesForItsOwnCVRAndJobcentreDefaultsFromTheWorkplace(t *testing.T) {
	a := newTestAPI(t)
	body := validOrder()
	delete(body, "company_cvr")
	delete(body, "responsible_jobcenter")
	body["workplace"] = map[string]any{"address": "Vesterbrogade 1", "postal_code": "1620"}
	o := a.createOrder(employer, body)
	if o.CompanyCVR != employer.CVR {
		t.Fatalf("cvr %q, want the token's %q", o.CompanyCVR, employer.CVR)
	}
	if o.Workplace.MunicipalityCode != "101" || o.ResponsibleJobcenter != "101" {
		t.Fatalf("1620 lies only in København: municipality %q jobcenter %q", o.Workplace.MunicipalityCode, o.ResponsibleJobcenter)
	}
}

// STAR's guide asks the company for the task, the workplace and the responsible job centre only:
// an employer's order with just the description and the workplace is created (title from the
// description's first line, one position, no occupation yet, the job centre serving the
// workplace), while job-centre staff must still give the title, the occupation and the positions.
func TestEmployerCreatesWithOnlyTheGuidesRequiredFieldsButStaffGiveTitleOccupationAndPositions(t *testing.T) {
	a := newTestAPI(t)
	minimal := map[string]any{
		"description": "Vi søger en tømrer til renovering af tage.\nStart hurtigst muligt.",
		"workplace":   map[string]any{"address": "Vesterbrogade 1", "postal_code": "1620"},
	}
	o := a.createOrder(employer, minimal)
	if o.Title != "Vi søger en tømrer til renovering af tage." || o.Positions != 1 || o.OccupationCode != "" || o.ResponsibleJobcenter != "101" {
		t.Fatalf("the employer's minimal order: title %q positions %d occupation %q jobcenter %q", o.Title, o.Positions, o.OccupationCode, o.ResponsibleJobcenter)
	}
	staff := map[string]any{"company_cvr": "10103940", "company_name": "Tømrerfirmaet ApS"}
	for k, v := range minimal {
		staff[k] = v
	}
	r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, staff)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("caseworker's minimal order: %d %s", r.status, r.body)
	}
	prob := problemOf(t, r)
	for _, f := range []string{"title", "occupation_code", "positions"} {
		if !namesField(prob, f) {
			t.Errorf("a caseworker's order without %s is not refused naming it: %s", f, r.body)
		}
	}
}

func TestEmployerMayChooseAnyJobcentreButCaseworkersCreateForTheirOwn(t *testing.T) {
	a := newTestAPI(t)
	body := validOrder()
	body["responsible_jobcenter"] = "101"
	if o := a.createOrder(employer, body); o.ResponsibleJobcenter != "101" {
		t.Fatalf("employer's choice ignored: %q", o.ResponsibleJobcenter)
	}
	r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, body)
	if r.status != http.StatusUnprocessableEntity || !namesField(problemOf(t, r), "responsible_jobcenter") {
		t.Fatalf("caseworker of 751 creating for 101: %d %s", r.status, r.body)
	}
}

func TestBadInputIsRefusedNamingTheFieldAndNothingIsStoredOrStarted(t *testing.T) {
	a := newTestAPI(t)
	with := func(change func(map[string]any)) map[string]any {
		b := validOrder()
		change(b)
		return b
	}
	cases := []struct {
		name   string
		as     auth.Principal
		body   any
		status int
		field  string
	}{
		{"missing description", caseworker, with(func(b map[string]any) { delete(b, "description") }), 422, "description"},
		{"description over 5000 characters", caseworker, with(func(b map[string]any) { b["description"] = strings.Repeat("æ", 5001) }), 422, "description"},
		{"blank title", caseworker, with(func(b map[string]any) { b["title"] = "   " }), 422, "title"},
		{"bad CVR checksum", caseworker, with(func(b map[string]any) { b["company_cvr"] = "12345678" }), 422, "company_cvr"},
		{"CVR with letters", caseworker, with(func(b map[string]any) { b["company_cvr"] = "1010394X" }), 422, "company_cvr"},
		{"employer for another CVR", employer, with(func(b map[string]any) { b["company_cvr"] = "24256790" }), 422, "company_cvr"},
		{"unknown municipality", caseworker, with(func(b map[string]any) {
			b["workplace"] = map[string]any{"address": "x", "postal_code": "8000", "municipality_code": "999"}
		}), 422, "workplace.municipality_code"},
		{"municipality outside the postal code", caseworker, with(func(b map[string]any) {
			b["workplace"] = map[string]any{"address": "x", "postal_code": "8000", "municipality_code": "101"}
		}), 422, "workplace.municipality_code"},
		{"postal code spanning municipalities without one", employer, with(func(b map[string]any) {
			delete(b, "responsible_jobcenter")
			b["workplace"] = map[string]any{"address": "x", "postal_code": "8600"}
		}), 422, "workplace.municipality_code"},
		{"unknown postal code", caseworker, with(func(b map[string]any) {
			b["workplace"] = map[string]any{"address": "x", "postal_code": "0001", "municipality_code": "751"}
		}), 422, "workplace.postal_code"},
		{"unknown job centre", employer, with(func(b map[string]any) { b["responsible_jobcenter"] = "998" }), 422, "responsible_jobcenter"},
		{"unknown occupation", caseworker, with(func(b map[string]any) { b["occupation_code"] = "9999" }), 422, "occupation_code"},
		{"occupation that is not a unit group", caseworker, with(func(b map[string]any) { b["occupation_code"] = "711" }), 422, "occupation_code"},
		{"zero positions", caseworker, with(func(b map[string]any) { b["positions"] = 0 }), 422, "positions"},
		{"a thousand positions", caseworker, with(func(b map[string]any) { b["positions"] = 1000 }), 422, "positions"},
		{"positions as text", caseworker, with(func(b map[string]any) { b["positions"] = "two" }), 400, "positions"},
		{"deadline after start", caseworker, with(func(b map[string]any) { b["application_deadline"] = "2027-02-01" }), 422, "application_deadline"},
		{"date in another format", caseworker, with(func(b map[string]any) { b["start_date"] = "04/01/2027" }), 422, "start_date"},
		{"wage subsidy is not a job order", caseworker, with(func(b map[string]any) { b["kind"] = "wage_subsidy" }), 422, "kind"},
		{"unknown field", caseworker, with(func(b map[string]any) { b["salary"] = 40000 }), 400, "salary"},
		{"malformed JSON", caseworker, `{"title": "x",`, 400, ""},
		{"two JSON objects", caseworker, `{} {}`, 400, ""},
		{"a stray closing brace", caseworker, `{"title": "x"}}`, 400, ""},
		{"an array instead of an object", caseworker, `[]`, 400, ""},
		{"empty body", caseworker, ``, 400, ""},
		{"oversized body", caseworker, `{"description": "` + strings.Repeat("a", 1<<20) + `"}`, 413, ""},
		{"admin may not create", admin, validOrder(), 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.as
			r := a.do(http.MethodPost, "/api/v1/job-orders", &p, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			prob := problemOf(t, r)
			if tc.field != "" && !namesField(prob, tc.field) {
				t.Fatalf("problem does not name %s: %s", tc.field, r.body)
			}
		})
	}
	if n := a.countOrders(); n != 0 {
		t.Fatalf("%d orders stored from bad input", n)
	}
	if n := a.wf.startedCount(); n != 0 {
		t.Fatalf("%d workflows started from bad input", n)
	}
}

func TestWrongContentTypeIs415(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, validOrder(), "Content-Type", "text/plain")
	if r.status != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d", r.status)
	}
	problemOf(t, r)
}

func TestMissingOrInvalidTokenIs401WithWWWAuthenticate(t *testing.T) {
	a := newTestAPI(t)
	expired, err := a.signer.Sign(caseworker, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, _ := auth.NewHS256("another-secret-that-is-long-enough-too", "jobordre", "jobordre-api")
	forged, _ := otherSigner.Sign(caseworker, time.Hour)
	wrongAudience, _ := mustHS256(t, testSecret, "jobordre", "someone-else").Sign(caseworker, time.Hour)
	for name, header := range map[string]string{
		"no header":      "",
		"basic auth":     "Basic dXNlcjpwYXNz",
		"garbage token":  "Bearer not.a.jwt",
		"expired token":  "Bearer " + expired,
		"forged token":   "Bearer " + forged,
		"wrong audience": "Bearer " + wrongAudience,
		"empty bearer":   "Bearer ",
	} {
		t.Run(name, func(t *testing.T) {
			r := a.do(http.MethodGet, "/api/v1/job-orders", nil, nil, "Authorization", header)
			if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("status %d, WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
			}
			problemOf(t, r)
		})
	}
}

func TestSameIdempotencyKeyAndBodyReturnTheSameOrderNeverASecond(t *testing.T) {
	a := newTestAPI(t)
	first := a.do(http.MethodPost, "/api/v1/job-orders", &employer, validOrder(), IdempotencyKeyHeader, "order-2026-11-26-1")
	second := a.do(http.MethodPost, "/api/v1/job-orders", &employer, validOrder(), IdempotencyKeyHeader, "order-2026-11-26-1")
	if first.status != 201 || second.status != 201 {
		t.Fatalf("statuses %d %d: %s", first.status, second.status, second.body)
	}
	var o1, o2 JobOrderResponse
	first.json(t, &o1)
	second.json(t, &o2)
	if o1.ID != o2.ID || second.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay gave %s (replayed %q), first %s", o2.ID, second.header.Get("Idempotent-Replayed"), o1.ID)
	}
	if a.countOrders() != 1 || a.wf.startedCount() != 1 {
		t.Fatalf("orders %d, workflow starts %d", a.countOrders(), a.wf.startedCount())
	}
	changed := validOrder()
	changed["positions"] = 3
	r := a.do(http.MethodPost, "/api/v1/job-orders", &employer, changed, IdempotencyKeyHeader, "order-2026-11-26-1")
	if r.status != http.StatusUnprocessableEntity || problemOf(t, r).Type != problemType("idempotency-key-reused") {
		t.Fatalf("same key, other body: %d %s", r.status, r.body)
	}
	// Keys belong to the caller: another employer's same key is a new request.
	other := validOrder()
	other["company_cvr"] = otherEmployer.CVR
	if o3 := a.do(http.MethodPost, "/api/v1/job-orders", &otherEmployer, other, IdempotencyKeyHeader, "order-2026-11-26-1"); o3.status != 201 {
		t.Fatalf("other caller: %d %s", o3.status, o3.body)
	}
	if a.countOrders() != 2 {
		t.Fatalf("orders %d", a.countOrders())
	}
}

func TestOrderStoredWhenTemporalIsDownIsStartedByARetryWithTheSameKey(t *testing.T) {
	a := newTestAPI(t)
	a.wf.startErr = errors.New("temporal unavailable")
	r := a.do(http.MethodPost, "/api/v1/job-orders", &employer, validOrder(), IdempotencyKeyHeader, "k1")
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || r.header.Get("Location") == "" {
		t.Fatalf("status %d, headers %v", r.status, r.header)
	}
	problemOf(t, r)
	if a.countOrders() != 1 {
		t.Fatal("the order must be kept when its workflow cannot start yet")
	}
	a.wf.startErr = nil
	retry := a.do(http.MethodPost, "/api/v1/job-orders", &employer, validOrder(), IdempotencyKeyHeader, "k1")
	if retry.status != http.StatusCreated || a.wf.startedCount() != 1 || a.countOrders() != 1 {
		t.Fatalf("retry: %d, starts %d, orders %d", retry.status, a.wf.startedCount(), a.countOrders())
	}
}

func TestReconcilerStartsWorkflowsOfOrdersWhoseStartWasInterrupted(t *testing.T) {
	a := newTestAPI(t)
	a.wf.startErr = errors.New("temporal unavailable")
	a.do(http.MethodPost, "/api/v1/job-orders", &employer, validOrder())
	a.wf.startErr = nil
	n, err := a.svc.StartPendingWorkflows(t.Context(), 0)
	if err != nil || n != 1 || a.wf.startedCount() != 1 {
		t.Fatalf("reconciler started %d (err %v), recorded %d", n, err, a.wf.startedCount())
	}
	if n, _ := a.svc.StartPendingWorkflows(t.Context(), 0); n != 0 {
		t.Fatalf("second pass started %d again", n)
	}
}

func TestEmployersSeeOnlyTheirOwnCVRAndCaseworkersOnlyTheirJobcentre(t *testing.T) {
	a := newTestAPI(t)
	mine := a.createOrder(employer, validOrder())
	theirs := validOrder()
	theirs["company_cvr"] = otherEmployer.CVR
	theirs["responsible_jobcenter"] = "101"
	other := a.createOrder(otherEmployer, theirs)

	for _, tc := range []struct {
		who     auth.Principal
		id      string
		visible bool
	}{
		{employer, mine.ID, true}, {employer, other.ID, false},
		{otherEmployer, other.ID, true}, {otherEmployer, mine.ID, false},
		{caseworker, mine.ID, true}, {caseworker, other.ID, false},
		{otherCW, other.ID, true}, {otherCW, mine.ID, false},
		// Internal orders are not shown to a neighbouring job centre (Skanderborg borders Aarhus).
		{neighbourCW, mine.ID, false},
		{admin, mine.ID, true},
	} {
		p := tc.who
		r := a.do(http.MethodGet, "/api/v1/job-orders/"+tc.id, &p, nil)
		want := map[bool]int{true: 200, false: 404}[tc.visible]
		if r.status != want {
			t.Errorf("%s reading %s: %d, want %d", p.Subject, tc.id, r.status, want)
		}
		l := a.do(http.MethodGet, "/api/v1/job-orders", &p, nil)
		var list JobOrderList
		l.json(t, &list)
		if found := listHas(list, tc.id); found != tc.visible {
			t.Errorf("%s listing: has %s = %v, want %v", p.Subject, tc.id, found, tc.visible)
		}
	}
}

func TestSharedOrdersReachNeighboursAndTheNationalList(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, validOrder())
	setSharing := func(level string) {
		if err := a.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("sharing", level).Error; err != nil {
			t.Fatal(err)
		}
	}
	national := func(p auth.Principal) bool {
		var l JobOrderList
		a.do(http.MethodGet, "/api/v1/job-orders?scope=national", &p, nil).json(t, &l)
		return listHas(l, o.ID)
	}
	canRead := func(p auth.Principal) bool {
		return a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &p, nil).status == 200
	}
	setSharing(models.SharingNeighbours)
	if !canRead(neighbourCW) || canRead(otherCW) || national(otherCW) {
		t.Fatal("neighbours sharing: Skanderborg reads, København does not, not on the national list")
	}
	setSharing(models.SharingNational)
	if !canRead(otherCW) || !national(otherCW) || !national(caseworker) {
		t.Fatal("national sharing: every job centre reads it and it is on the national list")
	}
}

func TestListFiltersByStatusAndPagesWithACursor(t *testing.T) {
	a := newTestAPI(t)
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, a.createOrder(caseworker, validOrder()).ID)
	}
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", ids[0]).Update("status", models.StatusClosed).Error; err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		var l JobOrderList
		r := a.do(http.MethodGet, "/api/v1/job-orders?status=open&limit=2&cursor="+cursor, &caseworker, nil)
		if r.status != 200 {
			t.Fatalf("page: %d %s", r.status, r.body)
		}
		r.json(t, &l)
		pages++
		for _, it := range l.Items {
			if seen[it.ID] || it.Status != "open" {
				t.Fatalf("item %s repeated or not open (%s)", it.ID, it.Status)
			}
			seen[it.ID] = true
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	if len(seen) != 4 || pages != 2 || seen[ids[0]] {
		t.Fatalf("open orders seen %d over %d pages", len(seen), pages)
	}
	for _, q := range []string{"status=deleted", "limit=0", "limit=201", "cursor=bm9wZQ", "scope=planet", "scope=national&status=closed"} {
		r := a.do(http.MethodGet, "/api/v1/job-orders?"+q, &caseworker, nil)
		if r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
}

func TestUnknownOrMalformedOrderIDIs404(t *testing.T) {
	a := newTestAPI(t)
	for _, id := range []string{"3f0e5c1a-8a5b-4d6e-9a53-0b8c7f2d1e4a", "not-a-uuid"} {
		r := a.do(http.MethodGet, "/api/v1/job-orders/"+id, &caseworker, nil)
		if r.status != 404 {
			t.Fatalf("%s: %d", id, r.status)
		}
		problemOf(t, r)
	}
}

func TestOrderIsReadableWithAnExplanationWhenItsWorkflowDoesNotAnswer(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, validOrder())
	a.wf.queryErr = errors.New("deadline exceeded")
	var got JobOrderResponse
	r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &caseworker, nil)
	r.json(t, &got)
	if r.status != 200 || got.Live != nil || !strings.Contains(got.LiveError, "deadline exceeded") || got.Status != "open" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestHealthReadinessMetricsAndProblemsForUnknownRoutes(t *testing.T) {
	a := newTestAPI(t)
	if r := a.do(http.MethodGet, "/healthz", nil, nil); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	if r := a.do(http.MethodGet, "/readyz", nil, nil); r.status != 200 || !strings.Contains(string(r.body), `"database":"ok"`) {
		t.Fatalf("readyz %d %s", r.status, r.body)
	}
	a.do(http.MethodGet, "/api/v1/job-orders", &caseworker, nil)
	m := a.do(http.MethodGet, "/metrics", nil, nil)
	if m.status != 200 || !strings.Contains(string(m.body), `jobordre_http_requests_total{method="GET",route="/api/v1/job-orders",status="200"} 1`) {
		t.Fatalf("metrics %d: missing request counter", m.status)
	}
	r := a.do(http.MethodGet, "/nowhere", nil, nil)
	if r.status != 404 {
		t.Fatalf("unknown route %d", r.status)
	}
	problemOf(t, r)
	r = a.do(http.MethodDelete, "/healthz", nil, nil)
	if r.status != 405 {
		t.Fatalf("wrong method %d", r.status)
	}
	if id := r.header.Get(RequestIDHeader); id == "" || problemOf(t, r).RequestID != id {
		t.Fatalf("request id %q not in problem", id)
	}
}

func TestReadinessReportsAnUnreachableDependency(t *testing.T) {
	a := newTestAPI(t)
	h := New(Deps{Verifier: a.signer, Readiness: map[string]ReadinessCheck{
		"temporal": func(context.Context) error { return errors.New("connection refused") },
	}})
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with temporal down: %d", resp.StatusCode)
	}
}

func namesField(p Problem, field string) bool {
	for _, f := range p.Errors {
		if f.Field == field {
			return true
		}
	}
	return false
}

func listHas(l JobOrderList, id string) bool {
	for _, it := range l.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

func mustHS256(t *testing.T, secret, iss, aud string) *auth.HS256 {
	t.Helper()
	h, err := auth.NewHS256(secret, iss, aud)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
