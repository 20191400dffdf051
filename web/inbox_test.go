package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/auth"
	"jobordre/models"
)

func TestTheInboxShowsDueRemindersProposalsUnassignedAndNewSharedOrdersEachLinkingToItsOrder(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	now := time.Now().UTC()
	mine := tc.storeOrder("Tømrer med frist", "10103940", "751", models.StatusOpen, models.SharingInternal, sp("cw-1"), now.Add(-72*time.Hour))
	tc.db.Create(&models.JobOrderDeadline{JobOrderID: mine, Name: "contact", Kind: models.DeadlineContact, CoordinatorID: "cw-1", DueAt: now.Add(-26 * time.Hour)})
	tc.db.Create(&models.JobOrderDeadline{JobOrderID: mine, Name: "close_out", Kind: models.DeadlineCloseOut, CoordinatorID: "cw-1", DueAt: now.Add(30 * 24 * time.Hour)})
	free := tc.storeOrder("Murer uden tovholder", "10103940", "751", models.StatusOpen, models.SharingInternal, nil, now.Add(-time.Hour))
	shared := tc.storeOrder("Favrskov deler", "12345674", "710", models.StatusOpen, models.SharingNeighbours, nil, now.Add(-time.Hour))
	tc.db.Model(&models.JobOrder{}).Where("id = ?", shared).Update("shared_at", now.Add(-time.Hour))
	cand := models.Candidate{ID: uuid.NewString(), Name: "Nabo Kandidat", Email: "n@x.dk", HomeJobcenter: "710", Searchable: true, Active: true, CV: "{}", CreatedBy: "x", CreatedAt: now, UpdatedAt: now}
	tc.db.Create(&cand)
	tc.db.Create(&models.Referral{ID: uuid.NewString(), JobOrderID: mine, CandidateID: cand.ID, Status: models.ReferralPendingApproval, Channel: "email",
		ProposedBy: "cw-710", ProposedByJobcenter: "710", CreatedAt: now, UpdatedAt: now})

	b := tc.browser()
	res := b.follow(b.login(tc, caseworker))
	if res.status != http.StatusOK {
		t.Fatalf("inbox: %d\n%s", res.status, res.body)
	}
	mustContain(t, res, "<h1>Indbakke</h1>", "Der er 4 ting, som venter på dig.",
		"1 påmindelse: 1 overskredet, 0 i dag", "1 forslag venter på din godkendelse", "1 jobordre uden tovholder", "1 ny jobordre delt med dit jobcenter",
		`href="/job-orders/`+mine+`"`, "Kontakt arbejdsgiveren", "Overskredet",
		`href="/job-orders/`+mine+`#referrals"`, "fra Jobcenter Favrskov",
		`href="/job-orders/`+free+`"`, `href="/job-orders/`+shared+`"`, "Markér alle som set")
	mustNotContain(t, res, "Afslut eller forlæng jobordren") // the close-out falls in a month

	// Opening the shared order makes it no longer new to me, but still to my colleague.
	if pg := b.get("/job-orders/" + shared); pg.status != http.StatusOK {
		t.Fatalf("the shared order: %d", pg.status)
	}
	res = b.get("/")
	mustContain(t, res, "0 nye jobordrer delt med dit jobcenter", "Ingen nye jobordrer er delt med dit jobcenter.")
	colleague := auth.Principal{Subject: "cw-2", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Bo"}
	b2 := tc.browser()
	res = b2.follow(b2.login(tc, colleague))
	mustContain(t, res, `href="/job-orders/`+shared+`"`, "0 påmindelser", "0 forslag")

	// "Mark all as seen": a form post with the CSRF token, back to the inbox with a message.
	post := b2.post("/inbox/seen", url.Values{"csrf_token": {res.csrf(t)}})
	if post.status != http.StatusSeeOther || post.header.Get("Location") != "/#shared" {
		t.Fatalf("mark all seen: %d %s", post.status, post.header.Get("Location"))
	}
	res = b2.follow(post)
	mustContain(t, res, "De delte jobordrer er markeret som set.", "0 nye jobordrer delt med dit jobcenter")
	if refused := b2.post("/inbox/seen", url.Values{}); refused.status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", refused.status)
	}
}
