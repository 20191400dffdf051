package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/auth"
	"jobordre/models"
)

// storeOrder puts an order row in the database as the workflow's projection leaves it.
func (tc *testConsole) storeOrder(title, cvr, jobcenter, status, sharing string, coordinator *string, at time.Time) string {
	tc.t.Helper()
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: cvr, Title: title, Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: jobcenter, ResponsibleJobcenter: jobcenter, OccupationCode: "7115",
		Positions: 1, Kind: models.KindOrdinary, Status: status, Sharing: sharing, CoordinatorID: coordinator,
		CreatedBySubject: "x", CreatedByRole: auth.RoleCaseworker, CreatedAt: at, UpdatedAt: at}
	o.WorkflowID = "job-order/" + o.ID
	if err := tc.db.Create(&o).Error; err != nil {
		tc.t.Fatal(err)
	}
	return o.ID
}

func sp(s string) *string { return &s }

func TestTheOrderListHasTabsFiltersAndLinksEachRowToItsOrder(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	tc.db.Create(&models.Company{CVR: "10103940", Name: "Tømrerfirmaet A/S"})
	tc.db.Create(&models.Caseworker{ID: "cw-1", Jobcenter: "751", Role: auth.RoleCaseworker, Name: "Anna Andersen"})
	at := time.Now().UTC().Add(-48 * time.Hour)
	mine := tc.storeOrder("Tømrer til tag", "10103940", "751", models.StatusOpen, models.SharingInternal, sp("cw-1"), at)
	free := tc.storeOrder("Murer søges", "10103940", "751", models.StatusOpen, models.SharingInternal, nil, at.Add(time.Hour))
	closed := tc.storeOrder("Lukket elektriker", "10103940", "751", models.StatusClosed, models.SharingInternal, nil, at.Add(2*time.Hour))
	neighbour := tc.storeOrder("Favrskov tømrer", "12345674", "710", models.StatusOpen, models.SharingNeighbours, nil, at.Add(3*time.Hour))
	national := tc.storeOrder("København landsdækkende", "12345674", "101", models.StatusOpen, models.SharingNational, nil, at.Add(4*time.Hour))
	hidden := tc.storeOrder("København intern", "12345674", "101", models.StatusOpen, models.SharingInternal, nil, at.Add(5*time.Hour))
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	link := func(id string) string { return `href="/job-orders/` + id + `"` }

	res := b.get("/job-orders")
	if res.status != http.StatusOK {
		t.Fatalf("list: %d\n%s", res.status, res.body)
	}
	mustContain(t, res, `<h1>Jobordrer</h1>`, link(mine), link(free), "Tømrerfirmaet A/S", "Anna Andersen",
		`<span class="badge badge-info">dig</span>`, "Ingen tovholder", "Viser 1–2 af 2 jobordrer.", `aria-current="page">Mit jobcenters jobordrer`,
		`href="/job-orders?tab=shared"`, `href="/job-orders?tab=national"`, "7115 Carpenters and joiners")
	mustNotContain(t, res, link(closed), link(neighbour), link(national), link(hidden))

	res = b.get("/job-orders?tab=shared")
	mustContain(t, res, link(neighbour), link(national), "Jobcenter Favrskov")
	mustNotContain(t, res, link(mine), link(hidden))
	res = b.get("/job-orders?tab=national")
	mustContain(t, res, link(national))
	mustNotContain(t, res, link(neighbour), link(mine))

	res = b.get("/job-orders?" + url.Values{"status": {"all"}, "coordinator": {"none"}, "q": {"ELEKTRIKER"}}.Encode())
	mustContain(t, res, link(closed), `value="ELEKTRIKER"`, `<option value="none" selected>`, `<option value="all" selected>`)
	mustNotContain(t, res, link(free), link(mine))
	res = b.get("/job-orders?coordinator=me")
	mustContain(t, res, link(mine))
	mustNotContain(t, res, link(free))
	res = b.get("/job-orders?occupation=" + url.QueryEscape("7115 Carpenters and joiners") + "&sort=title")
	if strings.Index(res.body, link(free)) > strings.Index(res.body, link(mine)) {
		t.Errorf("sorted by title: Murer before Tømrer")
	}
	today := time.Now().Format(time.DateOnly)
	res = b.get("/job-orders?from=" + today + "&to=" + today)
	mustContain(t, res, "Ingen jobordrer passer til filtrene.")

	// A bad filter: the design system's error summary, the field's message, the form kept.
	res = b.get("/job-orders?" + url.Values{"from": {"2026-12-05"}, "to": {"2026-12-01"}, "q": {"tømrer"}, "sharing": {"everywhere"}}.Encode())
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad filter: %d", res.status)
	}
	mustContain(t, res, `href="#field-to"`, `href="#field-sharing"`, "Slutdatoen skal være en dato", `id="field-to-error"`,
		`value="tømrer"`, `value="2026-12-05"`, "Ret filtrene ovenfor")
}

func TestTheOrderListPagesWithTheDesignSystemsPagination(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	at := time.Now().UTC().Add(-100 * time.Hour)
	var ids []string
	for i := range 60 {
		ids = append(ids, tc.storeOrder(fmt.Sprintf("Ordre %02d", i), "10103940", "751", models.StatusOpen, models.SharingInternal, nil, at.Add(time.Duration(i)*time.Hour)))
	}
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	res := b.get("/job-orders?q=ordre&page=2")
	mustContain(t, res, "Viser 26–50 af 60 jobordrer.", `class="button current-page" aria-current="page" aria-label="Side 2"`,
		`href="/job-orders?page=3&q=ordre&status=open&tab=jobcenter"`, `href="/job-orders?page=1&q=ordre&status=open&tab=jobcenter"`,
		"Side 2 af 3", `href="/job-orders/`+ids[34]+`"`)
	mustNotContain(t, res, `href="/job-orders/`+ids[35]+`"`, `href="/job-orders/`+ids[9]+`"`)
}

// An employer's list is its own company's orders, open and closed unless it filters, with the
// number of referred candidates instead of the job centre's planning (tabs, coordinator).
func TestAnEmployerListsItsOwnCompanysOrdersOpenAndClosedWithoutTabs(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	at := time.Now().UTC().Add(-time.Hour)
	own := tc.storeOrder("Vores tømrer", "10103940", "751", models.StatusOpen, models.SharingInternal, sp("cw-1"), at)
	closed := tc.storeOrder("Vores lukkede", "10103940", "751", models.StatusClosed, models.SharingInternal, sp("cw-1"), at)
	other := tc.storeOrder("Andet firma", "12345674", "751", models.StatusOpen, models.SharingNational, nil, at)
	b := tc.browser()
	b.follow(b.login(tc, employer))
	res := b.get("/job-orders?tab=shared&coordinator=me")
	if res.status != http.StatusOK {
		t.Fatalf("employer's list: %d\n%s", res.status, res.body)
	}
	mustContain(t, res, `href="/job-orders/`+own+`"`, `href="/job-orders/`+closed+`"`, "Jeres virksomheds jobordrer, åbne og lukkede",
		`<option value="all" selected>`, "Henviste kandidater", `class="order-referred">0<`, `href="/job-orders/new"`)
	mustNotContain(t, res, `href="/job-orders/`+other+`"`, "Mit jobcenters jobordrer", `name="coordinator"`, "cw-1", "Tovholder")
	open := b.get("/job-orders?status=open")
	mustContain(t, open, `href="/job-orders/`+own+`"`)
	mustNotContain(t, open, `href="/job-orders/`+closed+`"`)
}

// The number of referred candidates on an employer's list counts every CV sent to the order,
// also one that has since been made inactive (the order page lists it as gone).
func TestAnEmployersListCountsTheCandidatesReferredToEachOrder(t *testing.T) {
	f := newEmployerFixture(t)
	b := f.browser()
	b.follow(b.login(f.testConsole, employer))
	home := b.get("/")
	mustContain(t, home, `href="/job-orders/`+f.order+`"`, `class="order-referred">2<`)
}
