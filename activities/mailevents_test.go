package activities

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/models"
)

func TestABounceForTheEmployerIsShownToTheCoordinator(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	if _, err := w.deliver(t, "order-received/1"); err != nil {
		t.Fatal(err)
	}
	row := w.rows(t)[0]
	bounce := mail.Event{Event: "bounce", Type: "bounce", Email: "hanne@byg.example", Reason: "550 5.1.1 unknown user", Status: "5.1.1",
		SGMessageID: row.ProviderMessageID + ".filterdrecv-1.0", IdempotencyKey: row.IdempotencyKey, JobOrderID: w.order.ID}
	for i := 0; i < 2; i++ { // SendGrid may post an event twice
		keys, err := RecordMailEvents(context.Background(), w.db, w.a.Now, []mail.Event{bounce})
		want := row.IdempotencyKey + "/bounced/" + fmt.Sprint(row.ID)
		if err != nil || len(keys) != 1 || keys[0] != want {
			t.Fatalf("keys %v, want %s: %v", keys, want, err)
		}
	}
	row = w.rows(t, "id = ?", row.ID)[0]
	if row.Status != models.OutboxFailed || row.ProviderStatus != "bounce" || !strings.Contains(row.LastError, "550 5.1.1 unknown user") {
		t.Fatalf("bounced row %+v", row)
	}
	evs := w.events(t, string(joborder.EventDeliveryBounced))
	if len(evs) != 1 || !strings.Contains(evs[0].Details, `"recipient_role":"employer"`) || strings.Contains(evs[0].Details, "hanne") {
		t.Fatalf("history %+v", evs)
	}
	notices := w.rows(t, "template = ?", joborder.TemplateDeliveryFailed)
	if len(notices) != 1 || notices[0].RecipientID != "cw-c" || notices[0].Status != models.OutboxPending {
		t.Fatalf("notices %+v", notices)
	}
	// The notice's own delivery (DeliverOutboxWorkflow runs Deliver on its key).
	res, err := w.deliverKey(t, notices[0].IdempotencyKey)
	if err != nil || res.Delivered != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	reqs := w.fake.Requests()
	n := reqs[len(reqs)-1].Mail
	if n.To() != "ida@aarhus.example" || !strings.Contains(n.ContentOf("text/plain"), "Modtagerens mailserver afviste e-mailen") ||
		!strings.Contains(n.ContentOf("text/plain"), "hanne@byg.example") {
		t.Fatalf("notice to %s:\n%s", n.To(), n.ContentOf("text/plain"))
	}
}

func (w *mailWorld) deliverKey(t *testing.T, key string) (DeliverResult, error) {
	t.Helper()
	prefix := w.order.WorkflowID + "/"
	return w.deliver(t, strings.TrimPrefix(key, prefix))
}

func TestEventsAreMatchedByMessageIDAndStaffBouncesOnlyReachTheHistory(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	if _, err := w.deliver(t, "new-order/1"); err != nil {
		t.Fatal(err)
	}
	rows := w.rows(t)
	keys, err := RecordMailEvents(context.Background(), w.db, w.a.Now, []mail.Event{
		{Event: "delivered", Email: "anne@aarhus.example", SGMessageID: rows[0].ProviderMessageID + ".x.0"}, // no custom args
		{Event: "deferred", Email: "anne@aarhus.example", SGMessageID: rows[0].ProviderMessageID + ".x.0"},  // after delivered: ignored
		{Event: "dropped", Email: "bo@aarhus.example", Reason: "Bounced Address", SGMessageID: rows[1].ProviderMessageID + ".y.0", IdempotencyKey: rows[1].IdempotencyKey},
		{Event: "open", Email: "anne@aarhus.example", SGMessageID: rows[0].ProviderMessageID + ".x.0"},
		{Event: "bounce", Email: "someone@else.example", SGMessageID: "unknown.1", IdempotencyKey: "job-order/other/new-order/1"},
	})
	if err != nil || len(keys) != 0 {
		t.Fatalf("keys %v: %v", keys, err)
	}
	rows = w.rows(t)
	if rows[0].Status != models.OutboxDelivered || rows[0].ProviderStatus != "delivered" {
		t.Errorf("delivered row %+v", rows[0])
	}
	if rows[1].Status != models.OutboxFailed || rows[1].ProviderStatus != "dropped" || rows[1].LastError != "dropped: Bounced Address" {
		t.Errorf("dropped row %+v", rows[1])
	}
	if evs := w.events(t, string(joborder.EventDeliveryBounced)); len(evs) != 1 {
		t.Errorf("history %+v", evs)
	}
	if n := len(w.rows(t, "template = ?", joborder.TemplateDeliveryFailed)); n != 0 {
		t.Errorf("%d notices about a caseworker's address", n)
	}
}
