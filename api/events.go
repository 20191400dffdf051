package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/feed"
	"jobordre/internal/problem"
)

// registerEvents adds the pull feed: the orders' events in order, resumable from a cursor, for
// systems that cannot receive webhooks (docs/integration.md).
func registerEvents(v1 *gin.RouterGroup, svc *feed.Service) {
	v1.GET("/events", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (feed.Page, error) {
		q := feed.Query{After: c.Query("after"), Jobcenter: c.Query("jobcenter")}
		for _, v := range c.QueryArray("types") {
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					q.Types = append(q.Types, t)
				}
			}
		}
		if l, ok := c.GetQuery("limit"); ok {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 {
				return feed.Page{}, problem.BadRequest("the query parameters are not valid", problem.Field("limit", "must be a whole number from 1 to %d", feed.MaxLimit))
			}
			q.Limit = n
		}
		return svc.List(ctx, p, q)
	}))
}
