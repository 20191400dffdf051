package orders_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/dbtest"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// searchFixture is a database with orders of Aarhus (751), its neighbour Favrskov (710) and
// far-away København (101), each named by its title.
type searchFixture struct {
	t   *testing.T
	db  *gorm.DB
	svc *orders.Service
	at  time.Time
}

func newSearchFixture(t *testing.T) *searchFixture {
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	db.Create(&models.Company{CVR: "10103940", Name: "Tømrerfirmaet A/S"})
	return &searchFixture{t: t, db: db, svc: orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil),
		at: time.Date(2026, 11, 2, 9, 0, 0, 0, policy.Copenhagen)}
}

// order stores an order; each one comes in a day after the one before.
func (f *searchFixture) order(title, jobcenter, status, sharing, occupation string, coordinator *string, deadline *models.Date) {
	f.t.Helper()
	f.at = f.at.Add(24 * time.Hour)
	o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: title, Description: "x", WorkplaceAddress: "Vej 1",
		WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: jobcenter, ResponsibleJobcenter: jobcenter, OccupationCode: occupation,
		Positions: 1, Kind: models.KindOrdinary, Status: status, Sharing: sharing, CoordinatorID: coordinator, ApplicationDeadline: deadline,
		CreatedBySubject: "x", CreatedByRole: auth.RoleCaseworker, CreatedAt: f.at.UTC(), UpdatedAt: f.at.UTC()}
	o.WorkflowID = "job-order/" + o.ID
	if err := f.db.Create(&o).Error; err != nil {
		f.t.Fatal(err)
	}
}

func (f *searchFixture) titles(p auth.Principal, filter orders.SearchFilter) []string {
	f.t.Helper()
	page, err := f.svc.Search(context.Background(), p, filter)
	if err != nil {
		f.t.Fatalf("%+v: %v", filter, err)
	}
	out := []string{}
	for _, r := range page.Rows {
		out = append(out, r.Title)
	}
	return out
}

func date(s string) *models.Date {
	d, err := models.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func ptr(s string) *string { return &s }

var (
	aarhusCW  = auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751"}
	aarhusMgr = auth.Principal{Subject: "mgr-1", Role: auth.RoleManager, Jobcenter: "751"}
	farCW     = auth.Principal{Subject: "cw-101", Role: auth.RoleCaseworker, Jobcenter: "101"}
	employer  = auth.Principal{Subject: "emp-1", Role: auth.RoleEmployer, CVR: "10103940"}
)

func TestTheOrderListsTabsAndFiltersNarrowWhatTheCallerMayRead(t *testing.T) {
	f := newSearchFixture(t)
	f.order("Tømrer til tag", "751", models.StatusOpen, models.SharingInternal, "7115", nil, date("2026-12-20"))
	f.order("Murer", "751", models.StatusOpen, models.SharingNeighbours, "7112", ptr("cw-1"), nil)
	f.order("Elektriker", "751", models.StatusClosed, models.SharingInternal, "7411", ptr("cw-2"), date("2026-12-01"))
	f.order("Pædagog", "751", models.StatusTemporarilyInactive, models.SharingNational, "2342", nil, nil)
	f.order("Favrskov tømrer", "710", models.StatusOpen, models.SharingNeighbours, "7115", nil, nil)
	f.order("Favrskov intern", "710", models.StatusOpen, models.SharingInternal, "7115", nil, nil)
	f.order("København landsdækkende", "101", models.StatusOpen, models.SharingNational, "2221", nil, nil)
	f.order("København nabo", "101", models.StatusOpen, models.SharingNeighbours, "2221", nil, nil)

	for _, c := range []struct {
		name string
		p    auth.Principal
		f    orders.SearchFilter
		want []string
	}{
		{"my job centre's, newest first", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre}, []string{"Pædagog", "Elektriker", "Murer", "Tømrer til tag"}},
		{"shared with my job centre", aarhusCW, orders.SearchFilter{Tab: orders.TabShared}, []string{"København landsdækkende", "Favrskov tømrer"}},
		{"the national list", aarhusCW, orders.SearchFilter{Tab: orders.TabNational}, []string{"København landsdækkende", "Pædagog"}},
		{"every tab at once", aarhusCW, orders.SearchFilter{}, []string{"København landsdækkende", "Favrskov tømrer", "Pædagog", "Elektriker", "Murer", "Tømrer til tag"}},
		{"far away sees only the national ones and its own", farCW, orders.SearchFilter{Tab: orders.TabShared}, []string{"Pædagog"}},
		{"status", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre, Status: models.StatusOpen}, []string{"Murer", "Tømrer til tag"}},
		{"sharing", aarhusCW, orders.SearchFilter{Sharing: models.SharingNeighbours}, []string{"Favrskov tømrer", "Murer"}},
		{"coordinator = me", aarhusCW, orders.SearchFilter{Coordinator: orders.CoordinatorMe}, []string{"Murer"}},
		{"coordinator = me for the manager", aarhusMgr, orders.SearchFilter{Coordinator: orders.CoordinatorMe}, []string{}},
		{"no coordinator", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre, Coordinator: orders.CoordinatorNone}, []string{"Pædagog", "Tømrer til tag"}},
		{"occupation unit group", aarhusCW, orders.SearchFilter{Occupation: "7115"}, []string{"Favrskov tømrer", "Tømrer til tag"}},
		{"occupation minor group", aarhusCW, orders.SearchFilter{Occupation: "711"}, []string{"Favrskov tømrer", "Murer", "Tømrer til tag"}},
		{"title, whatever the case", aarhusCW, orders.SearchFilter{Title: "TØMRER"}, []string{"Favrskov tømrer", "Tømrer til tag"}},
		{"title with a wildcard is literal", aarhusCW, orders.SearchFilter{Title: "%"}, []string{}},
		{"period: both days included (Copenhagen dates)", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre, From: "2026-11-04", To: "2026-11-05"}, []string{"Elektriker", "Murer"}},
		{"sorted by title", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre, Sort: orders.SortTitle}, []string{"Elektriker", "Murer", "Pædagog", "Tømrer til tag"}},
		{"sorted oldest first", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre, Sort: orders.SortOldest}, []string{"Tømrer til tag", "Murer", "Elektriker", "Pædagog"}},
		{"sorted by deadline, none last", aarhusCW, orders.SearchFilter{Tab: orders.TabJobcentre, Sort: orders.SortDeadline}, []string{"Elektriker", "Tømrer til tag", "Pædagog", "Murer"}},
		{"the employer sees its company's, tabs do not apply", employer, orders.SearchFilter{Tab: orders.TabNational, Title: "København"}, []string{"København nabo", "København landsdækkende"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			if got := f.titles(c.p, c.f); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestTheOrderListPagesThroughEveryOrderOnceAndCountsThem(t *testing.T) {
	f := newSearchFixture(t)
	for i := range 7 {
		f.order(fmt.Sprintf("Ordre %d", i), "751", models.StatusOpen, models.SharingInternal, "7115", nil, nil)
	}
	var seen []string
	for n := 1; n <= 3; n++ {
		page, err := f.svc.Search(context.Background(), aarhusCW, orders.SearchFilter{Sort: orders.SortOldest, Page: n, PageSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 7 || page.Pages != 3 || page.Page != n {
			t.Fatalf("page %d: total %d, pages %d, page %d", n, page.Total, page.Pages, page.Page)
		}
		for _, r := range page.Rows {
			seen = append(seen, r.Title)
			if r.CompanyName != "Tømrerfirmaet A/S" {
				t.Errorf("company name %q", r.CompanyName)
			}
		}
	}
	if want := []string{"Ordre 0", "Ordre 1", "Ordre 2", "Ordre 3", "Ordre 4", "Ordre 5", "Ordre 6"}; !slices.Equal(seen, want) {
		t.Errorf("pages: %q", seen)
	}
	page, _ := f.svc.Search(context.Background(), aarhusCW, orders.SearchFilter{Page: 99, PageSize: 3})
	if page.Page != 3 || len(page.Rows) != 1 {
		t.Errorf("a page past the last gives the last: page %d, %d rows", page.Page, len(page.Rows))
	}
	empty, _ := f.svc.Search(context.Background(), farCW, orders.SearchFilter{})
	if empty.Total != 0 || empty.Pages != 1 || empty.Page != 1 || empty.Rows == nil {
		t.Errorf("nothing found: %+v", empty)
	}
}

func TestTheOrderListNamesEveryFilterItDoesNotKnow(t *testing.T) {
	f := newSearchFixture(t)
	_, err := f.svc.Search(context.Background(), aarhusCW, orders.SearchFilter{Tab: "x", Status: "x", Sharing: "x", Coordinator: "x",
		Occupation: "71a", From: "2026-13-01", To: "x", Sort: "x", PageSize: 1000})
	var ve *problem.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%v", err)
	}
	var fields []string
	for _, fe := range ve.Fields {
		fields = append(fields, fe.Field)
	}
	if want := []string{"tab", "status", "sharing", "coordinator", "sort", "occupation", "from", "to", "page_size"}; !slices.Equal(fields, want) {
		t.Errorf("fields %q, want %q", fields, want)
	}
	_, err = f.svc.Search(context.Background(), aarhusCW, orders.SearchFilter{From: "2026-11-05", To: "2026-11-04"})
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "to" {
		t.Errorf("a period that ends before it starts: %v", err)
	}
}
