package referrals_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/internal/dbtest"
	"jobordre/internal/joborder"
	"jobordre/internal/kpi"
	"jobordre/internal/mail"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/internal/servicestest"
	"jobordre/internal/store"
	"jobordre/models"
)

// signals records the signals sent to order workflows.
type signals struct {
	quietWorkflows
	mu   sync.Mutex
	sent []joborder.CandidateChangedSignal
}

func (s *signals) Signal(_ context.Context, _ string, name string, arg any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sig, ok := arg.(joborder.CandidateChangedSignal); ok && name == joborder.SignalCandidateChanged {
		s.sent = append(s.sent, sig)
	}
	return nil
}

// erasureWorld is one job centre with an open order the candidate to erase (Karen) and another
// (Jens, who stays) were sent to, a second open order neither was referred to (its suggestions
// would name both), and everything a referral leaves behind: consents, an employer's read of the
// CVs, a secure link, mails pending, delivered (with its copy in the dev mailbox) and being sent.
type erasureWorld struct {
	db                 *gorm.DB
	svc                servicestest.Services
	wf                 *signals
	acts               *activities.Activities
	cw, emp            auth.Principal
	order, otherOrder  string
	karen, jens        string
	karenRef, jensRef  string
	link               string
	pendingKey         string // Karen's candidate_notice, not sent yet
	linkKey            string // the secure link's mail for Karen's referral, not sent yet
	deliveredKey       string // a mail to Karen that went out
	sendingKey         string // a mail to Karen being handed to the provider
	jensKey            string // Jens's candidate_notice, not sent yet: it must still go out
	mailbox            *mail.Mailbox
	monthFrom, monthTo models.Date
	clock              time.Time // the key figures' now
}

func newErasureWorld(t *testing.T, db *gorm.DB) *erasureWorld {
	t.Helper()
	ctx := context.Background()
	w := &erasureWorld{db: db, wf: &signals{},
		cw:  auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"},
		emp: auth.Principal{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"}}
	w.svc = servicestest.New(db, w.wf)
	mb, err := mail.NewMailbox(ctx, db)
	must(t, err)
	w.mailbox = mb
	w.acts = activities.New(db)
	w.acts.Mail = mb
	must(t, db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS", MainContactID: "emp-1"}).Error)
	must(t, db.Create(&models.CompanyContact{ID: "emp-1", CVR: "10103940", Name: "Søren Byg", Email: "soren@byg.example"}).Error)
	now := time.Now().UTC()
	w.clock = now.Add(time.Hour)
	w.monthFrom, _ = models.ParseDate(now.AddDate(0, 0, -40).Format(models.DateLayout))
	w.monthTo, _ = models.ParseDate(now.AddDate(0, 0, 1).Format(models.DateLayout))
	w.order, w.otherOrder = w.newOrder(t), w.newOrder(t)
	w.karen = w.candidate(t, "Karen Vestergaard", "karen@example.dk", "Tagdækker med svendebrev")
	w.jens = w.candidate(t, "Jens Mikkelsen", "jens@example.dk", "Tagdækker og tømrer")
	for _, c := range []struct {
		id  string
		ref *string
	}{{w.karen, &w.karenRef}, {w.jens, &w.jensRef}} {
		given := now.Add(-time.Hour)
		_, err := w.svc.Referrals.AddConsent(ctx, w.cw, c.id, referrals.ConsentRequest{EmployerCVR: "10103940", JobOrderID: w.order,
			Purpose: "Formidling", DataCategories: []string{"cv"}, GivenAt: &given, Method: "written"})
		must(t, err)
		r, err := w.svc.Referrals.Refer(ctx, w.cw, w.order, referrals.ReferRequest{CandidateID: c.id, Note: "Stærk kandidat"})
		must(t, err)
		*c.ref = r.ID
	}
	must(t, w.svc.Referrals.SetEmployerNote(ctx, w.emp, w.order, w.karenRef, referrals.EmployerNoteRequest{Note: "Ring til Karen tirsdag"}))
	// The employer reads both CVs (the reads go into the CV access log).
	seen, err := w.svc.Referrals.ForEmployer(ctx, w.emp, w.order)
	must(t, err)
	if len(seen.Items) != 2 {
		t.Fatalf("the employer sees %d CVs before, want 2", len(seen.Items))
	}
	// A secure link for Karen's referral, as the secure_link channel leaves it.
	w.link = uuid.NewString()
	must(t, db.Create(&models.SecureLink{ID: w.link, Token: uuid.NewString(), JobOrderID: w.order, ReferralID: w.karenRef, RecipientID: "emp-1",
		RecipientEmail: "soren@byg.example", ExpiresAt: now.Add(24 * time.Hour), CreatedAt: now, UpdatedAt: now}).Error)
	// The mails, written by the activity the order's workflow runs.
	notify := func(template, role, ref, key string) string {
		t.Helper()
		key = joborder.NotificationKey(w.order, template, "", ref, key)
		_, err := w.acts.Notify(ctx, activities.NotifyInput{JobOrderID: w.order, Template: template, RecipientRole: role, IdempotencyKey: key, ReferralID: ref})
		must(t, err)
		return key
	}
	w.pendingKey = notify(joborder.TemplateCandidateNotice, joborder.RecipientCandidate, w.karenRef, "1")
	w.linkKey = notify(joborder.TemplateSecureLink, joborder.RecipientSecureLink, w.karenRef, "1")
	w.deliveredKey = notify(joborder.TemplateCandidateNotice, joborder.RecipientCandidate, w.karenRef, "2")
	w.sendingKey = notify(joborder.TemplateCandidateNotice, joborder.RecipientCandidate, w.karenRef, "3")
	w.jensKey = notify(joborder.TemplateCandidateNotice, joborder.RecipientCandidate, w.jensRef, "1")
	if _, err := w.acts.Deliver(ctx, activities.DeliverInput{IdempotencyKey: w.deliveredKey}); err != nil {
		t.Fatal(err)
	}
	must(t, db.Model(&models.OutboxMessage{}).Where("idempotency_key = ?", w.sendingKey).
		UpdateColumns(map[string]any{"status": models.OutboxSending, "attempts": 1, "last_attempt_at": now}).Error)
	return w
}

func (w *erasureWorld) newOrder(t *testing.T) string {
	t.Helper()
	now := time.Now().UTC()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Tagdækker", Description: "Tage i Aarhus", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7121",
		Positions: 1, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: "cw-1",
		CreatedByRole: auth.RoleCaseworker, CoordinatorID: &w.cw.Subject, ContactID: &w.emp.Subject, CreatedAt: now, UpdatedAt: now}
	o.WorkflowID = joborder.WorkflowID(o.ID)
	must(t, w.db.Create(&o).Error)
	return o.ID
}

func (w *erasureWorld) candidate(t *testing.T, name, email, headline string) string {
	t.Helper()
	yes := true // searchable, so the other order's suggestions name the candidate
	c, err := w.svc.Referrals.CreateCandidate(context.Background(), w.cw, referrals.CandidateRequest{Name: &name, Email: &email, Searchable: &yes,
		CV: &referrals.CV{Headline: headline, Occupations: []string{"7121"}, Experience: "Tagpap og skifer i ti år"}})
	must(t, err)
	return c.ID
}

// figures is the job centre's and the country's key-figure report over the world's month and
// both orders' facts rebuilt from their sources now.
func (w *erasureWorld) figures(t *testing.T) []any {
	t.Helper()
	ctx := context.Background()
	var out []any
	// Facts first (an order without a history entry has none until it is rebuilt), then the
	// report from them, on a clock that stands still.
	for _, id := range []string{w.order, w.otherOrder} {
		must(t, kpi.Refresh(ctx, w.db, id, store.LoadPolicy, w.clock))
		var fact models.JobOrderFact
		must(t, w.db.Take(&fact, "job_order_id = ?", id).Error)
		fact.UpdatedAt = time.Time{}
		out = append(out, fact)
	}
	svc := kpi.NewService(w.db, refdata.Default()).WithClock(func() time.Time { return w.clock })
	for _, scope := range []string{"751", ""} {
		r, err := svc.Figures(ctx, scope, kpi.Period{From: w.monthFrom, To: w.monthTo})
		must(t, err)
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	return out
}

func (w *erasureWorld) count(t *testing.T, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	must(t, w.db.Model(model).Where(where, args...).Count(&n).Error)
	return n
}

func (w *erasureWorld) outbox(t *testing.T, key string) models.OutboxMessage {
	t.Helper()
	var m models.OutboxMessage
	must(t, w.db.Take(&m, "idempotency_key = ?", key).Error)
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Erasing a candidate on request deletes the candidate, the CV and its search index rows,
// consents, CV reads and secure link at once: search and suggestions no longer find them, the
// employer's view lists the referral as a CV that is gone, and the referral stays as an anonymous
// row, so the key figures are the same before and after. The mails to the candidate (and the
// secure link's) that had not gone out are cancelled and never delivered (nothing reaches the
// dev mailbox for them, by the dispatcher or a delivery of their key), the one that went out loses its address and its mailbox copy, the one
// being sent is left to settle; the other candidate's mail still goes out. The audit record
// holds counts, never the deleted data; the open order's workflow is told with IDs only; and a
// second erasure is 404.
func TestErasingACandidateRemovesThemEverywhereStopsTheirMailsAndKeepsTheKeyFigures(t *testing.T) {
	for name, db := range map[string]*gorm.DB{"postgres": dbtest.Postgres(t), "sqlite": dbtest.SQLite(t)} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newErasureWorld(t, db)
			search := func() []string {
				t.Helper()
				page, err := w.svc.Candidates.Search(ctx, w.cw, candidates.Filter{Query: "tagdækker"})
				must(t, err)
				var names []string
				for _, h := range page.Items {
					names = append(names, h.Name)
				}
				return names
			}
			suggested := func() []string {
				t.Helper()
				l, err := w.svc.Candidates.Suggest(ctx, w.cw, w.otherOrder, 20)
				must(t, err)
				var ids []string
				for _, s := range l.Items {
					ids = append(ids, s.Candidate.ID)
				}
				return ids
			}
			if got := search(); len(got) != 2 {
				t.Fatalf("search before: %v, want both candidates", got)
			}
			if got := suggested(); len(got) != 2 {
				t.Fatalf("suggestions before: %v, want both candidates", got)
			}
			before := w.figures(t)

			// Only the candidate's own job centre's staff, and only with a reason.
			for _, p := range []auth.Principal{w.emp, {Subject: "cw-746", Role: auth.RoleCaseworker, Jobcenter: "746"}, {Subject: "admin", Role: auth.RoleAdmin}} {
				if _, err := w.svc.Referrals.EraseCandidate(ctx, p, w.karen, referrals.EraseRequest{Reason: "Anmodning"}); !errors.Is(err, referrals.ErrCandidateNotFound) {
					t.Errorf("%s %s: %v, want not found", p.Role, p.Subject, err)
				}
			}
			for _, reason := range []string{"", "   ", strings.Repeat("x", 2001)} {
				_, err := w.svc.Referrals.EraseCandidate(ctx, w.cw, w.karen, referrals.EraseRequest{Reason: reason})
				var ve *problem.ValidationError
				if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "reason" {
					t.Errorf("reason %q: %v, want a validation error naming reason", reason, err)
				}
			}
			if n := w.count(t, &models.Candidate{}, "id = ?", w.karen); n != 1 {
				t.Fatalf("a refused erasure changed the candidate (%d rows)", n)
			}

			got, err := w.svc.Referrals.EraseCandidate(ctx, w.cw, w.karen, referrals.EraseRequest{Reason: "  Borgerens anmodning om sletning "})
			must(t, err)
			want := referrals.ErasureCounts{Referrals: 1, Consents: 1, CVReads: 1, SecureLinks: 1, MailsStopped: 2, MailsCleared: 1, MailboxCopies: 1}
			if got.Deleted != want || got.CandidateID != w.karen || got.Jobcenter != "751" || got.ErasedBy != "cw-1" || got.Reason != "Borgerens anmodning om sletning" {
				t.Errorf("erasure %+v, want counts %+v of karen by cw-1 with the trimmed reason", got, want)
			}

			// Gone from the candidate register, search and suggestions.
			if _, err := w.svc.Referrals.GetCandidate(ctx, w.cw, w.karen); !errors.Is(err, referrals.ErrCandidateNotFound) {
				t.Errorf("GetCandidate after: %v, want not found", err)
			}
			if got := search(); !reflect.DeepEqual(got, []string{"Jens Mikkelsen"}) {
				t.Errorf("search after: %v, want only Jens", got)
			}
			if got := suggested(); !reflect.DeepEqual(got, []string{w.jens}) {
				t.Errorf("suggestions after: %v, want only Jens", got)
			}
			for _, m := range []any{&models.Candidate{}, &models.CandidateSearch{}, &models.CandidateOccupation{}, &models.Consent{}, &models.CVAccess{}} {
				col := "candidate_id"
				if _, ok := m.(*models.Candidate); ok {
					col = "id"
				}
				if n := w.count(t, m, col+" = ?", w.karen); n != 0 {
					t.Errorf("%T: %d rows of the erased candidate left", m, n)
				}
			}
			if !cvindexEmpty(t, db, w.karen) {
				t.Error("the SQLite full-text row of the erased candidate is left")
			}
			if n := w.count(t, &models.SecureLink{}, "referral_id = ?", w.karenRef); n != 0 {
				t.Errorf("%d secure links left", n)
			}
			// The employer sees Jens's CV and Karen's referral as a CV that is gone, by date.
			seen, err := w.svc.Referrals.ForEmployer(ctx, w.emp, w.order)
			must(t, err)
			if len(seen.Items) != 1 || seen.Items[0].ID != w.jensRef || len(seen.Gone) != 1 || seen.Gone[0].ID != w.karenRef || seen.Gone[0].SentAt == nil {
				t.Errorf("employer's view after: items %+v, gone %+v", seen.Items, seen.Gone)
			}
			if err := w.svc.Referrals.SetEmployerNote(ctx, w.emp, w.order, w.karenRef, referrals.EmployerNoteRequest{Note: "x"}); !errors.Is(err, referrals.ErrReferralNotFound) {
				t.Errorf("employer note on the erased CV's referral: %v, want not found", err)
			}
			var ref models.Referral
			must(t, db.Take(&ref, "id = ?", w.karenRef).Error)
			if ref.CandidateID != ref.ID || ref.AnonymisedAt == nil || ref.Note != "" || ref.EmployerNote != "" || ref.ConsentID != nil || ref.Status != models.ReferralSent || ref.SentAt == nil {
				t.Errorf("the referral after: %+v, want an anonymous sent row", ref)
			}
			if after := w.figures(t); !reflect.DeepEqual(before, after) {
				t.Errorf("key figures changed:\nbefore %v\nafter  %v", before, after)
			}

			// The mails.
			for _, key := range []string{w.pendingKey, w.linkKey} {
				if m := w.outbox(t, key); m.Status != models.OutboxCancelled || m.RecipientEmail != "" {
					t.Errorf("%s: %s to %q, want cancelled without an address", m.Template, m.Status, m.RecipientEmail)
				}
			}
			if m := w.outbox(t, w.deliveredKey); m.Status != models.OutboxDelivered || m.RecipientEmail != "" {
				t.Errorf("the delivered mail: %s to %q, want delivered without the address", m.Status, m.RecipientEmail)
			}
			if m := w.outbox(t, w.sendingKey); m.Status != models.OutboxSending || m.RecipientEmail != "karen@example.dk" {
				t.Errorf("the mail being sent: %s to %q, want it left to settle", m.Status, m.RecipientEmail)
			}
			// The outbox dispatcher (what the worker runs) sends every due row: Jens's, not the
			// cancelled ones; the row being sent is not stale yet, so it is left alone too.
			if _, err := w.acts.DispatchOutbox(ctx, activities.DispatchOutboxInput{Shard: 0, Shards: 1, For: time.Second, BatchSize: 100, Concurrency: 2}); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{w.pendingKey, w.linkKey, w.jensKey} {
				if _, err := w.acts.Deliver(ctx, activities.DeliverInput{IdempotencyKey: key}); err != nil {
					t.Fatal(err)
				}
			}
			if m := w.outbox(t, w.jensKey); m.Status != models.OutboxDelivered {
				t.Errorf("Jens's notice: %s, want delivered", m.Status)
			}
			var copies []mail.MailboxMessage
			must(t, db.Find(&copies).Error)
			if len(copies) != 1 || copies[0].IdempotencyKey != w.jensKey || copies[0].ToEmail != "jens@example.dk" {
				t.Errorf("the dev mailbox holds %+v, want only Jens's notice (nothing for the erased candidate)", copies)
			}
			// A notification written after the erasure (a workflow that had not got there yet)
			// finds no one to write to.
			late := joborder.NotificationKey(w.order, joborder.TemplateCandidateNotice, "", w.karenRef, "late")
			for _, role := range []string{joborder.RecipientCandidate, joborder.RecipientSecureLink} {
				res, err := w.acts.Notify(ctx, activities.NotifyInput{JobOrderID: w.order, Template: joborder.TemplateCandidateNotice, RecipientRole: role, IdempotencyKey: late, ReferralID: w.karenRef})
				if err != nil || res.Created != 0 {
					t.Errorf("a %s notification after the erasure: %+v, %v, want nothing written", role, res, err)
				}
			}

			// The audit record names no deleted data; the workflow got IDs only.
			var recs []models.Erasure
			must(t, db.Find(&recs).Error)
			if len(recs) != 1 {
				t.Fatalf("%d audit records", len(recs))
			}
			b, _ := json.Marshal(recs[0])
			for _, pd := range []string{"Karen", "Vestergaard", "karen@example.dk", "Tagdækker", "Ring til"} {
				if strings.Contains(string(b), pd) {
					t.Errorf("the audit record holds %q: %s", pd, b)
				}
			}
			if len(w.wf.sent) != 1 || w.wf.sent[0].ReferralID != w.karenRef || w.wf.sent[0].Active {
				t.Errorf("signals %+v, want one candidate-changed (inactive) for Karen's referral", w.wf.sent)
			}

			// Erased already: 404, and nothing more is written.
			if _, err := w.svc.Referrals.EraseCandidate(ctx, w.cw, w.karen, referrals.EraseRequest{Reason: "Igen"}); !errors.Is(err, referrals.ErrCandidateNotFound) {
				t.Errorf("second erasure: %v, want not found", err)
			}
			if n := w.count(t, &models.Erasure{}, "1 = 1"); n != 1 {
				t.Errorf("%d audit records after the second erasure", n)
			}
		})
	}
}

// cvindexEmpty tells whether SQLite's full-text table has no row of the candidate (always true
// on PostgreSQL, where the vectors are columns of candidate_search).
func cvindexEmpty(t *testing.T, db *gorm.DB, id string) bool {
	t.Helper()
	if db.Dialector.Name() == "postgres" {
		return true
	}
	var n int64
	must(t, db.Raw("SELECT count(*) FROM candidate_fts WHERE candidate_id = ?", id).Scan(&n).Error)
	return n == 0
}

// Two erasures of the same candidate at once (two caseworkers, or a caseworker and the
// schedule) on PostgreSQL: one erases, the other waits for the candidate's row lock, finds
// nothing and answers not found; there is one audit record.
func TestTwoErasuresOfACandidateAtOnceEraseOnce(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	w := newErasureWorld(t, db)
	errs := make(chan error, 2)
	for _, who := range []string{"cw-1", "cw-2"} {
		p := auth.Principal{Subject: who, Role: auth.RoleCaseworker, Jobcenter: "751"}
		go func() {
			_, err := w.svc.Referrals.EraseCandidate(ctx, p, w.karen, referrals.EraseRequest{Reason: "Borgerens anmodning"})
			errs <- err
		}()
	}
	var ok, gone int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, referrals.ErrCandidateNotFound):
			gone++
		default:
			t.Errorf("an erasure failed: %v", err)
		}
	}
	if ok != 1 || gone != 1 {
		t.Errorf("%d erased, %d not found; want 1 and 1", ok, gone)
	}
	if n := w.count(t, &models.Erasure{}, "candidate_id = ?", w.karen); n != 1 {
		t.Errorf("%d audit records", n)
	}
}
