package webhooks

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/feed"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

var adminP = auth.Principal{Subject: "adm", Role: auth.RoleAdmin}

// In production mode (private endpoints not allowed) a subscription to a loopback, private or
// link-local URL is refused, naming the url field; where they are allowed (jobordre dev) it is made.
func TestALoopbackURLIsRefusedInProductionMode(t *testing.T) {
	db := dbtest.SQLite(t)
	for _, u := range []string{"http://127.0.0.1:8099/hook", "http://localhost/hook", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://192.168.0.10/"} {
		_, err := NewService(db, nil, false).Create(context.Background(), adminP, CreateRequest{URL: u})
		var v *problem.ValidationError
		if !errors.As(err, &v) || len(v.Fields) == 0 || v.Fields[0].Field != "url" {
			t.Errorf("%s in production: %v", u, err)
		}
		if _, err := NewService(db, nil, true).Create(context.Background(), adminP, CreateRequest{URL: u}); err != nil {
			t.Errorf("%s where private endpoints are allowed: %v", u, err)
		}
	}
}

type recordingStarter struct {
	mu      sync.Mutex
	started []string
}

func (r *recordingStarter) StartDelivery(_ context.Context, sub, ev string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.started {
		if s == sub+"/"+ev {
			return ErrAlreadyStarted // as Temporal refuses the workflow ID
		}
	}
	r.started = append(r.started, sub+"/"+ev)
	return nil
}

func (r *recordingStarter) ReplayDelivery(context.Context, string, string) error { return nil }

// The dispatcher starts one delivery per event and matching subscription: a job centre's
// subscription gets its own orders' events only, a type filter holds, events from before the
// subscription are not sent, and dispatching again starts nothing twice.
func TestTheDispatcherStartsOneDeliveryPerEventAndMatchingSubscription(t *testing.T) {
	db := dbtest.SQLite(t)
	now := time.Now().UTC()
	subs := map[string]*models.WebhookSubscription{
		"751":    {ID: uuid.NewString(), URL: "http://x/", Jobcenter: "751", Enabled: true, Secret: NewSecret(), CreatedBy: "m", CreatedAt: now, UpdatedAt: now},
		"all":    {ID: uuid.NewString(), URL: "http://x/", Enabled: true, Secret: NewSecret(), CreatedBy: "a", CreatedAt: now, UpdatedAt: now},
		"closed": {ID: uuid.NewString(), URL: "http://x/", Types: string(joborder.FeedClosed), Enabled: true, Secret: NewSecret(), CreatedBy: "a", CreatedAt: now, UpdatedAt: now},
		"off":    {ID: uuid.NewString(), URL: "http://x/", Enabled: false, Secret: NewSecret(), CreatedBy: "a", CreatedAt: now, UpdatedAt: now},
	}
	for _, s := range subs {
		if err := db.Create(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	o751, o746 := uuid.NewString(), uuid.NewString()
	mk := func(order, jc string, seq int64, typ joborder.FeedType, at time.Time) *models.FeedEvent {
		ev := &models.FeedEvent{ID: uuid.NewString(), Type: string(typ), JobOrderID: order, Sequence: seq, Jobcenter: jc, HistoryKey: uuid.NewString(), OccurredAt: at}
		if err := db.Create(ev).Error; err != nil {
			t.Fatal(err)
		}
		return ev
	}
	before := mk(uuid.NewString(), "751", 1, joborder.FeedCreated, now.Add(-time.Hour))
	a1 := mk(o751, "751", 1, joborder.FeedCreated, now.Add(time.Second))
	b1 := mk(o746, "746", 1, joborder.FeedCreated, now.Add(time.Second))
	a2 := mk(o751, "751", 2, joborder.FeedClosed, now.Add(2*time.Second))
	st := &recordingStarter{}
	d := &Dispatcher{DB: db, Feed: feed.New(db, access.DBRelations{DB: db, Ref: refdata.Default()}), Starter: st}
	n, err := d.Dispatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		subs["751"].ID + "/" + a1.ID, subs["all"].ID + "/" + a1.ID, subs["all"].ID + "/" + b1.ID,
		subs["751"].ID + "/" + a2.ID, subs["all"].ID + "/" + a2.ID, subs["closed"].ID + "/" + a2.ID,
	}
	got := map[string]bool{}
	for _, s := range st.started {
		got[s] = true
	}
	if n != len(want) || len(st.started) != len(want) {
		t.Fatalf("started %d: %v", n, st.started)
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("not started: %s", w)
		}
	}
	for _, s := range st.started {
		if s == subs["751"].ID+"/"+b1.ID || s[len(s)-36:] == before.ID {
			t.Errorf("started %s", s)
		}
	}
	var rows int64
	db.Model(&models.WebhookDelivery{}).Where("status = ?", models.WebhookPending).Count(&rows)
	if rows != int64(len(want)) {
		t.Errorf("%d pending delivery rows, want %d", rows, len(want))
	}
	// Again (another worker, or after a restart from an old cursor): nothing new starts.
	db.Model(&models.FeedCursor{}).Where("name = ?", dispatcherCursor).Updates(map[string]any{"position": 0})
	if n, err := d.Dispatch(context.Background()); err != nil || n != 0 || len(st.started) != len(want) {
		t.Fatalf("second dispatch started %d (%v)", n, err)
	}
}
