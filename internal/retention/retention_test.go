package retention

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

	"jobordre/internal/cvindex"
	"jobordre/internal/dbtest"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/kpi"
	"jobordre/internal/mail"
	"jobordre/internal/pgtest"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/internal/store"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// fixture is one job centre's data: a closed order whose periods (seconds) have run out, and an
// open order with the same kinds of data, which nothing may touch.
type fixture struct {
	db             *gorm.DB
	closed, open   string
	closedAt, now  time.Time
	mailboxPresent bool
}

func databases(t *testing.T) map[string]*gorm.DB {
	return map[string]*gorm.DB{"postgres": dbtest.Postgres(t), "sqlite": dbtest.SQLite(t)}
}

// tenSeconds is every period of the fixture, the national removed_contacts one included.
var tenSeconds = policy.NewDuration(0, 10*time.Second)

func secondsRetention() policy.Retention {
	s := policy.NewDuration(0, 10*time.Second)
	return policy.Retention{ReferralData: s, EmployerNotes: s, Consents: s, CVAccessLog: s, OutboxMail: s, OrderFreeText: s, InactiveCandidates: s}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t *testing.T, db *gorm.DB) *fixture {
	t.Helper()
	p := policy.Defaults()
	p.Retention = secondsRetention()
	doc, _ := json.Marshal(p)
	must(t, db.Create(&models.JobcenterPolicy{Jobcenter: "751", Document: string(doc), UpdatedAt: time.Now()}).Error)
	_, err := mail.NewMailbox(context.Background(), db)
	must(t, err)

	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	f := &fixture{db: db, closedAt: created.Add(48 * time.Hour), mailboxPresent: true}
	f.now = f.closedAt.Add(time.Minute) // every period of 10 s has run out
	f.closed = f.order(t, created, "Beskrivelse der nævner Karen Vestergaard")
	f.open = f.order(t, created, "Åben ordre med Jens Mikkelsen")
	for i, id := range []string{f.closed, f.open} {
		f.data(t, id, i)
	}
	_, err = history.Append(db, history.Entry{JobOrderID: f.closed, Type: joborder.EventStatusChanged,
		Key: joborder.EventKey(f.closed, joborder.EventStatusChanged, "close"), At: f.closedAt,
		Details: map[string]string{"status": models.StatusClosed, "from": models.StatusOpen, "reason": joborder.CloseReasonFilled}})
	must(t, err)
	must(t, db.Model(&models.JobOrder{}).Where("id = ?", f.closed).UpdateColumn("status", models.StatusClosed).Error)
	// The company's contact persons: the live one the mails went to, one removed at the close
	// (due a minute later), one removed 5 s before now (not due yet).
	for _, k := range []struct {
		id      string
		removed *time.Time
	}{{"contact-1", nil}, {"contact-old", &f.closedAt}, {"contact-recent", ptr(f.now.Add(-5 * time.Second))}} {
		must(t, db.Create(&models.CompanyContact{ID: k.id, CVR: "10103940", Name: "Søren " + k.id, Email: k.id + "@byg.example",
			Phone: "+45 12 34 56 78", RemovedAt: k.removed, CreatedAt: created, UpdatedAt: created}).Error)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// namedContacts is the IDs of the contact persons still holding a name, an e-mail or a phone,
// and how many contact rows there are.
func (f *fixture) namedContacts(t *testing.T) (named []string, rows int64) {
	t.Helper()
	must(t, f.db.Model(&models.CompanyContact{}).Where("name <> '' OR email <> '' OR phone <> ''").Order("id").Pluck("id", &named).Error)
	must(t, f.db.Model(&models.CompanyContact{}).Count(&rows).Error)
	return named, rows
}

// allContacts and liveContacts are namedContacts before and after the removed_contacts kind ran.
var (
	allContacts  = []string{"contact-1", "contact-old", "contact-recent"}
	liveContacts = []string{"contact-1", "contact-recent"}
)

func (f *fixture) order(t *testing.T, created time.Time, description string) string {
	t.Helper()
	id := uuid.NewString()
	o := models.JobOrder{ID: id, CompanyCVR: "10103940", Title: "Tømrer", Description: description, WorkplaceAddress: "Søren Frichs Vej 38",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115", Positions: 2,
		Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: "cw-1", CreatedByRole: "caseworker",
		WorkflowID: joborder.WorkflowID(id), CreatedAt: created, UpdatedAt: created}
	must(t, f.db.Create(&o).Error)
	_, err := history.Append(f.db, history.Entry{JobOrderID: id, Type: joborder.EventCreated, Key: joborder.EventKey(id, joborder.EventCreated, "1"), At: created})
	must(t, err)
	return id
}

// data gives an order two referrals (one hired) of two candidates, with the employer's note and
// archive, a secure link, a consent, CV reads, mails (one settled with a copy in the mailbox, one
// still pending) and a note.
func (f *fixture) data(t *testing.T, orderID string, n int) {
	t.Helper()
	db := f.db
	at := f.closedAt.Add(-24 * time.Hour)
	for i, status := range []string{models.ReferralHired, models.ReferralSent} {
		cand := models.Candidate{ID: uuid.NewString(), Name: "Karen Vestergaard", Email: "karen@example.dk", HomeJobcenter: "751",
			Active: true, CV: "{}", CreatedBy: "cw-1", CreatedAt: at, UpdatedAt: at}
		must(t, db.Create(&cand).Error)
		must(t, cvindex.Index(db, &cand))
		consentID := uuid.NewString()
		must(t, db.Create(&models.Consent{ID: consentID, CandidateID: cand.ID, EmployerCVR: "10103940", JobOrderID: &orderID,
			Purpose: "Henvisning", DataCategories: "[]", GivenAt: at, Method: "written", RecordedBy: "cw-1", CreatedAt: at}).Error)
		sent := at.Add(time.Duration(i) * time.Hour)
		ref := models.Referral{ID: uuid.NewString(), JobOrderID: orderID, CandidateID: cand.ID, Status: status, Channel: "secure_link",
			Note: "Stærk kandidat", ProposedBy: "cw-1", ProposedByJobcenter: "751", ConsentID: &consentID, SentAt: &sent,
			EmployerArchived: true, EmployerNote: "Ring tirsdag", CreatedAt: at, UpdatedAt: at}
		must(t, db.Create(&ref).Error)
		must(t, db.Create(&models.SecureLink{ID: uuid.NewString(), Token: uuid.NewString(), JobOrderID: orderID, ReferralID: ref.ID,
			RecipientID: "contact-1", RecipientEmail: "soren@byg.example", ExpiresAt: at.Add(time.Hour), CreatedAt: at, UpdatedAt: at}).Error)
		must(t, db.Create(&models.CVAccess{CandidateID: cand.ID, JobOrderID: orderID, ReaderID: "contact-1", ReaderCVR: "10103940", At: sent}).Error)
		_, err := history.Append(db, history.Entry{JobOrderID: orderID, Type: joborder.EventReferralSent,
			Key: joborder.EventKey(orderID, joborder.EventReferralSent, ref.ID), At: sent, Details: map[string]string{"referral_id": ref.ID}})
		must(t, err)
	}
	for i, status := range []string{models.OutboxDelivered, models.OutboxPending} {
		m := models.OutboxMessage{IdempotencyKey: orderID + "/mail/" + status, RecipientID: "contact-1", RecipientRole: joborder.RecipientEmployer,
			RecipientEmail: "soren@byg.example", Language: "da", Template: joborder.TemplateCloseOutQuestion, JobOrderID: orderID,
			Status: status, LastError: "", CreatedAt: at.Add(time.Duration(i) * time.Minute)}
		must(t, db.Create(&m).Error)
		if status == models.OutboxDelivered {
			must(t, db.Create(&mail.MailboxMessage{OutboxID: m.ID, IdempotencyKey: m.IdempotencyKey, JobOrderID: orderID, Template: m.Template,
				ToEmail: "soren@byg.example", ToName: "Søren", Subject: "Karen Vestergaard", Text: "Hej Søren", HTML: "<p>Hej</p>", CreatedAt: at}).Error)
		}
	}
	must(t, db.Create(&models.JobOrderNote{ID: uuid.NewString(), JobOrderID: orderID, Kind: "note", Visibility: models.NoteInternal,
		Text: "Talte med Søren om Karen", AuthorID: "cw-1", CreatedAt: at}).Error)
	_ = n
}

// state is what the test compares: the personal data per order and the key figures.
type state struct {
	Referrals, Anonymised, EmployerNotes, Consents, SecureLinks, Reads, Addressed, Mailbox, Described, Notes int64
}

func (f *fixture) state(t *testing.T, orderID string) state {
	t.Helper()
	var s state
	count := func(dst *int64, model any, where string, args ...any) {
		must(t, f.db.Model(model).Where(where, args...).Count(dst).Error)
	}
	count(&s.Referrals, &models.Referral{}, "job_order_id = ? AND candidate_id IN (SELECT id FROM candidates)", orderID)
	count(&s.Anonymised, &models.Referral{}, "job_order_id = ? AND anonymised_at IS NOT NULL AND candidate_id = id AND note = '' AND consent_id IS NULL", orderID)
	count(&s.EmployerNotes, &models.Referral{}, "job_order_id = ? AND (employer_note <> '' OR employer_archived = ?)", orderID, true)
	count(&s.Consents, &models.Consent{}, "job_order_id = ?", orderID)
	count(&s.SecureLinks, &models.SecureLink{}, "job_order_id = ?", orderID)
	count(&s.Reads, &models.CVAccess{}, "job_order_id = ?", orderID)
	count(&s.Addressed, &models.OutboxMessage{}, "job_order_id = ? AND recipient_email <> ''", orderID)
	count(&s.Mailbox, &mail.MailboxMessage{}, "job_order_id = ?", orderID)
	count(&s.Described, &models.JobOrder{}, "id = ? AND description <> ''", orderID)
	count(&s.Notes, &models.JobOrderNote{}, "job_order_id = ? AND text <> ''", orderID)
	return s
}

var full = state{Referrals: 2, EmployerNotes: 2, Consents: 2, SecureLinks: 2, Reads: 2, Addressed: 2, Mailbox: 1, Described: 1, Notes: 1}

// figures are the key figures of the fixture's job centre and the country over its month, plus
// every fact as rebuilt from its sources now (so a later rebuild cannot drift either).
func (f *fixture) figures(t *testing.T) []any {
	t.Helper()
	ctx := context.Background()
	svc := kpi.NewService(f.db, refdata.Default()).WithClock(func() time.Time { return f.now })
	from, _ := models.ParseDate("2026-11-01")
	to, _ := models.ParseDate("2026-11-30")
	var out []any
	for _, scope := range []string{"751", ""} {
		r, err := svc.Figures(ctx, scope, kpi.Period{From: from, To: to})
		must(t, err)
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	for _, id := range []string{f.closed, f.open} {
		must(t, kpi.Refresh(ctx, f.db, id, store.LoadPolicy, f.now))
		var fact models.JobOrderFact
		must(t, f.db.Take(&fact, "job_order_id = ?", id).Error)
		fact.UpdatedAt = time.Time{}
		out = append(out, fact)
	}
	return out
}

func (f *fixture) runAll(t *testing.T, d *Deleter, batch int) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, k := range joborder.RetentionKinds {
		for {
			n, err := d.Batch(context.Background(), k, batch, f.now)
			must(t, err)
			counts[k] += n
			if n < batch {
				break
			}
		}
	}
	return counts
}

var wantCounts = map[string]int{
	joborder.RetentionReferralData: 2, joborder.RetentionEmployerNotes: 0, joborder.RetentionConsents: 2,
	joborder.RetentionCVAccessLog: 2, joborder.RetentionOutboxMail: 1, joborder.RetentionOrderDescription: 1, joborder.RetentionOrderNotes: 1,
	// The closed order's two candidates: no open referral, nothing since the close.
	joborder.RetentionInactiveCandidates: 2,
	// The contact person removed at the close, not the one removed 5 s ago nor the live one.
	joborder.RetentionRemovedContacts: 1,
}

// candidates counts the fixture's candidates still stored, their index rows, and the
// schedule's erasure records.
func (f *fixture) candidates(t *testing.T) (stored, indexed, erased int64) {
	t.Helper()
	must(t, f.db.Model(&models.Candidate{}).Count(&stored).Error)
	must(t, f.db.Model(&models.CandidateSearch{}).Count(&indexed).Error)
	must(t, f.db.Model(&models.Erasure{}).Where("actor_id = ? AND reason = ?", "retention", InactiveReason).Count(&erased).Error)
	return
}

// With periods of seconds, a run deletes the closed order's referral links, employer notes,
// consents, secure links, CV reads, mail addresses and mailbox copies and free text; the open
// order keeps all of it, the pending mail keeps its address, and the key figures (the report and
// every fact rebuilt from its sources) are the same before and after.
func TestARunDeletesAClosedOrdersPersonalDataAndLeavesTheKeyFiguresUnchanged(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, db)
			if got := f.state(t, f.closed); got != full {
				t.Fatalf("fixture: %+v", got)
			}
			before := f.figures(t)
			d := &Deleter{DB: db, RemovedContacts: tenSeconds}
			// Batches of one: the loop over batches is what the workflow does.
			counts := f.runAll(t, d, 1)
			if !reflect.DeepEqual(counts, wantCounts) {
				t.Errorf("counts %v, want %v", counts, wantCounts)
			}
			want := state{Anonymised: 2, Addressed: 1}
			if got := f.state(t, f.closed); got != want {
				t.Errorf("closed order after the run: %+v, want %+v", got, want)
			}
			if got := f.state(t, f.open); got != full {
				t.Errorf("open order after the run: %+v, want untouched %+v", got, full)
			}
			// The closed order's candidates are erased with their index rows and an audit
			// record each; the open order's (open referrals) stay.
			if stored, indexed, erased := f.candidates(t); stored != 2 || indexed != 2 || erased != 2 {
				t.Errorf("%d candidates, %d index rows, %d erasure records after the run; want 2, 2, 2", stored, indexed, erased)
			}
			// The removed contact person's name, e-mail and phone are gone; the row stays.
			if named, rows := f.namedContacts(t); !reflect.DeepEqual(named, liveContacts) || rows != 3 {
				t.Errorf("contacts with data %v of %d rows after the run; want %v of 3", named, rows, liveContacts)
			}
			if after := f.figures(t); !reflect.DeepEqual(before, after) {
				t.Errorf("key figures changed:\nbefore %v\nafter  %v", before, after)
			}
			var facts, kpis int64
			must(t, db.Model(&models.JobOrderFact{}).Count(&facts).Error)
			must(t, db.Model(&models.KPIMonthly{}).Count(&kpis).Error)
			if facts != 2 || kpis == 0 {
				t.Errorf("%d facts, %d monthly aggregates", facts, kpis)
			}
		})
	}
}

// Before its period has run out nothing of a closed order is touched.
func TestNothingIsDeletedBeforeThePeriodHasRunOut(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	f.now = f.closedAt.Add(5 * time.Second)
	counts := f.runAll(t, &Deleter{DB: f.db, RemovedContacts: tenSeconds}, 100)
	for k, n := range counts {
		if n != 0 {
			t.Errorf("%s: %d rows deleted 5 s after the close with a period of 10 s", k, n)
		}
	}
	if got := f.state(t, f.closed); got != full {
		t.Errorf("closed order: %+v", got)
	}
	if named, _ := f.namedContacts(t); !reflect.DeepEqual(named, allContacts) {
		t.Errorf("contacts with data %v 5 s after a removal with a period of 10 s; want %v", named, allContacts)
	}
}

var errKilled = errors.New("killed")

// A batch killed after its writes but before its commit changes nothing; the run started again
// deletes each row once, and a run after that (a completion that was lost, re-run) deletes nothing
// more: the counts over the kill and both re-runs add up to the rows there were.
func TestARunKilledMidBatchAndRunAgainDeletesEachRowOnceAndNothingMore(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, db)
			before := f.figures(t)
			kills := 0
			d := &Deleter{DB: db, RemovedContacts: tenSeconds, beforeCommit: func(ctx context.Context, kind string) error {
				kills++
				return errKilled
			}}
			for _, k := range joborder.RetentionKinds {
				if _, err := d.Batch(context.Background(), k, 1, f.now); !errors.Is(err, errKilled) {
					t.Fatalf("%s: %v, want the kill", k, err)
				}
			}
			if got := f.state(t, f.closed); got != full {
				t.Fatalf("after the killed batches: %+v, want nothing changed", got)
			}
			if stored, _, erased := f.candidates(t); stored != 4 || erased != 0 {
				t.Fatalf("after the killed batches: %d candidates, %d erasures; want 4, 0", stored, erased)
			}
			if named, _ := f.namedContacts(t); !reflect.DeepEqual(named, allContacts) {
				t.Fatalf("after the killed batches: contacts with data %v, want all %v", named, allContacts)
			}
			d.beforeCommit = nil
			if counts := f.runAll(t, d, 1); !reflect.DeepEqual(counts, wantCounts) {
				t.Errorf("re-run after the kill: %v, want %v", counts, wantCounts)
			}
			for k, n := range f.runAll(t, d, 1) {
				if n != 0 {
					t.Errorf("second re-run deleted %d rows of %s again", n, k)
				}
			}
			if got := f.state(t, f.closed); got != (state{Anonymised: 2, Addressed: 1}) {
				t.Errorf("closed order: %+v", got)
			}
			if stored, indexed, erased := f.candidates(t); stored != 2 || indexed != 2 || erased != 2 {
				t.Errorf("%d candidates, %d index rows, %d erasure records after the re-runs; want 2, 2, 2 (each erased once)", stored, indexed, erased)
			}
			if named, rows := f.namedContacts(t); !reflect.DeepEqual(named, liveContacts) || rows != 3 {
				t.Errorf("contacts with data %v of %d rows after the re-runs; want %v of 3", named, rows, liveContacts)
			}
			if after := f.figures(t); !reflect.DeepEqual(before, after) {
				t.Errorf("key figures changed:\nbefore %v\nafter  %v", before, after)
			}
			if kills != len(joborder.RetentionKinds) {
				t.Errorf("%d kills", kills)
			}
		})
	}
}

// A candidate is erased once they have no open referral and no activity for the period, and
// each kind of activity keeps one: a change to the candidate, a consent recorded or withdrawn, a
// proposal still waiting for approval (an open referral, even on a closed order), a referral to
// an open order. (The close of an order they were referred to counts too:
// TestNothingIsDeletedBeforeThePeriodHasRunOut.)
func TestAnInactiveCandidateIsErasedAndEachKindOfActivityKeepsOne(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, db)
			old, recent := f.closedAt.Add(-24*time.Hour), f.now.Add(-5*time.Second)
			cand := func(updated time.Time) string {
				t.Helper()
				c := models.Candidate{ID: uuid.NewString(), Name: "Lise Larsen", Email: "lise@example.dk", HomeJobcenter: "751", Active: true,
					CV: `{"headline":"Smed","occupations":["7212"]}`, CreatedBy: "cw-1", CreatedAt: old, UpdatedAt: updated}
				must(t, db.Create(&c).Error)
				must(t, cvindex.Index(db, &c))
				return c.ID
			}
			consent := func(id string, created time.Time, withdrawn *time.Time) {
				t.Helper()
				must(t, db.Create(&models.Consent{ID: uuid.NewString(), CandidateID: id, EmployerCVR: "10103940", Workplace: "Søren Frichs Vej 38",
					Purpose: "Formidling", DataCategories: "[]", GivenAt: old, Method: "written", WithdrawnAt: withdrawn, RecordedBy: "cw-1", CreatedAt: created}).Error)
			}
			refer := func(id, order, status string) {
				t.Helper()
				must(t, db.Create(&models.Referral{ID: uuid.NewString(), JobOrderID: order, CandidateID: id, Status: status, Channel: "jobag",
					ProposedBy: "cw-746", ProposedByJobcenter: "746", CreatedAt: old, UpdatedAt: old}).Error)
			}
			lonely := cand(old)
			oldConsent := cand(old)
			consent(oldConsent, old, nil)
			kept := map[string]string{"changed": cand(recent)}
			kept["consented"] = cand(old)
			consent(kept["consented"], recent, nil)
			kept["withdrew"] = cand(old)
			consent(kept["withdrew"], old, &recent)
			kept["proposed"] = cand(old)
			refer(kept["proposed"], f.closed, models.ReferralPendingApproval)
			kept["sent to an open order"] = cand(old)
			refer(kept["sent to an open order"], f.open, models.ReferralSent)

			n, err := (&Deleter{DB: db}).Batch(context.Background(), joborder.RetentionInactiveCandidates, 100, f.now)
			must(t, err)
			// lonely, oldConsent, and the closed order's two candidates.
			if n != 4 {
				t.Errorf("%d candidates erased, want 4", n)
			}
			for _, id := range []string{lonely, oldConsent} {
				var c, k, e int64
				must(t, db.Model(&models.Candidate{}).Where("id = ?", id).Count(&c).Error)
				must(t, db.Model(&models.Consent{}).Where("candidate_id = ?", id).Count(&k).Error)
				must(t, db.Model(&models.Erasure{}).Where("candidate_id = ? AND reason = ? AND actor_role = ?", id, InactiveReason, "system").Count(&e).Error)
				if c != 0 || k != 0 || e != 1 {
					t.Errorf("inactive candidate %s: %d rows, %d consents, %d erasure records; want 0, 0, 1", id, c, k, e)
				}
			}
			for why, id := range kept {
				var c int64
				must(t, db.Model(&models.Candidate{}).Where("id = ?", id).Count(&c).Error)
				if c != 1 {
					t.Errorf("the candidate who %s was erased", why)
				}
			}
			if n, err := (&Deleter{DB: db}).Batch(context.Background(), joborder.RetentionInactiveCandidates, 100, f.now); err != nil || n != 0 {
				t.Errorf("a second batch: %d, %v; want nothing more", n, err)
			}
		})
	}
}

// Without a configured period the national default, P180D, applies: a contact person removed
// 181 days ago loses name, e-mail and phone and keeps the row (ID, company, removal time), one
// removed 179 days ago and one added back keep theirs, and one cleared already is not counted.
func TestARemovedContactPersonIsClearedAfterTheNationalDefaultPeriodAndTheRowStays(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2026, 12, 3, 2, 30, 0, 0, time.UTC)
			days := func(n int) *time.Time { return ptr(now.AddDate(0, 0, -n)) }
			for _, k := range []models.CompanyContact{
				{ID: "removed-181", Name: "Søren Byg", Email: "soren@byg.example", Phone: "+45 12 34 56 78", RemovedAt: days(181)},
				{ID: "removed-179", Name: "Mette Byg", Email: "mette@byg.example", RemovedAt: days(179)},
				{ID: "added-back", Name: "Ole Byg", Email: "ole@byg.example"},
				{ID: "cleared", RemovedAt: days(400)},
			} {
				k.CVR, k.CreatedAt, k.UpdatedAt = "10103940", now.AddDate(-1, 0, 0), now.AddDate(-1, 0, 0)
				must(t, db.Create(&k).Error)
			}
			d := &Deleter{DB: db}
			n, err := d.Batch(context.Background(), joborder.RetentionRemovedContacts, 10, now)
			if err != nil || n != 1 {
				t.Fatalf("batch: %d, %v; want 1", n, err)
			}
			var k models.CompanyContact
			must(t, db.Take(&k, "id = ?", "removed-181").Error)
			if k.Name != "" || k.Email != "" || k.Phone != "" || k.CVR != "10103940" || k.RemovedAt == nil || !k.RemovedAt.Equal(*days(181)) {
				t.Errorf("removed 181 days ago: %+v, want name, e-mail and phone cleared and the row kept", k)
			}
			for id, want := range map[string]string{"removed-179": "Mette Byg", "added-back": "Ole Byg"} {
				var k models.CompanyContact
				must(t, db.Take(&k, "id = ?", id).Error)
				if k.Name != want || k.Email == "" {
					t.Errorf("%s: %+v, want untouched", id, k)
				}
			}
			if n, err := d.Batch(context.Background(), joborder.RetentionRemovedContacts, 10, now); err != nil || n != 0 {
				t.Errorf("second batch: %d, %v; want nothing", n, err)
			}
		})
	}
}
