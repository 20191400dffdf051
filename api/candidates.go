package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/internal/problem"
)

// registerCandidates adds candidate search and an order's candidate suggestions to /api/v1.
func registerCandidates(v1 *gin.RouterGroup, svc *candidates.Service) {
	v1.GET("/candidates", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (candidates.Page, error) {
		f := candidates.Filter{Query: c.Query("q"), Occupation: c.Query("occupation"), Jobcenter: c.Query("jobcenter"), Cursor: c.Query("cursor")}
		var bad []problem.FieldError
		f.Searchable = queryBool(c, "searchable", &bad)
		f.Active = queryBool(c, "active", &bad)
		f.Limit = queryLimit(c, &bad)
		if len(bad) > 0 {
			return candidates.Page{}, problem.BadRequest("the query parameters are not valid", bad...)
		}
		page, err := svc.Search(ctx, p, f)
		return page, queryError(err)
	}))
	v1.GET("/job-orders/:id/candidate-suggestions", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (candidates.SuggestionList, error) {
		var bad []problem.FieldError
		limit := queryLimit(c, &bad)
		if len(bad) > 0 {
			return candidates.SuggestionList{}, problem.BadRequest("the query parameters are not valid", bad...)
		}
		list, err := svc.Suggest(ctx, p, c.Param("id"), limit)
		return list, queryError(err)
	}))
}

// queryBool reads an optional true/false query parameter.
func queryBool(c *gin.Context, name string, bad *[]problem.FieldError) *bool {
	v, ok := c.GetQuery(name)
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil || (v != "true" && v != "false") {
		*bad = append(*bad, problem.FieldError{Field: name, Detail: "must be true or false"})
		return nil
	}
	return &b
}

// queryLimit reads the optional limit query parameter (0 when absent: the service's default).
func queryLimit(c *gin.Context, bad *[]problem.FieldError) int {
	v, ok := c.GetQuery("limit")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > candidates.MaxLimit {
		*bad = append(*bad, problem.FieldError{Field: "limit", Detail: "must be a whole number from 1 to " + strconv.Itoa(candidates.MaxLimit)})
		return 0
	}
	return n
}
