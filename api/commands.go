package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
)

// viewFor renders an order for the caller: the employer gets the employer's own view
// (orders.EmployerView), which has no field of the job centre's planning; everyone else gets
// JobOrderResponse with the live state.
func viewFor(ctx context.Context, svc *orders.Service, p auth.Principal, v orders.View) (any, error) {
	if p.Role == auth.RoleEmployer {
		return svc.ForEmployer(ctx, v)
	}
	return withLive(toResponse(v.Order), v), nil
}

// orderCommand turns an order service command into a handler that answers with the order as the
// workflow left it.
func orderCommand[Req any](svc *orders.Service, status int, cmd func(context.Context, auth.Principal, string, Req) (orders.View, error)) gin.HandlerFunc {
	return handleBody(status, func(ctx context.Context, p auth.Principal, c *gin.Context, req Req) (any, error) {
		v, err := cmd(ctx, p, c.Param("id"), req)
		if err != nil {
			return nil, err
		}
		return viewFor(ctx, svc, p, v)
	})
}

// registerCommands adds the order's lifecycle commands to the /api/v1 group.
func registerCommands(v1 *gin.RouterGroup, svc *orders.Service) {
	v1.PUT("/job-orders/:id/coordinator", orderCommand(svc, http.StatusOK, svc.AssignCoordinator))
	v1.POST("/job-orders/:id/contacts", orderCommand(svc, http.StatusCreated, svc.RecordContact))
	v1.PUT("/job-orders/:id/sharing", orderCommand(svc, http.StatusOK, svc.SetSharing))
	v1.POST("/job-orders/:id/follow-ups", orderCommand(svc, http.StatusCreated, svc.AddFollowUp))
	v1.POST("/job-orders/:id/follow-ups/:fid/done", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (any, error) {
		v, err := svc.CompleteFollowUp(ctx, p, c.Param("id"), c.Param("fid"))
		if err != nil {
			return nil, err
		}
		return viewFor(ctx, svc, p, v)
	}))
	v1.POST("/job-orders/:id/hires", orderCommand(svc, http.StatusCreated, svc.RegisterHire))
	v1.PUT("/job-orders/:id/status", orderCommand(svc, http.StatusOK, svc.SetStatus))
	v1.POST("/job-orders/:id/close-out-answer", orderCommand(svc, http.StatusOK, svc.AnswerCloseOut))
	v1.PATCH("/job-orders/:id", orderCommand(svc, http.StatusOK, svc.CorrectDetails))
	v1.PUT("/job-orders/:id/contact-person", orderCommand(svc, http.StatusOK, svc.SetContactPerson))
}
