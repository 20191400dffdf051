package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/models"
)

// On the real stack (embedded Temporal, PostgreSQL, the worker's outbox dispatchers, the dev
// mailbox as the sender): a candidate's mail that is due a little later (a retry's next attempt)
// is not sent once the candidate is erased through the API, while the same mail to another
// candidate, due at the same moment, is delivered by the same dispatcher; the erased
// candidate's earlier notice loses its copy in the dev mailbox; the employer no longer sees the
// CV, the search no longer finds the candidate, and the job centre's key figures are the same.
func TestAnErasedCandidatesUnsentMailIsNeverDeliveredOnTheRealStack(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ls := lifecycleOn(t, startStack(t, stackConfig(t.TempDir(), url)))
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		t.Cleanup(func() { _ = sqlDB.Close() })
	}
	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.employer, readmeOrder(), 201).decode(t, &o)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+o.ID+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)
	var karen, jens struct{ ID string }
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", true), 201).decode(t, &karen)
	ls.must(http.MethodPost, "/api/v1/candidates", ls.cw, candidate("Jens Mikkelsen", "jens.mikkelsen@example.dk", true), 201).decode(t, &jens)
	refs := map[string]string{}
	for _, c := range []string{karen.ID, jens.ID} {
		var ref struct{ ID string }
		ls.must(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", ls.cw, map[string]any{"candidate_id": c}, 201).decode(t, &ref)
		refs[c] = ref.ID
	}
	// Both notices went out through the dispatcher: it is running.
	mailboxTo := func(addr string) int64 {
		var n int64
		if err := db.Table("mailbox_messages").Where("to_email = ?", addr).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, 20*time.Second, func() (bool, string) {
		return mailboxTo("karen.vestergaard@example.dk") == 1 && mailboxTo("jens.mikkelsen@example.dk") == 1, "the candidates' notices are not in the dev mailbox"
	})
	kpisBefore := kpiFigures(t, ls, "/api/v1/jobcenters/751/kpis", ls.manager)

	// A second notice to each, as Notify writes it, whose next attempt is due in a few seconds
	// (as after the provider answered 5xx): the dispatcher takes both at that moment.
	due := time.Now().UTC().Add(4 * time.Second)
	rows := map[string]*models.OutboxMessage{}
	for c, addr := range map[string]string{karen.ID: "karen.vestergaard@example.dk", jens.ID: "jens.mikkelsen@example.dk"} {
		row := &models.OutboxMessage{IdempotencyKey: joborder.NotificationKey(o.ID, joborder.TemplateCandidateNotice, "", refs[c], "again"),
			RecipientID: joborder.CandidateRecipientPrefix + c, RecipientRole: joborder.RecipientCandidate, RecipientEmail: addr, Language: "da",
			Template: joborder.TemplateCandidateNotice, JobOrderID: o.ID, Status: models.OutboxPending, NextAttemptAt: &due, CreatedAt: time.Now().UTC()}
		if err := db.Create(row).Error; err != nil {
			t.Fatal(err)
		}
		rows[c] = row
	}

	var erased struct {
		Raw map[string]any `json:"deleted"`
	}
	ls.must(http.MethodDelete, "/api/v1/candidates/"+karen.ID, ls.cw, map[string]any{"reason": "Borgerens anmodning om sletning"}, 200).decode(t, &erased)
	if erased.Raw["mails_stopped"] != float64(1) || erased.Raw["mailbox_copies"] != float64(1) {
		t.Errorf("erasure counts %v, want one mail stopped and one mailbox copy deleted", erased.Raw)
	}

	// The dispatcher delivers Jens's mail when it is due, and never Karen's.
	waitFor(t, 30*time.Second, func() (bool, string) {
		var r models.OutboxMessage
		if err := db.Take(&r, "id = ?", rows[jens.ID].ID).Error; err != nil {
			return false, err.Error()
		}
		return r.Status == models.OutboxDelivered, "Jens's second notice is " + r.Status
	})
	time.Sleep(time.Second) // one more dispatcher poll after the due time
	var k models.OutboxMessage
	if err := db.Take(&k, "id = ?", rows[karen.ID].ID).Error; err != nil {
		t.Fatal(err)
	}
	if k.Status != models.OutboxCancelled || k.RecipientEmail != "" || k.Attempts != 0 || k.ProviderMessageID != "" {
		t.Errorf("Karen's mail after the erasure: %+v, want cancelled, never attempted, no address", k)
	}
	var copies int64
	if err := db.Table("mailbox_messages").Where("outbox_id = ? OR to_email = ?", k.ID, "karen.vestergaard@example.dk").Count(&copies).Error; err != nil {
		t.Fatal(err)
	}
	if copies != 0 {
		t.Errorf("%d mails to the erased candidate in the dev mailbox", copies)
	}
	if n := mailboxTo("jens.mikkelsen@example.dk"); n != 2 {
		t.Errorf("%d mails to Jens in the dev mailbox, want 2", n)
	}

	// Gone from the employer's view and from search; the key figures are the same.
	if b := string(ls.must(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", ls.employer, nil, 200).body); strings.Contains(b, "Karen") || !strings.Contains(b, "Jens") {
		t.Errorf("the employer's list after the erasure: %s", b)
	}
	if b := string(ls.must(http.MethodGet, "/api/v1/candidates?q=svejser", ls.cw, nil, 200).body); strings.Contains(b, "Karen") || !strings.Contains(b, "Jens") {
		t.Errorf("the search after the erasure: %s", b)
	}
	ls.must(http.MethodGet, "/api/v1/candidates/"+karen.ID, ls.cw, nil, 404)
	if b := kpiFigures(t, ls, "/api/v1/jobcenters/751/kpis", ls.manager); b != kpisBefore {
		t.Errorf("the job centre's key figures changed:\nbefore %s\nafter  %s", kpisBefore, b)
	}
	// The order's workflow was told with the referral's ID only (its coordinator gets
	// candidate_inactive); neither the candidate nor the reason reached its history.
	ls.waitForMail(o.ID, joborder.TemplateCandidateInactive, joborder.RecipientCoordinator, 20*time.Second)
	checkReplay(t, temporalClient(t, ls.Stack), joborder.WorkflowID(o.ID), "erasure-order",
		"Karen", "Vestergaard", "karen.vestergaard@example.dk", "Borgerens anmodning om sletning")
}
