package activities

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"jobordre/internal/joborder"
	"jobordre/internal/mail/mailtest"
	"jobordre/models"
)

// dispatch runs DispatchOutbox for shard of shards through the SDK's activity environment, for
// a short while (it returns when For has passed).
func (w *mailWorld) dispatch(t *testing.T, shard, shards int) DispatchOutboxResult {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(w.a)
	v, err := env.ExecuteActivity(w.a.DispatchOutbox, DispatchOutboxInput{Shard: shard, Shards: shards, For: 300 * time.Millisecond, BatchSize: 2, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	var res DispatchOutboxResult
	must(t, v.Get(&res))
	return res
}

// sentTo counts the provider's requests per "idempotency key → address".
func (w *mailWorld) sentTo() map[string]int {
	out := map[string]int{}
	for _, r := range w.fake.Requests() {
		out[r.Mail.CustomArgs["idempotency_key"]+" → "+r.Mail.To()]++
	}
	return out
}

// A dispatcher sends every due row of its shard, in batches, once, and leaves the other shard's
// rows to theirs; running it again sends nothing more.
func TestTheDispatcherSendsEveryDueRowOfItsShardOnceAndNoOtherShards(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	w.notify(t, "contact_reminder", joborder.RecipientCoordinator, "contact-reminder/1")
	rows := w.rows(t)
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	own := 0
	for _, r := range rows {
		if r.ID%2 == 1 {
			own++
		}
	}
	res := w.dispatch(t, 1, 2)
	if res.Delivered != own || len(w.fake.Requests()) != own {
		t.Fatalf("shard 1: %+v and %d requests, want %d", res, len(w.fake.Requests()), own)
	}
	for _, r := range w.rows(t) {
		if want := map[bool]string{true: models.OutboxDelivered, false: models.OutboxPending}[r.ID%2 == 1]; r.Status != want {
			t.Errorf("row %d is %s after shard 1's run, want %s", r.ID, r.Status, want)
		}
	}
	w.dispatch(t, 0, 2)
	w.dispatch(t, 0, 2)
	w.dispatch(t, 1, 2)
	for _, r := range w.rows(t) {
		if r.Status != models.OutboxDelivered || r.Attempts != 1 {
			t.Errorf("row %+v", r)
		}
	}
	for k, n := range w.sentTo() {
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
	if len(w.sentTo()) != 4 {
		t.Errorf("sent %v, want the four rows", w.sentTo())
	}
}

// Two dispatchers on the same rows (a dead worker's activity taken over while it still runs,
// or a row found by an old run's Deliver too) never both send one: the claim decides.
func TestTwoDispatchersOnTheSameRowsSendEachRowOnce(t *testing.T) {
	w := newMailWorld(t, false)
	for i := range 6 {
		w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/"+string(rune('a'+i)))
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.dispatch(t, 0, 1)
		}()
	}
	wg.Wait()
	sent := w.sentTo()
	if len(sent) != 12 {
		t.Fatalf("%d distinct mails sent, want 12: %v", len(sent), sent)
	}
	for k, n := range sent {
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
}

// A 429 defers the row until the provider's reset and pauses the shard; a 500 defers it by the
// backoff; once due it is sent.
func TestTheDispatcherDefersARowTheProviderDidNotTakeUntilItIsDue(t *testing.T) {
	w := newMailWorld(t, false)
	w.fake.Script(mailtest.TooManyRequests(w.clock.Add(90*time.Second)), mailtest.ServerError())
	w.notify(t, "contact_reminder", joborder.RecipientCoordinator, "contact-reminder/1")

	if res := w.dispatch(t, 0, 1); res.Later != 1 || res.Delivered != 0 {
		t.Fatalf("after 429: %+v", res)
	}
	r := w.rows(t)[0]
	if r.Status != models.OutboxPending || r.Attempts != 1 || r.NextAttemptAt == nil || !r.NextAttemptAt.Equal(w.clock.Add(90*time.Second)) {
		t.Fatalf("row after 429: %+v, want pending until the reset", r)
	}
	w.clock = w.clock.Add(89 * time.Second)
	if w.dispatch(t, 0, 1); len(w.fake.Requests()) != 1 {
		t.Fatalf("sent before the reset: %d requests", len(w.fake.Requests()))
	}

	w.clock = w.clock.Add(2 * time.Second)
	if res := w.dispatch(t, 0, 1); res.Later != 1 {
		t.Fatalf("after 500: %+v", res)
	}
	r = w.rows(t)[0]
	// The second attempt's backoff: 2 s doubled once.
	if r.Status != models.OutboxPending || r.Attempts != 2 || r.NextAttemptAt == nil || !r.NextAttemptAt.Equal(w.clock.Add(4*time.Second)) {
		t.Fatalf("row after 500: %+v", r)
	}
	w.clock = w.clock.Add(4 * time.Second)
	if res := w.dispatch(t, 0, 1); res.Delivered != 1 {
		t.Fatalf("when due: %+v", res)
	}
	if r = w.rows(t)[0]; r.Status != models.OutboxDelivered || r.Attempts != 3 || len(w.fake.Requests()) != 3 {
		t.Fatalf("row %+v after %d requests", r, len(w.fake.Requests()))
	}
}

// A row left sending by an attempt that died after the provider accepted it is finished without
// sending again; a row sending for less than sendingStaleAfter is an attempt still going on
// elsewhere and is left alone.
func TestTheDispatcherFinishesAnInterruptedAttemptAndLeavesOneInProgress(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	rows := w.rows(t)
	stale, fresh := w.clock.Add(-sendingStaleAfter-time.Second), w.clock.Add(-10*time.Second)
	must(t, w.db.Model(&models.OutboxMessage{}).Where("id = ?", rows[0].ID).Updates(map[string]any{
		"status": models.OutboxSending, "attempts": 1, "last_attempt_at": stale, "provider_message_id": "msg-earlier"}).Error)
	must(t, w.db.Model(&models.OutboxMessage{}).Where("id = ?", rows[1].ID).Updates(map[string]any{
		"status": models.OutboxSending, "attempts": 1, "last_attempt_at": fresh}).Error)

	if res := w.dispatch(t, 0, 1); res.Delivered != 1 {
		t.Fatalf("%+v", res)
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Fatalf("%d requests, want none", n)
	}
	got := w.rows(t)
	if got[0].Status != models.OutboxDelivered || got[0].Attempts != 1 || got[0].ProviderMessageID != "msg-earlier" {
		t.Errorf("the accepted row: %+v", got[0])
	}
	if got[1].Status != models.OutboxSending || got[1].Attempts != 1 {
		t.Errorf("the row in progress elsewhere: %+v", got[1])
	}
}

// Notify wakes this process's waiting dispatchers; one that stopped waiting is not woken.
func TestNotifyWakesTheWaitingDispatchers(t *testing.T) {
	w := newMailWorld(t, false)
	c, release := w.a.OutboxWaker.channel()
	gone, releaseGone := w.a.OutboxWaker.channel()
	releaseGone()
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	select {
	case <-c:
	default:
		t.Fatal("the waiting dispatcher was not woken")
	}
	select {
	case <-gone:
		t.Fatal("a dispatcher that stopped waiting was woken")
	default:
	}
	release()
	// The same event again writes nothing and wakes nobody.
	c2, release2 := w.a.OutboxWaker.channel()
	defer release2()
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	select {
	case <-c2:
		t.Fatal("a Notify that wrote nothing woke the dispatcher")
	default:
	}
}

// A stopping worker's dispatcher takes no more rows and returns at once, long before its period
// is over (the rows wait for the next dispatcher, none is cut off mid-send).
func TestAStoppingWorkersDispatcherTakesNoMoreRows(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(w.a)
	stop := make(chan struct{})
	close(stop)
	env.SetWorkerStopChannel(stop)
	done := make(chan error, 1)
	go func() {
		_, err := env.ExecuteActivity(w.a.DispatchOutbox, DispatchOutboxInput{Shard: 0, Shards: 1, For: time.Hour, BatchSize: 10, Concurrency: 2})
		done <- err
	}()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the dispatcher did not return when the worker stopped")
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Fatalf("%d mails sent by a stopping dispatcher", n)
	}
}

// A row whose write the database refuses (here a trigger) does not hold up its shard: it waits
// dispatchErrorDelay, the other rows are sent, and the activity then fails with a retryable
// error that names the row and is retried at once.
func TestARowTheDatabaseRefusesWaitsAndTheRestOfTheShardIsSent(t *testing.T) {
	w := newMailWorld(t, false)
	w.notify(t, "new_order", joborder.RecipientCaseworkers, "new-order/1")
	w.notify(t, "order_received", joborder.RecipientEmployer, "order-received/1")
	must(t, w.db.Exec(`CREATE FUNCTION refuse_bo() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.status = 'sending' AND NEW.recipient_email = 'bo@aarhus.example' THEN
				RAISE EXCEPTION 'mail to Bo Berg <%> refused', NEW.recipient_email;
			END IF;
			RETURN NEW;
		END $$`).Error)
	must(t, w.db.Exec(`CREATE TRIGGER refuse_bo BEFORE UPDATE ON outbox_messages FOR EACH ROW EXECUTE FUNCTION refuse_bo()`).Error)

	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(w.a)
	_, err := env.ExecuteActivity(w.a.DispatchOutbox, DispatchOutboxInput{Shard: 0, Shards: 1, For: time.Minute, BatchSize: 10, Concurrency: 4})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != joborder.ErrDeliveryRetry || appErr.NonRetryable() || appErr.NextRetryDelay() != rowFailureRetry {
		t.Fatalf("the activity ended with %v, want a retryable row failure retried at once", err)
	}
	if strings.Contains(appErr.Message(), "bo@") {
		t.Errorf("the failure's own message names the address: %q", appErr.Message())
	}
	sent := w.sentTo()
	if len(sent) != 2 || sent[w.key("new-order/1")+" → anne@aarhus.example"] != 1 || sent[w.key("order-received/1")+" → hanne@byg.example"] != 1 {
		t.Fatalf("sent %v, want Anne's and Hanne's", sent)
	}
	for _, r := range w.rows(t, "recipient_email = ?", "bo@aarhus.example") {
		if r.Status != models.OutboxPending || r.NextAttemptAt == nil || !r.NextAttemptAt.Equal(w.clock.Add(dispatchErrorDelay)) {
			t.Errorf("the refused row: %+v, want pending for %s", r, dispatchErrorDelay)
		}
	}
	// The retry, before the row is due, sends nothing and fails nothing.
	if res := w.dispatch(t, 0, 1); res.Delivered != 0 || len(w.fake.Requests()) != 2 {
		t.Fatalf("the retry: %+v", res)
	}
}
