package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
)

type commandHandlers struct {
	orders *orders.Service
}

// respond answers a command with the order as it is now (the workflow's state after the command).
func respond(c *gin.Context, status int, v orders.View, err error) {
	if err != nil {
		failService(c, err)
		return
	}
	c.JSON(status, viewFor(principal(c), v))
}

// viewFor renders an order for the caller; employers never see close reasons.
func viewFor(p auth.Principal, v orders.View) JobOrderResponse {
	r := withLive(toResponse(v.Order), v)
	if p.Role == auth.RoleEmployer && r.Live != nil {
		live := *r.Live
		live.CloseReason = ""
		r.Live = &live
	}
	return r
}

func (h *commandHandlers) coordinator(c *gin.Context) {
	var req orders.CoordinatorRequest
	if decodeJSON(c, &req) {
		v, err := h.orders.AssignCoordinator(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusOK, v, err)
	}
}

func (h *commandHandlers) contact(c *gin.Context) {
	var req orders.ContactRequest
	if decodeJSON(c, &req) {
		v, err := h.orders.RecordContact(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusCreated, v, err)
	}
}

func (h *commandHandlers) sharing(c *gin.Context) {
	var req orders.SharingRequest
	if decodeJSON(c, &req) {
		v, err := h.orders.SetSharing(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusOK, v, err)
	}
}

func (h *commandHandlers) addFollowUp(c *gin.Context) {
	var req orders.FollowUpRequest
	if decodeJSON(c, &req) {
		v, err := h.orders.AddFollowUp(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusCreated, v, err)
	}
}

func (h *commandHandlers) followUpDone(c *gin.Context) {
	v, err := h.orders.CompleteFollowUp(c.Request.Context(), principal(c), c.Param("id"), c.Param("fid"))
	respond(c, http.StatusOK, v, err)
}

func (h *commandHandlers) hire(c *gin.Context) {
	var req orders.HireRequest
	if decodeJSON(c, &req) {
		v, err := h.orders.RegisterHire(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusCreated, v, err)
	}
}

func (h *commandHandlers) status(c *gin.Context) {
	var req orders.StatusRequest
	if decodeJSON(c, &req) {
		v, err := h.orders.SetStatus(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusOK, v, err)
	}
}

func (h *commandHandlers) correctDetails(c *gin.Context) {
	var req orders.DetailsPatch
	if decodeJSON(c, &req) {
		v, err := h.orders.CorrectDetails(c.Request.Context(), principal(c), c.Param("id"), req)
		respond(c, http.StatusOK, v, err)
	}
}
