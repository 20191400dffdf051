package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// An employer's pages use the design system's virk.dk theme (as Danish business self-service
// does), a caseworker's the plain DKFDS theme; an employer's "/" is the company's order list,
// not a redirect.
func TestEmployerGetsTheVirkThemeAndTheOrderListAtTheStartPage(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})

	emp := tc.browser()
	emp.follow(emp.login(tc, employer))
	home := emp.get("/")
	if home.status != http.StatusOK {
		t.Fatalf("employer GET /: %d, want 200 (the order list, not a redirect)\n%s", home.status, home.body)
	}
	if !strings.Contains(home.body, "dkfds-virkdk") {
		t.Errorf("employer's start page does not link the virk.dk style sheet:\n%s", home.body)
	}
	list := emp.get("/job-orders")
	if !strings.Contains(list.body, "dkfds-virkdk") {
		t.Errorf("employer's /job-orders does not link the virk.dk style sheet")
	}

	cw := tc.browser()
	cw.follow(cw.login(tc, caseworker))
	inbox := cw.get("/")
	if inbox.status != http.StatusOK {
		t.Fatalf("caseworker GET /: %d", inbox.status)
	}
	if strings.Contains(inbox.body, "dkfds-virkdk") || !strings.Contains(inbox.body, "dkfds.min") {
		t.Errorf("caseworker's inbox should link the plain DKFDS style sheet, not virk.dk")
	}
}
