package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/orders"
)

type policyHandlers struct {
	orders *orders.Service
}

// registerPolicy adds a job centre's service policy (its managers read and change it).
func registerPolicy(v1 *gin.RouterGroup, svc *orders.Service) {
	h := &policyHandlers{orders: svc}
	v1.GET("/jobcenters/:code/policy", h.get)
	v1.PUT("/jobcenters/:code/policy", h.put)
}

func (h *policyHandlers) get(c *gin.Context) {
	p, err := h.orders.Policy(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// put changes the fields the body names; the rest of the policy stays as it is.
func (h *policyHandlers) put(c *gin.Context) {
	if err := h.orders.CheckPolicyManager(c.Request.Context(), principal(c), c.Param("code")); err != nil {
		fail(c, err)
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
		fail(c, err)
		return
	}
	if !validateBody(c, body) {
		return
	}
	p, err := h.orders.SetPolicy(c.Request.Context(), principal(c), c.Param("code"), patch)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
