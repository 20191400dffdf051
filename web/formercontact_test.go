package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/retention"
	"jobordre/models"
)

// Once the deletion schedule has cleared a removed contact person's name, e-mail and phone
// (removed_contacts), the pages that still point at them say "Tidligere kontaktperson": the
// order's history names the former contact as the actor (not their ID, not nobody), and the
// candidate's insight names them as the reader of the CV; in English "Former contact person".
func TestAClearedRemovedContactPersonReadsAsAFormerContactPersonInTheHistoryAndTheInsight(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	o := tc.createOrder("Tømrer til tage")
	id := tc.candidate(caseworker, "Ingrid Indsigt", false, "Tømrer", "7115", "Tage og vinduer")
	tc.api(http.MethodPost, "/api/v1/candidates/"+id+"/consents", caseworker, map[string]any{"employer_cvr": "10103940", "job_order_id": o.ID,
		"purpose": "Formidling til tømrerstillingen", "data_categories": []string{"cv"}, "given_at": "2026-11-30T10:00:00Z", "method": "written"}, http.StatusCreated, nil)
	tc.api(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", caseworker, map[string]any{"candidate_id": id, "note": "Ringet til kandidaten"}, http.StatusCreated, nil)
	tc.api(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", employer, nil, http.StatusOK, nil) // the employer reads the CV
	if _, err := history.Append(tc.db, history.Entry{JobOrderID: o.ID, Type: joborder.EventDetailsCorrected, ActorID: employer.Subject, ActorRole: "employer",
		Key: joborder.EventKey(o.ID, joborder.EventDetailsCorrected, "former-contact"), At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	// The employer's contact person, removed by the company 200 days ago.
	removed := time.Now().UTC().AddDate(0, 0, -200)
	if err := tc.db.Save(&models.CompanyContact{ID: employer.Subject, CVR: "10103940", Name: "Erik Eriksen", Email: "erik@byg.example",
		Phone: "+45 12 34 56 78", RemovedAt: &removed, CreatedAt: removed, UpdatedAt: removed}).Error; err != nil {
		t.Fatal(err)
	}

	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	if page := b.get("/job-orders/" + o.ID); !strings.Contains(page.body, "Erik Eriksen") || strings.Contains(page.body, "Tidligere kontaktperson") {
		t.Fatalf("before the deletion the history names the removed contact person: %v", strings.Contains(page.body, "Erik Eriksen"))
	}
	n, err := (&retention.Deleter{DB: tc.db}).Batch(context.Background(), joborder.RetentionRemovedContacts, 10, time.Now())
	if err != nil || n != 1 {
		t.Fatalf("removed_contacts batch: %d, %v; want 1 (P180D ran out)", n, err)
	}

	page := b.get("/job-orders/" + o.ID)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Tidligere kontaktperson") || strings.Contains(page.body, "Erik Eriksen") {
		t.Errorf("order page %d: the history does not name the former contact person as such", page.status)
	}
	insight := b.get("/candidates/" + id + "/insight")
	if !strings.Contains(insight.body, "Tidligere kontaktperson<br>") || strings.Contains(insight.body, "Erik Eriksen") || strings.Contains(insight.body, "erik@byg.example") {
		t.Errorf("the insight does not name the CV's reader as a former contact person")
	}
	b.follow(b.get("/lang/en"))
	if en := b.get("/candidates/" + id + "/insight"); !strings.Contains(en.body, "Former contact person<br>") {
		t.Errorf("the English insight lacks %q", "Former contact person")
	}
}
