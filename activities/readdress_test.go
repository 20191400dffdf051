package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// employerRow is the one employer row of a notification.
func (w *mailWorld) employerRow(t *testing.T, event string) models.OutboxMessage {
	t.Helper()
	rows := w.rows(t, "idempotency_key = ?", w.key(event))
	if len(rows) != 1 {
		t.Fatalf("%d rows for %s", len(rows), event)
	}
	return rows[0]
}

func TestEmployerMailGoesToTheOrdersContactThenTheMainContactThenAnyContactWithAnAddress(t *testing.T) {
	w := newMailWorld(t, false)
	must(t, w.db.Create(&[]models.CompanyContact{
		{ID: "main-1", CVR: w.order.CompanyCVR, Name: "Mads Main", Email: "mads@byg.example", Language: "en", CreatedAt: w.clock.Add(time.Hour)},
		{ID: "noaddr", CVR: w.order.CompanyCVR, Name: "Uden Adresse", CreatedAt: w.clock.Add(-time.Hour)},
	}).Error)
	must(t, w.db.Model(&models.Company{}).Where("cvr = ?", w.order.CompanyCVR).Update("main_contact_id", "main-1").Error)

	w.notify(t, joborder.TemplateOrderReceived, joborder.RecipientEmployer, "order-received/1")
	if r := w.employerRow(t, "order-received/1"); r.RecipientID != "hr-1" || r.RecipientEmail != "hanne@byg.example" || r.Status != models.OutboxPending {
		t.Fatalf("the order's own contact: %+v", r)
	}
	// The order's contact has no address: the main contact gets the mail, in their language.
	must(t, w.db.Model(&models.JobOrder{}).Where("id = ?", w.order.ID).Update("contact_id", "noaddr").Error)
	w.notify(t, joborder.TemplateCoordinatorAssigned, joborder.RecipientEmployer, "coordinator-assigned/1")
	if r := w.employerRow(t, "coordinator-assigned/1"); r.RecipientID != "main-1" || r.Language != "en" {
		t.Fatalf("main contact: %+v", r)
	}
	// A removed contact gets nothing either; with no main contact, the longest-standing contact
	// with an address does.
	removed := w.clock
	must(t, w.db.Model(&models.CompanyContact{}).Where("id = ?", "hr-1").Update("created_at", w.clock.Add(-2*time.Hour)).Error)
	must(t, w.db.Model(&models.CompanyContact{}).Where("id = ?", "main-1").Update("removed_at", removed).Error)
	must(t, w.db.Model(&models.JobOrder{}).Where("id = ?", w.order.ID).Update("contact_id", "main-1").Error)
	w.notify(t, joborder.TemplateStatusChanged, joborder.RecipientEmployer, "status-changed/1")
	if r := w.employerRow(t, "status-changed/1"); r.RecipientID != "hr-1" || r.Status != models.OutboxPending {
		t.Fatalf("any contact with an address: %+v", r)
	}
}

func TestWaitingEmployerMailIsSentOnceTheCompanyHasAContactAndOnlyWhereThatIsSound(t *testing.T) {
	w := newMailWorld(t, false)
	ctx := context.Background()
	must(t, w.db.Model(&models.JobOrder{}).Where("id = ?", w.order.ID).Update("contact_id", nil).Error)
	must(t, w.db.Delete(&models.CompanyContact{}, "cvr = ?", w.order.CompanyCVR).Error)
	// Three mails to the employer without an address: two of one template, one too old.
	w.notify(t, joborder.TemplateCoordinatorAssigned, joborder.RecipientEmployer, "coordinator-assigned/1")
	w.notify(t, joborder.TemplateCoordinatorAssigned, joborder.RecipientEmployer, "coordinator-assigned/2")
	w.clock = w.clock.Add(-ReaddressWindow - time.Hour)
	w.notify(t, joborder.TemplateOrderReceived, joborder.RecipientEmployer, "order-received/1")
	w.clock = w.clock.Add(ReaddressWindow + 2*time.Hour)
	for _, e := range []string{"coordinator-assigned/1", "coordinator-assigned/2", "order-received/1"} {
		if r := w.employerRow(t, e); r.Status != models.OutboxNoAddress || r.RecipientID != "company:"+w.order.CompanyCVR {
			t.Fatalf("%s: %+v", e, r)
		}
	}
	var delivered []string
	deliver := func(_ context.Context, key string) error { delivered = append(delivered, key); return nil }

	// No contact yet: nothing to send, and the sweep does not list the order.
	if n, err := w.a.ReaddressEmployerRows(ctx, []string{w.order.ID}, deliver); n != 0 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	if ids, err := w.a.OrdersWithWaitingEmployerMail(ctx, 10); len(ids) != 0 || err != nil {
		t.Fatalf("%v %v", ids, err)
	}

	// The company gets a contact person: the sweep finds the order, and only the latest
	// coordinator_assigned row goes out (it shows the order as it is now); the older one and
	// the one past the window stay as they were.
	must(t, w.db.Create(&models.CompanyContact{ID: "emp-9", CVR: w.order.CompanyCVR, Name: "Nina Ny", Email: "nina@byg.example", Language: "da", CreatedAt: w.clock}).Error)
	if ids, err := w.a.OrdersWithWaitingEmployerMail(ctx, 10); len(ids) != 1 || ids[0] != w.order.ID || err != nil {
		t.Fatalf("%v %v", ids, err)
	}
	// A delivery that cannot be started puts the row back, for the sweep to try again.
	if _, err := w.a.ReaddressEmployerRows(ctx, []string{w.order.ID}, func(context.Context, string) error { return errors.New("temporal is down") }); err == nil {
		t.Fatal("no error from a failed delivery start")
	}
	if r := w.employerRow(t, "coordinator-assigned/2"); r.Status != models.OutboxNoAddress || r.RecipientEmail != "" {
		t.Fatalf("not put back: %+v", r)
	}
	if n, err := w.a.ReaddressEmployerRows(ctx, []string{w.order.ID}, deliver); n != 1 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	if len(delivered) != 1 || delivered[0] != w.key("coordinator-assigned/2") {
		t.Fatalf("delivered %v", delivered)
	}
	if r := w.employerRow(t, "coordinator-assigned/2"); r.Status != models.OutboxPending || r.RecipientID != "emp-9" || r.RecipientEmail != "nina@byg.example" {
		t.Fatalf("readdressed: %+v", r)
	}
	for _, e := range []string{"coordinator-assigned/1", "order-received/1"} {
		if r := w.employerRow(t, e); r.Status != models.OutboxNoAddress {
			t.Fatalf("%s was sent on: %+v", e, r)
		}
	}
	// The row is delivered like any other; asking again sends nothing more.
	if res, err := w.deliver(t, "coordinator-assigned/2"); err != nil || res.Delivered != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if n, err := w.a.ReaddressEmployerRows(ctx, []string{w.order.ID}, deliver); n != 0 || err != nil {
		t.Fatalf("again: %d %v", n, err)
	}
	if ids, err := w.a.OrdersWithWaitingEmployerMail(ctx, 10); len(ids) != 0 || err != nil {
		t.Fatalf("after: %v %v", ids, err)
	}

	// A closed order's waiting mail is not sent on.
	w.notify(t, joborder.TemplateStatusChanged, joborder.RecipientEmployer, "status-changed/1")
	must(t, w.db.Model(&models.CompanyContact{}).Where("id = ?", "emp-9").Update("removed_at", w.clock).Error)
	w.notify(t, joborder.TemplateCloseOutQuestion, joborder.RecipientEmployer, "close-out-question/1")
	must(t, w.db.Model(&models.JobOrder{}).Where("id = ?", w.order.ID).Update("status", models.StatusClosed).Error)
	must(t, w.db.Model(&models.CompanyContact{}).Where("id = ?", "emp-9").Update("removed_at", nil).Error)
	if n, err := w.a.ReaddressEmployerRows(ctx, []string{w.order.ID}, deliver); n != 0 || err != nil {
		t.Fatalf("closed: %d %v", n, err)
	}
	if ids, _ := w.a.OrdersWithWaitingEmployerMail(ctx, 10); len(ids) != 0 {
		t.Fatalf("closed order listed: %v", ids)
	}
}
