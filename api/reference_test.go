package api

import (
	"net/http"
	"testing"

	"jobordre/internal/auth"
	"jobordre/models"
)

func TestReferenceDataIsSearchableForPickers(t *testing.T) {
	a := newTestAPI(t)
	for path, first := range map[string]string{
		"/api/v1/reference/municipalities?q=aarhus":           "751",
		"/api/v1/reference/postal-codes?q=9940":               "9940",
		"/api/v1/reference/occupations?q=software&level=4":    "2512",
		"/api/v1/reference/industries?q=62.01&level=subclass": "62.01.00",
	} {
		var l struct {
			Items []map[string]any
		}
		r := a.do(http.MethodGet, path, &employer, nil)
		r.json(t, &l)
		code := ""
		if len(l.Items) > 0 {
			for _, k := range []string{"code", "postal_code"} {
				if v, ok := l.Items[0][k].(string); ok {
					code = v
				}
			}
		}
		if r.status != 200 || code != first {
			t.Errorf("%s: %d first %q, want %q", path, r.status, code, first)
		}
	}
	var all struct{ Items []any }
	a.do(http.MethodGet, "/api/v1/reference/municipalities?limit=500", &employer, nil).json(t, &all)
	if len(all.Items) != 98 {
		t.Fatalf("municipalities: %d", len(all.Items))
	}
	for _, bad := range []string{"/api/v1/reference/municipalities?limit=0", "/api/v1/reference/occupations?level=7", "/api/v1/reference/industries?level=planet"} {
		if r := a.do(http.MethodGet, bad, &employer, nil); r.status != 400 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}

func TestAMergedJobcentreReceivesOrdersFromItsNewMunicipality(t *testing.T) {
	a := newTestAPI(t)
	body := map[string]any{"municipalities": []string{"813", "825"}, "mailbox_email": "jobcenter@frederikshavn.example"}
	if r := a.do(http.MethodPut, "/api/v1/jobcenters/813", &manager, body); r.status != 403 {
		t.Fatalf("a manager merging: %d", r.status)
	}
	r := a.do(http.MethodPut, "/api/v1/jobcenters/813", &admin, body)
	if r.status != 200 {
		t.Fatalf("merge: %d %s", r.status, r.body)
	}
	order := validOrder()
	delete(order, "responsible_jobcenter")
	order["workplace"] = map[string]any{"address": "Havnevej 1", "postal_code": "9940"}
	if o := a.createOrder(employer, order); o.ResponsibleJobcenter != "813" {
		t.Fatalf("Læsø's order went to %q, want the merged Frederikshavn (813)", o.ResponsibleJobcenter)
	}
	var jc struct {
		Municipalities []string
	}
	a.do(http.MethodGet, "/api/v1/jobcenters/825", &employer, nil).json(t, &jc)
	if len(jc.Municipalities) != 0 {
		t.Fatalf("825 still serves %v", jc.Municipalities)
	}
	if r := a.do(http.MethodPut, "/api/v1/jobcenters/813", &admin, map[string]any{"municipalities": []string{"999"}}); r.status != 422 {
		t.Fatalf("unknown municipality: %d", r.status)
	}
}

func TestRecruitmentCommunitiesWidenCommunitySharingToTheirMembersOnly(t *testing.T) {
	a := newTestAPI(t)
	o := a.createOrder(caseworker, validOrder())
	a.db.Model(&models.JobOrder{}).Where("id = ?", o.ID).Update("sharing", models.SharingCommunity)
	kbh := auth.Principal{Subject: "cw-kbh", Role: auth.RoleCaseworker, Jobcenter: "101"}
	odense := auth.Principal{Subject: "cw-ode", Role: auth.RoleCaseworker, Jobcenter: "461"}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &kbh, nil); r.status != 404 {
		t.Fatalf("before the community: %d", r.status)
	}
	var c struct{ ID string }
	r := a.do(http.MethodPost, "/api/v1/recruitment-communities", &admin, map[string]any{"name": "Østjylland og hovedstaden", "members": []string{"751", "101"}})
	r.json(t, &c)
	if r.status != 201 || c.ID == "" {
		t.Fatalf("create community: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &kbh, nil); r.status != 200 {
		t.Fatalf("a community member: %d", r.status)
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &odense, nil); r.status != 404 {
		t.Fatalf("an outsider: %d", r.status)
	}
	if r := a.do(http.MethodPost, "/api/v1/recruitment-communities", &manager, map[string]any{"name": "x", "members": []string{"751", "101"}}); r.status != 403 {
		t.Fatalf("a manager creating a community: %d", r.status)
	}
	if r := a.do(http.MethodPost, "/api/v1/recruitment-communities", &admin, map[string]any{"name": "Solo", "members": []string{"751"}}); r.status != 422 {
		t.Fatalf("a community of one: %d", r.status)
	}
	if r := a.do(http.MethodDelete, "/api/v1/recruitment-communities/"+c.ID, &admin, nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &kbh, nil); r.status != 404 {
		t.Fatalf("after the community is gone: %d", r.status)
	}
}
