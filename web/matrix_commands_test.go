package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// The order page's command forms in the authorization matrix: every POST /job-orders/:id/...
// route, as every kind of caller of consoleCallers, each cell on a fresh order (a command
// changes the order, so one caller's success must not decide the next caller's answer), with
// the workflow stand-in of joborder_test.go behind the engine. The statuses are the API's
// (api/matrix_sharing_test.go, the "internal" level: the order is its job centre's own) carried
// over to pages as in consoleMatrix: 200/201 → 303 to the order page, 403 → the 403 page,
// 404 → the 404 page, no session → 303 to the login. A caller refused sends nothing to the
// workflow. TestConsoleMatrixCoversEveryPageRoute fails for a page route in neither table.

// commandFixture is one cell's order: C (cw-1) is its coordinator; it has a sent referral of a
// 751 candidate (with a note only 751 may read), a pending proposal by the neighbouring job
// centre 746 (made while the order was shared with it, then internal again), an open
// follow-up, and fresh, never-referred candidates of the callers' job centres.
type commandFixture struct {
	order, sent, proposal, followUp string
	fresh                           map[string]string
}

type commandRow struct {
	path string
	form func(f commandFixture, caller *auth.Principal) url.Values
	want string
}

// matrixReferralNote is the sent referral's note: internal to the job centres, never on a page
// the other callers get.
const matrixReferralNote = "HEMMELIG-HENVISNINGSNOTE"

var commandMatrix = []commandRow{
	// The close-out question's answer (web/closeout.go): the order's employer only, as
	// POST /api/v1/job-orders/{id}/close-out-answer (staff who may read the order: 403).
	{"/job-orders/:id/close-out", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"answer": {"still_recruiting"}}
	}, "anon=303 E=303 E2=404 C=403 M=403 N=404 K=404 A=403"},
	{"/job-orders/:id/coordinator", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"coordinator_id": {manager.Subject}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	// The contact person: the responsible job centre and the company's own people name one.
	{"/job-orders/:id/contact-person", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"contact_person.contact_id": {employer.Subject}}
	}, "anon=303 E=303 E2=404 C=303 M=303 N=404 K=404 A=403"},
	{"/job-orders/:id/contacts", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"contact_note": {"Ringet"}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	{"/job-orders/:id/sharing", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"sharing_level": {models.SharingNational}, "sharing_when": {"now"}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	{"/job-orders/:id/follow-ups", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"followup_due_date": {time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, "followup_due_time": {"10:00"}, "followup_note": {"x"}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	{"/job-orders/:id/follow-ups/:fid/done", nil, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	// Each job centre refers a candidate of its own: from 751 it is sent; a job centre the order
	// is not shared with gets 403 as from the API.
	{"/job-orders/:id/referrals", func(f commandFixture, caller *auth.Principal) url.Values {
		jc := "751"
		if caller != nil && caller.Jobcenter != "" {
			jc = caller.Jobcenter
		}
		return url.Values{"refer_candidate": {f.fresh[jc]}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=403 K=403 A=403"},
	// Only the coordinator (C) or a manager of 751 decides a proposal; everyone else gets 404,
	// the proposer included (the order is no longer shared with it).
	{"/job-orders/:id/referrals/:rid/approve", nil, "anon=303 E=404 E2=404 C=303 M=303 N=404 K=404 A=404"},
	{"/job-orders/:id/referrals/:rid/reject", func(f commandFixture, _ *auth.Principal) url.Values {
		return url.Values{"reject_reason_" + f.proposal: {"Nej"}}
	}, "anon=303 E=404 E2=404 C=303 M=303 N=404 K=404 A=404"},
	// 751's staff withdraw any referral (here the sent one).
	{"/job-orders/:id/referrals/:rid/withdraw", nil, "anon=303 E=404 E2=404 C=303 M=303 N=404 K=404 A=404"},
	{"/job-orders/:id/hires", func(f commandFixture, _ *auth.Principal) url.Values {
		return url.Values{"hire_referral": {f.sent}, "hire_note": {"Starter mandag"}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	{"/job-orders/:id/details", func(commandFixture, *auth.Principal) url.Values {
		// The whole form as the page posts it, with a new title.
		return url.Values{"title": {"Ny titel"}, "description": {"To tømrere."}, "workplace_address": {"Søren Frichs Vej 38"}, "workplace_postal_code": {"8000"},
			"workplace_municipality_code": {"751"}, "occupation_code": {"7115"}, "positions": {"1"}, "start_date": {""}, "application_deadline": {""}, "wished_coordinator": {""}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
	// The employer may pause or close its own order, as through the API.
	{"/job-orders/:id/status", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"status": {models.StatusTemporarilyInactive}, "inactive_until": {time.Now().AddDate(0, 0, 7).Format("2006-01-02")}}
	}, "anon=303 E=303 E2=404 C=303 M=303 N=404 K=404 A=403"},
	// The employer's archive and its own note on a sent referral's CV (web/joborder_forms.go):
	// as PUT /api/v1/job-orders/{id}/referrals/{rid}/archive and .../employer-note, the order's
	// employer only (403 for everyone else who is logged in, 404 for another company).
	{"/job-orders/:id/referrals/:rid/archive", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"archived": {"true"}}
	}, "anon=303 E=303 E2=404 C=403 M=403 N=403 K=403 A=403"},
	{"/job-orders/:id/referrals/:rid/employer-note", func(f commandFixture, _ *auth.Principal) url.Values {
		return url.Values{"employer_note_" + f.sent: {"Ring mandag"}}
	}, "anon=303 E=303 E2=404 C=403 M=403 N=403 K=403 A=403"},
	{"/job-orders/:id/notes", func(commandFixture, *auth.Principal) url.Values {
		return url.Values{"note_text": {"x"}, "note_visibility": {models.NoteInternal}}
	}, "anon=303 E=403 E2=404 C=303 M=303 N=404 K=404 A=403"},
}

func (f commandFixture) fill(path string) string {
	rid := f.sent
	if strings.Contains(path, "/approve") || strings.Contains(path, "/reject") {
		rid = f.proposal
	}
	return strings.NewReplacer(":id", f.order, ":rid", rid, ":fid", f.followUp).Replace(path)
}

func newCommandFixture(t *testing.T, tc *testConsole, wf *orderWorkflows) commandFixture {
	t.Helper()
	f := commandFixture{order: tc.createOrder("Kommandoordre").ID, followUp: "fu-matrix", fresh: map[string]string{}}
	setSharing := func(level string) {
		if err := tc.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", level).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := tc.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("coordinator_id", caseworker.Subject).Error; err != nil {
		t.Fatal(err)
	}
	coordinator := caseworker.Subject
	wf.set(f.order, func(l *joborder.LiveState) {
		l.Coordinator = &coordinator
		l.FollowUps = []joborder.FollowUpView{{ID: f.followUp, Due: time.Now().Add(48 * time.Hour)}}
	})
	refer := func(p auth.Principal, candidate, note string) string {
		var r struct{ ID string }
		tc.api(http.MethodPost, "/api/v1/job-orders/"+f.order+"/referrals", p, map[string]any{"candidate_id": candidate, "note": note}, http.StatusCreated, &r)
		return r.ID
	}
	f.sent = refer(caseworker, tc.candidate(caseworker, "Sendt Kandidat", true, "Tømrer", "7115", ""), matrixReferralNote)
	setSharing(models.SharingNeighbours)
	f.proposal = refer(matrixNeighbour, tc.candidate(matrixNeighbour, "Foreslaaet Kandidat", true, "Tømrer", "7115", ""), "")
	setSharing(models.SharingInternal)
	for _, p := range []auth.Principal{caseworker, matrixNeighbour, otherCaseworker} {
		f.fresh[p.Jobcenter] = tc.candidate(p, "Ny Kandidat "+p.Jobcenter, true, "Tømrer", "7115", "")
	}
	return f
}

func TestConsoleOrderCommandMatrix(t *testing.T) {
	wf := newOrderWorkflows()
	tc := newTestConsole(t, consoleOptions{workflows: wf})
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	// The manager has logged in before, so the directory knows them as a possible coordinator.
	tc.api(http.MethodGet, "/api/v1/job-orders", manager, nil, http.StatusOK, nil)
	for _, row := range commandMatrix {
		cells := parseCells(t, row.want)
		for _, caller := range consoleCallers {
			want, ok := cells[caller.key]
			if !ok {
				t.Errorf("POST %s: no cell for %s", row.path, caller.key)
				continue
			}
			f := newCommandFixture(t, tc, wf)
			b := tc.browser()
			csrfPage := b.get("/login")
			if caller.p != nil {
				b.login(tc, *caller.p)
				csrfPage = b.get("/tilgaengelighed")
			}
			form := url.Values{}
			if row.form != nil {
				form = row.form(f, caller.p)
			}
			form.Set("csrf_token", csrfPage.csrf(t))
			before := len(wf.sent())
			events := countEvents(t, tc, f.order)
			res := b.post(f.fill(row.path), form)
			if res.status != want {
				t.Errorf("POST %s as %s: %d, want %d\n%s", row.path, caller.key, res.status, want, errorsOf(res.body))
			}
			switch {
			case res.status == http.StatusSeeOther && caller.p != nil:
				if loc := res.header.Get("Location"); !strings.HasPrefix(loc, "/job-orders/"+f.order+"#") {
					t.Errorf("POST %s as %s goes to %s, not the order page", row.path, caller.key, loc)
				}
			case res.status == http.StatusSeeOther:
				if loc := res.header.Get("Location"); !strings.HasPrefix(loc, "/login") {
					t.Errorf("POST %s without a session goes to %s, not the login", row.path, loc)
				}
			}
			if res.status != http.StatusSeeOther || caller.p == nil {
				if n := len(wf.sent()); n != before {
					t.Errorf("POST %s as %s was refused (%d) but sent %d command(s) to the workflow", row.path, caller.key, res.status, n-before)
				}
				if n := countEvents(t, tc, f.order); n != events {
					t.Errorf("POST %s as %s was refused (%d) but the order's history grew by %d", row.path, caller.key, res.status, n-events)
				}
			}
			if caller.key != "C" && caller.key != "M" && strings.Contains(res.body, matrixReferralNote) {
				t.Errorf("POST %s as %s shows the referral's internal note", row.path, caller.key)
			}
		}
	}
}

// countEvents is the number of history entries of an order.
func countEvents(t *testing.T, tc *testConsole, order string) int64 {
	t.Helper()
	var n int64
	if err := tc.db.Model(&models.JobOrderEvent{}).Where("job_order_id = ?", order).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// errorsOf is the links of a page's error summary (each field's message), for a failure's message.
func errorsOf(body string) string {
	var out []string
	for _, part := range strings.Split(body, `class="function-link" href="#field-`)[1:] {
		if start, end := strings.Index(part, ">"), strings.Index(part, "</a>"); start >= 0 && end > start {
			out = append(out, part[start+1:end])
		}
	}
	return strings.Join(out, " | ")
}
