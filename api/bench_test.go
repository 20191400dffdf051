package api

import (
	"net/http"
	"testing"
)

// The create path end to end through HTTP: decoding, validation against the reference data, the
// job-centre and policy lookups, the order and history rows in PostgreSQL, the (recorded)
// workflow start and the start mark.
func BenchmarkCreateJobOrderOverHTTP(b *testing.B) {
	a := newTestAPI(b)
	body := validOrder()
	for b.Loop() {
		if r := a.do(http.MethodPost, "/api/v1/job-orders", &caseworker, body); r.status != http.StatusCreated {
			b.Fatalf("create: %d %s", r.status, r.body)
		}
	}
}

// Reading one order: visibility check, the row, and the live-state query (recorded stand-in).
func BenchmarkGetJobOrderOverHTTP(b *testing.B) {
	a := newTestAPI(b)
	o := a.createOrder(caseworker, validOrder())
	for b.Loop() {
		if r := a.do(http.MethodGet, "/api/v1/job-orders/"+o.ID, &caseworker, nil); r.status != http.StatusOK {
			b.Fatalf("get: %d", r.status)
		}
	}
}

// Listing a job centre's orders (50 per page) with the visibility scope applied in SQL.
func BenchmarkListJobOrdersOverHTTP(b *testing.B) {
	a := newTestAPI(b)
	for i := 0; i < 200; i++ {
		a.createOrder(caseworker, validOrder())
	}
	for b.Loop() {
		if r := a.do(http.MethodGet, "/api/v1/job-orders?status=open", &neighbourCW, nil); r.status != http.StatusOK {
			b.Fatalf("list: %d", r.status)
		}
	}
}
