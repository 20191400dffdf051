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
	// Jobcenters names the job centres by code (those that propose and share).
	Jobcenters map[string]string
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
		if principal(gc).Role == auth.RoleEmployer {
			c.jobOrders(gc) // an employer's start page is the company's order list (issue #13 point 5)
			return
		}
		gc.Redirect(http.StatusSeeOther, "/job-orders")
		return
	}
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := inboxData{Inbox: in, Total: in.Total(), Jobcenters: c.jobcenterNames(ctx)}
	c.render(gc, http.StatusOK, Page{Template: "inbox", Title: "inbox.title", Nav: navInbox, Data: d})
}

// markAllSeen is the inbox's "mark all as seen": the orders shared with the caller's job centre
// until now are no longer new to them.
func (c *Console) markAllSeen(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	if err := c.d.Inbox.MarkAllSeen(ctx, principal(gc)); err != nil {
		if errors.Is(err, inbox.ErrNotStaff) {
			c.renderError(gc, http.StatusForbidden)
			return
		}
		c.fail(gc, err)
		return
	}
	c.setFlash(gc, "flash.inbox.seen")
	gc.Redirect(http.StatusSeeOther, "/#shared")
}
