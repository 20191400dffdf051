package activities

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func newDB(t *testing.T) *gorm.DB {
	t.Helper()
	return dbtest.Postgres(t)
}

func seedOrder(t *testing.T, db *gorm.DB) *models.JobOrder {
	t.Helper()
	now := time.Now().UTC()
	o := &models.JobOrder{ID: "5b1c0f9e-2f6c-4b8e-9a1d-3c4e5f6a7b8c", CompanyCVR: "10103940", Title: "t", Description: "d",
		WorkplaceAddress: "a", WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751",
		OccupationCode: "7115", Positions: 1, Kind: "ordinary", Status: "open", Sharing: "internal",
		CreatedBySubject: "cw", CreatedByRole: "caseworker", WorkflowID: "job-order/5b1c0f9e-2f6c-4b8e-9a1d-3c4e5f6a7b8c",
		CreatedAt: now, UpdatedAt: now}
	if err := db.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

// run executes an activity the way a worker does, through the SDK's activity environment.
func run(t *testing.T, a *Activities, fn any, in any) (any, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(fn, in)
	if err != nil {
		return nil, err
	}
	if v == nil || !v.HasValue() {
		return nil, nil
	}
	var res NotifyResult
	if err := v.Get(&res); err != nil {
		return nil, err
	}
	return res, nil
}

func outbox(t *testing.T, db *gorm.DB) []models.OutboxMessage {
	t.Helper()
	var rows []models.OutboxMessage
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestNotifyWritesOneRowPerCaseworkerAndTheSameEventTwiceWritesNothingMore(t *testing.T) {
	db := newDB(t)
	o := seedOrder(t, db)
	db.Create(&[]models.Caseworker{
		{ID: "cw-a", Jobcenter: "751", Role: "caseworker", Email: "a@aarhus.dk", Language: "da"},
		{ID: "cw-b", Jobcenter: "751", Role: "caseworker", Email: "b@aarhus.dk", Language: "en"},
		{ID: "cw-x", Jobcenter: "101", Role: "caseworker", Email: "x@kk.dk", Language: "da"},
	})
	a := New(db)
	in := NotifyInput{JobOrderID: o.ID, Template: "new_order", RecipientRole: joborder.RecipientCaseworkers, IdempotencyKey: o.WorkflowID + "/new-order/1"}
	for i := 0; i < 2; i++ {
		if _, err := run(t, a, a.Notify, in); err != nil {
			t.Fatal(err)
		}
	}
	rows := outbox(t, db)
	if len(rows) != 2 || rows[0].RecipientEmail != "a@aarhus.dk" || rows[1].Language != "en" || rows[0].Status != models.OutboxPending {
		t.Fatalf("outbox: %+v", rows)
	}
}

func TestCoordinatorRemindersGoToManagersWithoutACoordinatorAndToTheMailboxWithoutManagers(t *testing.T) {
	db := newDB(t)
	o := seedOrder(t, db)
	a := New(db)
	db.Model(&models.Jobcenter{}).Where("code = ?", "751").Update("mailbox_email", "jobcenter@aarhus.dk")
	if _, err := run(t, a, a.Notify, NotifyInput{JobOrderID: o.ID, Template: "contact_reminder", RecipientRole: joborder.RecipientCoordinator, IdempotencyKey: "k/1"}); err != nil {
		t.Fatal(err)
	}
	db.Create(&models.Caseworker{ID: "mgr", Jobcenter: "751", Role: "manager", Email: "chef@aarhus.dk"})
	if _, err := run(t, a, a.Notify, NotifyInput{JobOrderID: o.ID, Template: "contact_reminder", RecipientRole: joborder.RecipientCoordinator, IdempotencyKey: "k/2"}); err != nil {
		t.Fatal(err)
	}
	db.Create(&models.Caseworker{ID: "cw-c", Jobcenter: "751", Role: "caseworker", Email: "c@aarhus.dk"})
	coord := "cw-c"
	if _, err := run(t, a, a.Notify, NotifyInput{JobOrderID: o.ID, Template: "contact_reminder", RecipientRole: joborder.RecipientCoordinator, IdempotencyKey: "k/3", CoordinatorID: &coord}); err != nil {
		t.Fatal(err)
	}
	rows := outbox(t, db)
	got := []string{rows[0].RecipientEmail, rows[1].RecipientEmail, rows[2].RecipientEmail}
	if got[0] != "jobcenter@aarhus.dk" || got[1] != "chef@aarhus.dk" || got[2] != "c@aarhus.dk" {
		t.Fatalf("recipients %v", got)
	}
}

func TestNotifyForAnUnknownOrderFailsWithoutRetry(t *testing.T) {
	db := newDB(t)
	a := New(db)
	_, err := run(t, a, a.Notify, NotifyInput{JobOrderID: "00000000-0000-0000-0000-000000000000", Template: "new_order", RecipientRole: joborder.RecipientCaseworkers, IdempotencyKey: "k"})
	var appErr *temporal.ApplicationError
	if err == nil || !asApp(err, &appErr) || !appErr.NonRetryable() {
		t.Fatalf("got %v", err)
	}
}

func TestRecordEventIsIdempotentByKey(t *testing.T) {
	db := newDB(t)
	o := seedOrder(t, db)
	a := New(db)
	in := RecordEventInput{JobOrderID: o.ID, EventKey: o.WorkflowID + "/created/1", Type: "created", At: time.Now(), ActorID: "cw", ActorRole: "caseworker", Details: map[string]string{"sharing": "internal"}}
	for i := 0; i < 2; i++ {
		if _, err := run(t, a, a.RecordEvent, in); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	db.Model(&models.JobOrderEvent{}).Count(&n)
	if n != 1 {
		t.Fatalf("%d events", n)
	}
}

func TestProjectStateWritesStatusSharingAndCoordinator(t *testing.T) {
	db := newDB(t)
	o := seedOrder(t, db)
	a := New(db)
	c := "cw-1"
	if _, err := run(t, a, a.ProjectState, ProjectStateInput{JobOrderID: o.ID, Status: "open", Sharing: "national", CoordinatorID: &c}); err != nil {
		t.Fatal(err)
	}
	var got models.JobOrder
	db.Take(&got, "id = ?", o.ID)
	if got.Sharing != "national" || got.CoordinatorID == nil || *got.CoordinatorID != "cw-1" {
		t.Fatalf("%+v", got)
	}
	if _, err := run(t, a, a.ProjectState, ProjectStateInput{JobOrderID: o.ID, Status: "open", Sharing: "everywhere"}); err == nil {
		t.Fatal("an unknown sharing level must be refused")
	}
}

func TestProjectStateDatesTheSharingOnlyWhenTheLevelChanges(t *testing.T) {
	db := newDB(t)
	o := seedOrder(t, db)
	a := New(db)
	first := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return first }
	if _, err := run(t, a, a.ProjectState, ProjectStateInput{JobOrderID: o.ID, Status: "open", Sharing: "neighbours"}); err != nil {
		t.Fatal(err)
	}
	a.Now = func() time.Time { return first.Add(time.Hour) }
	c := "cw-1"
	if _, err := run(t, a, a.ProjectState, ProjectStateInput{JobOrderID: o.ID, Status: "open", Sharing: "neighbours", CoordinatorID: &c}); err != nil {
		t.Fatal(err)
	}
	var got models.JobOrder
	db.Take(&got, "id = ?", o.ID)
	if got.SharedAt == nil || !got.SharedAt.Equal(first) {
		t.Fatalf("shared at %v, want %v (a coordinator change is no new sharing)", got.SharedAt, first)
	}
}

func TestProjectDeadlinesReplacesTheOrdersRows(t *testing.T) {
	db := newDB(t)
	o := seedOrder(t, db)
	a := New(db)
	due := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rows := func() string {
		var ds []models.JobOrderDeadline
		db.Order("name").Find(&ds, "job_order_id = ?", o.ID)
		var out []string
		for _, d := range ds {
			out = append(out, d.Name+"="+d.Kind+"@"+d.DueAt.UTC().Format(time.RFC3339))
		}
		return strings.Join(out, " ")
	}
	c := "cw-1"
	in := ProjectDeadlinesInput{JobOrderID: o.ID, CoordinatorID: &c, Deadlines: []joborder.Deadline{{Name: "contact", Due: due}, {Name: "follow_up:f1", Due: due.Add(time.Hour)}}}
	for range 2 { // repeating it is harmless
		if _, err := run(t, a, a.ProjectDeadlines, in); err != nil {
			t.Fatal(err)
		}
	}
	if got := rows(); got != "contact=contact@2026-12-01T09:00:00Z follow_up:f1=follow_up@2026-12-01T10:00:00Z" {
		t.Errorf("rows: %s", got)
	}
	// A new coordinator (ProjectState) takes the rows over.
	c2 := "cw-2"
	if _, err := run(t, a, a.ProjectState, ProjectStateInput{JobOrderID: o.ID, Status: "open", Sharing: "internal", CoordinatorID: &c2}); err != nil {
		t.Fatal(err)
	}
	var owners []string
	db.Model(&models.JobOrderDeadline{}).Where("job_order_id = ?", o.ID).Distinct().Pluck("coordinator_id", &owners)
	if len(owners) != 1 || owners[0] != "cw-2" {
		t.Errorf("coordinators of the rows: %v", owners)
	}
	if _, err := run(t, a, a.ProjectDeadlines, ProjectDeadlinesInput{JobOrderID: o.ID, Deadlines: []joborder.Deadline{{Name: "close_out", Due: due}}}); err != nil {
		t.Fatal(err)
	}
	if got := rows(); got != "close_out=close_out@2026-12-01T09:00:00Z" {
		t.Errorf("replaced: %s", got)
	}
	if _, err := run(t, a, a.ProjectDeadlines, ProjectDeadlinesInput{JobOrderID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if got := rows(); got != "" {
		t.Errorf("cleared: %s", got)
	}
}

func asApp(err error, target **temporal.ApplicationError) bool { return errors.As(err, target) }
