package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

var (
	aarhusCW    = caseworker                                                                     // 751, responsible
	skanderborg = auth.Principal{Subject: "cw-skb", Role: auth.RoleCaseworker, Jobcenter: "746"} // neighbour of 751
	odenseCW    = auth.Principal{Subject: "cw-ode", Role: auth.RoleCaseworker, Jobcenter: "461"} // far away
	aarhusMgr   = auth.Principal{Subject: "mgr-aar", Role: auth.RoleManager, Jobcenter: "751"}   // may decide
)

func candidateBody(name string, searchable bool) map[string]any {
	return map[string]any{
		"name": name, "email": strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.dk", "searchable": searchable,
		"cv": map[string]any{"headline": "Erfaren tømrer", "occupations": []string{"7115"}, "experience": "12 år som tømrer",
			"education": "Tømrersvend 2010", "skills": []string{"renovering", "tage"}},
	}
}

func (a *testAPI) candidate(p auth.Principal, name string, searchable bool) string {
	a.t.Helper()
	var c struct{ ID string }
	r := a.do(http.MethodPost, "/api/v1/candidates", &p, candidateBody(name, searchable))
	if r.status != 201 {
		a.t.Fatalf("candidate: %d %s", r.status, r.body)
	}
	r.json(a.t, &c)
	return c.ID
}

func (a *testAPI) refer(p auth.Principal, orderID, candidateID string) response {
	a.t.Helper()
	return a.do(http.MethodPost, "/api/v1/job-orders/"+orderID+"/referrals", &p, map[string]any{"candidate_id": candidateID, "note": "Intern note: stærk kandidat"})
}

func (a *testAPI) consent(p auth.Principal, candidateID, cvr, orderID string) string {
	return a.consentFor(p, candidateID, cvr, map[string]any{"job_order_id": orderID})
}

func (a *testAPI) consentAt(p auth.Principal, candidateID, cvr, address, postalCode string) string {
	return a.consentFor(p, candidateID, cvr, map[string]any{"workplace": map[string]any{"address": address, "postal_code": postalCode}})
}

func (a *testAPI) consentFor(p auth.Principal, candidateID, cvr string, target map[string]any) string {
	a.t.Helper()
	var c struct{ ID string }
	body := map[string]any{
		"employer_cvr": cvr, "purpose": "Formidling af CV til stillingen",
		"data_categories": []string{"cv", "contact_details"}, "given_at": time.Now().Add(-time.Hour).UTC(), "method": "digital"}
	for k, v := range target {
		body[k] = v
	}
	r := a.do(http.MethodPost, "/api/v1/candidates/"+candidateID+"/consents", &p, body)
	if r.status != 201 {
		a.t.Fatalf("consent: %d %s", r.status, r.body)
	}
	r.json(a.t, &c)
	return c.ID
}

func (a *testAPI) employerView(p auth.Principal, orderID string) []EmployerReferralView {
	a.t.Helper()
	var l struct{ Items []EmployerReferralView }
	r := a.do(http.MethodGet, "/api/v1/job-orders/"+orderID+"/referrals", &p, nil)
	if r.status != 200 {
		a.t.Fatalf("employer view: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "Intern note") {
		a.t.Fatalf("the employer sees a job centre's internal note: %s", r.body)
	}
	r.json(a.t, &l)
	return l.Items
}

// EmployerReferralView is what these tests read of the employer's referral list.
type EmployerReferralView struct {
	ID        string
	Status    string
	Candidate struct {
		Name string
		CV   struct{ Headline string }
	}
}

func TestSearchableCVIsReferredWithoutConsentAndTheWorkflowIsTold(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Peter Hansen", true)
	r := a.refer(aarhusCW, o.ID, cid)
	var ref struct{ ID, Status string }
	r.json(t, &ref)
	if r.status != 201 || ref.Status != "sent" || ref.ID == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	sig := a.wf.signalsNamed(joborder.SignalReferralSent)
	if len(sig) != 1 || sig[0].orderID != o.ID || sig[0].arg.(joborder.ReferralSentSignal).ReferralID != ref.ID {
		t.Fatalf("referral-sent signals: %+v", sig)
	}
	view := a.employerView(employer, o.ID)
	if len(view) != 1 || view[0].Candidate.Name != "Peter Hansen" || view[0].Candidate.CV.Headline != "Erfaren tømrer" {
		t.Fatalf("employer view: %+v", view)
	}
	if r := a.refer(aarhusCW, o.ID, cid); r.status != http.StatusConflict {
		t.Fatalf("second referral of the same candidate: %d", r.status)
	}
}

func TestNonSearchableCVNeedsAValidConsentNamingThisEmployer(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Sofie Jensen", false)
	r := a.refer(aarhusCW, o.ID, cid)
	if r.status != 422 || problemOf(t, r).Type != problemType("consent-missing") {
		t.Fatalf("without consent: %d %s", r.status, r.body)
	}
	a.consentAt(aarhusCW, cid, otherEmployer.CVR, "Søren Frichs Vej 38", "8000")
	if r := a.refer(aarhusCW, o.ID, cid); r.status != 422 {
		t.Fatalf("consent naming another employer: %d", r.status)
	}
	consent := a.consent(aarhusCW, cid, employer.CVR, o.ID)
	if r := a.do(http.MethodDelete, "/api/v1/candidates/"+cid+"/consents/"+consent, &aarhusCW, nil); r.status != 200 {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	if r := a.refer(aarhusCW, o.ID, cid); r.status != 422 {
		t.Fatalf("withdrawn consent: %d", r.status)
	}
	a.consent(aarhusCW, cid, employer.CVR, o.ID)
	if r := a.refer(aarhusCW, o.ID, cid); r.status != 201 {
		t.Fatalf("valid consent: %d %s", r.status, r.body)
	}
	var n int64
	a.db.Model(&models.Referral{}).Count(&n)
	if n != 1 {
		t.Fatalf("%d referrals stored", n)
	}
}

func TestProposalFromAnotherJobcentreWaitsForTheCoordinatorAndIsInvisibleToTheEmployerUntilApproved(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	a.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("sharing", models.SharingNeighbours)
	cid := a.candidate(skanderborg, "Mads Nielsen", true)
	r := a.refer(skanderborg, o.ID, cid)
	var ref struct{ ID, Status string }
	r.json(t, &ref)
	if r.status != 201 || ref.Status != "pending_approval" {
		t.Fatalf("proposal: %d %s", r.status, r.body)
	}
	if len(a.employerView(employer, o.ID)) != 0 || len(a.wf.signalsNamed(joborder.SignalReferralSent)) != 0 {
		t.Fatal("a pending proposal must be invisible to the employer and not sent")
	}
	// The proposing job centre sees its proposal, not the responsible centre's other referrals.
	own := a.candidate(aarhusCW, "Anne Lund", true)
	a.refer(aarhusCW, o.ID, own)
	var seen struct {
		Items []struct {
			CandidateID string `json:"candidate_id"`
		}
	}
	a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", &skanderborg, nil).json(t, &seen)
	if len(seen.Items) != 1 || seen.Items[0].CandidateID != cid {
		t.Fatalf("proposer sees %+v", seen.Items)
	}
	// A caseworker who is not the coordinator may not decide; a manager of the centre may.
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/approve", &aarhusCW, nil); r.status != 403 {
		t.Fatalf("non-coordinator approving: %d", r.status)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/approve", &aarhusMgr, nil); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if len(a.employerView(employer, o.ID)) != 2 {
		t.Fatal("the approved proposal must reach the employer")
	}
	dec := a.wf.signalsNamed(joborder.SignalReferralDecided)
	if len(dec) != 1 || !dec[0].arg.(joborder.ReferralDecidedSignal).Approved {
		t.Fatalf("decision signals: %+v", dec)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/approve", &aarhusMgr, nil); r.status != 409 {
		t.Fatalf("approving twice: %d", r.status)
	}
}

func TestRejectionWithAReasonReachesTheProposer(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	a.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("sharing", models.SharingNational)
	cid := a.candidate(odenseCW, "Jonas Berg", true)
	var ref struct{ ID string }
	a.refer(odenseCW, o.ID, cid).json(t, &ref)
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/reject", &aarhusMgr, map[string]any{"reason": ""}); r.status != 422 {
		t.Fatalf("rejection without a reason: %d", r.status)
	}
	r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/reject", &aarhusMgr, map[string]any{"reason": "Mangler svendebrev"})
	if r.status != 200 || !strings.Contains(string(r.body), `"status":"rejected"`) {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	dec := a.wf.signalsNamed(joborder.SignalReferralDecided)
	if len(dec) != 1 || dec[0].arg.(joborder.ReferralDecidedSignal).Approved {
		t.Fatalf("decision signals: %+v", dec)
	}
	var seen struct {
		Items []struct {
			Status       string `json:"status"`
			RejectReason string `json:"reject_reason"`
		}
	}
	a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", &odenseCW, nil).json(t, &seen)
	if len(seen.Items) != 1 || seen.Items[0].RejectReason != "Mangler svendebrev" {
		t.Fatalf("proposer sees %+v", seen.Items)
	}
}

func TestReferralFromAJobcentreTheOrderIsNotSharedWithIsForbidden(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(odenseCW, "Emma Dahl", true)
	if r := a.refer(odenseCW, o.ID, cid); r.status != http.StatusForbidden {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestInactiveCandidatesVanishFromTheEmployerViewAndComeBack(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Lars Holm", true)
	a.refer(aarhusCW, o.ID, cid)
	if r := a.do(http.MethodPatch, "/api/v1/candidates/"+cid, &aarhusCW, map[string]any{"active": false}); r.status != 200 {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	if len(a.employerView(employer, o.ID)) != 0 {
		t.Fatal("an inactive CV must vanish from the employer view")
	}
	var staff struct {
		Items []struct {
			CandidateActive bool `json:"candidate_active"`
		}
	}
	a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", &aarhusCW, nil).json(t, &staff)
	if len(staff.Items) != 1 || staff.Items[0].CandidateActive {
		t.Fatalf("the job centre keeps it: %+v", staff.Items)
	}
	if n := len(a.wf.signalsNamed(joborder.SignalCandidateChanged)); n != 1 {
		t.Fatalf("coordinator told %d times", n)
	}
	a.do(http.MethodPatch, "/api/v1/candidates/"+cid, &aarhusCW, map[string]any{"active": true})
	if len(a.employerView(employer, o.ID)) != 1 {
		t.Fatal("reactivating restores the CV in the employer view")
	}
}

func TestEmployersSeeOnlyTheirOwnReferralsAndEveryCVReadIsLogged(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Ida Munk", true)
	var ref struct{ ID string }
	a.refer(aarhusCW, o.ID, cid).json(t, &ref)
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", &otherEmployer, nil); r.status != 404 {
		t.Fatalf("another company: %d", r.status)
	}
	a.employerView(employer, o.ID)
	a.employerView(employer, o.ID)
	var log struct {
		Items []struct {
			ReaderCVR string `json:"reader_cvr"`
		}
	}
	r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/access-log", &aarhusCW, nil)
	r.json(t, &log)
	if r.status != 200 || len(log.Items) != 2 || log.Items[0].ReaderCVR != employer.CVR {
		t.Fatalf("access log: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/access-log", &odenseCW, nil); r.status != 404 {
		t.Fatalf("another centre reading the access log: %d", r.status)
	}
	// The employer's own archive flag and note, never shown to job centres.
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/employer-note", &employer, map[string]any{"note": "Ring tirsdag"}); r.status != 200 {
		t.Fatalf("employer note: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/archive", &employer, map[string]any{"archived": true}); r.status != 200 {
		t.Fatalf("archive: %d", r.status)
	}
	staff := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", &aarhusCW, nil)
	if strings.Contains(string(staff.body), "Ring tirsdag") {
		t.Fatal("the job centre sees the employer's own note")
	}
	if r := a.do(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/referrals/"+ref.ID+"/archive", &aarhusCW, map[string]any{"archived": true}); r.status != 403 {
		t.Fatalf("job centre archiving: %d", r.status)
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", &admin, nil); r.status != 403 {
		t.Fatalf("admins read no CVs: %d", r.status)
	}
}

func TestCandidatesAreValidatedAndBelongToTheirJobcentre(t *testing.T) {
	a := newTestAPI(t)
	bad := map[string]any{"name": "", "email": "nope", "searchable": true, "cv": map[string]any{"headline": "", "occupations": []string{"12"}}}
	r := a.do(http.MethodPost, "/api/v1/candidates", &aarhusCW, bad)
	p := problemOf(t, r)
	if r.status != 422 || !namesField(p, "name") || !namesField(p, "email") || !namesField(p, "cv.headline") || !namesField(p, "cv.occupations[0]") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPost, "/api/v1/candidates", &employer, candidateBody("X Y", true)); r.status != 403 {
		t.Fatalf("employer registering candidates: %d", r.status)
	}
	cid := a.candidate(aarhusCW, "Niels Bo", true)
	if r := a.do(http.MethodGet, "/api/v1/candidates/"+cid, &odenseCW, nil); r.status != 404 {
		t.Fatalf("another centre's candidate: %d", r.status)
	}
}

func TestASentReferralWhoseWorkflowWasNotToldIsToldByTheReconciler(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Bo Ravn", true)
	a.wf.signalErr = errors.New("temporal unavailable")
	if r := a.refer(aarhusCW, o.ID, cid); r.status != 201 {
		t.Fatalf("the referral is stored even when Temporal is down: %d", r.status)
	}
	a.wf.signalErr = nil
	n, err := a.refs.ResignalSent(t.Context(), 0)
	if err != nil || n != 1 || len(a.wf.signalsNamed(joborder.SignalReferralSent)) != 1 {
		t.Fatalf("resignalled %d (%v), signals %d", n, err, len(a.wf.signalsNamed(joborder.SignalReferralSent)))
	}
	if n, _ := a.refs.ResignalSent(t.Context(), 0); n != 0 {
		t.Fatalf("told again: %d", n)
	}
}

func TestAHireNamesASentReferralOnce(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder())
	cid := a.candidate(aarhusCW, "Eva Skov", true)
	var ref struct{ ID string }
	a.refer(aarhusCW, o.ID, cid).json(t, &ref)
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/hires", &aarhusCW, map[string]any{"note": "uden henvisning"}); r.status != 422 || !namesField(problemOf(t, r), "referral_id") {
		t.Fatalf("a hire without a referral: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/hires", &aarhusCW, map[string]any{"referral_id": ref.ID}); r.status != 201 {
		t.Fatalf("hire: %d %s", r.status, r.body)
	}
	var got models.Referral
	a.db.Take(&got, "id = ?", ref.ID)
	if got.Status != models.ReferralHired {
		t.Fatalf("referral status %q", got.Status)
	}
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/hires", &aarhusCW, map[string]any{"referral_id": ref.ID}); r.status != 409 {
		t.Fatalf("the same referral hired twice: %d", r.status)
	}
}

// A referral on a channel that cannot deliver is refused before anything is stored: eboks
// without a Digital Post provider, secure_link while the employer's contact person has no
// address, and the removed secure_mail. The 422 names the field channel and the channels that
// are available; no referral row, history entry or signal is written.
func TestReferralOnAChannelThatCannotDeliverIsRefusedNamingChannelAndStoresNothing(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(employer, validOrder()) // emp-1 has no e-mail address
	var c struct{ ID string }
	a.do(http.MethodPost, "/api/v1/candidates", &caseworker, candidateBody("Kanal Kandidat", true)).json(t, &c)
	for channel, detail := range map[string]string{
		"eboks":       "no Digital Post provider is configured; available channels: jobag",
		"secure_link": "has none; available channels: jobag",
		"secure_mail": "must be one of",
	} {
		r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", &caseworker, map[string]any{"candidate_id": c.ID, "channel": channel})
		p := problemOf(t, r)
		if r.status != http.StatusUnprocessableEntity || !namesField(p, "channel") || !strings.Contains(string(r.body), detail) {
			t.Errorf("%s: %d %s", channel, r.status, r.body)
		}
	}
	var n int64
	a.db.Model(&models.Referral{}).Where("job_order_id = ?", o.ID).Count(&n)
	var events int64
	a.db.Model(&models.JobOrderEvent{}).Where("job_order_id = ? AND type LIKE ?", o.ID, "referral%").Count(&events)
	if n != 0 || events != 0 || len(a.wf.signalsNamed(joborder.SignalReferralSent)) != 0 {
		t.Fatalf("a refused referral stored %d referrals, %d history entries, %d signals", n, events, len(a.wf.signalsNamed(joborder.SignalReferralSent)))
	}
	// jobag still delivers.
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", &caseworker, map[string]any{"candidate_id": c.ID}); r.status != http.StatusCreated {
		t.Fatalf("jobag: %d %s", r.status, r.body)
	}
}
