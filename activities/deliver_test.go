package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/internal/mail/mailtest"
	"jobordre/models"
)

// mailWorld is an order of Byg & Bo ApS at Jobcenter Aarhus with a coordinator, an employer
// contact and two caseworkers (one reading English).
type mailWorld struct {
	db    *gorm.DB
	order *models.JobOrder
	a     *Activities
	fake  *mailtest.SendGrid
	clock time.Time
}

func newMailWorld(t *testing.T, sandbox bool) *mailWorld {
	t.Helper()
	db := newDB(t)
	o := seedOrder(t, db)
	w := &mailWorld{db: db, order: o, clock: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	coord, contact := "cw-c", "hr-1"
	must(t, db.Create(&models.Company{CVR: o.CompanyCVR, Name: "Byg & Bo ApS"}).Error)
	must(t, db.Model(&models.Jobcenter{}).Where("code = ?", "751").Update("mailbox_email", "jobordre@aarhus.example").Error)
	must(t, db.Create(&[]models.Caseworker{
		{ID: "cw-a", Jobcenter: "751", Role: "caseworker", Name: "Anne Andersen", Email: "anne@aarhus.example", Language: "da"},
		{ID: "cw-b", Jobcenter: "751", Role: "caseworker", Name: "Bo Berg", Email: "bo@aarhus.example", Language: "en"},
		{ID: "cw-c", Jobcenter: "751", Role: "manager", Name: "Ida Kristensen", Email: "ida@aarhus.example", Language: "da"},
	}).Error)
	must(t, db.Create(&models.CompanyContact{ID: contact, CVR: o.CompanyCVR, Name: "Hanne Hansen", Email: "hanne@byg.example", Language: "da"}).Error)
	must(t, db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Updates(map[string]any{
		"title": "Tømrer til renovering", "coordinator_id": coord, "contact_id": contact}).Error)
	w.fake = mailtest.NewSendGrid(t)
	w.a = New(db)
	w.a.Now = func() time.Time { return w.clock }
	w.a.Mail = mail.NewSendGrid(mail.SendGridOptions{APIKey: "SG.key", Host: w.fake.URL, Sandbox: sandbox, Now: w.a.Now})
	w.a.MailOptions = MailOptions{From: mail.Address{Name: "Jobcenter Aarhus", Email: "jobordre@aarhus.example"}, BaseURL: "https://jobordre.example/"}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (w *mailWorld) key(event string) string { return w.order.WorkflowID + "/" + event }

func (w *mailWorld) notify(t *testing.T, template, role, event string) {
	t.Helper()
	if _, err := run(t, w.a, w.a.Notify, NotifyInput{JobOrderID: w.order.ID, Template: template, RecipientRole: role, IdempotencyKey: w.key(event), CoordinatorID: w.order.CoordinatorID}); err != nil {
		t.Fatal(err)
	}
}

// deliver runs Deliver through the SDK's activity environment, as a worker does.
func (w *mailWorld) deliver(t *testing.T, event string) (DeliverResult, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(w.a)
	v, err := env.ExecuteActivity(w.a.Deliver, DeliverInput{IdempotencyKey: w.key(event)})
	var res DeliverResult
	if err == nil {
		err = v.Get(&res)
	}
	return res, err
}

func (w *mailWorld) rows(t *testing.T, where ...any) []models.OutboxMessage {
	t.Helper()
	var rows []models.OutboxMessage
	q := w.db.Order("id")
	if len(where) > 0 {
		q = q.Where(where[0], where[1:]...)
	}
	must(t, q.Find(&rows).Error)
	return rows
}

func (w *mailWorld) events(t *testing.T, typ string) []models.JobOrderEvent {
	t.Helper()
	var evs []models.JobOrderEvent
	must(t, w.db.Where("type = ?", typ).Order("id").Find(&evs).Error)
	return evs
}

func TestDeliverSendsEachRowThroughSendGridAndRecordsTheMessageID(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	res, err := w.deliver(t, "new-order/1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 2 || res.Failed != 0 {
		t.Fatalf("result %+v", res)
	}
	rows := w.rows(t)
	for i, r := range rows {
		if r.Status != models.OutboxDelivered || r.Attempts != 1 || r.ProviderMessageID != fmt.Sprintf("msg-%d", i+1) || r.DeliveredAt == nil || r.LastAttemptAt == nil {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	reqs := w.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	da, en := reqs[0].Mail, reqs[1].Mail
	if da.To() != "anne@aarhus.example" || en.To() != "bo@aarhus.example" {
		t.Errorf("recipients %s, %s", da.To(), en.To())
	}
	if da.Subject != "Ny jobordre: Tømrer til renovering – Jobcenter Aarhus" || en.Subject != "New job order: Tømrer til renovering – Jobcenter Aarhus" {
		t.Errorf("subjects %q / %q", da.Subject, en.Subject)
	}
	if da.From.Email != "jobordre@aarhus.example" || da.From.Name != "Jobcenter Aarhus" {
		t.Errorf("from %+v", da.From)
	}
	if da.CustomArgs["idempotency_key"] != w.key("new-order/1") || da.CustomArgs["job_order_id"] != w.order.ID {
		t.Errorf("custom_args %v", da.CustomArgs)
	}
	text, html := da.ContentOf("text/plain"), da.ContentOf("text/html")
	if !strings.Contains(text, "Hej Anne Andersen") || !strings.Contains(text, "Tovholder: Ida Kristensen") ||
		!strings.Contains(text, "https://jobordre.example/job-orders/"+w.order.ID) || !strings.Contains(html, "Byg &amp; Bo ApS") {
		t.Errorf("bodies:\n%s\n%s", text, html)
	}
	if da.Sandbox() {
		t.Error("sandbox mode without SENDGRID_SANDBOX")
	}
	// Delivering again sends nothing.
	if res, err := w.deliver(t, "new-order/1"); err != nil || res.Delivered != 0 {
		t.Fatalf("again: %+v %v", res, err)
	}
	if n := len(w.fake.Requests()); n != 2 {
		t.Fatalf("%d requests after delivering twice", n)
	}
}

func TestDeliverInSandboxModeSetsTheFlagAndCountsThe200(t *testing.T) {
	w := newMailWorld(t, true)
	w.fake.Script(mailtest.Reply{Status: 200})
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	if _, err := w.deliver(t, "order-received/1"); err != nil {
		t.Fatal(err)
	}
	r := w.rows(t)[0]
	if r.Status != models.OutboxDelivered || !strings.HasPrefix(r.ProviderMessageID, "sandbox-") {
		t.Fatalf("row %+v", r)
	}
	m := w.fake.Requests()[0].Mail
	if !m.Sandbox() || m.To() != "hanne@byg.example" {
		t.Fatalf("request %+v", m)
	}
	// Order received names the coordinator, read from the database at send time.
	if text := m.ContentOf("text/plain"); !strings.Contains(text, "Jeres tovholder er Ida Kristensen, som I kan kontakte på ida@aarhus.example") {
		t.Errorf("text:\n%s", text)
	}
}

func TestDeliverRetriesA429AfterTheRateLimitResetAndA500WithBackoff(t *testing.T) {
	w := newMailWorld(t, false)
	w.fake.Script(mailtest.TooManyRequests(w.clock.Add(90*time.Second)), mailtest.ServerError())
	w.notify(t, "contact_reminder", joborder.RecipientCoordinator, "contact-reminder/1")

	_, err := w.deliver(t, "contact-reminder/1")
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != joborder.ErrRateLimited || appErr.NonRetryable() || appErr.NextRetryDelay() != 90*time.Second {
		t.Fatalf("after 429: %v (%#v)", err, appErr)
	}
	r := w.rows(t)[0]
	if r.Status != models.OutboxPending || r.Attempts != 1 || !strings.Contains(r.LastError, "429") || r.ProviderMessageID != "" {
		t.Fatalf("row after 429: %+v", r)
	}

	_, err = w.deliver(t, "contact-reminder/1")
	if !errors.As(err, &appErr) || appErr.Type() != joborder.ErrDeliveryRetry || appErr.NonRetryable() || appErr.NextRetryDelay() != 0 {
		t.Fatalf("after 500: %v", err)
	}
	if strings.Contains(err.Error(), "ida@") {
		t.Errorf("the retry error (kept in the workflow history) names an address: %v", err)
	}
	r = w.rows(t)[0]
	if r.Status != models.OutboxPending || r.Attempts != 2 || !strings.Contains(r.LastError, "500") {
		t.Fatalf("row after 500: %+v", r)
	}

	if _, err := w.deliver(t, "contact-reminder/1"); err != nil {
		t.Fatal(err)
	}
	r = w.rows(t)[0]
	if r.Status != models.OutboxDelivered || r.Attempts != 3 || r.ProviderMessageID != "msg-3" || r.LastError != "" {
		t.Fatalf("row after 202: %+v", r)
	}
	if reqs := w.fake.Requests(); len(reqs) != 3 || reqs[2].Mail.To() != "ida@aarhus.example" {
		t.Fatalf("requests %d", len(reqs))
	}
}

func TestAPermanentRefusalFailsTheRowAndTellsTheCoordinatorOnce(t *testing.T) {
	for _, tc := range []struct {
		status  int
		message string
	}{
		{400, "The to.email field must be a valid email address."},
		{413, "The JSON payload you have included in your request is too large."},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			w := newMailWorld(t, false)
			w.fake.Script(mailtest.Refused(tc.status, tc.message, ""))
			w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
			res, err := w.deliver(t, "order-received/1")
			if err != nil {
				t.Fatalf("a permanent failure must let the workflow carry on: %v", err)
			}
			if res.Failed != 1 || res.Notices != 1 || res.Delivered != 1 {
				t.Fatalf("result %+v", res)
			}
			failed := w.rows(t, "template = ?", "order_received")[0]
			if failed.Status != models.OutboxFailed || !strings.Contains(failed.LastError, tc.message) || failed.Attempts != 1 {
				t.Fatalf("failed row %+v", failed)
			}
			evs := w.events(t, string(joborder.EventDeliveryFailed))
			if len(evs) != 1 || !strings.Contains(evs[0].Details, `"template":"order_received"`) || strings.Contains(evs[0].Details, "hanne@") {
				t.Fatalf("history %+v", evs)
			}
			notices := w.rows(t, "template = ?", joborder.TemplateDeliveryFailed)
			if len(notices) != 1 || notices[0].RecipientID != "cw-c" || notices[0].RecipientRole != joborder.RecipientCoordinator ||
				notices[0].Status != models.OutboxDelivered || notices[0].IdempotencyKey != w.key("order-received/1")+"/delivery-failed/"+fmt.Sprint(failed.ID) {
				t.Fatalf("notices %+v", notices)
			}
			reqs := w.fake.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests", len(reqs))
			}
			n := reqs[1].Mail
			if n.To() != "ida@aarhus.example" || n.Subject != "Kunne ikke sende e-mail om Tømrer til renovering – Jobcenter Aarhus" ||
				!strings.Contains(n.ContentOf("text/plain"), tc.message) || !strings.Contains(n.ContentOf("text/plain"), "hanne@byg.example") {
				t.Fatalf("notice %s\n%s", n.Subject, n.ContentOf("text/plain"))
			}
			// Nothing more on a retry.
			if res, err := w.deliver(t, "order-received/1"); err != nil || res != (DeliverResult{}) {
				t.Fatalf("again: %+v %v", res, err)
			}
			if len(w.fake.Requests()) != 2 {
				t.Fatal("a retry sent more")
			}
		})
	}
}

func TestARefusedNoticeIsNotReportedAgain(t *testing.T) {
	w := newMailWorld(t, false)
	w.fake.Script(mailtest.Refused(400, "bad to", ""), mailtest.Refused(400, "bad to again", ""))
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	res, err := w.deliver(t, "order-received/1")
	if err != nil || res.Failed != 2 || res.Notices != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := len(w.rows(t)); n != 2 {
		t.Fatalf("%d rows: a notice about the notice was written", n)
	}
	if n := len(w.events(t, string(joborder.EventDeliveryFailed))); n != 2 {
		t.Fatalf("%d delivery-failed events", n)
	}
}

// failAfterAccepted is a fault injected after the provider accepted a row: with recorded false
// it fails before the message ID is written (the one window), with true after.
type failAfterAccepted struct {
	mu       sync.Mutex
	recorded bool
	left     int
}

func (f *failAfterAccepted) fire() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.left == 0 {
		return nil
	}
	f.left--
	return errors.New("injected crash")
}

func (f *failAfterAccepted) Accepted(models.OutboxMessage, string) error {
	if f.recorded {
		return nil
	}
	return f.fire()
}

func (f *failAfterAccepted) Recorded(models.OutboxMessage) error {
	if !f.recorded {
		return nil
	}
	return f.fire()
}

func TestACrashAfterTheProviderAcceptedDoesNotSendTwice(t *testing.T) {
	w := newMailWorld(t, false)
	w.a.MailOptions.Faults = &failAfterAccepted{recorded: true, left: 2}
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	for _, event := range []string{"new-order/1", "order-received/1"} {
		if _, err := w.deliver(t, event); err == nil {
			t.Fatalf("%s: the injected crash did not fail the activity", event)
		}
	}
	for i := 0; i < 3; i++ { // the retries
		for _, event := range []string{"new-order/1", "order-received/1"} {
			if _, err := w.deliver(t, event); err != nil {
				t.Fatalf("retry %d of %s: %v", i, event, err)
			}
		}
	}
	// Exactly one provider request per idempotency key and recipient (new_order has two).
	requests := map[string]int{}
	for _, r := range w.fake.Requests() {
		requests[r.Mail.CustomArgs["idempotency_key"]+" → "+r.Mail.To()]++
	}
	want := map[string]int{
		w.key("new-order/1") + " → anne@aarhus.example":    1,
		w.key("new-order/1") + " → bo@aarhus.example":      1,
		w.key("order-received/1") + " → hanne@byg.example": 1,
	}
	if fmt.Sprint(requests) != fmt.Sprint(want) {
		t.Fatalf("provider requests %v, want %v", requests, want)
	}
	for _, r := range w.rows(t) {
		if r.Status != models.OutboxDelivered || r.Attempts != 1 {
			t.Errorf("row %+v", r)
		}
	}
}

func TestTheRemainingWindowIsClosedByTheWebhooksProcessedEvent(t *testing.T) {
	// A crash between the provider's 202 and the message-ID write: the outcome is unknown.
	w := newMailWorld(t, false)
	w.a.MailOptions.Faults = &failAfterAccepted{left: 1}
	w.a.MailOptions.UnknownOutcomeWait = 5 * time.Minute
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	if _, err := w.deliver(t, "order-received/1"); err == nil {
		t.Fatal("the injected crash did not fail the activity")
	}
	r := w.rows(t)[0]
	if r.Status != models.OutboxSending || r.ProviderMessageID != "" || r.Attempts != 1 {
		t.Fatalf("row %+v", r)
	}
	// The retry waits for the webhook instead of sending again.
	_, err := w.deliver(t, "order-received/1")
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.NextRetryDelay() != 5*time.Minute {
		t.Fatalf("retry during the wait: %v", err)
	}
	// SendGrid's processed event carries the custom_args: the row learns its message ID.
	keys, err := RecordMailEvents(context.Background(), w.db, w.a.Now, []mail.Event{{
		Event: "processed", Email: "Hanne@Byg.example", IdempotencyKey: w.key("order-received/1"), SGMessageID: "msg-1.filter0001.1",
	}})
	if err != nil || len(keys) != 0 {
		t.Fatal(keys, err)
	}
	w.clock = w.clock.Add(6 * time.Minute)
	if _, err := w.deliver(t, "order-received/1"); err != nil {
		t.Fatal(err)
	}
	r = w.rows(t)[0]
	if n := len(w.fake.Requests()); n != 1 || r.Status != models.OutboxDelivered || r.ProviderMessageID != "msg-1" {
		t.Fatalf("%d requests, row %+v", n, r)
	}
}

func TestWithoutTheWebhookAnUnknownOutcomeIsSentAgain(t *testing.T) {
	// The documented window: no message ID was recorded and no webhook reported it, so the
	// retry cannot tell a lost answer from a lost request and sends again (at least once).
	w := newMailWorld(t, false)
	w.a.MailOptions.Faults = &failAfterAccepted{left: 1}
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	if _, err := w.deliver(t, "order-received/1"); err == nil {
		t.Fatal("no crash")
	}
	if _, err := w.deliver(t, "order-received/1"); err != nil {
		t.Fatal(err)
	}
	r := w.rows(t)[0]
	if n := len(w.fake.Requests()); n != 2 || r.Status != models.OutboxDelivered || r.Attempts != 2 || r.ProviderMessageID != "msg-2" {
		t.Fatalf("%d requests, row %+v", n, r)
	}
}

// noAnswer is a sender whose requests get no answer (a network error after sending).
type noAnswer struct{ calls int }

func (s *noAnswer) Name() string { return "no-answer" }
func (s *noAnswer) Send(context.Context, mail.Message) (mail.Result, error) {
	s.calls++
	return mail.Result{}, errors.New("read tcp: connection reset by peer")
}

func TestANetworkErrorLeavesTheOutcomeUnknown(t *testing.T) {
	w := newMailWorld(t, false)
	w.a.Mail = &noAnswer{}
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	_, err := w.deliver(t, "order-received/1")
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != joborder.ErrDeliveryRetry || appErr.NonRetryable() {
		t.Fatalf("got %v", err)
	}
	r := w.rows(t)[0]
	if r.Status != models.OutboxSending || r.Attempts != 1 || !strings.Contains(r.LastError, "outcome unknown") {
		t.Fatalf("row %+v", r)
	}
}

func TestTheSameEventTwiceGivesOneRowAndOneEmail(t *testing.T) {
	w := newMailWorld(t, false)
	for i := 0; i < 2; i++ {
		w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
		if _, err := w.deliver(t, "order-received/1"); err != nil {
			t.Fatal(err)
		}
	}
	if rows := w.rows(t, "template = ?", "order_received"); len(rows) != 1 || rows[0].Status != models.OutboxDelivered {
		t.Fatalf("rows %+v", rows)
	}
	if n := len(w.fake.Requests()); n != 1 {
		t.Fatalf("%d e-mails", n)
	}
}

func TestRowsWithoutAnAddressAreSkippedAndDataIsReadAtSendTime(t *testing.T) {
	w := newMailWorld(t, false)
	// The company has no contact person at all (it has not registered, nobody was named).
	must(t, w.db.Model(&models.JobOrder{}).Where("id = ?", w.order.ID).Update("contact_id", nil).Error)
	must(t, w.db.Delete(&models.CompanyContact{}, "cvr = ?", w.order.CompanyCVR).Error)
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	if res, err := w.deliver(t, "order-received/1"); err != nil || res != (DeliverResult{}) {
		t.Fatalf("%+v %v", res, err)
	}
	if r := w.rows(t)[0]; r.Status != models.OutboxNoAddress || len(w.fake.Requests()) != 0 {
		t.Fatalf("row %+v", r)
	}
	// The title is read when the mail is sent, not when the notification was decided.
	w.notify(t, "contact_reminder", joborder.RecipientCoordinator, "contact-reminder/1")
	must(t, w.db.Model(&models.JobOrder{}).Where("id = ?", w.order.ID).Update("title", "Tømrer og snedker").Error)
	if _, err := w.deliver(t, "contact-reminder/1"); err != nil {
		t.Fatal(err)
	}
	if s := w.fake.Requests()[0].Mail.Subject; !strings.Contains(s, "Tømrer og snedker") {
		t.Fatalf("subject %q", s)
	}
}

func TestTheMailboxSenderKeepsACopyAndMarksTheRowDelivered(t *testing.T) {
	w := newMailWorld(t, false)
	box, err := mail.NewMailbox(context.Background(), w.db)
	if err != nil {
		t.Fatal(err)
	}
	w.a.Mail = box
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	for i := 0; i < 2; i++ {
		if _, err := w.deliver(t, "new-order/1"); err != nil {
			t.Fatal(err)
		}
	}
	rows := w.rows(t)
	for _, r := range rows {
		if r.Status != models.OutboxDelivered || r.ProviderMessageID != fmt.Sprintf("mailbox-%d", r.ID) {
			t.Fatalf("row %+v", r)
		}
	}
	entries, err := mail.ListMailbox(context.Background(), w.db, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Status != models.OutboxDelivered || !strings.HasPrefix(entries[0].Subject, "New job order") && !strings.HasPrefix(entries[0].Subject, "Ny jobordre") ||
		!strings.Contains(entries[0].HTML, "<html") || entries[0].Text == "" {
		t.Fatalf("mailbox %+v", entries)
	}
}

func TestDeliverWithoutASenderIsAMisconfiguration(t *testing.T) {
	w := newMailWorld(t, false)
	w.a.Mail = nil
	_, err := w.deliver(t, "x")
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != joborder.ErrMisconfigured {
		t.Fatalf("got %v", err)
	}
}
