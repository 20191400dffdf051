package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/internal/orders"
)

// registerCandidates adds candidate search and an order's candidate suggestions to /api/v1.
func registerCandidates(v1 *gin.RouterGroup, svc *candidates.Service) {
	v1.GET("/candidates", handle(http.StatusOK, failQuery, func(ctx context.Context, p auth.Principal, c *gin.Context) (candidates.Page, error) {
		f := candidates.Filter{Query: c.Query("q"), Occupation: c.Query("occupation"), Jobcenter: c.Query("jobcenter"), Cursor: c.Query("cursor")}
		var bad []orders.FieldError
		f.Searchable = queryBool(c, "searchable", &bad)
		f.Active = queryBool(c, "active", &bad)
		f.Limit = queryLimit(c, &bad)
		if len(bad) > 0 {
			return candidates.Page{}, &orders.ValidationError{Fields: bad}
		}
		return svc.Search(ctx, p, f)
	}))
	v1.GET("/job-orders/:id/candidate-suggestions", handle(http.StatusOK, failQuery, func(ctx context.Context, p auth.Principal, c *gin.Context) (candidates.SuggestionList, error) {
		var bad []orders.FieldError
		limit := queryLimit(c, &bad)
		if len(bad) > 0 {
			return candidates.SuggestionList{}, &orders.ValidationError{Fields: bad}
		}
		return svc.Suggest(ctx, p, c.Param("id"), limit)
	}))
}

// failQuery maps errors of GET routes whose input is their query: a bad parameter or cursor is
// a 400 naming it, like the order list's.
func failQuery(c *gin.Context, err error) {
	var invalid *orders.ValidationError
	switch {
	case errors.As(err, &invalid):
		writeProblem(c, http.StatusBadRequest, "validation", "the query parameters are not valid", invalid.Fields...)
	case errors.Is(err, candidates.ErrBadCursor):
		writeProblem(c, http.StatusBadRequest, "validation", err.Error(), orders.FieldError{Field: "cursor", Detail: err.Error()})
	default:
		failService(c, err)
	}
}

// queryBool reads an optional true/false query parameter.
func queryBool(c *gin.Context, name string, bad *[]orders.FieldError) *bool {
	v, ok := c.GetQuery(name)
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil || (v != "true" && v != "false") {
		*bad = append(*bad, orders.FieldError{Field: name, Detail: "must be true or false"})
		return nil
	}
	return &b
}

// queryLimit reads the optional limit query parameter (0 when absent: the service's default).
func queryLimit(c *gin.Context, bad *[]orders.FieldError) int {
	v, ok := c.GetQuery("limit")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > candidates.MaxLimit {
		*bad = append(*bad, orders.FieldError{Field: "limit", Detail: "must be a whole number from 1 to " + strconv.Itoa(candidates.MaxLimit)})
		return 0
	}
	return n
}
