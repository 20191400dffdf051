package web_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/internal/referrals"
	"jobordre/models"
	"jobordre/workflows"
)

// orderWorkflows stands in for Temporal on the order page's tests: every started order answers
// the live-state query with its state (a test may set it), and every command is recorded with
// its argument and answered with that state. What the workflow does with commands is tested in
// workflows/ and on the real stack (internal/integration, web/e2e).
type orderWorkflows struct {
	mu      sync.Mutex
	live    map[string]joborder.LiveState
	updates []recordedUpdate
	signals []string
}

type recordedUpdate struct {
	order, name string
	arg         any
}

func newOrderWorkflows() *orderWorkflows {
	return &orderWorkflows{live: map[string]joborder.LiveState{}}
}

func (w *orderWorkflows) StartJobOrder(_ context.Context, in workflows.JobOrderInput) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.live[in.JobOrderID] = joborder.LiveState{JobOrderID: in.JobOrderID, Status: models.StatusOpen, Sharing: models.SharingInternal,
		ResponsibleJobcenter: in.ResponsibleJobcenter, OpenedAt: in.CreatedAt, Positions: in.Positions, Policy: policy.Defaults(),
		Deadlines: []joborder.Deadline{}}
	return nil
}

func (w *orderWorkflows) LiveState(_ context.Context, id string) (joborder.LiveState, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.live[id]
	if !ok {
		return joborder.LiveState{}, errors.New("workflow not found")
	}
	return l, nil
}

func (w *orderWorkflows) Update(ctx context.Context, id, name string, arg, result any) error {
	w.mu.Lock()
	w.updates = append(w.updates, recordedUpdate{order: id, name: name, arg: arg})
	w.mu.Unlock()
	l, err := w.LiveState(ctx, id)
	if err != nil {
		return err
	}
	if p, ok := result.(*joborder.LiveState); ok {
		*p = l
	}
	return nil
}

func (w *orderWorkflows) Signal(_ context.Context, id, name string, arg any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.signals = append(w.signals, name)
	return nil
}

func (w *orderWorkflows) set(id string, f func(*joborder.LiveState)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := w.live[id]
	f(&l)
	w.live[id] = l
}

func (w *orderWorkflows) sent() []recordedUpdate {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]recordedUpdate(nil), w.updates...)
}

var (
	neighbourCW = auth.Principal{Subject: "cw-746", Role: auth.RoleCaseworker, Jobcenter: "746", Name: "Nina Nabo"}
	farCW       = auth.Principal{Subject: "cw-461", Role: auth.RoleCaseworker, Jobcenter: "461", Name: "Frederik Fjern"}
	colleague   = auth.Principal{Subject: "cw-2", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Bo Bertelsen"}
)

// orderFixture is a test console with one order of 751 for employer 10103940.
type orderFixture struct {
	*testConsole
	wf    *orderWorkflows
	order string
}

func newOrderFixture(t *testing.T) *orderFixture {
	t.Helper()
	wf := newOrderWorkflows()
	tc := newTestConsole(t, consoleOptions{workflows: wf})
	positions := 2
	start, deadline := "2027-01-04", "2026-12-20"
	res, err := tc.orders.Create(context.Background(), caseworker, orders.CreateRequest{
		CompanyCVR: "10103940", CompanyName: "Byg & Tag ApS", Title: "Tømrer til renovering", Description: "To erfarne tømrere til vinduer og tage.",
		Workplace:            orders.Workplace{Address: "Søren Frichs Vej 38", PostalCode: "8000"},
		ResponsibleJobcenter: "751", OccupationCode: "7115", Positions: &positions, StartDate: &start, ApplicationDeadline: &deadline,
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	return &orderFixture{testConsole: tc, wf: wf, order: res.Order.ID}
}

func (f *orderFixture) path(rest string) string { return "/job-orders/" + f.order + rest }

// as is a browser logged in as p, registered in the directory like the API registers callers.
func (f *orderFixture) as(p auth.Principal) *browser {
	b := f.browser()
	b.login(f.testConsole, p)
	if res := b.get("/job-orders/" + f.order); res.status != http.StatusOK && res.status != http.StatusNotFound {
		f.t.Fatalf("first page as %s: %d", p.Subject, res.status)
	}
	return b
}

// submit posts a form of the order page with the page's CSRF token, as the browser does.
func (f *orderFixture) submit(b *browser, rest string, form url.Values) page {
	f.t.Helper()
	pg := b.get(f.path(""))
	if pg.status != http.StatusOK {
		f.t.Fatalf("order page: %d\n%s", pg.status, pg.body)
	}
	form.Set("csrf_token", pg.csrf(f.t))
	return b.post(f.path(rest), form)
}

func mustContain(t *testing.T, p page, wants ...string) {
	t.Helper()
	body := html.UnescapeString(p.body)
	failed := false
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("the page (%d) lacks %q", p.status, w)
			failed = true
		}
	}
	if failed {
		t.Logf("page:\n%s", p.body)
	}
}

func mustNotContain(t *testing.T, p page, unwanted ...string) {
	t.Helper()
	body := html.UnescapeString(p.body)
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("the page (%d) shows %q", p.status, w)
		}
	}
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, policy.Copenhagen)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOrderPageShowsTheOrderItsScheduleAndEveryCommandToItsJobCentre(t *testing.T) {
	f := newOrderFixture(t)
	// The workflow waits for the neighbours step; the national one follows from the policy.
	created := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	f.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("created_at", created)
	next := day("2026-12-07 09:00")
	f.wf.set(f.order, func(l *joborder.LiveState) {
		l.Deadlines = []joborder.Deadline{{Name: "contact", Due: next}, {Name: "sharing:neighbours", Due: day("2026-12-08 10:00")}}
		l.NextReminderAt = &next
		// The job centre's own sharing steps (the shipped defaults have none).
		l.Policy.SharingSteps = []policy.SharingStep{{After: policy.MustParseDuration("P3D"), Level: models.SharingNeighbours},
			{After: policy.MustParseDuration("P10D"), Level: models.SharingNational}}
	})
	b := f.as(caseworker)
	pg := b.get(f.path(""))
	if pg.status != http.StatusOK {
		t.Fatalf("%d\n%s", pg.status, pg.body)
	}
	mustContain(t, pg, "<title>Jobordre: Tømrer til renovering – Jobordre</title>", "<h1>Tømrer til renovering</h1>",
		"To erfarne tømrere til vinduer og tage.", "Søren Frichs Vej 38, 8000 (Aarhus)", "(7115)</dd>",
		"4. januar 2027", "20. december 2026", "Jobordren er intern.",
		"Deles med nabojobcentre tirsdag 8. december", "Deles med alle landets jobcentre torsdag 17. december",
		"Næste påmindelse: 7. december 2026 kl. 09.00.", "Arbejdsgiveren skal kontaktes",
		"Jobordren har ingen tovholder endnu.", "Formidlingslog", "Jobordren blev oprettet med Jobcenter Aarhus som ansvarligt jobcenter")
	for _, action := range []string{"/coordinator", "/contacts", "/sharing", "/follow-ups", "/details", "/status", "/notes"} {
		mustContain(t, pg, `action="`+f.path(action)+`"`)
	}
	// No candidate fits yet: the referral form offers the search.
	mustContain(t, pg, `role="search"`, "Ingen af jobcenterets kandidater passer til jobordrens stilling.")
	// No sent referral yet: no hire to register, and the page says why.
	mustNotContain(t, pg, `action="`+f.path("/hires")+`"`)
	mustContain(t, pg, "En ansættelse registreres på en kandidat, hvis CV er sendt til arbejdsgiveren.")
}

func TestOrderPageIsNotFoundForAJobCentreItIsNotSharedWithAndNeedsALogin(t *testing.T) {
	f := newOrderFixture(t)
	anon := f.browser()
	if res := anon.get(f.path("")); res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?next="+url.QueryEscape(f.path("")) {
		t.Fatalf("without a session: %d %s", res.status, res.header.Get("Location"))
	}
	far := f.as(farCW)
	for _, path := range []string{f.path(""), "/job-orders/not-an-id", "/job-orders/00000000-0000-0000-0000-000000000000"} {
		res := far.get(path)
		if res.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, res.status)
		}
		mustContain(t, res, "Siden findes ikke")
		mustNotContain(t, res, "Tømrer til renovering")
	}
	// Shared with the neighbours, 746 sees it, and 461 still does not.
	f.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", models.SharingNeighbours)
	f.wf.set(f.order, func(l *joborder.LiveState) { l.Sharing = models.SharingNeighbours })
	if res := f.as(neighbourCW).get(f.path("")); res.status != http.StatusOK {
		t.Errorf("neighbour: %d", res.status)
	}
	if res := far.get(f.path("")); res.status != http.StatusNotFound {
		t.Errorf("far, at neighbours: %d", res.status)
	}
}

func TestAssignCoordinatorFormSendsTheCommandAndReturnsToThePageWithItsResult(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	res := f.submit(b, "/coordinator", url.Values{"coordinator_id": {caseworker.Subject}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.path("#coordinator") {
		t.Fatalf("%d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	sent := f.wf.sent()
	if len(sent) != 1 || sent[0].name != joborder.UpdateAssignCoordinator || sent[0].arg.(joborder.AssignCoordinatorInput).CoordinatorID != caseworker.Subject {
		t.Fatalf("commands sent: %+v", sent)
	}
	// The workflow projects the coordinator before it answers; the page reads it back.
	f.wf.set(f.order, func(l *joborder.LiveState) { id := caseworker.Subject; l.Coordinator = &id })
	pg := b.follow(res)
	mustContain(t, pg, "Tovholderen er valgt.", "Tovholder: Anna Andersen")
	// A colleague is one of the choices; a caseworker of another job centre is refused at the field.
	f.as(colleague)
	pg = b.get(f.path(""))
	mustContain(t, pg, `<option value="cw-2">Bo Bertelsen</option>`, "Anna Andersen (dig)")
	f.as(neighbourCW)
	res = f.submit(b, "/coordinator", url.Values{"coordinator_id": {neighbourCW.Subject}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("another job centre's caseworker: %d", res.status)
	}
	mustContain(t, res, "Der er problemer", `href="#field-coordinator_id"`, "Vælg en sagsbehandler fra jobordrens jobcenter.", `aria-invalid="true"`)
	if n := len(f.wf.sent()); n != 1 {
		t.Errorf("a refused form sent a command: %d commands", n)
	}
}

func TestAFormWithErrorsShowsTheErrorSummaryAtItsFieldsKeepsWhatWasTypedAndOpensIt(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	res := f.submit(b, "/follow-ups", url.Values{"followup_due_date": {""}, "followup_due_time": {"10:00"}, "followup_note": {"Ring og hør om samtalerne"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("%d", res.status)
	}
	mustContain(t, res, "<title>Fejl: Jobordre: Tømrer til renovering – Jobordre</title>", `data-module="error-summary"`,
		`<a class="function-link" href="#field-followup_due_date">Vælg en dag.</a>`, `id="field-followup_due_date-error"`,
		">Ring og hør om samtalerne</textarea>", `value="10:00"`)
	if !strings.Contains(res.body, `<details class="details" open>
    <summary class="details-summary">Aftal opfølgning</summary>`) {
		t.Errorf("the follow-up form is not open:\n%s", res.body)
	}
	// A time in the past is the service's error, shown at the same field.
	res = f.submit(b, "/follow-ups", url.Values{"followup_due_date": {"2020-01-02"}, "followup_note": {"for sent"}})
	mustContain(t, res, "Vælg en dag og et klokkeslæt efter nu.")
	// Sharing later needs a day after now; the level chosen is kept.
	res = f.submit(b, "/sharing", url.Values{"sharing_level": {"national"}, "sharing_when": {"at"}, "sharing_at_date": {"2020-01-02"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("sharing in the past: %d", res.status)
	}
	mustContain(t, res, `href="#field-sharing_at_date"`, `value="national" checked`)
	// Closing needs a reason.
	res = f.submit(b, "/status", url.Values{"status": {"closed"}})
	mustContain(t, res, `href="#field-close_reason"`, "Vælg en årsag til, at jobordren lukkes.")
	if n := len(f.wf.sent()); n != 0 {
		t.Errorf("forms with errors sent %d commands", n)
	}
}

func TestShareLaterSendsTheDayAndTimeInCopenhagenTime(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	at := time.Now().In(policy.Copenhagen).AddDate(0, 0, 7)
	res := f.submit(b, "/sharing", url.Values{"sharing_level": {"neighbours"}, "sharing_when": {"at"},
		"sharing_at_date": {at.Format("2006-01-02")}, "sharing_at_time": {"07:30"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("%d\n%s", res.status, res.body)
	}
	want := time.Date(at.Year(), at.Month(), at.Day(), 7, 30, 0, 0, policy.Copenhagen)
	sent := f.wf.sent()
	in := sent[len(sent)-1].arg.(joborder.SetSharingInput)
	if in.Level != "neighbours" || in.At == nil || !in.At.Equal(want) || in.After != nil {
		t.Fatalf("sent %+v, want neighbours at %s", in, want)
	}
	res = f.submit(b, "/sharing", url.Values{"sharing_level": {"national"}, "sharing_when": {"after"}, "sharing_after_days": {"3"}})
	sent = f.wf.sent()
	in = sent[len(sent)-1].arg.(joborder.SetSharingInput)
	if res.status != http.StatusSeeOther || in.After == nil || in.After.String() != "P3D" || in.At != nil {
		t.Fatalf("after 3 days: %d %+v", res.status, in)
	}
	res = f.submit(b, "/sharing", url.Values{"sharing_level": {"community"}, "sharing_when": {"now"}})
	sent = f.wf.sent()
	in = sent[len(sent)-1].arg.(joborder.SetSharingInput)
	if res.status != http.StatusSeeOther || in.Level != "community" || in.At != nil || in.After != nil {
		t.Fatalf("now: %d %+v", res.status, in)
	}
}

func TestCorrectingDetailsRecordsOnlyTheFieldsThatChange(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	form := url.Values{"title": {"Tømrer til renovering af tage"}, "description": {"To erfarne tømrere til vinduer og tage."},
		"workplace_address": {"Søren Frichs Vej 38"}, "workplace_postal_code": {"8000"}, "workplace_municipality_code": {""},
		"occupation_code": {"7115"}, "positions": {"2"}, "start_date": {"2027-01-04"}, "application_deadline": {"2026-12-20"}, "wished_coordinator": {""}}
	res := f.submit(b, "/details", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("%d\n%s", res.status, res.body)
	}
	pg := b.follow(res)
	mustContain(t, pg, "<h1>Tømrer til renovering af tage</h1>", "Oplysningerne er gemt.", "Oplysninger rettet: Titel")
	// Neither positions nor the deadline changed, so the workflow was only told of activity.
	if sent := f.wf.sent(); len(sent) != 0 {
		t.Errorf("commands for an untimed correction: %+v", sent)
	}
	// The same form again changes nothing and records nothing.
	if res := f.submit(b, "/details", form); res.status != http.StatusSeeOther {
		t.Fatalf("again: %d", res.status)
	}
	var n int64
	f.db.Model(&models.JobOrderEvent{}).Where("job_order_id = ? AND type = ?", f.order, "details-corrected").Count(&n)
	if n != 1 {
		t.Errorf("%d corrections recorded, want 1", n)
	}
	// Taking the start date away is a correction of the start date; a bad number is refused at its field.
	form.Set("start_date", "")
	form.Set("application_deadline", "2026-12-21")
	if res := f.submit(b, "/details", form); res.status != http.StatusSeeOther {
		t.Fatalf("clear the start date: %d\n%s", res.status, res.body)
	}
	var o models.JobOrder
	f.db.Take(&o, "id = ?", f.order)
	if o.StartDate != nil || o.ApplicationDeadline.String() != "2026-12-21" {
		t.Errorf("stored %v %v", o.StartDate, o.ApplicationDeadline)
	}
	if sent := f.wf.sent(); len(sent) != 1 || strings.Join(sent[0].arg.(joborder.CorrectDetailsInput).Fields, ",") != "start_date,application_deadline" {
		t.Errorf("the deadline change reaches the workflow with the changed fields only: %+v", sent)
	}
	form.Set("positions", "to")
	res = f.submit(b, "/details", form)
	mustContain(t, res, `href="#field-positions"`, "Skriv antallet af stillinger som et tal, fx 2.", `value="to"`)
}

func TestNotesAreShownToTheirReadersOnly(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	for text, vis := range map[string]string{"INTERN-NOTE-751": "internal", "TIL-ARBEJDSGIVEREN": "employer"} {
		if res := f.submit(b, "/notes", url.Values{"note_text": {text}, "note_visibility": {vis}}); res.status != http.StatusSeeOther {
			t.Fatalf("note: %d\n%s", res.status, res.body)
		}
	}
	pg := b.get(f.path(""))
	mustContain(t, pg, "INTERN-NOTE-751", "TIL-ARBEJDSGIVEREN", "Note tilføjet (Intern)", "Note tilføjet (Til arbejdsgiveren)")
	res := f.submit(b, "/notes", url.Values{"note_text": {"  "}, "note_visibility": {"internal"}})
	mustContain(t, res, `href="#field-note_text"`, "Skriv en note på højst 5.000 tegn.")

	f.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", models.SharingNeighbours)
	f.wf.set(f.order, func(l *joborder.LiveState) { l.Sharing = models.SharingNeighbours })
	nb := f.as(neighbourCW)
	pg = nb.get(f.path(""))
	mustContain(t, pg, "TIL-ARBEJDSGIVEREN", "(intern note fra det ansvarlige jobcenter)")
	mustNotContain(t, pg, "INTERN-NOTE-751")
	// Another job centre refers and proposes, but does not run the order.
	for _, action := range []string{"/coordinator", "/contacts", "/sharing", "/follow-ups", "/details", "/status", "/notes"} {
		mustNotContain(t, pg, `action="`+f.path(action)+`"`)
	}
	mustContain(t, pg, `role="search"`)
}

func TestProposalsAreApprovedOrRejectedWithAReasonByTheCoordinator(t *testing.T) {
	f := newOrderFixture(t)
	ctx := context.Background()
	f.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Updates(map[string]any{"sharing": models.SharingNeighbours, "coordinator_id": caseworker.Subject})
	f.wf.set(f.order, func(l *joborder.LiveState) {
		id := caseworker.Subject
		l.Sharing, l.Coordinator = models.SharingNeighbours, &id
	})
	rs := referrals.NewService(f.db, f.orders, f.wf, nil)
	propose := func(name string) string {
		yes, active := true, true
		cv := referrals.CV{Headline: "Tømrer med 10 års erfaring", Occupations: []string{"7115"}}
		c, err := rs.CreateCandidate(ctx, neighbourCW, referrals.CandidateRequest{Name: &name, Email: ptr("k@example.dk"), Searchable: &yes, Active: &active, CV: &cv})
		if err != nil {
			t.Fatal(err)
		}
		r, err := rs.Refer(ctx, neighbourCW, f.order, referrals.ReferRequest{CandidateID: c.ID, Note: "NABOENS-NOTE"})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	first, second := propose("Karl Kandidat"), propose("Lone Kandidat")
	f.as(neighbourCW) // registers 746's caseworker in the directory
	b := f.as(caseworker)
	pg := b.get(f.path(""))
	mustContain(t, pg, "2 forslag fra andre jobcentre venter på din godkendelse", "Karl Kandidat", "Tømrer med 10 års erfaring",
		"Venter på godkendelse", "Nina Nabo", "NABOENS-NOTE", `action="`+f.path("/referrals/"+first+"/approve")+`"`)

	res := f.submit(b, "/referrals/"+first+"/approve", url.Values{})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.path("#referrals") {
		t.Fatalf("approve: %d\n%s", res.status, res.body)
	}
	pg = b.follow(res)
	mustContain(t, pg, "Forslaget er godkendt, og CV'et er sendt til arbejdsgiveren.", "Forslaget om Karl Kandidat blev godkendt")
	// Approving it again is a refusal shown at its button, not an error page.
	res = f.submit(b, "/referrals/"+second+"/reject", url.Values{"reject_reason_" + second: {""}})
	mustContain(t, res, `href="#field-reject_reason_`+second+`"`, "Skriv en begrundelse på højst 2.000 tegn.")
	res = f.submit(b, "/referrals/"+second+"/reject", url.Values{"reject_reason_" + second: {"Mangler svendebrev"}})
	pg = b.follow(res)
	mustContain(t, pg, "Afvist", "Begrundelse: Mangler svendebrev", "Forslaget om Lone Kandidat blev afvist")
	// The page's reload of an old form: the proposal is decided already.
	res = b.post(f.path("/referrals/"+second+"/approve"), url.Values{"csrf_token": {pg.csrf(t)}})
	if res.status != http.StatusConflict {
		t.Fatalf("approve a decided proposal: %d", res.status)
	}
	mustContain(t, res, "Forslaget er allerede afgjort.")

	// A colleague who is not the coordinator sees the proposals but cannot decide them.
	pg = f.as(colleague).get(f.path(""))
	mustNotContain(t, pg, "/approve\"")
	// The neighbour sees its own proposals, not 751's decisions on others.
	pg = f.as(neighbourCW).get(f.path(""))
	mustContain(t, pg, "Karl Kandidat", "Lone Kandidat")
}

func TestCommandFormsWithoutTheCSRFTokenOrFromAnotherOriginAreRefusedAndChangeNothing(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	pg := b.get(f.path(""))
	token := pg.csrf(t)
	notes := func() int64 {
		var n int64
		f.db.Model(&models.JobOrderNote{}).Where("job_order_id = ?", f.order).Count(&n)
		return n
	}
	form := url.Values{"note_text": {"skal ikke gemmes"}, "note_visibility": {"internal"}}
	if res := b.post(f.path("/notes"), form); res.status != http.StatusForbidden {
		t.Errorf("without the token: %d", res.status)
	}
	form.Set("csrf_token", token)
	if res := b.post(f.path("/notes"), form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); res.status != http.StatusForbidden {
		t.Errorf("from another origin: %d", res.status)
	}
	if res := b.post(f.path("/coordinator"), url.Values{"coordinator_id": {caseworker.Subject}, "csrf_token": {"wrong"}}); res.status != http.StatusForbidden {
		t.Errorf("with a wrong token: %d", res.status)
	}
	if n := notes(); n != 0 {
		t.Errorf("%d notes stored by refused posts", n)
	}
	if sent := f.wf.sent(); len(sent) != 0 {
		t.Errorf("refused posts sent commands: %+v", sent)
	}
	// Without a session a post goes to the login and changes nothing either.
	anon := f.browser()
	if res := anon.post(f.path("/notes"), form); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Errorf("without a session: %d %s", res.status, res.header.Get("Location"))
	}
	if n := notes(); n != 0 {
		t.Errorf("%d notes stored", n)
	}
}

func TestACandidatePickedFromTheSuggestionsOrTheSearchIsReferred(t *testing.T) {
	f := newOrderFixture(t)
	ctx := context.Background()
	rs := referrals.NewService(f.db, f.orders, f.wf, nil)
	candidate := func(p auth.Principal, name, headline string, occupations ...string) string {
		yes := true
		cv := referrals.CV{Headline: headline, Occupations: occupations}
		c, err := rs.CreateCandidate(ctx, p, referrals.CandidateRequest{Name: &name, Email: ptr("k@example.dk"), Searchable: &yes, Active: &yes, CV: &cv})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	carpenter := candidate(caseworker, "Tine Tømrer", "Tømrer med svendebrev", "7115")
	welder := candidate(caseworker, "Svend Svejser", "Svejser og klejnsmed", "7212")
	candidate(neighbourCW, "Nabo Tømrer", "Tømrer fra Skanderborg", "7115")
	b := f.as(caseworker)
	pg := b.get(f.path(""))
	mustContain(t, pg, "Tine Tømrer", "Foreslået: Tømrer med svendebrev – samme stilling (7115); CV'et nævner ord fra jobordrens titel; søgbart CV, kan sendes uden samtykke",
		"1 kandidat fra et andet jobcenter passer også.", `action="`+f.path("/referrals")+`"`)
	mustNotContain(t, pg, "Svend Svejser", "Nabo Tømrer")

	// The search finds the welder (own job centre only), with the page's referral form open.
	pg = b.get(f.path("?q=svejser"))
	mustContain(t, pg, "Svend Svejser", "Fundet ved søgning: Svejser og klejnsmed (søgbart CV)", `<details class="details" id="refer" open>`, `name="q" value="svejser"`)
	pg = b.get(f.path("?q=og"))
	mustContain(t, pg, `id="field-q-error"`, "Skriv et ord fra CV'et")

	// Refer without a choice: the error is at the radio group, the search kept.
	res := f.submit(b, "/referrals", url.Values{"q": {"svejser"}, "refer_channel": {"jobag"}, "refer_note": {"Ring gerne"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("no candidate: %d", res.status)
	}
	mustContain(t, res, `href="#field-refer_candidate"`, "Vælg en kandidat fra dit jobcenter.", "Svend Svejser", ">Ring gerne</textarea>")
	res = f.submit(b, "/referrals", url.Values{"refer_candidate": {welder}, "refer_channel": {"jobag"}, "refer_note": {"Ring gerne"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.path("#referrals") {
		t.Fatalf("refer: %d\n%s", res.status, res.body)
	}
	pg = b.follow(res)
	mustContain(t, pg, "Kandidaten er henvist.", "Svend Svejser", "Sendt", "CV'et for Svend Svejser blev sendt til arbejdsgiveren", "Ring gerne")
	// A candidate referred once is not offered again, and referring them again is refused at the field.
	res = f.submit(b, "/referrals", url.Values{"refer_candidate": {welder}, "refer_channel": {"jobag"}})
	if res.status != http.StatusConflict {
		t.Fatalf("refer again: %d", res.status)
	}
	mustContain(t, res, "Kandidaten er allerede henvist til jobordren.")
	// The sent referral can be registered as the hire.
	pg = b.get(f.path(""))
	mustContain(t, pg, `action="`+f.path("/hires")+`"`, `name="hire_referral"`)
	// Tine still fits and is still offered; the welder is not.
	mustContain(t, pg, `value="`+carpenter+`"`)
	if strings.Contains(pg.body, `name="refer_candidate" value="`+welder+`"`) {
		t.Error("a referred candidate is offered again")
	}
}

func ptr[T any](v T) *T { return &v }

// The employer's order page shows the job centre's contact person (the coordinator's name,
// e-mail and phone from the directory) and its shared mailbox, from orders.EmployerView, and
// none of the job centre's planning that the same page shows the caseworker: sharing,
// deadlines, the next reminder, follow-ups, contact notes and notes.
func TestEmployersOrderPageShowsTheCoordinatorsContactDetailsAndNoneOfTheJobCentresPlanning(t *testing.T) {
	f := newOrderFixture(t)
	f.as(caseworker)
	if err := f.db.Model(&models.Caseworker{}).Where("id = ?", caseworker.Subject).Update("phone", "+45 87 13 20 42").Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&models.Jobcenter{}).Where("code = ?", "751").Update("mailbox_email", "jobcenter@aarhus.example").Error; err != nil {
		t.Fatal(err)
	}
	next := day("2026-12-07 09:00")
	coordinator := caseworker.Subject
	f.wf.set(f.order, func(l *joborder.LiveState) {
		l.Coordinator = &coordinator
		l.Deadlines = []joborder.Deadline{{Name: "contact", Due: next}}
		l.NextReminderAt = &next
	})
	planning := []string{`id="sharing"`, `id="deadlines"`, `id="follow-ups"`, `id="notes"`, `id="contact"`, "Næste påmindelse"}

	staff := f.as(caseworker).get(f.path(""))
	mustContain(t, staff, planning...)
	emp := f.as(employer).get(f.path(""))
	if emp.status != http.StatusOK {
		t.Fatalf("employer's page: %d", emp.status)
	}
	mustContain(t, emp, caseworker.Name, `href="mailto:anna@jobcenter.example"`, "+45 87 13 20 42", "jobcenter@aarhus.example")
	mustNotContain(t, emp, planning...)
}

func TestTheContactPersonFormNamesWhoGetsTheEmployersMail(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(caseworker)
	pg := b.get(f.path(""))
	mustContain(t, pg, `action="/job-orders/`+f.order+`/contact-person"`, "Skift kontaktperson", "Ingen kontaktperson registreret")
	// A bad e-mail address is refused at its field, with what was typed kept and the form open.
	res := f.submit(b, "/contact-person", url.Values{"contact_person.name": {"Hanne Hansen"}, "contact_person.email": {"hanne.byg.example"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad e-mail: %d\n%s", res.status, res.body)
	}
	mustContain(t, res, `href="#field-contact_person.email"`, "Skriv kontaktpersonens e-mailadresse", `value="Hanne Hansen"`, `<details class="details" open>`)
	// The person spoken to becomes the contact; the page shows them, and they are one of the
	// company's contacts to choose from next time.
	res = f.submit(b, "/contact-person", url.Values{"contact_person.name": {"Hanne Hansen"}, "contact_person.email": {"hanne@byg.example"}, "contact_person.phone": {"86 12 34 56"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.path("#employer") {
		t.Fatalf("%d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	pg = b.follow(res)
	mustContain(t, pg, "Kontaktpersonen er gemt.", `Hanne Hansen, <a href="mailto:hanne@byg.example">hanne@byg.example</a>, <a href="tel:86%2012%2034%2056">86 12 34 56</a>`,
		`Hanne Hansen (hanne@byg.example)</option>`)
	var o models.JobOrder
	if err := f.db.Take(&o, "id = ?", f.order).Error; err != nil {
		t.Fatal(err)
	}
	if o.ContactID == nil {
		t.Fatal("no contact stored")
	}
	// Another job centre reading the order gets no form to change it.
	f.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("sharing", models.SharingNational)
	other := f.as(farCW)
	pg = other.get(f.path(""))
	if pg.status != http.StatusOK || strings.Contains(pg.body, "/contact-person") {
		t.Errorf("another job centre's page: %d", pg.status)
	}
}

func TestARegisteredHireIsShownWithItsNote(t *testing.T) {
	f := newOrderFixture(t)
	ctx := context.Background()
	rs := referrals.NewService(f.db, f.orders, f.wf, nil)
	yes := true
	c, err := rs.CreateCandidate(ctx, caseworker, referrals.CandidateRequest{Name: ptr("Mette Kjærgaard"), Email: ptr("mette@example.dk"),
		Searchable: &yes, Active: &yes, CV: &referrals.CV{Headline: "Tømrer", Occupations: []string{"7115"}}})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := rs.Refer(ctx, caseworker, f.order, referrals.ReferRequest{CandidateID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	b := f.as(caseworker)
	res := f.submit(b, "/hires", url.Values{"hire_referral": {ref.ID}, "hire_note": {"Starter 4. januar."}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("hire: %d\n%s", res.status, res.body)
	}
	var hire joborder.RegisterHireInput
	for _, u := range f.wf.sent() {
		if u.name == joborder.UpdateRegisterHire {
			hire = u.arg.(joborder.RegisterHireInput)
		}
	}
	if hire.HireID == "" {
		t.Fatal("no hire was sent to the workflow")
	}
	// The workflow records the hire under its ID, as workflows/handlers.go does.
	if _, err := history.Append(f.db, history.Entry{JobOrderID: f.order, Type: joborder.EventHireRegistered,
		Key: joborder.EventKey(f.order, joborder.EventHireRegistered, hire.HireID), At: time.Now(), ActorID: caseworker.Subject, ActorRole: caseworker.Role,
		Details: map[string]string{"hire_id": hire.HireID, "hires": "1", "positions": "2"}}); err != nil {
		t.Fatal(err)
	}
	pg := b.get(f.path(""))
	mustContain(t, pg, `<li><strong>Mette Kjærgaard</strong><br><span class="order-text">Starter 4. januar.</span></li>`,
		"Mette Kjærgaard blev ansat (1 af 2 stillinger besat)")
	// The history the API answers carries the note too.
	h, err := f.orders.History(ctx, caseworker, f.order)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range h {
		found = found || (e.Type == string(joborder.EventHireRegistered) && e.Text == "Starter 4. januar.")
	}
	if !found {
		t.Errorf("the hire's history entry has no text: %+v", h)
	}
}
