package api

import (
	"net/http"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/models"
)

var manager = auth.Principal{Subject: "mgr-1", Role: auth.RoleManager, Jobcenter: "751", Name: "Mette Leder", Email: "mette@aarhus.dk"}

func TestStaffAreRegisteredFromTheirTokenOnFirstUseAndListedForTheirJobcentre(t *testing.T) {
	a := newTestAPI(t)
	cw := auth.Principal{Subject: "cw-9", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Sagsbehandler", Email: "ida@aarhus.dk"}
	a.do(http.MethodGet, "/api/v1/job-orders", &cw, nil)
	var list CaseworkerList
	r := a.do(http.MethodGet, "/api/v1/jobcenters/751/caseworkers", &manager, nil)
	r.json(t, &list)
	if r.status != 200 || len(list.Items) != 2 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	found := false
	for _, it := range list.Items {
		found = found || (it.ID == "cw-9" && it.Email == "ida@aarhus.dk" && it.Role == "caseworker")
	}
	if !found {
		t.Fatalf("cw-9 not registered: %s", r.body)
	}
	if r := a.do(http.MethodGet, "/api/v1/jobcenters/101/caseworkers", &manager, nil); r.status != 404 {
		t.Fatalf("another job centre's staff list: %d", r.status)
	}
	if r := a.do(http.MethodGet, "/api/v1/jobcenters/751/caseworkers", &employer, nil); r.status != 404 {
		t.Fatalf("employer: %d", r.status)
	}
}

func TestManagersAddCaseworkersAheadOfTimeAndCaseworkersMayNot(t *testing.T) {
	a := newTestAPI(t)
	body := map[string]any{"id": "cw-new", "name": "Ny Kollega", "email": "ny@aarhus.dk", "role": "caseworker"}
	if r := a.do(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", &caseworker, body); r.status != 403 {
		t.Fatalf("caseworker adding: %d", r.status)
	}
	r := a.do(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", &manager, body)
	if r.status != 201 {
		t.Fatalf("manager adding: %d %s", r.status, r.body)
	}
	bad := map[string]any{"id": "", "name": "", "email": "not-an-address", "role": "boss"}
	r = a.do(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", &manager, bad)
	p := problemOf(t, r)
	if r.status != 422 || !namesField(p, "id") || !namesField(p, "email") || !namesField(p, "role") {
		t.Fatalf("bad caseworker: %d %s", r.status, r.body)
	}
	// The same person cannot be claimed by another job centre.
	otherManager := auth.Principal{Subject: "mgr-kbh", Role: auth.RoleManager, Jobcenter: "101"}
	if r := a.do(http.MethodPost, "/api/v1/jobcenters/101/caseworkers", &otherManager, body); r.status != 409 {
		t.Fatalf("claiming another centre's caseworker: %d %s", r.status, r.body)
	}
}

func TestNotesAreInTheHistoryAndEmployersSeeOnlyNotesMeantForThem(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, validOrder())
	for vis, text := range map[string]string{"internal": "Virksomheden er svær at få fat i.", "employer": "Vi har fundet tre kandidater."} {
		r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/notes", &caseworker, map[string]any{"text": text, "visibility": vis})
		if r.status != 201 {
			t.Fatalf("note: %d %s", r.status, r.body)
		}
	}
	var staff, emp HistoryList
	a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/history", &caseworker, nil).json(t, &staff)
	a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/history", &employer, nil).json(t, &emp)
	notes := func(l HistoryList) []string {
		var out []string
		for _, it := range l.Items {
			if it.Type == "note-added" {
				out = append(out, it.Text)
			}
		}
		return out
	}
	if len(notes(staff)) != 2 || len(notes(emp)) != 1 || notes(emp)[0] != "Vi har fundet tre kandidater." {
		t.Fatalf("staff sees notes %q, employer %q", notes(staff), notes(emp))
	}
	if staff.Items[0].Type != "created" || emp.Items[0].Type != "created" {
		t.Fatalf("the history starts with the order's creation: %+v", staff.Items[0])
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/history", &otherEmployer, nil); r.status != 404 {
		t.Fatalf("another company reading the history: %d", r.status)
	}
	// Bad notes and notes from outside the job centre change nothing.
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/notes", &caseworker, map[string]any{"text": "", "visibility": "public"}); r.status != 422 {
		t.Fatalf("bad note: %d", r.status)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/notes", &employer, map[string]any{"text": "x", "visibility": "internal"}); r.status != 403 {
		t.Fatalf("employer note: %d", r.status)
	}
	var n int64
	a.db.Model(&models.JobOrderNote{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d notes stored", n)
	}
}

func TestOnlyAdminsReadTheOutbox(t *testing.T) {
	a := newTestAPI(t)
	a.db.Create(&models.OutboxMessage{IdempotencyKey: "k", RecipientID: "r", RecipientRole: "employer", RecipientEmail: "hr@firma.dk",
		Language: "da", Template: "order_received", JobOrderID: "x", Status: "pending"})
	for _, p := range []auth.Principal{employer, caseworker, manager} {
		if r := a.do(http.MethodGet, "/api/v1/outbox", &p, nil); r.status != 403 {
			t.Fatalf("%s: %d", p.Role, r.status)
		}
	}
	var l OutboxList
	r := a.do(http.MethodGet, "/api/v1/outbox?job_order_id=x&template=order_received", &admin, nil)
	r.json(t, &l)
	if r.status != 200 || len(l.Items) != 1 || !strings.Contains(string(r.body), `"recipient":"hr@firma.dk"`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestABadTimeOrDurationInACommandIsA400NamingTheField(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, validOrder())
	for path, body := range map[string]map[string]any{
		"/sharing":    {"level": "national", "at": "tomorrow"},
		"/follow-ups": {"due": "next week", "note": "x"},
		"/status":     {"status": "temporarily_inactive", "until": 12},
	} {
		method := http.MethodPut
		if path == "/follow-ups" {
			method = http.MethodPost
		}
		r := a.do(method, "/api/v1/job-orders/"+o.ID+path, &caseworker, body)
		p := problemOf(t, r)
		field := map[string]string{"/sharing": "at", "/follow-ups": "due", "/status": "until"}[path]
		if r.status != 400 || !namesField(p, field) {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/sharing", &caseworker, map[string]any{"level": "national", "after": "three days"})
	if r.status != 400 || !namesField(problemOf(t, r), "after") {
		t.Errorf("bad duration: %d %s", r.status, r.body)
	}
}

func TestPolicyIsReadAndChangedByTheJobcentresManagersOnly(t *testing.T) {
	a := newTestAPI(t)
	var p map[string]any
	r := a.do(http.MethodGet, "/api/v1/jobcenters/751/policy", &manager, nil)
	r.json(t, &p)
	if r.status != 200 || p["contact_deadline"] != "P2D" || p["working_days_only"] != true {
		t.Fatalf("defaults: %d %s", r.status, r.body)
	}
	r = a.do(http.MethodPut, "/api/v1/jobcenters/751/policy", &manager, map[string]any{"contact_deadline": "P1D", "escalate_after": 2})
	r.json(t, &p)
	if r.status != 200 || p["contact_deadline"] != "P1D" || p["escalate_after"] != float64(2) || p["coordinator_deadline"] != "P1D" {
		t.Fatalf("partial PUT: %d %s", r.status, r.body)
	}
	for name, tc := range map[string]struct {
		who    auth.Principal
		path   string
		body   any
		status int
		field  string
	}{
		"caseworker of the centre":  {caseworker, "/api/v1/jobcenters/751/policy", map[string]any{"escalate_after": 2}, 403, ""},
		"manager of another centre": {manager, "/api/v1/jobcenters/101/policy", map[string]any{"escalate_after": 2}, 404, ""},
		"unknown job centre":        {manager, "/api/v1/jobcenters/999/policy", map[string]any{"escalate_after": 2}, 404, ""},
		"malformed body":            {manager, "/api/v1/jobcenters/751/policy", `{"escalate_after": `, 400, ""},
		"trailing data":             {manager, "/api/v1/jobcenters/751/policy", `{} {}`, 400, ""},
		"malformed duration":        {manager, "/api/v1/jobcenters/751/policy", map[string]any{"contact_deadline": "two days"}, 422, "contact_deadline"},
		"unknown field":             {manager, "/api/v1/jobcenters/751/policy", map[string]any{"lunch_break": "PT30M"}, 422, "lunch_break"},
		"narrowing sharing step":    {manager, "/api/v1/jobcenters/751/policy", map[string]any{"sharing_steps": []map[string]any{{"after": "P3D", "level": "national"}, {"after": "P5D", "level": "neighbours"}}}, 422, ""},
		"escalation out of range":   {manager, "/api/v1/jobcenters/751/policy", map[string]any{"escalate_after": 0}, 422, "escalate_after"},
	} {
		t.Run(name, func(t *testing.T) {
			p := tc.who
			r := a.do(http.MethodPut, tc.path, &p, tc.body)
			if r.status != tc.status || (tc.field != "" && !namesField(problemOf(t, r), tc.field)) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	a.do(http.MethodGet, "/api/v1/jobcenters/751/policy", &manager, nil).json(t, &p)
	if p["contact_deadline"] != "P1D" || p["escalate_after"] != float64(2) {
		t.Fatalf("refused changes were stored: %v", p)
	}
}

func TestPolicyRetentionDefaultsNationallyIsChangedPerPeriodAndValidatedNamingTheField(t *testing.T) {
	a := newTestAPI(t)
	var p struct {
		ContactDeadline string            `json:"contact_deadline"`
		Retention       map[string]string `json:"retention"`
	}
	r := a.do(http.MethodGet, "/api/v1/jobcenters/751/policy", &manager, nil)
	r.json(t, &p)
	if r.status != 200 || p.Retention["referral_data"] != "P180D" || p.Retention["outbox_mail"] != "P30D" || p.Retention["inactive_candidates"] != "P365D" {
		t.Fatalf("national defaults: %d %s", r.status, r.body)
	}
	// A stored policy from before retention existed (only contact_deadline changed) keeps the defaults.
	a.do(http.MethodPut, "/api/v1/jobcenters/751/policy", &manager, map[string]any{"contact_deadline": "P1D"})
	r = a.do(http.MethodPut, "/api/v1/jobcenters/751/policy", &manager, map[string]any{"retention": map[string]any{"outbox_mail": "P7D"}})
	r.json(t, &p)
	if r.status != 200 || p.Retention["outbox_mail"] != "P7D" || p.Retention["referral_data"] != "P180D" || p.ContactDeadline != "P1D" {
		t.Fatalf("partial retention PUT: %d %s", r.status, r.body)
	}
	for name, tc := range map[string]struct {
		body   any
		status int
		field  string
	}{
		"consents shorter than referrals": {map[string]any{"retention": map[string]any{"consents": "P10D"}}, 422, "retention.consents"},
		"notes outliving referrals":       {map[string]any{"retention": map[string]any{"employer_notes": "P400D"}}, 422, "retention.employer_notes"},
		"empty period":                    {map[string]any{"retention": map[string]any{"cv_access_log": "PT0S"}}, 422, "retention.cv_access_log"},
		"misspelt period":                 {map[string]any{"retention": map[string]any{"outbox": "P1D"}}, 422, "retention"},
		"malformed period":                {map[string]any{"retention": map[string]any{"outbox_mail": "a week"}}, 422, "retention"},
	} {
		t.Run(name, func(t *testing.T) {
			r := a.do(http.MethodPut, "/api/v1/jobcenters/751/policy", &manager, tc.body)
			if r.status != tc.status || !namesField(problemOf(t, r), tc.field) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	a.do(http.MethodGet, "/api/v1/jobcenters/751/policy", &manager, nil).json(t, &p)
	if p.Retention["outbox_mail"] != "P7D" || p.Retention["consents"] != "P180D" || p.Retention["cv_access_log"] != "P365D" {
		t.Fatalf("refused retention changes were stored: %v", p.Retention)
	}
}

func TestStaffPhoneComesFromTheTokensPhoneNumberClaimOrTheManagerAndIsKeptWhenATokenHasNone(t *testing.T) {
	a := newTestAPI(t)
	phoneOf := func(id string) string {
		t.Helper()
		var list CaseworkerList
		a.do(http.MethodGet, "/api/v1/jobcenters/751/caseworkers", &manager, nil).json(t, &list)
		for _, it := range list.Items {
			if it.ID == id {
				return it.Phone
			}
		}
		t.Fatalf("%s is not in the directory", id)
		return ""
	}
	withClaim := auth.Principal{Subject: "cw-tlf", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Tove Telefon", Phone: "+45 87 13 20 10"}
	a.do(http.MethodGet, "/api/v1/job-orders", &withClaim, nil)
	if got := phoneOf("cw-tlf"); got != "+45 87 13 20 10" {
		t.Fatalf("phone from the token's phone_number claim: %q", got)
	}
	body := map[string]any{"id": "cw-ring", "name": "Rikke Ring", "email": "rikke@aarhus.dk", "role": "caseworker", "phone": "87 13 20 11"}
	if r := a.do(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", &manager, body); r.status != 201 || !strings.Contains(string(r.body), `"phone":"87 13 20 11"`) {
		t.Fatalf("manager adding with a phone: %d %s", r.status, r.body)
	}
	// A token without the claim keeps the number the manager set.
	a.do(http.MethodGet, "/api/v1/job-orders", &auth.Principal{Subject: "cw-ring", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Rikke Ring"}, nil)
	if got := phoneOf("cw-ring"); got != "87 13 20 11" {
		t.Fatalf("phone after a token without phone_number: %q", got)
	}
	for _, bad := range []string{"ring mig", "12", "+45 87 13 20 00 00 00 00 00 00 00 00 00 00 00"} {
		body["phone"] = bad
		r := a.do(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", &manager, body)
		if p := problemOf(t, r); r.status != 422 || !namesField(p, "phone") {
			t.Fatalf("phone %q: %d %s", bad, r.status, r.body)
		}
	}
}
