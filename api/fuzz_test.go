package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
)

// The fuzz targets send arbitrary bodies through the real router (authentication, body limit,
// strict decoding, validation, the services and PostgreSQL) and require that no input makes the
// API fail with a 5xx or panic. `go test` runs them over their seeds; `make fuzz` fuzzes them.

// fuzzWorkflows stands in for Temporal like recordingWorkflows, except that every update is
// accepted as a workflow whose validator says yes would: the argument must survive Temporal's JSON
// payload encoding, and the result is the order's live state.
type fuzzWorkflows struct{ *recordingWorkflows }

func (f fuzzWorkflows) Update(ctx context.Context, id, name string, arg, result any) error {
	if _, err := json.Marshal(arg); err != nil {
		return err
	}
	live, err := f.LiveState(ctx, id)
	if err != nil {
		return err
	}
	if r, ok := result.(*joborder.LiveState); ok {
		*r = live
	}
	return nil
}

// fuzzAPI is the router on a fresh database with one open order of job centre 751.
type fuzzAPI struct {
	h       http.Handler
	orderID string
	tokens  map[string]string // by role
}

func newFuzzAPI(f *testing.F) *fuzzAPI {
	f.Helper()
	a := newTestAPI(f)
	wf := fuzzWorkflows{&recordingWorkflows{}}
	ref := refdata.Default()
	svc := orders.NewService(a.db, ref, wf, access.DBRelations{DB: a.db, Ref: ref}, nil)
	h := a.router(func(d *Deps) {
		d.Orders = svc
		d.Referrals = referrals.NewService(a.db, svc, wf, nil)
		d.MaxBodyBytes = 64 << 10
	})
	manager := caseworker
	manager.Subject, manager.Role = "mgr-1", auth.RoleManager
	fa := &fuzzAPI{h: h, tokens: map[string]string{
		"caseworker": a.token(caseworker), "employer": a.token(employer), "manager": a.token(manager), "admin": a.token(admin),
	}}
	body, _ := json.Marshal(validOrder())
	w := fa.send(http.MethodPost, "/api/v1/job-orders", "caseworker", body)
	if w.Code != http.StatusCreated {
		f.Fatalf("create the order the commands act on: %d %s", w.Code, w.Body)
	}
	var o JobOrderResponse
	if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil {
		f.Fatal(err)
	}
	fa.orderID = o.ID
	return fa
}

func (fa *fuzzAPI) send(method, path, role string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+fa.tokens[role])
	w := httptest.NewRecorder()
	fa.h.ServeHTTP(w, req)
	return w
}

// check fails on a 5xx or on an answer that is not JSON.
func check(t *testing.T, method, path string, body []byte, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code >= 500 {
		t.Fatalf("%s %s with body %q: %d %s", method, path, body, w.Code, w.Body)
	}
	if !json.Valid(w.Body.Bytes()) {
		t.Fatalf("%s %s with body %q: %d with a body that is not JSON: %q", method, path, body, w.Code, w.Body)
	}
}

// bodySeeds are edge inputs for every body decoder.
var bodySeeds = []string{
	``, ` `, `{}`, `null`, `[]`, `""`, `0`, `true`, `{`, `}`, `{}{}`, `{} x`, `{"a":1}`, `{"":""}`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	`{"title":"\u0000"}`, `{"note":"\ud800"}`, "{\"note\":\"\xff\xfe\"}", `{"positions":1e400}`,
	`{"positions":-1}`, `{"positions":9223372036854775808}`, `{"positions":"2"}`, `{"at":"9999-12-31T23:59:59Z"}`,
}

func FuzzCreateJobOrderBody(f *testing.F) {
	fa := newFuzzAPI(f)
	roles := []string{"caseworker", "employer", "admin"}
	valid, _ := json.Marshal(validOrder())
	f.Add(uint8(0), valid)
	f.Add(uint8(1), valid)
	for _, s := range bodySeeds {
		f.Add(uint8(0), []byte(s))
	}
	for _, change := range []map[string]any{
		{"company_cvr": "10103941"}, {"company_cvr": "1010394"}, {"title": strings.Repeat("x", 201)},
		{"workplace": map[string]any{"postal_code": "0000", "municipality_code": "999", "address": "x"}},
		{"responsible_jobcenter": "000"}, {"occupation_code": "0000"}, {"positions": 0}, {"positions": 1000},
		{"start_date": "2027-02-30"}, {"application_deadline": "2028-01-01"}, {"kind": "wage_subsidy"},
		{"wished_coordinator": "cw-1"}, {"extra": 1}, {"start_date": nil, "application_deadline": nil},
	} {
		o := validOrder()
		for k, v := range change {
			o[k] = v
		}
		b, _ := json.Marshal(o)
		f.Add(uint8(0), b)
	}
	f.Fuzz(func(t *testing.T, role uint8, body []byte) {
		const path = "/api/v1/job-orders"
		w := fa.send(http.MethodPost, path, roles[int(role)%len(roles)], body)
		check(t, http.MethodPost, path, body, w)
	})
}

func FuzzPolicyPatchBody(f *testing.F) {
	fa := newFuzzAPI(f)
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"contact_deadline":"P2D"}`, `{"coordinator_deadline":"PT4H","working_days_only":true}`,
		`{"sharing_steps":[{"after":"P3D","level":"neighbours"},{"after":"P10D","level":"national"}]}`,
		`{"sharing_steps":[{"after":"P3D","level":"internal"}]}`, `{"sharing_steps":null}`,
		`{"share_immediately":[{"occupation_code":"7115","level":"national"}]}`,
		`{"escalate_after":0}`, `{"escalate_after":21}`, `{"reopen_window":"P0D"}`, `{"inactive_max":"-P1D"}`,
		`{"follow_up_after_referral":"P1Y2M3W4DT5H6M7S"}`, `{"close_out_after_hire":"P99999999999999999999D"}`,
		`{"reminder_repeat":"PT0.5S"}`, `{"contact_deadline":2}`, `{"nope":"P1D"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		const path = "/api/v1/jobcenters/751/policy"
		w := fa.send(http.MethodPut, path, "manager", body)
		check(t, http.MethodPut, path, body, w)
	})
}

// commandRoutes are the order's command endpoints (%s is the order's ID).
var commandRoutes = []struct{ method, path string }{
	{http.MethodPut, "/api/v1/job-orders/%s/coordinator"},
	{http.MethodPost, "/api/v1/job-orders/%s/contacts"},
	{http.MethodPut, "/api/v1/job-orders/%s/sharing"},
	{http.MethodPost, "/api/v1/job-orders/%s/follow-ups"},
	{http.MethodPost, "/api/v1/job-orders/%s/hires"},
	{http.MethodPut, "/api/v1/job-orders/%s/status"},
	{http.MethodPost, "/api/v1/job-orders/%s/notes"},
	{http.MethodPatch, "/api/v1/job-orders/%s"},
}

func FuzzCommandBodies(f *testing.F) {
	fa := newFuzzAPI(f)
	seeds := [][]string{
		{`{"caseworker_id":"cw-1"}`, `{"caseworker_id":"nobody"}`, `{"caseworker_id":""}`},
		{`{"note":"Ringede til arbejdsgiveren"}`, `{"note":""}`, `{"note":"` + strings.Repeat("x", 6000) + `"}`},
		{`{"level":"national"}`, `{"level":"neighbours","after":"P3D"}`, `{"level":"community","at":"2027-01-01T08:00:00Z"}`,
			`{"level":"internal","at":"2027-01-01T08:00:00Z","after":"P1D"}`, `{"level":"galaxy"}`, `{"level":"national","after":"P"}`},
		{`{"due":"2027-01-10T09:00:00+01:00","note":"Følg op"}`, `{"due":"2020-01-01T00:00:00Z"}`, `{"due":"not a time"}`},
		{`{"referral_id":"3f1c1a8e-1d7e-4e0e-9a47-8f6e4c2b9d10","note":"ansat"}`, `{"referral_id":""}`},
		{`{"status":"temporarily_inactive","reason":"pause","until":"2027-03-01T00:00:00Z"}`, `{"status":"open"}`,
			`{"status":"closed","reason":"filled"}`, `{"status":"deleted"}`},
		{`{"text":"Intern note","visibility":"internal"}`, `{"text":"Til arbejdsgiveren","visibility":"employer"}`, `{"text":"x","visibility":"public"}`},
		{`{"title":"Ny titel"}`, `{"positions":3}`, `{"workplace":{"address":"Rådhuspladsen 1","postal_code":"1550","municipality_code":"101"}}`,
			`{"start_date":"2027-02-01","application_deadline":"2027-01-15"}`, `{"occupation_code":"9999"}`, `{"wished_coordinator":null}`},
	}
	for route, bodies := range seeds {
		for _, b := range append(bodies, bodySeeds...) {
			f.Add(uint8(route), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := commandRoutes[int(route)%len(commandRoutes)]
		path := strings.Replace(r.path, "%s", fa.orderID, 1)
		w := fa.send(r.method, path, "caseworker", body)
		check(t, r.method, path, body, w)
	})
}
