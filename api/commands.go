package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
)

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

// orderCommand turns an order service command into a handler that answers with the order as the
// workflow left it.
func orderCommand[Req any](status int, cmd func(context.Context, auth.Principal, string, Req) (orders.View, error)) gin.HandlerFunc {
	return handleBody(status, func(ctx context.Context, p auth.Principal, c *gin.Context, req Req) (JobOrderResponse, error) {
		v, err := cmd(ctx, p, c.Param("id"), req)
		if err != nil {
			return JobOrderResponse{}, err
		}
		return viewFor(p, v), nil
	})
}

// registerCommands adds the order's lifecycle commands to the /api/v1 group.
func registerCommands(v1 *gin.RouterGroup, svc *orders.Service) {
	v1.PUT("/job-orders/:id/coordinator", orderCommand(http.StatusOK, svc.AssignCoordinator))
	v1.POST("/job-orders/:id/contacts", orderCommand(http.StatusCreated, svc.RecordContact))
	v1.PUT("/job-orders/:id/sharing", orderCommand(http.StatusOK, svc.SetSharing))
	v1.POST("/job-orders/:id/follow-ups", orderCommand(http.StatusCreated, svc.AddFollowUp))
	v1.POST("/job-orders/:id/follow-ups/:fid/done", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (JobOrderResponse, error) {
		v, err := svc.CompleteFollowUp(ctx, p, c.Param("id"), c.Param("fid"))
		if err != nil {
			return JobOrderResponse{}, err
		}
		return viewFor(p, v), nil
	}))
	v1.POST("/job-orders/:id/hires", orderCommand(http.StatusCreated, svc.RegisterHire))
	v1.PUT("/job-orders/:id/status", orderCommand(http.StatusOK, svc.SetStatus))
	v1.PATCH("/job-orders/:id", orderCommand(http.StatusOK, svc.CorrectDetails))
}
