package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/inbox"
)

// inboxData is the inbox page: the service's sections, in the order the page shows them.
type inboxData struct {
	inbox.Inbox
	// Total is the number of rows that need the caller, over every section.
	Total int
}

// inbox is the start page: what needs me now. It is for job-centre staff; everyone else starts
// at the order list.
func (c *Console) inbox(gc *gin.Context) {
	if principal(gc).Role == auth.RoleManager {
		c.managerHome(gc) // a manager's start page is the dashboard (dashboard.go)
		return
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	in, err := c.d.Inbox.For(ctx, principal(gc))
	if errors.Is(err, inbox.ErrNotStaff) {
		gc.Redirect(http.StatusSeeOther, "/job-orders")
		return
	}
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := inboxData{Inbox: in, Total: in.Unassigned.Count + in.Proposals.Count}
	c.render(gc, http.StatusOK, Page{Template: "inbox", Title: "inbox.title", Nav: navInbox, Data: d})
}
