package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/referrals"
)

// The insight on the real stack (Temporal, the worker, PostgreSQL): the notices the order's
// workflow sends when a referral is sent — the candidate's own notice, delivered, and the
// employer's mail about the CV — are in the candidate's insight as theirs, with the referral
// they are about; both employer reads are listed; another candidate's referral to the same order,
// its notices and its reads are not. Another job centre gets 404.
func TestInsightOnTheRealStackListsTheNoticesTheWorkflowSentAndEveryRead(t *testing.T) {
	ls := newLifecycleStack(t)
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &o)

	var cand, other, ref, otherRef struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Inger Indsigt", "inger.indsigt@example.dk", true), 201).decode(t, &cand)
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Ole Anden", "ole.anden@example.dk", true), 201).decode(t, &other)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID, "note": "Kender værftet"}, 201).decode(t, &ref)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": other.ID}, 201).decode(t, &otherRef)
	ls.waitForMail(o.ID, "candidates_referred", "employer", 10*time.Second)
	// Two reads by the employer: each list hands out both CVs.
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200)
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200)

	var in referrals.Insight
	waitFor(t, 20*time.Second, func() (bool, string) {
		r := ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/insight", ls.cw, nil, 200)
		in = referrals.Insight{}
		r.decode(t, &in)
		var got []string
		for _, m := range in.Messages {
			got = append(got, m.Template+"/"+m.RecipientRole+"/"+m.Status)
		}
		notice, employerMail := false, false
		for _, m := range in.Messages {
			notice = notice || (m.Template == joborder.TemplateCandidateNotice && m.Status == "delivered")
			employerMail = employerMail || m.Template == joborder.TemplateCandidatesReferred
		}
		return notice && employerMail, fmt.Sprintf("messages %v, want the candidate's notice delivered and the employer's mail", got)
	})

	if len(in.Referrals) != 1 || in.Referrals[0].ID != ref.ID || in.Referrals[0].JobOrderID != o.ID || in.Referrals[0].Note != "Kender værftet" {
		t.Errorf("referrals %+v, want the one referral", in.Referrals)
	}
	for _, m := range in.Messages {
		if m.ReferralID != ref.ID || m.JobOrderID != o.ID {
			t.Errorf("message %+v is not about the candidate's referral %s", m, ref.ID)
		}
		switch m.Template {
		case joborder.TemplateCandidateNotice:
			if m.RecipientRole != joborder.RecipientCandidate || m.Recipient != "inger.indsigt@example.dk" || m.DeliveredAt == nil || m.Attempts < 1 {
				t.Errorf("the candidate's notice %+v", m)
			}
		case joborder.TemplateCandidatesReferred:
			if m.RecipientRole != joborder.RecipientEmployer {
				t.Errorf("the employer's mail %+v", m)
			}
		}
	}
	if len(in.CVReads) != 2 {
		t.Fatalf("reads %+v, want the employer's two", in.CVReads)
	}
	for _, r := range in.CVReads {
		if r.JobOrderID != o.ID || r.ReaderCVR != "10103940" || r.Channel != joborder.ChannelJobag || r.ReaderID == "" {
			t.Errorf("read %+v", r)
		}
	}
	raw := ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/insight", ls.cw, nil, 200).body
	for _, not := range []string{other.ID, otherRef.ID, "Ole Anden", "ole.anden@example.dk"} {
		if strings.Contains(string(raw), not) {
			t.Errorf("the insight holds %q of another candidate", not)
		}
	}

	far := ls.token(auth.Principal{Subject: "cw-ode", Role: auth.RoleCaseworker, Jobcenter: "461", Email: "ole@odense.example"})
	ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/insight", far, nil, 404)
	ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/insight", ls.employer, nil, 404)
}
