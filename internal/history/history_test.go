package history_test

import (
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/dbtest"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func storedOrder(t *testing.T, db *gorm.DB, jobcenter string) string {
	t.Helper()
	id := uuid.NewString()
	now := time.Now().UTC()
	o := models.JobOrder{ID: id, CompanyCVR: "10103940", Title: "t", Description: "d", WorkplaceAddress: "a", WorkplacePostalCode: "8000",
		WorkplaceMunicipalityCode: jobcenter, ResponsibleJobcenter: jobcenter, OccupationCode: "7115", Positions: 1, Kind: models.KindOrdinary,
		Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: "cw-1", CreatedByRole: "caseworker",
		WorkflowID: joborder.WorkflowID(id), CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func feedEvents(t *testing.T, db *gorm.DB, orderID string) []models.FeedEvent {
	t.Helper()
	var out []models.FeedEvent
	if err := db.Where("job_order_id = ?", orderID).Order("sequence").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// Every history event type is appended once (twice, to see the retry), and the feed must hold
// exactly the business events, each once, numbered 1, 2, 3 ... in the order they were written.
func TestEveryBusinessHistoryEntryYieldsExactlyOneFeedEventAndNoOtherEntryYieldsOne(t *testing.T) {
	for name, db := range map[string]*gorm.DB{"postgres": dbtest.Postgres(t), "sqlite": dbtest.SQLite(t)} {
		t.Run(name, func(t *testing.T) {
			id := storedOrder(t, db, "751")
			at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
			var want []joborder.FeedType
			for i, typ := range joborder.HistoryEvents {
				details := map[string]string{"n": "x"}
				if typ == joborder.EventStatusChanged {
					details = map[string]string{"status": "temporarily_inactive", "from": "open"}
				}
				e := history.Entry{JobOrderID: id, Type: typ, Key: joborder.EventKey(id, typ, "1"), At: at.Add(time.Duration(i) * time.Second), Details: details}
				for range 2 {
					if _, err := history.Append(db, e); err != nil {
						t.Fatalf("%s: %v", typ, err)
					}
				}
				if ft, ok := joborder.FeedTypeOf(typ, details); ok {
					want = append(want, ft)
				}
			}
			// Closing and reopening are their own feed types.
			closing := history.Entry{JobOrderID: id, Type: joborder.EventStatusChanged, Key: joborder.EventKey(id, joborder.EventStatusChanged, "2"), At: at.Add(time.Hour),
				Details: map[string]string{"status": models.StatusClosed, "from": models.StatusOpen, "reason": "filled"}}
			reopening := history.Entry{JobOrderID: id, Type: joborder.EventStatusChanged, Key: joborder.EventKey(id, joborder.EventStatusChanged, "3"), At: at.Add(2 * time.Hour),
				Details: map[string]string{"status": models.StatusOpen, "from": models.StatusClosed}}
			n, err := history.Append(db, closing, reopening, closing)
			if err != nil || n != 2 {
				t.Fatalf("append closing and reopening: %d %v", n, err)
			}
			want = append(want, joborder.FeedClosed, joborder.FeedReopened)

			got := feedEvents(t, db, id)
			if len(got) != len(want) {
				t.Fatalf("%d feed events, want %d: %+v", len(got), len(want), got)
			}
			keys := map[string]bool{}
			for i, ev := range got {
				if ev.Type != string(want[i]) || ev.Sequence != int64(i+1) || ev.Jobcenter != "751" || ev.ID == "" || keys[ev.HistoryKey] {
					t.Errorf("event %d: %+v, want type %s with sequence %d", i, ev, want[i], i+1)
				}
				keys[ev.HistoryKey] = true
				var h models.JobOrderEvent
				if err := db.Take(&h, "event_key = ?", ev.HistoryKey).Error; err != nil || !h.At.Equal(ev.OccurredAt) {
					t.Errorf("event %d names no history entry of its time: %v %v %v", i, err, h.At, ev.OccurredAt)
				}
			}
			if len(want) != len(joborder.FeedTypes) {
				t.Errorf("the scenario yields %d types, want every one of %d", len(want), len(joborder.FeedTypes))
			}
		})
	}
}

// A feed event belongs with its history entry: when the transaction that wrote them rolls back,
// neither is stored and the order's next event still gets the next number.
func TestAFeedEventIsWrittenAndRolledBackWithItsHistoryEntry(t *testing.T) {
	db := dbtest.Postgres(t)
	id := storedOrder(t, db, "101")
	e := history.Entry{JobOrderID: id, Type: joborder.EventCreated, Key: joborder.EventKey(id, joborder.EventCreated), At: time.Now()}
	_ = db.Transaction(func(tx *gorm.DB) error {
		if _, err := history.Append(tx, e); err != nil {
			t.Fatal(err)
		}
		return gorm.ErrInvalidTransaction
	})
	if got := feedEvents(t, db, id); len(got) != 0 {
		t.Fatalf("rolled back, yet %d feed events", len(got))
	}
	if _, err := history.Append(db, e); err != nil {
		t.Fatal(err)
	}
	if got := feedEvents(t, db, id); len(got) != 1 || got[0].Sequence != 1 || got[0].Jobcenter != "101" || got[0].TxID == 0 {
		t.Fatalf("feed after the commit: %+v", got)
	}
}

func TestAnEntryOfAnOrderThatIsNotStoredIsRefused(t *testing.T) {
	db := dbtest.SQLite(t)
	id := uuid.NewString()
	if _, err := history.Append(db, history.Entry{JobOrderID: id, Type: joborder.EventCreated, Key: joborder.EventKey(id, joborder.EventCreated), At: time.Now()}); err == nil {
		t.Fatal("a business entry of an unknown order was stored")
	}
	var n int64
	db.Model(&models.JobOrderEvent{}).Where("job_order_id = ?", id).Count(&n)
	if n != 0 {
		t.Fatalf("%d history entries stored without their feed event", n)
	}
}
