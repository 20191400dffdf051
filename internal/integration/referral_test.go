package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
)

// Referral on the real stack: the candidate is told exactly once per referral even when the
// workflow hears of it twice, a proposal from a neighbouring job centre waits for approval and its
// proposer hears the outcome, an inactive candidate's coordinator is told, and no name, address
// or CV text reaches a workflow history.
func TestReferralsNotifyCandidatesOnceAndKeepPersonalDataOutOfHistories(t *testing.T) {
	ls := newLifecycleStack(t)
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &o)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)

	var cand, ref struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Jens Mikkelsen", "jens.mikkelsen@example.dk", true), 201).decode(t, &cand)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": cand.ID, "note": "Stærk kandidat, kender branchen"}, 201).decode(t, &ref)
	notice := ls.waitForMail(o.ID, "candidate_notice", "candidate", 5*time.Second)
	if notice.Recipient != "jens.mikkelsen@example.dk" {
		t.Fatalf("candidate notice went to %q", notice.Recipient)
	}
	ls.waitForMail(o.ID, "candidates_referred", "employer", 5*time.Second)
	// The same referral signalled again (a retry): still one notice.
	c := temporalClient(t, ls.Stack)
	if err := c.SignalWorkflow(context.Background(), joborder.WorkflowID(o.ID), "", joborder.SignalReferralSent,
		joborder.ReferralSentSignal{ReferralID: ref.ID, At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if n := ls.count(o.ID, "candidate_notice"); n != 1 {
		t.Fatalf("%d candidate notices for one referral", n)
	}

	// A proposal from Skanderborg (a neighbour) once the order is shared with the neighbours.
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/sharing", ls.cw, map[string]any{"level": "neighbours"}, 200)
	skb := ls.token(auth.Principal{Subject: "cw-skb", Role: auth.RoleCaseworker, Jobcenter: "746", Email: "soren@skanderborg.example"})
	var other, proposal struct{ ID, Status string }
	ls.must(http.MethodPost, "/api/v1/candidates", skb, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", true), 201).decode(t, &other)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", skb, map[string]any{"candidate_id": other.ID}, 201).decode(t, &proposal)
	if proposal.Status != "pending_approval" {
		t.Fatalf("proposal status %q", proposal.Status)
	}
	var view struct{ Items []struct{ ID string } }
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200).decode(t, &view)
	if len(view.Items) != 1 {
		t.Fatalf("the employer sees %d referrals before approval", len(view.Items))
	}
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+proposal.ID+"/approve", ls.cw, nil, 200)
	approved := ls.waitForMail(o.ID, "referral_approved", "proposer", 5*time.Second)
	if approved.Recipient != "soren@skanderborg.example" {
		t.Fatalf("approval went to %q", approved.Recipient)
	}

	// A second proposal is rejected: the proposer is told, with the reason kept at the job centre.
	var third, second struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", skb, candidate("Jens Mikkelsen", "jens.mikkelsen@example.dk", true), 201).decode(t, &third)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", skb, map[string]any{"candidate_id": third.ID}, 201).decode(t, &second)
	ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals/"+second.ID+"/reject", ls.cw, map[string]any{"reason": "Mangler certifikat"}, 200)
	rejected := ls.waitForMail(o.ID, "referral_rejected", "proposer", 5*time.Second)
	if rejected.Recipient != "soren@skanderborg.example" {
		t.Fatalf("rejection went to %q", rejected.Recipient)
	}

	// The first candidate finds a job elsewhere: gone from the employer view, coordinator told.
	ls.must(http.MethodPatch, "/api/v1/candidates/"+cand.ID, ls.cw, map[string]any{"active": false}, 200)
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200).decode(t, &view)
	if len(view.Items) != 1 || view.Items[0].ID != proposal.ID {
		t.Fatalf("employer view after deactivation: %+v", view.Items)
	}
	inactive := ls.waitForMail(o.ID, "candidate_inactive", "coordinator", 5*time.Second)
	if inactive.Recipient != "ida@aarhus.example" {
		t.Fatalf("coordinator notice went to %q", inactive.Recipient)
	}
	var live struct {
		Live struct {
			Referrals int `json:"referrals"`
		} `json:"live"`
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID, ls.cw, nil, 200).decode(t, &live)
	if live.Live.Referrals != 2 {
		t.Fatalf("the workflow counts %d referrals", live.Live.Referrals)
	}
	var log struct{ Items []any }
	ls.must(http.MethodGet, "/api/v1/candidates/"+cand.ID+"/access-log", ls.cw, nil, 200).decode(t, &log)
	if len(log.Items) == 0 {
		t.Fatal("the employer's CV reads are not in the access log")
	}
	checkReplay(t, c, joborder.WorkflowID(o.ID), "referrals-with-approval", personalData...)
}
