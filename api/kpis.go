package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/kpi"
	"jobordre/internal/problem"
)

type kpiHandlers struct {
	kpis *kpi.Service
	now  func() time.Time
}

func registerKPIs(v1 *gin.RouterGroup, s *kpi.Service) {
	h := &kpiHandlers{kpis: s, now: time.Now}
	v1.GET("/jobcenters/:code/kpis", h.jobcenter)
	v1.GET("/kpis", h.national)
}

// jobcenter answers a job centre's figures to its managers and to admins (kpi.AuthorizeJobcenter).
func (h *kpiHandlers) jobcenter(c *gin.Context) {
	code := c.Param("code")
	if err := h.kpis.AuthorizeJobcenter(c.Request.Context(), principal(c), code); err != nil {
		fail(c, err)
		return
	}
	h.answer(c, code)
}

// national answers the whole country's figures to admins.
func (h *kpiHandlers) national(c *gin.Context) {
	if err := kpi.AuthorizeNational(principal(c)); err != nil {
		fail(c, err)
		return
	}
	h.answer(c, "")
}

func (h *kpiHandlers) answer(c *gin.Context, jobcenter string) {
	period, fields := kpi.ParsePeriod(c.Query("from"), c.Query("to"), h.now())
	if len(fields) > 0 {
		fail(c, problem.BadRequest("the query parameters are not valid", fields...))
		return
	}
	report, err := h.kpis.Figures(c.Request.Context(), jobcenter, period)
	if err != nil {
		failInternal(c, err)
		return
	}
	if wantsCSV(c) {
		c.Header("Content-Disposition", `attachment; filename="`+kpi.FileName(jobcenter, period)+`"`)
		c.Status(http.StatusOK)
		c.Header("Content-Type", "text/csv; charset=utf-8")
		_ = kpi.WriteCSV(c.Writer, report)
		return
	}
	c.JSON(http.StatusOK, report)
}

// wantsCSV tells whether the caller asked for text/csv (Accept, or ?format=csv for a browser link).
func wantsCSV(c *gin.Context) bool {
	if c.Query("format") == "csv" {
		return true
	}
	return c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv"
}
