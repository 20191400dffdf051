package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/companies"
)

// registerCompanies adds employers' company registration and contact persons.
func registerCompanies(v1 *gin.RouterGroup, svc *companies.Service) {
	cvr := func(c *gin.Context) string { return c.Param("cvr") }
	v1.POST("/companies", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req companies.RegisterRequest) (companies.Company, error) {
		return svc.Register(ctx, p, req)
	}))
	v1.GET("/companies/:cvr", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (companies.Company, error) {
		return svc.Get(ctx, p, cvr(c))
	}))
	v1.PATCH("/companies/:cvr", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req companies.UpdateRequest) (companies.Company, error) {
		return svc.Update(ctx, p, cvr(c), req)
	}))
	v1.POST("/companies/:cvr/contacts", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req companies.ContactRequest) (companies.Company, error) {
		return svc.AddContact(ctx, p, cvr(c), req)
	}))
	v1.DELETE("/companies/:cvr/contacts/:contact", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (companies.Company, error) {
		return svc.RemoveContact(ctx, p, cvr(c), c.Param("contact"))
	}))
	v1.PUT("/companies/:cvr/main-contact", handleBody(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context, req companies.MainContactRequest) (companies.Company, error) {
		return svc.HandOver(ctx, p, cvr(c), req)
	}))
}
