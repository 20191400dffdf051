package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/devstack"
	"jobordre/internal/joborder"
)

// TestTheDevMailboxShowsTheNewOrderAndTheReminderThatFollows runs `jobordre dev` on its defaults
// (SQLite, no SENDGRID_API_KEY): creating an order mails the caseworkers, a second-long policy
// makes the missing-coordinator reminder fire, and both e-mails appear in /dev/mailbox, rendered.
func TestTheDevMailboxShowsTheNewOrderAndTheReminderThatFollows(t *testing.T) {
	s := startStack(t, stackConfig(t.TempDir(), ""))
	ls := &lifecycleStack{Stack: s, t: t, manager: s.Tokens["manager"], employer: s.Tokens["employer"], admin: s.Tokens["admin"]}
	ls.cw = ls.token(auth.Principal{Subject: "cw-ida", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Ida Kristensen", Email: "ida@aarhus.example"})
	ls.must(http.MethodPost, "/api/v1/jobcenters/751/caseworkers", ls.manager, map[string]any{
		"id": "manager-1", "name": "Mette Fogh", "email": "mette@aarhus.example", "role": "manager"}, 201)
	ls.must(http.MethodGet, "/api/v1/job-orders", ls.cw, nil, 200)
	slow := secondsPolicy()
	slow["contact_deadline"], slow["first_referral_deadline"] = "P30D", "P30D"
	ls.must(http.MethodPut, "/api/v1/jobcenters/751/policy", ls.manager, slow, 200)

	var o order
	ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, readmeOrder(), 201).decode(t, &o)

	newOrder := "Ny jobordre: Tømrer til renovering – Jobcenter Aarhus"
	reminder := "Jobordren mangler en tovholder: Tømrer til renovering – Jobcenter Aarhus"
	var page string
	waitFor(t, 15*time.Second, func() (bool, string) {
		r := call(t, http.MethodGet, s.HTTPURL+devstack.MailboxPath, "", nil)
		page = string(r.body)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			return false, fmt.Sprintf("GET %s: %d", devstack.MailboxPath, r.status)
		}
		return strings.Contains(page, newOrder) && strings.Contains(page, reminder), "the mailbox lacks the new order or the reminder"
	})
	// Newest first: the reminder came after the new order.
	if strings.Index(page, reminder) > strings.Index(page, newOrder) {
		t.Error("the mailbox does not list the newest mail first")
	}
	for _, want := range []string{"ida@aarhus.example", "mette@aarhus.example", "new_order", "coordinator_missing_reminder", "delivered", "srcdoc=", "Hej Ida Kristensen,"} {
		if !strings.Contains(page, want) {
			t.Errorf("the mailbox page lacks %q", want)
		}
	}
	// The outbox rows say where they went.
	var l struct {
		Items []struct {
			Template          string `json:"template"`
			Status            string `json:"status"`
			ProviderMessageID string `json:"provider_message_id"`
			Attempts          int    `json:"attempts"`
		}
	}
	ls.must(http.MethodGet, "/api/v1/outbox?job_order_id="+o.ID+"&template=coordinator_missing_reminder", ls.admin, nil, 200).decode(t, &l)
	if len(l.Items) == 0 || l.Items[0].Status != "delivered" || !strings.HasPrefix(l.Items[0].ProviderMessageID, "mailbox-") || l.Items[0].Attempts != 1 {
		t.Errorf("outbox: %+v", l.Items)
	}
	// The history (with the versioned delivery step) replays and holds no personal data; it is
	// committed for workflows/replay_test.go (make histories).
	checkReplay(t, temporalClient(t, s), joborder.WorkflowID(o.ID), "mail-delivered-to-the-dev-mailbox", personalData...)
	// The outbox dispatchers that sent it replay too, and carry shard numbers and counts only.
	for shard := range joborder.OutboxDispatcherShards {
		checkReplay(t, temporalClient(t, s), joborder.OutboxDispatcherWorkflowID(shard), fmt.Sprintf("outbox-dispatcher-%d", shard), personalData...)
	}
	// The webhook is there, and refuses without a configured key.
	if r := call(t, http.MethodPost, s.HTTPURL+"/api/v1/webhooks/sendgrid", "", "[]"); r.status != 403 {
		t.Errorf("webhook without a key: %d %s", r.status, r.body)
	}
}
