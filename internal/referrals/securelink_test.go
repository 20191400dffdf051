package referrals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

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

// codeMails records the code mails the service asks for.
type codeMails struct{ sent []activities.NotifyInput }

func (c *codeMails) Notify(_ context.Context, in activities.NotifyInput) error {
	c.sent = append(c.sent, in)
	return nil
}
func (c *codeMails) Deliver(context.Context, string) error { return nil }

// A secure link's page limits guessing: a code is void after five wrong guesses (the right code
// then opens nothing), at most five codes go out per link an hour, and each code mail has its
// own key and goes to the link's address.
func TestSecureLinkCodesAreVoidAfterFiveWrongGuessesAndAtMostFiveAreSentAnHour(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	svc := referrals.NewService(db, orders.NewService(db, ref, quietWorkflows{}, access.DBRelations{DB: db, Ref: ref}, nil), quietWorkflows{}, nil)
	mails := &codeMails{}
	svc.SetNotifier(mails)
	now := time.Now().UTC()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Tømrer", Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751", ResponsibleJobcenter: "751", OccupationCode: "7115",
		Positions: 1, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal, CreatedBySubject: "x",
		CreatedByRole: auth.RoleCaseworker, CreatedAt: now, UpdatedAt: now}
	o.WorkflowID = joborder.WorkflowID(o.ID)
	c := models.Candidate{ID: uuid.NewString(), Name: "Kode Kandidat", Email: "kode@example.dk", HomeJobcenter: "751", Searchable: true, Active: true,
		CV: `{"headline":"Tømrer"}`, CreatedBy: "cw-1", CreatedAt: now, UpdatedAt: now}
	r := models.Referral{ID: uuid.NewString(), JobOrderID: o.ID, CandidateID: c.ID, Status: models.ReferralSent, Channel: referrals.ChannelSecureLink,
		ProposedBy: "cw-1", ProposedByJobcenter: "751", SentAt: &now, CreatedAt: now, UpdatedAt: now}
	l := models.SecureLink{ID: uuid.NewString(), Token: "token-" + uuid.NewString(), JobOrderID: o.ID, ReferralID: r.ID, RecipientID: "emp-1",
		RecipientEmail: "hr@firma.example", ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
	for _, row := range []any{&o, &c, &r, &l} {
		if err := db.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	currentCode := func() string {
		var cur models.SecureLink
		db.Take(&cur, "id = ?", l.ID)
		return cur.Code
	}

	if err := svc.SendSecureLinkCode(ctx, l.Token); err != nil {
		t.Fatal(err)
	}
	code := currentCode()
	for i := 0; i < referrals.MaxCodeAttempts; i++ {
		if _, err := svc.OpenSecureLink(ctx, l.Token, "wrong"); !errors.Is(err, referrals.ErrCodeWrong) {
			t.Fatalf("guess %d: %v, want ErrCodeWrong", i+1, err)
		}
	}
	if cvs, err := svc.OpenSecureLink(ctx, l.Token, code); !errors.Is(err, referrals.ErrCodeExpired) || cvs != nil {
		t.Fatalf("the right code after five wrong guesses: %v %v, want ErrCodeExpired", cvs, err)
	}

	for i := 2; i <= referrals.MaxCodesPerWindow; i++ {
		if err := svc.SendSecureLinkCode(ctx, l.Token); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
	}
	var tooMany *referrals.TooManyCodesError
	if err := svc.SendSecureLinkCode(ctx, l.Token); !errors.As(err, &tooMany) || !tooMany.RetryAt.After(now) {
		t.Fatalf("code %d: %v, want TooManyCodesError", referrals.MaxCodesPerWindow+1, err)
	}
	keys := map[string]bool{}
	for _, in := range mails.sent {
		keys[in.IdempotencyKey] = true
		if in.RecipientRole != joborder.RecipientSecureLink || in.ReferralID != r.ID || in.Template != joborder.TemplateSecureLinkCode {
			t.Errorf("code mail %+v", in)
		}
	}
	if len(mails.sent) != referrals.MaxCodesPerWindow || len(keys) != referrals.MaxCodesPerWindow {
		t.Fatalf("%d code mails with %d keys, want %d each", len(mails.sent), len(keys), referrals.MaxCodesPerWindow)
	}
	// The latest code still opens the link, once, and the read is logged.
	cvs, err := svc.OpenSecureLink(ctx, l.Token, currentCode())
	if err != nil || len(cvs) != 1 || cvs[0].Name != "Kode Kandidat" {
		t.Fatalf("the latest code: %+v %v", cvs, err)
	}
	var reads int64
	db.Model(&models.CVAccess{}).Where("candidate_id = ? AND reader_id = ?", c.ID, "secure-link:"+l.ID).Count(&reads)
	if reads != 1 {
		t.Fatalf("%d reads logged, want 1", reads)
	}
}
