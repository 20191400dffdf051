package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// An employer's pages use the design system's virk.dk theme (as Danish business self-service
// does), a caseworker's the plain DKFDS theme; an employer's "/" is the company's order list,
// not a redirect.
func TestEmployerGetsTheVirkThemeAndTheOrderListAtTheStartPage(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})

	emp := tc.browser()
	emp.follow(emp.login(tc, employer))
	home := emp.get("/")
	if home.status != http.StatusOK {
		t.Fatalf("employer GET /: %d, want 200 (the order list, not a redirect)\n%s", home.status, home.body)
	}
	if !strings.Contains(home.body, "dkfds-virkdk") {
		t.Errorf("employer's start page does not link the virk.dk style sheet:\n%s", home.body)
	}
	list := emp.get("/job-orders")
	if !strings.Contains(list.body, "dkfds-virkdk") {
		t.Errorf("employer's /job-orders does not link the virk.dk style sheet")
	}

	cw := tc.browser()
	cw.follow(cw.login(tc, caseworker))
	inbox := cw.get("/")
	if inbox.status != http.StatusOK {
		t.Fatalf("caseworker GET /: %d", inbox.status)
	}
	if strings.Contains(inbox.body, "dkfds-virkdk") || !strings.Contains(inbox.body, "dkfds.min") {
		t.Errorf("caseworker's inbox should link the plain DKFDS style sheet, not virk.dk")
	}
}

// employerFixture is an order of 751 for employer 10103940 with two referred candidates, one
// of whom has since made the CV inactive, an internal note and a note to the employer.
type employerFixture struct {
	*orderFixture
	active, inactive string // candidate IDs
	sent             string // the active candidate's referral
}

const (
	employerCVText   = "Tagrenovering i 12 år"
	internalNoteText = "INTERN-PLANLÆGNING-751"
	employerNoteText = "Vi ringer til jer mandag"
)

func newEmployerFixture(t *testing.T) *employerFixture {
	t.Helper()
	f := &employerFixture{orderFixture: newOrderFixture(t)}
	f.active = f.candidate(caseworker, "Aktiv Tømrer", true, "Tømrer", "7115", employerCVText)
	f.inactive = f.candidate(caseworker, "Inaktiv Tømrer", true, "Tømrer", "7115", "")
	for _, c := range []string{f.active, f.inactive} {
		var r struct{ ID string }
		f.api(http.MethodPost, "/api/v1/job-orders/"+f.order+"/referrals", caseworker, map[string]any{"candidate_id": c}, http.StatusCreated, &r)
		if c == f.active {
			f.sent = r.ID
		}
	}
	f.api(http.MethodPatch, "/api/v1/candidates/"+f.inactive, caseworker, map[string]any{"active": false}, http.StatusOK, nil)
	for text, vis := range map[string]string{internalNoteText: models.NoteInternal, employerNoteText: models.NoteEmployer} {
		f.api(http.MethodPost, "/api/v1/job-orders/"+f.order+"/notes", caseworker, map[string]any{"text": text, "visibility": vis}, http.StatusCreated, nil)
	}
	return f
}

// reads is the number of employer reads of the candidate's CV in the CV access log, as staff
// read it through the API.
func (f *employerFixture) reads(candidate string) int {
	f.t.Helper()
	var log struct {
		Items []struct {
			ReaderID   string `json:"reader_id"`
			JobOrderID string `json:"job_order_id"`
		}
	}
	f.api(http.MethodGet, "/api/v1/candidates/"+candidate+"/access-log", caseworker, nil, http.StatusOK, &log)
	for _, e := range log.Items {
		if e.ReaderID != employer.Subject || e.JobOrderID != f.order {
			f.t.Errorf("access log entry %+v, want emp-1 on the order", e)
		}
	}
	return len(log.Items)
}

// The employer's order page shows each referred candidate's current CV, and every showing is
// in the CV access log (one read per page view, as the API's list logs one per call); a
// candidate whose CV is inactive is said to be gone, with no name or CV; notes to the employer
// are shown, the internal note and the job centre's planning are not.
func TestEmployersOrderPageShowsReferredCVsLogsEachReadAndNoInternalNote(t *testing.T) {
	f := newEmployerFixture(t)
	emp := f.as(employer)
	before := f.reads(f.active)
	pg := emp.get(f.path(""))
	if pg.status != http.StatusOK {
		t.Fatalf("employer's page: %d\n%s", pg.status, pg.body)
	}
	mustContain(t, pg, "Alle formidlede kandidater", "Aktiv Tømrer", employerCVText, "aktiv.tømrer@example.dk",
		"CV'et er ikke længere aktivt", "Noter fra jobcentret", employerNoteText, `id="archive"`)
	mustNotContain(t, pg, "Inaktiv Tømrer", "inaktiv.tømrer@example.dk", internalNoteText)
	mustNotContain(t, pg, employerPlanning...)
	if got := f.reads(f.active); got != before+1 {
		t.Errorf("the page view logged %d reads of the active CV, want 1", got-before)
	}
	if got := f.reads(f.inactive); got != 0 {
		t.Errorf("the inactive CV was logged as read %d times; it is never shown", got)
	}
	// The job centre's own page still has the internal note (so the check above can fail).
	mustContain(t, f.as(caseworker).get(f.path("")), internalNoteText)
}

// The employer keeps its own note on a CV and files the CV in its archive, each a plain form
// post through referrals.SetEmployerNote and Archive; a note too long is refused at its field
// with what was typed kept; the job centre never sees the note.
func TestEmployerKeepsANoteOnACVAndArchivesIt(t *testing.T) {
	f := newEmployerFixture(t)
	emp := f.as(employer)
	field := "employer_note_" + f.sent
	long := strings.Repeat("x", 5001)
	res := f.submit(emp, "/referrals/"+f.sent+"/employer-note", url.Values{field: {long}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a note of 5001 characters: %d\n%s", res.status, res.body)
	}
	mustContain(t, res, `href="#field-`+field+`"`, "Skriv en note på højst 5.000 tegn.", ">"+long+"</textarea>")

	res = f.submit(emp, "/referrals/"+f.sent+"/employer-note", url.Values{field: {"Ring fredag kl. 10"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.path("#candidates") {
		t.Fatalf("note: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	res = f.submit(emp, "/referrals/"+f.sent+"/archive", url.Values{"archived": {"true"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", res.status, res.body)
	}
	pg := emp.get(f.path(""))
	archive := pg.body[strings.Index(pg.body, `id="archive"`):]
	if !strings.Contains(archive, "Aktiv Tømrer") || !strings.Contains(archive, "Ring fredag kl. 10") || !strings.Contains(archive, "Flyt ud af arkivet") {
		t.Errorf("the archive does not hold the CV with its note:\n%s", archive)
	}
	mustContain(t, pg, "Jeres arkiv er opdateret.", "Alle kandidaternes CV'er ligger i jeres arkiv herunder.")
	mustNotContain(t, f.as(caseworker).get(f.path("")), "Ring fredag kl. 10")

	res = f.submit(emp, "/referrals/"+f.sent+"/archive", url.Values{"archived": {"maybe"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("archived=maybe: %d", res.status)
	}
	mustContain(t, res, `href="#field-archive_`+f.sent+`"`)
}

// The employer pauses, resumes and closes its order with buttons that ask no reason: the
// close reaches the workflow as closed_by_employer even when a crafted form names a job
// centre's reason; a pause's last day in the past is refused at its field with what was typed
// kept; a paused order offers "active again" and close, a closed one no buttons at all.
func TestEmployerClosesAndPausesItsOrderWithoutAReason(t *testing.T) {
	f := newOrderFixture(t)
	emp := f.as(employer)
	pg := emp.get(f.path(""))
	mustContain(t, pg, "Sæt jobordren midlertidigt inaktiv", "Luk jobordren", `name="inactive_until"`)
	mustNotContain(t, pg, `name="close_reason"`, "Årsag til lukning", "Gør jobordren aktiv igen")

	yesterday := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	res := f.submit(emp, "/status", url.Values{"status": {models.StatusTemporarilyInactive}, "inactive_until": {yesterday}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("pause until yesterday: %d\n%s", res.status, res.body)
	}
	mustContain(t, res, `href="#field-inactive_until"`, "Vælg en dag efter i dag.", `value="`+yesterday+`"`, `<details class="details" open>`)

	res = f.submit(emp, "/status", url.Values{"status": {models.StatusClosed}, "close_reason": {"filled"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", res.status, errorsOf(res.body))
	}
	sent := f.wf.sent()
	if in, ok := sent[len(sent)-1].arg.(joborder.SetStatusInput); !ok || in.Status != models.StatusClosed || in.Reason != joborder.CloseReasonClosedByEmployer {
		t.Errorf("the workflow was told %+v, want closed as %s", sent[len(sent)-1].arg, joborder.CloseReasonClosedByEmployer)
	}

	f.wf.set(f.order, func(l *joborder.LiveState) { l.Status = models.StatusTemporarilyInactive })
	pg = emp.get(f.path(""))
	mustContain(t, pg, "Gør jobordren aktiv igen", "Luk jobordren")
	mustNotContain(t, pg, "Sæt jobordren midlertidigt inaktiv", `name="close_reason"`)

	now := time.Now()
	f.wf.set(f.order, func(l *joborder.LiveState) { l.Status, l.ClosedAt = models.StatusClosed, &now })
	pg = emp.get(f.path(""))
	mustContain(t, pg, "Jobordren er lukket. Kontakt")
	mustNotContain(t, pg, `action="`+f.path("/status")+`"`)
}
