package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
)

// Every route is registered in its resource file's registerX function. Most are built from
// handle or handleBody: decode → call the service on behalf of the caller → answer, with a
// service error answered by fail (errors.go).

// call is a service call made on behalf of the authenticated caller.
type call[Res any] func(ctx context.Context, p auth.Principal, c *gin.Context) (Res, error)

// bodyCall is a service call that takes a decoded JSON body.
type bodyCall[Req, Res any] func(ctx context.Context, p auth.Principal, c *gin.Context, req Req) (Res, error)

// handle answers a body-less request with the call's result at status, or its problem.
func handle[Res any](status int, fn call[Res]) gin.HandlerFunc {
	return func(c *gin.Context) {
		res, err := fn(c.Request.Context(), principal(c), c)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(status, res)
	}
}

// handleBody decodes the JSON body strictly (answering 4xx itself when it cannot), then answers
// like handle.
func handleBody[Req, Res any](status int, fn bodyCall[Req, Res]) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req Req
		if !decodeJSON(c, &req) {
			return
		}
		res, err := fn(c.Request.Context(), principal(c), c, req)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(status, res)
	}
}
