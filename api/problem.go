package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/orders"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object; Errors lists field-level problems.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []orders.FieldError `json:"errors,omitempty"`
}

// problemType builds the type URI of a problem; the slugs are documented in docs/api.md.
func problemType(slug string) string { return "urn:jobordre:problem:" + slug }

// writeProblem answers with a problem document and stops the handler chain.
func writeProblem(c *gin.Context, status int, slug, detail string, fields ...orders.FieldError) {
	p := Problem{
		Type:      problemType(slug),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  c.Request.URL.Path,
		RequestID: c.GetString(ctxRequestID),
		Errors:    fields,
	}
	c.Header("Content-Type", ProblemContentType)
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, p)
	// AbortWithStatusJSON sets application/json; RFC 9457 wants its own media type.
	c.Writer.Header().Set("Content-Type", ProblemContentType)
}
