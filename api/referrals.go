package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/referrals"
)

// AccessLog is the list of employer reads of a candidate's CV.
type AccessLog struct {
	Items []referrals.AccessEntry `json:"items"`
}

// ConsentList is a candidate's consents, newest first.
type ConsentList struct {
	Items []referrals.Consent `json:"items"`
}

// ReferralList holds an order's referrals as the caller may see them.
type ReferralList struct {
	Items any `json:"items"`
}

// registerReferrals adds the candidate, consent and referral routes to the /api/v1 group.
func registerReferrals(v1 *gin.RouterGroup, svc *referrals.Service) {
	id := func(c *gin.Context) string { return c.Param("id") }
	rid := func(c *gin.Context) string { return c.Param("rid") }
	v1.POST("/candidates", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.CandidateRequest) (referrals.Candidate, error) {
		v, err := svc.CreateCandidate(ctx, p, req)
		if err == nil {
			c.Header("Location", "/api/v1/candidates/"+v.ID)
		}
		return v, err
	}))
	v1.GET("/candidates/:id", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (referrals.Candidate, error) {
		return svc.GetCandidate(ctx, p, id(c))
	}))
	v1.PATCH("/candidates/:id", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.CandidateRequest) (referrals.Candidate, error) {
		return svc.UpdateCandidate(ctx, p, id(c), req)
	}))
	v1.POST("/candidates/:id/consents", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.ConsentRequest) (referrals.Consent, error) {
		return svc.AddConsent(ctx, p, id(c), req)
	}))
	v1.GET("/candidates/:id/consents", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (ConsentList, error) {
		v, err := svc.Consents(ctx, p, id(c))
		return ConsentList{Items: v}, err
	}))
	v1.DELETE("/candidates/:id/consents/:cid", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (referrals.Consent, error) {
		return svc.WithdrawConsent(ctx, p, id(c), c.Param("cid"))
	}))
	v1.GET("/candidates/:id/access-log", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (AccessLog, error) {
		v, err := svc.AccessLog(ctx, p, id(c))
		return AccessLog{Items: v}, err
	}))
	v1.GET("/candidates/:id/insight", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (referrals.Insight, error) {
		return svc.Insight(ctx, p, id(c))
	}))
	v1.POST("/job-orders/:id/referrals", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.ReferRequest) (referrals.Referral, error) {
		return svc.Refer(ctx, p, id(c), req)
	}))
	v1.GET("/job-orders/:id/referrals", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (ReferralList, error) {
		v, err := svc.List(ctx, p, id(c))
		return ReferralList{Items: v}, err
	}))
	v1.POST("/job-orders/:id/referrals/:rid/approve", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (referrals.Referral, error) {
		return svc.Approve(ctx, p, id(c), rid(c))
	}))
	v1.POST("/job-orders/:id/referrals/:rid/reject", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.RejectRequest) (referrals.Referral, error) {
		return svc.Reject(ctx, p, id(c), rid(c), req)
	}))
	v1.POST("/job-orders/:id/referrals/:rid/withdraw", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (referrals.Referral, error) {
		return svc.Withdraw(ctx, p, id(c), rid(c))
	}))
	v1.PUT("/job-orders/:id/referrals/:rid/archive", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.ArchiveRequest) (referrals.ArchiveRequest, error) {
		return req, svc.Archive(ctx, p, id(c), rid(c), req)
	}))
	v1.PUT("/job-orders/:id/referrals/:rid/employer-note", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req referrals.EmployerNoteRequest) (referrals.EmployerNoteRequest, error) {
		return req, svc.SetEmployerNote(ctx, p, id(c), rid(c), req)
	}))
}
