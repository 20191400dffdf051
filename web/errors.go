package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/problem"
)

// fail renders the error page that fits a service error: not found (also what a caller may not
// see, so its existence does not leak), forbidden, or an internal error quoting the request ID.
// Validation errors are not failures of a page: a form shows them at its fields (Form).
func (c *Console) fail(gc *gin.Context, err error) {
	switch {
	case errors.Is(err, problem.ErrNotFound):
		c.renderError(gc, http.StatusNotFound)
	case errors.Is(err, problem.ErrForbidden):
		c.renderError(gc, http.StatusForbidden)
	default:
		c.log.ErrorContext(gc.Request.Context(), "page failed", "route", gc.FullPath(), "error", err, "request_id", gc.GetString("request_id"))
		_ = gc.Error(err)
		c.renderError(gc, http.StatusInternalServerError)
	}
}
