package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/problem"
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
			problem.FieldError{Field: "limit", Detail: "must be 1 to 500"})
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
				writeProblem(c, http.StatusBadRequest, "validation", "level must be 1, 2, 3 or 4", problem.FieldError{Field: "level", Detail: "must be 1 to 4"})
				return nil, false
			}
			level = n
		}
		return ref.SearchOccupations(q, level, limit), true
	}))
	v1.GET("/reference/industries", reference(func(c *gin.Context, q string, limit int) ([]refdata.Industry, bool) {
		level := c.Query("level")
		if level != "" && level != "section" && level != "group" && level != "subclass" {
			writeProblem(c, http.StatusBadRequest, "validation", "level must be section, group or subclass", problem.FieldError{Field: "level", Detail: "must be section, group or subclass"})
			return nil, false
		}
		return ref.SearchIndustries(q, level, limit), true
	}))
}
