package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/orders"
)

type policyHandlers struct {
	orders *orders.Service
}

func (h *policyHandlers) get(c *gin.Context) {
	p, err := h.orders.Policy(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		failService(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// put changes the fields the body names; the rest of the policy stays as it is.
func (h *policyHandlers) put(c *gin.Context) {
	if err := h.orders.CheckPolicyManager(c.Request.Context(), principal(c), c.Param("code")); err != nil {
		failService(c, err)
		return
	}
	if !jsonContentType(c) {
		return
	}
	body, ok := readBody(c)
	if !ok {
		return
	}
	patch, err := orders.DecodePolicyPatch(body)
	if err != nil {
		failService(c, err)
		return
	}
	if !validateBody(c, body) {
		return
	}
	p, err := h.orders.SetPolicy(c.Request.Context(), principal(c), c.Param("code"), patch)
	var notPropagated *orders.PolicyNotPropagatedError
	switch {
	case errors.As(err, &notPropagated):
		c.Header("Retry-After", "5")
		writeProblem(c, http.StatusServiceUnavailable, "policy-not-propagated", err.Error()+"; send the same PUT again")
	case err != nil:
		failService(c, err)
	default:
		c.JSON(http.StatusOK, p)
	}
}

// readBody reads the (size-limited) body, answering 413 or 400 itself on failure.
func readBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeProblem(c, http.StatusRequestEntityTooLarge, "body-too-large", "the request body is too large")
		return nil, false
	}
	if err != nil {
		writeProblem(c, http.StatusBadRequest, "malformed-body", "the request body could not be read")
		return nil, false
	}
	return body, true
}
