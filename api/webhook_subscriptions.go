package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/problem"
	"jobordre/internal/webhooks"
)

// WebhookSubscriptionList lists the webhook subscriptions the caller holds.
type WebhookSubscriptionList struct {
	Items []webhooks.Subscription `json:"items"`
}

// WebhookDeliveryList is a subscription's delivery log, newest first.
type WebhookDeliveryList struct {
	Items []webhooks.Delivery `json:"items"`
}

// maxDeliveries bounds one page of a delivery log.
const maxDeliveries = 200

// registerWebhookSubscriptions adds the webhook subscriptions (push, docs/integration.md): admins
// and a job centre's managers for their job centre; the rules are the webhooks service's.
func registerWebhookSubscriptions(v1 *gin.RouterGroup, svc *webhooks.Service) {
	v1.POST("/webhook-subscriptions", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req webhooks.CreateRequest) (webhooks.Subscription, error) {
		return svc.Create(ctx, p, req)
	}))
	v1.GET("/webhook-subscriptions", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (WebhookSubscriptionList, error) {
		l, err := svc.List(ctx, p)
		return WebhookSubscriptionList{Items: l}, err
	}))
	v1.GET("/webhook-subscriptions/:sid", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (webhooks.Subscription, error) {
		return svc.Get(ctx, p, c.Param("sid"))
	}))
	v1.PATCH("/webhook-subscriptions/:sid", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req webhooks.UpdateRequest) (webhooks.Subscription, error) {
		return svc.Update(ctx, p, c.Param("sid"), req)
	}))
	v1.DELETE("/webhook-subscriptions/:sid", handle(http.StatusNoContent, func(ctx context.Context, p auth.Principal, c *gin.Context) (any, error) {
		return nil, svc.Delete(ctx, p, c.Param("sid"))
	}))
	v1.POST("/webhook-subscriptions/:sid/rotate-secret", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (webhooks.Subscription, error) {
		return svc.RotateSecret(ctx, p, c.Param("sid"))
	}))
	v1.POST("/webhook-subscriptions/:sid/ping", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (webhooks.PingResult, error) {
		return svc.Ping(ctx, p, c.Param("sid"))
	}))
	v1.GET("/webhook-subscriptions/:sid/deliveries", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (WebhookDeliveryList, error) {
		limit := 50
		if l, ok := c.GetQuery("limit"); ok {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 || n > maxDeliveries {
				return WebhookDeliveryList{}, problem.BadRequest("the query parameters are not valid", problem.Field("limit", "must be a whole number from 1 to %d", maxDeliveries))
			}
			limit = n
		}
		l, err := svc.Deliveries(ctx, p, c.Param("sid"), c.Query("status"), limit)
		return WebhookDeliveryList{Items: l}, err
	}))
	v1.POST("/webhook-subscriptions/:sid/deliveries/:did/replay", handle(http.StatusAccepted, func(ctx context.Context, p auth.Principal, c *gin.Context) (webhooks.Delivery, error) {
		id, err := strconv.ParseUint(c.Param("did"), 10, 64)
		if err != nil {
			return webhooks.Delivery{}, problem.NotFound("no such delivery of this subscription")
		}
		return svc.Replay(ctx, p, c.Param("sid"), id)
	}))
}
