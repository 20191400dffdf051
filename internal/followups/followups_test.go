package followups_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/followups"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
	"jobordre/internal/problem"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var (
	manager    = auth.Principal{Subject: "mgr-1", Role: auth.RoleManager, Jobcenter: "751"}
	caseworker = auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	admin      = auth.Principal{Subject: "admin-1", Role: auth.RoleAdmin}
	far        = auth.Principal{Subject: "mgr-101", Role: auth.RoleManager, Jobcenter: "101"}
)

// data writes orders and their history the way the services and workflows do, so the
// key-figure facts the lists read are kept by internal/kpi.
type data struct {
	t  *testing.T
	db *gorm.DB
	at time.Time
}

func (d *data) order(id, jobcenter, coordinator string) {
	d.t.Helper()
	d.at = d.at.Add(time.Minute)
	o := models.JobOrder{ID: id, CompanyCVR: "10103940", Title: "Ordre " + id, Description: "Opgave", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: jobcenter, ResponsibleJobcenter: jobcenter, OccupationCode: "7115",
		Positions: 1, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal,
		CreatedBySubject: "cw", CreatedByRole: "caseworker", WorkflowID: "job-order/" + id, CreatedAt: d.at, UpdatedAt: d.at}
	if coordinator != "" {
		o.CoordinatorID = &coordinator
	}
	if err := d.db.Create(&o).Error; err != nil {
		d.t.Fatal(err)
	}
	d.event(id, joborder.EventCreated, nil)
	if coordinator != "" {
		d.event(id, joborder.EventCoordinatorAssigned, map[string]string{"caseworker_id": coordinator})
	}
}

func (d *data) event(order string, typ joborder.Event, details map[string]string) {
	d.t.Helper()
	d.at = d.at.Add(time.Minute)
	b, _ := json.Marshal(details)
	if details == nil {
		b = []byte("{}")
	}
	e := models.JobOrderEvent{JobOrderID: order, EventKey: uuid.NewString(), Type: string(typ), At: d.at, ActorID: "system", ActorRole: "system", Details: string(b)}
	if err := d.db.Create(&e).Error; err != nil {
		d.t.Fatal(err)
	}
}

func (d *data) reminded(order, template string) {
	d.event(order, joborder.EventNotificationSent, map[string]string{"template": template, "recipient_role": "coordinator"})
}

func (d *data) close(order string) {
	d.t.Helper()
	d.event(order, joborder.EventStatusChanged, map[string]string{"status": models.StatusClosed, "reason": joborder.CloseReasonFilled})
	if err := d.db.Model(&models.JobOrder{}).Where("id = ?", order).Update("status", models.StatusClosed).Error; err != nil {
		d.t.Fatal(err)
	}
}

func (d *data) referral(order string) {
	d.t.Helper()
	d.at = d.at.Add(time.Minute)
	at := d.at
	r := models.Referral{ID: uuid.NewString(), JobOrderID: order, CandidateID: uuid.NewString(), Status: models.ReferralSent, Channel: "email",
		ProposedBy: "cw-1", ProposedByJobcenter: "751", SentAt: &at, CreatedAt: at, UpdatedAt: at}
	if err := d.db.Create(&r).Error; err != nil {
		d.t.Fatal(err)
	}
	d.event(order, joborder.EventReferralSent, map[string]string{"referral_id": r.ID})
}

// fixture is one order per rule, plus orders each rule must leave out.
func fixture(t *testing.T) *followups.Service {
	db := dbtest.Postgres(t)
	for _, cw := range []models.Caseworker{
		{ID: "cw-1", Jobcenter: "751", Role: "caseworker", Name: "Anna"},
		{ID: "cw-2", Jobcenter: "751", Role: "caseworker", Name: "Bo"},
		{ID: "cw-3", Jobcenter: "751", Role: "caseworker", Name: "Cille"},
		{ID: "mgr-101", Jobcenter: "101", Role: "manager", Name: "Kim"},
	} {
		if err := db.Create(&cw).Error; err != nil {
			t.Fatal(err)
		}
	}
	d := &data{t: t, db: db, at: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	d.order("a-unowned", "751", "")
	d.order("b-no-cv", "751", "cw-1")
	d.reminded("b-no-cv", joborder.TemplateFirstReferralReminder)
	d.order("c-nudged", "751", "cw-1")
	d.reminded("c-nudged", joborder.TemplateCloseOutNudge)
	d.order("d-no-contact", "751", "cw-2")
	d.reminded("d-no-contact", joborder.TemplateContactReminder)
	d.order("e-late-contact", "751", "cw-2")
	d.reminded("e-late-contact", joborder.TemplateContactReminder)
	d.event("e-late-contact", joborder.EventContactRecorded, map[string]string{"contact_id": "k1"})
	// Left out everywhere: closed, another job centre's, a CV sent after the reminder, contact in time.
	d.order("f-closed", "751", "")
	d.reminded("f-closed", joborder.TemplateCloseOutNudge)
	d.close("f-closed")
	d.order("g-far", "101", "")
	d.order("h-cv-late", "751", "cw-1")
	d.reminded("h-cv-late", joborder.TemplateFirstReferralReminder)
	d.referral("h-cv-late")
	d.order("i-contact-on-time", "751", "cw-1")
	d.event("i-contact-on-time", joborder.EventContactRecorded, map[string]string{"contact_id": "k2"})
	d.reminded("i-contact-on-time", joborder.TemplateContactReminder)
	return followups.NewService(db)
}

func ids(r followups.Result) []string {
	out := []string{}
	for _, row := range r.Rows {
		out = append(out, row.OrderID)
	}
	return out
}

// Each list holds exactly the orders of its rule: not closed, of the job centre, and the
// reminder about the thing not done since.
func TestEachFollowUpListHoldsExactlyTheOrdersOfItsRule(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	want := map[followups.List][]string{
		followups.NoCoordinator: {"a-unowned"},
		followups.NoReferral:    {"b-no-cv"},
		followups.CloseOut:      {"c-nudged"},
		followups.ContactMissed: {"d-no-contact", "e-late-contact"},
	}
	counts, err := s.Counts(ctx, manager, "751")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range followups.Lists {
		r, err := s.Orders(ctx, manager, "751", l, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(r); !reflect.DeepEqual(got, want[l]) {
			t.Errorf("%s: %v, want %v", l, got, want[l])
		}
		if r.Count != len(want[l]) || counts[l] != len(want[l]) {
			t.Errorf("%s: count %d, counts %d, want %d", l, r.Count, counts[l], len(want[l]))
		}
	}
	// Only the order still without contact has the contact reminder outstanding.
	r, _ := s.Orders(ctx, manager, "751", followups.ContactMissed, "")
	if !reflect.DeepEqual(r.Rows[0].Overdue, []string{followups.OverdueContact}) || len(r.Rows[1].Overdue) != 0 {
		t.Errorf("overdue: %v / %v", r.Rows[0].Overdue, r.Rows[1].Overdue)
	}
	if r.Rows[0].CoordinatorName != "Bo" {
		t.Errorf("coordinator name %q", r.Rows[0].CoordinatorName)
	}
}

// Per caseworker: the orders they coordinate that are not closed, and the reminders about them
// that are outstanding; everyone of the job centre is listed, also without orders.
func TestEachCaseworkersOpenOrdersAndOverdueReminders(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	loads, err := s.Loads(ctx, manager, "751")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, l := range loads {
		got[l.Caseworker.ID] = [2]int{l.OpenOrders, l.OverdueReminders}
	}
	want := map[string][2]int{"cw-1": {4, 2}, "cw-2": {2, 1}, "cw-3": {0, 0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("loads %v, want %v", got, want)
	}
	r, err := s.Orders(ctx, manager, "751", followups.Caseworker, "cw-1")
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(r); !reflect.DeepEqual(g, []string{"b-no-cv", "c-nudged", "h-cv-late", "i-contact-on-time"}) {
		t.Errorf("cw-1's orders %v", g)
	}
	if r.Caseworker == nil || r.Caseworker.Name != "Anna" {
		t.Errorf("caseworker %+v", r.Caseworker)
	}
	if _, err := s.Orders(ctx, manager, "751", followups.Caseworker, "mgr-101"); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("another job centre's person: %v", err)
	}
}

// The lists are the job centre's managers' and admins'; its caseworkers are refused, anyone
// else (and an unknown list or job centre) finds nothing.
func TestFollowUpListsAreForTheJobCentresManagersAndAdmins(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	if _, err := s.Counts(ctx, admin, "751"); err != nil {
		t.Errorf("admin: %v", err)
	}
	if _, err := s.Counts(ctx, caseworker, "751"); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("caseworker: %v", err)
	}
	if _, err := s.Loads(ctx, far, "751"); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("another job centre's manager: %v", err)
	}
	if _, err := s.Orders(ctx, manager, "751", "everything", ""); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("unknown list: %v", err)
	}
	if _, err := s.Counts(ctx, admin, "999"); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("unknown job centre: %v", err)
	}
}
