package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/jobcenters"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
)

// ReferenceList is one page of reference data for a picker.
type ReferenceList[T any] struct {
	Items []T `json:"items"`
}

// limitParam reads ?limit= (1–500, default 50), answering 400 itself when it is wrong.
func limitParam(c *gin.Context) (int, bool) {
	l := c.DefaultQuery("limit", "50")
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > 500 {
		writeProblem(c, http.StatusBadRequest, "validation", "limit must be a whole number from 1 to 500",
			orders.FieldError{Field: "limit", Detail: "must be 1 to 500"})
		return 0, false
	}
	return n, true
}

func reference[T any](search func(c *gin.Context, q string, limit int) ([]T, bool)) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, ok := limitParam(c)
		if !ok {
			return
		}
		items, ok := search(c, c.Query("q"), limit)
		if ok {
			c.JSON(http.StatusOK, ReferenceList[T]{Items: items})
		}
	}
}

// registerReference adds the pickers' reference data (any authenticated caller).
func registerReference(v1 *gin.RouterGroup, ref *refdata.Data) {
	v1.GET("/reference/municipalities", reference(func(c *gin.Context, q string, limit int) ([]refdata.Municipality, bool) {
		return ref.SearchMunicipalities(q, limit), true
	}))
	v1.GET("/reference/postal-codes", reference(func(c *gin.Context, q string, limit int) ([]refdata.PostalCode, bool) {
		return ref.SearchPostalCodes(q, limit), true
	}))
	v1.GET("/reference/occupations", reference(func(c *gin.Context, q string, limit int) ([]refdata.Occupation, bool) {
		level := 0
		if l := c.Query("level"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 || n > 4 {
				writeProblem(c, http.StatusBadRequest, "validation", "level must be 1, 2, 3 or 4", orders.FieldError{Field: "level", Detail: "must be 1 to 4"})
				return nil, false
			}
			level = n
		}
		return ref.SearchOccupations(q, level, limit), true
	}))
	v1.GET("/reference/industries", reference(func(c *gin.Context, q string, limit int) ([]refdata.Industry, bool) {
		level := c.Query("level")
		if level != "" && level != "section" && level != "group" && level != "subclass" {
			writeProblem(c, http.StatusBadRequest, "validation", "level must be section, group or subclass", orders.FieldError{Field: "level", Detail: "must be section, group or subclass"})
			return nil, false
		}
		return ref.SearchIndustries(q, level, limit), true
	}))
}

// failJobcenters maps the job-centre service's errors.
func failJobcenters(c *gin.Context, err error) {
	switch {
	case errors.Is(err, jobcenters.ErrNotFound), errors.Is(err, jobcenters.ErrCommunityGone):
		writeProblem(c, http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, jobcenters.ErrNameTaken):
		writeProblem(c, http.StatusConflict, "conflict", err.Error(), orders.FieldError{Field: "name", Detail: err.Error()})
	default:
		failService(c, err)
	}
}

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
	v1.GET("/jobcenters", handle(http.StatusOK, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context) (JobcenterList, error) {
		l, err := svc.List(ctx)
		return JobcenterList{Items: l}, err
	}))
	v1.GET("/jobcenters/:code", handle(http.StatusOK, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context) (jobcenters.Jobcenter, error) {
		return svc.Get(ctx, c.Param("code"))
	}))
	v1.PUT("/jobcenters/:code", handleBody(http.StatusOK, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context, req jobcenters.UpdateRequest) (jobcenters.Jobcenter, error) {
		return svc.Update(ctx, p, c.Param("code"), req)
	}))
	v1.GET("/recruitment-communities", handle(http.StatusOK, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context) (CommunityList, error) {
		l, err := svc.Communities(ctx)
		return CommunityList{Items: l}, err
	}))
	v1.POST("/recruitment-communities", handleBody(http.StatusCreated, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context, req jobcenters.CommunityRequest) (jobcenters.Community, error) {
		return svc.SaveCommunity(ctx, p, "", req)
	}))
	v1.PUT("/recruitment-communities/:cid", handleBody(http.StatusOK, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context, req jobcenters.CommunityRequest) (jobcenters.Community, error) {
		return svc.SaveCommunity(ctx, p, c.Param("cid"), req)
	}))
	v1.DELETE("/recruitment-communities/:cid", handle(http.StatusNoContent, failJobcenters, func(ctx context.Context, p auth.Principal, c *gin.Context) (any, error) {
		return nil, svc.DeleteCommunity(ctx, p, c.Param("cid"))
	}))
}
