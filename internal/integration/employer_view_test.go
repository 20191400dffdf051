package integration

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
)

// internalOrderFields are the JSON fields of the job centre's planning and internals that an
// employer's answer must never hold (docs/api.md, "What the employer sees of an order").
var internalOrderFields = []string{"live", "live_error", "deadlines", "next_reminder_at", "policy", "sharing", "close_reason",
	"caseworker_id", "coordinators", "follow_ups", "notes"}

// jsonKeys collects every object key anywhere in a JSON document.
func jsonKeys(t *testing.T, body []byte) map[string]bool {
	t.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				keys[k] = true
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	walk(doc)
	return keys
}

// The employer's order, read on the real stack (embedded Temporal, PostgreSQL, HTTP), names the
// coordinator with the name, e-mail and phone from the directory (the phone from the token's
// phone_number claim) and the job centre's shared mailbox, and holds none of the fields of the
// job centre's planning the workflow reports to staff: not on read, in the list, in the answer
// to the employer's own status command, or after the job centre closed it with a reason.
func TestEmployerSeesTheCoordinatorsNameEmailAndPhoneAndNoneOfTheJobCentresPlanning(t *testing.T) {
	ls := newLifecycleStack(t)
	// Ida's token carries her phone number: the directory takes it from the phone_number claim.
	ida := ls.token(auth.Principal{Subject: "cw-ida", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Kristensen",
		Email: "ida@aarhus.example", Phone: "+45 87 13 20 77"})
	ls.must(http.MethodPut, "/api/v1/jobcenters/751", ls.admin, map[string]any{"mailbox_email": "jobcenter@aarhus.example"}, 200)
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &o)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/coordinator", ida, map[string]any{"caseworker_id": "cw-ida"}, 200)

	// Staff see the planning: the order really has it.
	staff := ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ida, nil, 200)
	for _, k := range []string{"live", "deadlines", "policy", "sharing", "caseworker_id"} {
		if !jsonKeys(t, staff.body)[k] {
			t.Fatalf("the caseworker's view lacks %q, so the employer check below proves nothing: %s", k, staff.body)
		}
	}

	type employerOrder struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Coordinator *struct {
			Name, Email, Phone string
		} `json:"coordinator"`
		Jobcenter struct {
			Code         string `json:"code"`
			Name         string `json:"name"`
			MailboxEmail string `json:"mailbox_email"`
		} `json:"jobcenter"`
	}
	checkEmployer := func(what string, body []byte, e employerOrder) {
		t.Helper()
		keys := jsonKeys(t, body)
		var leaked []string
		for _, k := range internalOrderFields {
			if keys[k] {
				leaked = append(leaked, k)
			}
		}
		sort.Strings(leaked)
		if len(leaked) > 0 {
			t.Errorf("%s: the employer's answer holds %s: %s", what, strings.Join(leaked, ", "), body)
		}
		if e.Coordinator == nil || e.Coordinator.Name != "Ida Kristensen" || e.Coordinator.Email != "ida@aarhus.example" || e.Coordinator.Phone != "+45 87 13 20 77" {
			t.Errorf("%s: coordinator %+v, want Ida's name, e-mail and phone: %s", what, e.Coordinator, body)
		}
		if e.Jobcenter.Code != "751" || e.Jobcenter.Name == "" || e.Jobcenter.MailboxEmail != "jobcenter@aarhus.example" {
			t.Errorf("%s: job centre %+v, want 751 with its shared mailbox", what, e.Jobcenter)
		}
	}

	r := ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.employer, nil, 200)
	var got employerOrder
	r.decode(t, &got)
	checkEmployer("GET the order", r.body, got)

	r = ls.must(http.MethodGet, "/api/v1/job-orders", ls.employer, nil, 200)
	var list struct{ Items []employerOrder }
	r.decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != o.ID {
		t.Fatalf("the employer's list: %s", r.body)
	}
	checkEmployer("the list", r.body, list.Items[0])

	r = ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", ls.employer, map[string]any{"status": "temporarily_inactive"}, 200)
	r.decode(t, &got)
	checkEmployer("the employer's pause", r.body, got)
	if got.Status != "temporarily_inactive" {
		t.Errorf("status after the pause: %q", got.Status)
	}

	// The job centre closes it with a reason the employer must not learn.
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/status", ida, map[string]any{"status": "closed", "reason": joborder.CloseReasonNoSuitableCandidates}, 200)
	r = ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.employer, nil, 200)
	r.decode(t, &got)
	checkEmployer("GET the closed order", r.body, got)
	if got.Status != "closed" || strings.Contains(string(r.body), joborder.CloseReasonNoSuitableCandidates) {
		t.Errorf("the closed order as the employer sees it: %s", r.body)
	}
}
