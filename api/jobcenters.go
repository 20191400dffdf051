package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/jobcenters"
)

// JobcenterList lists the job centres.
type JobcenterList struct {
	Items []jobcenters.Jobcenter `json:"items"`
}

// CommunityList lists the recruitment communities.
type CommunityList struct {
	Items []jobcenters.Community `json:"items"`
}

// registerJobcenters adds job centres and recruitment communities (read: everyone; write: admins).
func registerJobcenters(v1 *gin.RouterGroup, svc *jobcenters.Service) {
	v1.GET("/jobcenters", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (JobcenterList, error) {
		l, err := svc.List(ctx)
		return JobcenterList{Items: l}, err
	}))
	v1.GET("/jobcenters/:code", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (jobcenters.Jobcenter, error) {
		return svc.Get(ctx, c.Param("code"))
	}))
	v1.PUT("/jobcenters/:code", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req jobcenters.UpdateRequest) (jobcenters.Jobcenter, error) {
		return svc.Update(ctx, p, c.Param("code"), req)
	}))
	v1.GET("/recruitment-communities", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (CommunityList, error) {
		l, err := svc.Communities(ctx)
		return CommunityList{Items: l}, err
	}))
	v1.POST("/recruitment-communities", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req jobcenters.CommunityRequest) (jobcenters.Community, error) {
		return svc.SaveCommunity(ctx, p, "", req)
	}))
	v1.PUT("/recruitment-communities/:cid", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req jobcenters.CommunityRequest) (jobcenters.Community, error) {
		return svc.SaveCommunity(ctx, p, c.Param("cid"), req)
	}))
	v1.DELETE("/recruitment-communities/:cid", handle(http.StatusNoContent, func(ctx context.Context, p auth.Principal, c *gin.Context) (any, error) {
		return nil, svc.DeleteCommunity(ctx, p, c.Param("cid"))
	}))
}
