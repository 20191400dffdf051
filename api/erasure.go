package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/referrals"
)

// registerErasure adds the erasure of a candidate (DELETE /api/v1/candidates/{id}) to the
// /api/v1 group.
func registerErasure(v1 *gin.RouterGroup, svc *referrals.Service) {
	v1.DELETE("/candidates/:id", func(c *gin.Context) {
		var req referrals.EraseRequest
		// A DELETE sent without a body is a request without a reason: the service answers 422
		// naming reason, as for an empty one. A body is decoded like every other.
		if c.Request.ContentLength != 0 && !decodeJSON(c, &req) {
			return
		}
		res, err := svc.EraseCandidate(c.Request.Context(), principal(c), c.Param("id"), req)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, res)
	})
}
