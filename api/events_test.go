package api

import (
	"net/http"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/feed"
	"jobordre/internal/joborder"
	"jobordre/models"
)

func (a *testAPI) feedPage(p *auth.Principal, query string) feed.Page {
	a.t.Helper()
	r := a.do(http.MethodGet, "/api/v1/events"+query, p, nil)
	if r.status != http.StatusOK {
		a.t.Fatalf("events%s: %d %s", query, r.status, r.body)
	}
	var page feed.Page
	r.json(a.t, &page)
	return page
}

// The feed gives each caller the events of the orders it may read, in order, one page after
// another from the cursor, and a cursor read again later returns only what came after it.
func TestTheEventFeedIsOrderedResumableAndScopedLikeTheOrders(t *testing.T) {
	a := newTestAPI(t)
	mine := a.createOrder(caseworker, validOrder())
	far := validOrder()
	far["workplace"] = map[string]any{"address": "Rådhuspladsen 1", "postal_code": "1550", "municipality_code": "101"}
	far["responsible_jobcenter"] = "101"
	theirs := a.createOrder(otherCW, far)
	second := a.createOrder(caseworker, validOrder())

	all := a.feedPage(&admin, "")
	if len(all.Items) != 3 || all.Items[0].Data.JobOrderID != mine.ID || all.Items[1].Data.JobOrderID != theirs.ID || all.Items[2].Data.JobOrderID != second.ID {
		t.Fatalf("admin's feed: %+v", all.Items)
	}
	for _, e := range all.Items {
		if e.Type != string(joborder.FeedCreated) || e.Data.Sequence != 1 || e.ID == "" || e.Timestamp.IsZero() {
			t.Errorf("event %+v", e)
		}
	}
	if all.Items[1].Data.Jobcenter != "101" || all.Items[0].Data.Jobcenter != "751" {
		t.Errorf("job centres: %+v", all.Items)
	}

	// 751's caseworker: its two orders, one per page, then nothing, then what comes later.
	p1 := a.feedPage(&caseworker, "?limit=1")
	p2 := a.feedPage(&caseworker, "?limit=1&after="+p1.NextCursor)
	p3 := a.feedPage(&caseworker, "?limit=1&after="+p2.NextCursor)
	if len(p1.Items) != 1 || p1.Items[0].Data.JobOrderID != mine.ID || len(p2.Items) != 1 || p2.Items[0].Data.JobOrderID != second.ID || len(p3.Items) != 0 {
		t.Fatalf("751's pages: %+v / %+v / %+v", p1.Items, p2.Items, p3.Items)
	}
	if p3.NextCursor != p2.NextCursor {
		t.Errorf("an empty page moved the cursor: %q after %q", p3.NextCursor, p2.NextCursor)
	}
	third := a.createOrder(caseworker, validOrder())
	if p4 := a.feedPage(&caseworker, "?after="+p3.NextCursor); len(p4.Items) != 1 || p4.Items[0].Data.JobOrderID != third.ID {
		t.Fatalf("resumed: %+v", p4.Items)
	}

	// 101's internal order is not 751's to see, until 101 shares it nationally.
	if got := a.feedPage(&otherCW, ""); len(got.Items) != 1 || got.Items[0].Data.JobOrderID != theirs.ID {
		t.Fatalf("101's feed: %+v", got.Items)
	}
	if got := a.feedPage(&caseworker, "?jobcenter=101"); len(got.Items) != 0 {
		t.Fatalf("751 sees 101's internal order: %+v", got.Items)
	}
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", theirs.ID).Update("sharing", models.SharingNational).Error; err != nil {
		t.Fatal(err)
	}
	if got := a.feedPage(&caseworker, "?jobcenter=101"); len(got.Items) != 1 || got.Items[0].Data.JobOrderID != theirs.ID {
		t.Fatalf("751 does not see 101's national order: %+v", got.Items)
	}
	if got := a.feedPage(&admin, "?types=job_order.closed,job_order.reopened"); len(got.Items) != 0 {
		t.Errorf("types filter: %+v", got.Items)
	}
	if got := a.feedPage(&otherEmployer, ""); len(got.Items) != 0 {
		t.Errorf("another company's feed: %+v", got.Items)
	}
	if got := a.feedPage(&employer, ""); len(got.Items) != 4 {
		t.Errorf("the employer's feed holds %d events, want its 4 orders' creations", len(got.Items))
	}
}

func TestBadFeedParametersAreAProblemNamingEachParameter(t *testing.T) {
	a := newTestAPI(t)
	for query, field := range map[string]string{
		"?after=not-a-cursor":   "after",
		"?after=djI6MDox":       "after",
		"?types=job_order.nope": "types",
		"?jobcenter=75":         "jobcenter",
		"?limit=0":              "limit",
		"?limit=201":            "limit",
		"?limit=x":              "limit",
	} {
		r := a.do(http.MethodGet, "/api/v1/events"+query, &caseworker, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", query, r.status, r.body)
			continue
		}
		p := problemOf(t, r)
		if p.Type != problemType("validation") || len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: %+v", query, p)
		}
	}
}
