package referrals_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/models"
)

// outboxMails writes the notifications the service sends into the outbox with the real activity
// (delivery is not part of these tests).
type outboxMails struct{ acts *activities.Activities }

func (m outboxMails) Notify(ctx context.Context, in activities.NotifyInput) error {
	_, err := m.acts.Notify(ctx, in)
	return err
}
func (outboxMails) Deliver(context.Context, string) error { return nil }

// insightWorld is one job centre's order with a candidate referred to it by secure link.
type insightWorld struct {
	db    *gorm.DB
	svc   *referrals.Service
	now   time.Time
	cand  models.Candidate
	order models.JobOrder
	ref   models.Referral
	link  models.SecureLink
}

func newInsightWorld(t *testing.T) *insightWorld {
	t.Helper()
	return newInsightWorldOn(t, dbtest.Postgres(t))
}

func newInsightWorldOn(t *testing.T, db *gorm.DB) *insightWorld {
	t.Helper()
	ref := refdata.Default()
	svc := referrals.NewService(db, orders.NewService(db, ref, quietWorkflows{}, access.DBRelations{DB: db, Ref: ref}, nil), quietWorkflows{}, nil)
	svc.SetNotifier(outboxMails{acts: activities.New(db)})
	w := &insightWorld{db: db, svc: svc, now: time.Now().UTC().Truncate(time.Microsecond)}
	w.cand = models.Candidate{ID: uuid.NewString(), Name: "Link Kandidat", Email: "link@example.dk", HomeJobcenter: "751", Searchable: true, Active: true,
		CV: `{"headline":"Tømrer"}`, CreatedBy: "cw-1", CreatedAt: w.now, UpdatedAt: w.now}
	contact := models.CompanyContact{ID: "emp-1", CVR: "10103940", Name: "Hanne Hyrer", Email: "hr@firma.example"}
	company := models.Company{CVR: "10103940", Name: "Tømrerfirmaet ApS", CreatedAt: w.now, UpdatedAt: w.now}
	for _, row := range []any{&w.cand, &contact, &company} {
		if err := db.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	w.order, w.ref, w.link = w.referByLink(t, "Tømrer")
	return w
}

// referByLink stores a new order of 10103940 and a secure_link referral of the candidate to it.
func (w *insightWorld) referByLink(t *testing.T, title string) (models.JobOrder, models.Referral, models.SecureLink) {
	t.Helper()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: title, Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
		Positions: 1, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: "cw-1",
		CreatedByRole: auth.RoleCaseworker, CreatedAt: w.now, UpdatedAt: w.now}
	o.WorkflowID = joborder.WorkflowID(o.ID)
	r := models.Referral{ID: uuid.NewString(), JobOrderID: o.ID, CandidateID: w.cand.ID, Status: models.ReferralSent, Channel: referrals.ChannelSecureLink,
		ProposedBy: "cw-1", ProposedByJobcenter: "751", SentAt: &w.now, CreatedAt: w.now, UpdatedAt: w.now}
	l := models.SecureLink{ID: uuid.NewString(), Token: "token-" + uuid.NewString(), JobOrderID: o.ID, ReferralID: r.ID, RecipientID: "emp-1",
		RecipientEmail: "hr@firma.example", ExpiresAt: w.now.Add(time.Hour), CreatedAt: w.now, UpdatedAt: w.now}
	for _, row := range []any{&o, &r, &l} {
		if err := w.db.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	return o, r, l
}

// open asks for a code for the link (its mail lands in the outbox) and opens the CV with it.
func (w *insightWorld) open(t *testing.T, l models.SecureLink) {
	t.Helper()
	ctx := context.Background()
	if err := w.svc.SendSecureLinkCode(ctx, l.Token); err != nil {
		t.Fatal(err)
	}
	var cur models.SecureLink
	if err := w.db.Take(&cur, "id = ?", l.ID).Error; err != nil {
		t.Fatal(err)
	}
	if cvs, err := w.svc.OpenSecureLink(ctx, l.Token, cur.Code); err != nil || len(cvs) != 1 {
		t.Fatalf("open the secure link: %+v %v", cvs, err)
	}
}

// A CV read through a secure link is in the insight as such: channel secure_link, the person
// and address the link was sent to, the company; the link itself (without its token) and the
// code mail, whose key names the link and not the referral, are listed as the referral's.
func TestInsightNamesAReadThroughASecureLinkAndTheLinkAndItsCodeMail(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *gorm.DB{"postgres": dbtest.Postgres, "sqlite": dbtest.SQLite} {
		t.Run(name, func(t *testing.T) { secureLinkInsight(t, newInsightWorldOn(t, open(t))) })
	}
}

func secureLinkInsight(t *testing.T, w *insightWorld) {
	w.open(t, w.link)
	caseworker := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	in, err := w.svc.Insight(context.Background(), caseworker, w.cand.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.SecureLinks) != 1 {
		t.Fatalf("secure links %+v, want 1", in.SecureLinks)
	}
	if l := in.SecureLinks[0]; l.ID != w.link.ID || l.ReferralID != w.ref.ID || l.JobOrderID != w.order.ID || l.RecipientID != "emp-1" ||
		l.RecipientEmail != "hr@firma.example" || !l.ExpiresAt.Equal(w.link.ExpiresAt) || l.CodesSent != 1 || l.CreatedAt.IsZero() {
		t.Errorf("secure link %+v", l)
	}
	if len(in.CVReads) != 1 {
		t.Fatalf("reads %+v, want 1", in.CVReads)
	}
	if r := in.CVReads[0]; r.Channel != joborder.ChannelSecureLink || r.ReaderID != referrals.SecureLinkReader(&w.link) || r.ReaderName != "Hanne Hyrer" ||
		r.ReaderEmail != "hr@firma.example" || r.ReaderCVR != "10103940" || r.CompanyName != "Tømrerfirmaet ApS" || r.JobOrderID != w.order.ID ||
		r.OrderTitle != "Tømrer" || r.At.IsZero() {
		t.Errorf("read %+v", r)
	}
	if len(in.Messages) != 1 {
		t.Fatalf("messages %+v, want the code mail", in.Messages)
	}
	if m := in.Messages[0]; m.Template != joborder.TemplateSecureLinkCode || m.ReferralID != w.ref.ID || m.RecipientRole != joborder.RecipientSecureLink ||
		m.Recipient != "hr@firma.example" || m.JobOrderID != w.order.ID || m.Status != models.OutboxPending {
		t.Errorf("code mail %+v", m)
	}
	if len(in.Referrals) != 1 || in.Referrals[0].Channel != joborder.ChannelSecureLink || in.Referrals[0].CompanyName != "Tømrerfirmaet ApS" {
		t.Errorf("referrals %+v", in.Referrals)
	}
}

// The insight is read in a fixed number of queries: a candidate with four referrals, four secure
// links, four reads and four code mails costs as many as one with one of each (no query per
// item).
func TestInsightReadsInAFixedNumberOfQueriesWhateverTheCandidateHas(t *testing.T) {
	w := newInsightWorld(t)
	w.open(t, w.link)
	var queries atomic.Int64
	if err := w.db.Callback().Query().Before("gorm:query").Register("count_insight_queries", func(*gorm.DB) { queries.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Callback().Raw().Before("gorm:raw").Register("count_insight_raw", func(*gorm.DB) { queries.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Callback().Row().Before("gorm:row").Register("count_insight_rows", func(*gorm.DB) { queries.Add(1) }); err != nil {
		t.Fatal(err)
	}
	caseworker := auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	count := func() (int64, referrals.Insight) {
		t.Helper()
		queries.Store(0)
		in, err := w.svc.Insight(context.Background(), caseworker, w.cand.ID)
		if err != nil {
			t.Fatal(err)
		}
		return queries.Load(), in
	}
	one, in := count()
	if len(in.Referrals) != 1 || len(in.CVReads) != 1 || len(in.Messages) != 1 || len(in.SecureLinks) != 1 {
		t.Fatalf("one of each: %+v", in)
	}
	for _, title := range []string{"Tømrer 2", "Tømrer 3", "Tømrer 4"} {
		_, _, l := w.referByLink(t, title)
		w.open(t, l)
	}
	four, in := count()
	if len(in.Referrals) != 4 || len(in.CVReads) != 4 || len(in.Messages) != 4 || len(in.SecureLinks) != 4 {
		t.Fatalf("four of each: %d referrals, %d reads, %d messages, %d links", len(in.Referrals), len(in.CVReads), len(in.Messages), len(in.SecureLinks))
	}
	t.Logf("%d queries for one of each, %d for four of each", one, four)
	if one == 0 || four != one {
		t.Fatalf("%d queries for one of each, %d for four of each; want the same, more than none", one, four)
	}
}

// The employer's own note on a referral is the employer's: the insight says that one is kept and
// never shows its text; a withdrawn consent for a workplace is listed with its workplace, its
// employer's name and when it was withdrawn. On PostgreSQL and on SQLite (the dev database).
func TestInsightSaysAnEmployerNoteIsKeptWithoutItsTextAndListsAWithdrawnWorkplaceConsent(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *gorm.DB{"postgres": dbtest.Postgres, "sqlite": dbtest.SQLite} {
		t.Run(name, func(t *testing.T) {
			w := newInsightWorldOn(t, open(t))
			if err := w.db.Model(&models.Referral{}).Where("id = ?", w.ref.ID).Update("employer_note", "ARBEJDSGIVERENS-EGEN-NOTE").Error; err != nil {
				t.Fatal(err)
			}
			withdrawn := w.now.Add(time.Minute)
			k := models.Consent{ID: uuid.NewString(), CandidateID: w.cand.ID, EmployerCVR: "10103940", Workplace: "Vej 1", WorkplacePostalCode: "8000",
				WorkplaceKey: "vej 1|8000", Purpose: "Formidling", DataCategories: `["cv"]`, GivenAt: w.now, Method: "oral", WithdrawnAt: &withdrawn,
				RecordedBy: "cw-1", CreatedAt: w.now}
			if err := w.db.Create(&k).Error; err != nil {
				t.Fatal(err)
			}
			in, err := w.svc.Insight(context.Background(), auth.Principal{Subject: "cw-2", Role: auth.RoleManager, Jobcenter: "751"}, w.cand.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Referrals) != 1 || !in.Referrals[0].EmployerNoteKept {
				t.Errorf("referrals %+v, want one with employer_note_kept", in.Referrals)
			}
			raw, _ := json.Marshal(in)
			if strings.Contains(string(raw), "ARBEJDSGIVERENS-EGEN-NOTE") {
				t.Errorf("the insight shows the employer's note: %s", raw)
			}
			if len(in.Consents) != 1 {
				t.Fatalf("consents %+v, want 1", in.Consents)
			}
			c := in.Consents[0]
			if c.ID != k.ID || c.Workplace == nil || c.Workplace.Address != "Vej 1" || c.Workplace.PostalCode != "8000" || c.JobOrderID != nil ||
				c.EmployerName != "Tømrerfirmaet ApS" || c.Method != "oral" || c.WithdrawnAt == nil || !c.WithdrawnAt.Equal(withdrawn) ||
				!c.GivenAt.Equal(w.now) || c.RecordedBy != "cw-1" || strings.Join(c.DataCategories, ",") != "cv" {
				t.Errorf("consent %+v", c)
			}
			if in.Jobcenter.Code != "751" || in.Candidate.CreatedBy != "cw-1" || in.Candidate.Email != "link@example.dk" {
				t.Errorf("jobcenter %+v, candidate %+v", in.Jobcenter, in.Candidate)
			}
			// Another job centre, an employer and an admin: the candidate does not exist for them.
			for _, p := range []auth.Principal{{Subject: "cw-x", Role: auth.RoleCaseworker, Jobcenter: "746"}, {Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"},
				{Subject: "adm", Role: auth.RoleAdmin}} {
				if _, err := w.svc.Insight(context.Background(), p, w.cand.ID); !errors.Is(err, referrals.ErrCandidateNotFound) {
					t.Errorf("%s: %v, want ErrCandidateNotFound", p.Subject, err)
				}
			}
		})
	}
}
