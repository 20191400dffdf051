package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/models"
)

// A manager sees the job centre's staff with name, e-mail and phone and adds a caseworker ahead
// of their first login; their first login (a token without name or e-mail) keeps what was entered.
func TestAManagerAddsACaseworkerAheadOfTheirFirstLogin(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	page := b.get("/jobcenters/751/caseworkers")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Mette Madsen") || strings.Contains(page.body, "merge-heading") {
		t.Fatalf("staff page: %d", page.status)
	}
	form := url.Values{"csrf_token": {page.csrf(t)}, "id": {"cw-new"}, "name": {"Ny Kollega"}, "email": {"ny@aarhus.dk"},
		"phone": {"+45 87 65 43 21"}, "role": {"caseworker"}, "language": {"da"}}
	res := b.post("/jobcenters/751/caseworkers", form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/jobcenters/751/caseworkers" {
		t.Fatalf("add: %d %s\n%.400s", res.status, res.header.Get("Location"), res.body)
	}
	row := between(b.get("/jobcenters/751/caseworkers").body, `data-staff="cw-new"`, "</tr>")
	for _, want := range []string{"Ny Kollega", "ny@aarhus.dk", "87 65 43 21", "sagsbehandler"} {
		if !strings.Contains(row, want) {
			t.Errorf("the new row lacks %q: %s", want, row)
		}
	}
	nb := tc.browser()
	nb.login(tc, auth.Principal{Subject: "cw-new", Role: auth.RoleCaseworker, Jobcenter: "751"})
	nb.get("/")
	if row := between(b.get("/jobcenters/751/caseworkers").body, `data-staff="cw-new"`, "</tr>"); !strings.Contains(row, "Ny Kollega") || !strings.Contains(row, "ny@aarhus.dk") {
		t.Errorf("the first login lost what the manager entered: %s", row)
	}
}

// A bad e-mail is named in the error summary with what was typed kept; nothing is stored.
func TestABadCaseworkerIsNamedAtItsFields(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	page := b.get("/jobcenters/751/caseworkers")
	res := b.post("/jobcenters/751/caseworkers", url.Values{"csrf_token": {page.csrf(t)}, "id": {"cw-x"}, "name": {"X"}, "email": {"ikke en adresse"},
		"role": {"caseworker"}, "language": {"da"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-email"`) || !strings.Contains(res.body, `value="ikke en adresse"`) {
		t.Errorf("bad e-mail: %d", res.status)
	}
	if strings.Contains(b.get("/jobcenters/751/caseworkers").body, `data-staff="cw-x"`) {
		t.Error("a refused caseworker was stored")
	}
}

// Admins also set the shared mailbox, the municipalities (a merge) and the recruitment
// communities on the page; a manager posting those forms gets the 404 page.
func TestAdminsMaintainTheMailboxMergesAndCommunitiesOnTheStaffPage(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, adminUser)
	page := b.get("/jobcenters/751/caseworkers")
	if page.status != http.StatusOK || !strings.Contains(page.body, "merge-heading") {
		t.Fatalf("admin's staff page: %d", page.status)
	}
	csrf := page.csrf(t)
	if res := b.post("/jobcenters/751/mailbox", url.Values{"csrf_token": {csrf}, "mailbox_email": {"jobordre@aarhus.dk"}}); res.status != http.StatusSeeOther {
		t.Fatalf("mailbox: %d", res.status)
	}
	if res := b.post("/jobcenters/751/communities", url.Values{"csrf_token": {csrf}, "community_new.name": {"Østjylland"}, "community_new.members": {"751, 746"}}); res.status != http.StatusSeeOther {
		t.Fatalf("community: %d", res.status)
	}
	if res := b.post("/jobcenters/751/communities", url.Values{"csrf_token": {csrf}, "community_new.name": {"Østjylland"}, "community_new.members": {"751"}}); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `href="#field-community_new.members"`) {
		t.Errorf("a one-member community: %d", res.status)
	}
	if res := b.post("/jobcenters/751/municipalities", url.Values{"csrf_token": {csrf}, "municipalities": {"751, 999"}}); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `href="#field-municipalities"`) {
		t.Errorf("an unknown municipality: %d", res.status)
	}
	after := b.get("/jobcenters/751/caseworkers").body
	if !strings.Contains(between(after, `id="mailbox-address"`, "</p>"), "jobordre@aarhus.dk") || !strings.Contains(after, "Jobcentre: 746, 751") {
		t.Errorf("mailbox or community missing:\n%s", between(after, `id="mailbox-heading"`, "</section>"))
	}
	mb := tc.browser()
	mb.login(tc, manager)
	mp := mb.get("/jobcenters/751/caseworkers")
	if !strings.Contains(mp.body, "jobordre@aarhus.dk") {
		t.Error("the manager does not see the shared mailbox")
	}
	if res := mb.post("/jobcenters/751/mailbox", url.Values{"csrf_token": {mp.csrf(t)}, "mailbox_email": {"x@aarhus.dk"}}); res.status != http.StatusNotFound {
		t.Errorf("a manager setting the mailbox: %d", res.status)
	}
}

// A manager removes a caseworker who has left from the staff page's "Fjern": the confirmation
// page says what it does, the post removes them (gone from the list, their console session
// ended) with a flash; a caseworker who coordinates an open order is refused on the confirmation
// page in the error summary, and stays.
func TestAManagerRemovesACaseworkerWhoHasLeft(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	leaver := auth.Principal{Subject: "cw-leaver", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Lis Fratrådt", Email: "lis@aarhus.dk"}
	lb := tc.browser()
	lb.login(tc, leaver)
	if pg := lb.get("/"); pg.status != http.StatusOK {
		t.Fatalf("the leaver's inbox: %d", pg.status)
	}
	o := tc.createOrder("Tømrer til tag")
	if err := tc.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("coordinator_id", caseworker.Subject).Error; err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.login(tc, manager)
	staff := b.get("/jobcenters/751/caseworkers")
	if !strings.Contains(staff.body, `href="/jobcenters/751/caseworkers/cw-leaver/remove"`) {
		t.Fatalf("the staff page has no Fjern for the leaver")
	}
	confirm := b.get("/jobcenters/751/caseworkers/cw-leaver/remove")
	if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "Fjern Lis Fratrådt") {
		t.Fatalf("confirmation page: %d", confirm.status)
	}
	res := b.post("/jobcenters/751/caseworkers/cw-leaver/remove", url.Values{"csrf_token": {confirm.csrf(t)}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/jobcenters/751/caseworkers" {
		t.Fatalf("remove: %d %s", res.status, res.header.Get("Location"))
	}
	after := b.get("/jobcenters/751/caseworkers")
	if !strings.Contains(after.body, "Medarbejderen er fjernet.") || strings.Contains(after.body, `data-staff="cw-leaver"`) {
		t.Errorf("after the removal: the flash is missing or the leaver is still listed")
	}
	if pg := lb.get("/"); pg.status != http.StatusSeeOther {
		t.Errorf("the removed person's session still works: %d", pg.status)
	}
	if pg := b.get("/jobcenters/751/caseworkers/cw-leaver/remove"); pg.status != http.StatusNotFound {
		t.Errorf("the confirmation page of a removed person: %d, want the 404 page", pg.status)
	}

	// The order's coordinator cannot be removed: the refusal in the error summary, at the button.
	confirm = b.get("/jobcenters/751/caseworkers/" + caseworker.Subject + "/remove")
	res = b.post("/jobcenters/751/caseworkers/"+caseworker.Subject+"/remove", url.Values{"csrf_token": {confirm.csrf(t)}})
	if res.status != http.StatusConflict || !strings.Contains(res.body, `href="#field-confirm"`) ||
		!strings.Contains(res.body, "tovholder på: 1.") {
		t.Errorf("removing the coordinator: %d\n%.600s", res.status, between(res.body, `role="alert"`, "</div>"))
	}
	if !strings.Contains(b.get("/jobcenters/751/caseworkers").body, `data-staff="`+caseworker.Subject+`"`) {
		t.Error("a refused removal removed the coordinator")
	}
}
