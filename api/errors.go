package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/orders"
	"jobordre/internal/problem"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object; Errors lists field-level problems.
type Problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail,omitempty"`
	Instance  string               `json:"instance,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
	Errors    []problem.FieldError `json:"errors,omitempty"`
}

// problemType builds the type URI of a problem; the slugs are documented in docs/api.md.
func problemType(slug string) string { return "urn:jobordre:problem:" + slug }

// writeProblem answers with a problem document and stops the handler chain.
func writeProblem(c *gin.Context, status int, slug, detail string, fields ...problem.FieldError) {
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

// fail answers with the problem a service's error stands for: the one mapping from the
// services' vocabulary (internal/problem) to HTTP. It is also the catalogue of the problem types
// the services answer with, each with its status (openapi.yaml's x-problem-types lists the same;
// TestOpenAPIListsEveryProblemTypeTheCodeUses compares them). A problem type missing here, or
// any other error, is a 500 whose cause is logged.
func fail(c *gin.Context, err error) {
	var invalid *problem.ValidationError
	var refusal *problem.Error
	var notStarted *orders.WorkflowNotStartedError
	var notPropagated *orders.PolicyNotPropagatedError
	switch {
	case errors.As(err, &invalid):
		writeProblem(c, http.StatusUnprocessableEntity, "validation", invalid.Summary(), invalid.Fields...)
	case errors.As(err, &refusal):
		failRefusal(c, err, refusal)
	case errors.As(err, &notStarted):
		// Stored, not lost: the reconciler starts the workflow, and a retry with the same
		// Idempotency-Key returns this order.
		c.Header("Retry-After", "5")
		writeProblem(c, http.StatusServiceUnavailable, "workflow-not-started",
			fmt.Sprintf("job order %s is stored, but its workflow could not be started yet; it will be started automatically. Retry with the same Idempotency-Key to get the order.", notStarted.JobOrderID))
	case errors.As(err, &notPropagated):
		c.Header("Retry-After", "5")
		writeProblem(c, http.StatusServiceUnavailable, "policy-not-propagated", err.Error()+"; send the same PUT again")
	default:
		failInternal(c, err)
	}
}

// failRefusal answers a *problem.Error by its type.
func failRefusal(c *gin.Context, err error, p *problem.Error) {
	d, f := p.Detail, p.Fields
	switch p.TypeName() {
	case problem.TypeNotFound:
		writeProblem(c, http.StatusNotFound, "not-found", d, f...)
	case problem.TypeForbidden:
		writeProblem(c, http.StatusForbidden, "forbidden", d, f...)
	case problem.TypeConflict:
		writeProblem(c, http.StatusConflict, "conflict", d, f...)
	case problem.TypeMalformed:
		writeProblem(c, http.StatusBadRequest, "malformed-json", d, f...)
	case problem.TypeValidation:
		invalidStatus := http.StatusUnprocessableEntity
		if p.Kind == problem.KindMalformed {
			invalidStatus = http.StatusBadRequest // a query parameter or header, not the body's content
		}
		writeProblem(c, invalidStatus, "validation", d, f...)
	case problem.TypeCommandRejected:
		rejectedStatus := http.StatusConflict // OrderClosed, Conflict: the order's state forbids it now
		switch p.Kind {
		case problem.KindInvalid:
			rejectedStatus = http.StatusUnprocessableEntity
		case problem.KindNotFound:
			rejectedStatus = http.StatusNotFound
		}
		writeProblem(c, rejectedStatus, "command-rejected", d, f...)
	case "order-ended":
		writeProblem(c, http.StatusConflict, "order-ended", d, f...)
	case "not-a-job-order":
		writeProblem(c, http.StatusUnprocessableEntity, "not-a-job-order", d, f...)
	case "idempotency-key-reused":
		writeProblem(c, http.StatusUnprocessableEntity, "idempotency-key-reused", d, f...)
	case "already-referred":
		writeProblem(c, http.StatusConflict, "already-referred", d, f...)
	case "not-pending":
		writeProblem(c, http.StatusConflict, "not-pending", d, f...)
	case "consent-missing":
		writeProblem(c, http.StatusUnprocessableEntity, "consent-missing", d, f...)
	case "candidate-inactive":
		writeProblem(c, http.StatusUnprocessableEntity, "candidate-inactive", d, f...)
	default:
		failInternal(c, fmt.Errorf("problem type %q has no HTTP mapping in api/errors.go: %w", p.TypeName(), err))
	}
}

// queryError turns a service's ValidationError about a GET route's input, which is the
// request's query, into a 400 naming the parameters, as the order list answers; other errors
// pass unchanged.
func queryError(err error) error {
	var invalid *problem.ValidationError
	if errors.As(err, &invalid) {
		return problem.BadRequest("the query parameters are not valid", invalid.Fields...)
	}
	return err
}

// failInternal answers 500 and hands the cause to the access log; the caller sees none of it.
func failInternal(c *gin.Context, err error) {
	_ = c.Error(err)
	writeProblem(c, http.StatusInternalServerError, "internal", "an unexpected error occurred; quote the request ID when reporting it")
}
