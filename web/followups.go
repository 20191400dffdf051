package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/followups"
)

// followUpLink is one follow-up list as the dashboard links to it, with its count.
type followUpLink struct {
	List  string
	Href  string
	Count int
}

// followUpData is a follow-up list page: a list of orders, or the caseworkers' loads.
type followUpData struct {
	Jobcenter, JobcenterName string
	List                     string
	Result                   followups.Result
	// Loads is the caseworkers list (List "caseworkers").
	Loads []followups.Load
}

// listCaseworkers is the follow-up list of the job centre's staff with their loads.
const listCaseworkers = "caseworkers"

// followUpLinks are the dashboard's links to the follow-up lists with their counts now.
func (c *Console) followUpLinks(gc *gin.Context, code string) ([]followUpLink, error) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	counts, err := c.d.FollowUps.Counts(ctx, principal(gc), code)
	if err != nil {
		return nil, err
	}
	var out []followUpLink
	for _, l := range followups.Lists {
		out = append(out, followUpLink{List: string(l), Href: "/jobcenters/" + code + "/follow-up/" + string(l), Count: counts[l]})
	}
	return out, nil
}

// followUp is /jobcenters/{code}/follow-up/{list}: one of followups.Lists, "caseworkers" (every
// caseworker's open orders and overdue reminders) or "caseworker?id=" (one person's orders).
func (c *Console) followUp(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code, list := principal(gc), gc.Param("code"), gc.Param("list")
	d := followUpData{Jobcenter: code, JobcenterName: c.jobcenterName(gc, code), List: list}
	var err error
	title := "followup." + list + ".title"
	var args []any
	switch list {
	case listCaseworkers:
		d.Loads, err = c.d.FollowUps.Loads(ctx, p, code)
	default:
		d.Result, err = c.d.FollowUps.Orders(ctx, p, code, followups.List(list), gc.Query("id"))
		if err == nil && d.Result.Caseworker != nil {
			args = []any{"name", d.Result.Caseworker.Name}
		}
	}
	if err != nil {
		c.failManagerPage(gc, err)
		return
	}
	c.render(gc, http.StatusOK, Page{Template: "followup", Title: title, TitleArgs: args, Nav: navDashboard, Data: d})
}
