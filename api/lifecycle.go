package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/directory"
	"jobordre/internal/orders"
	"jobordre/models"
)

type lifecycleHandlers struct {
	orders    *orders.Service
	directory *directory.Directory
}

// register records the caller from its token on first use, so reminders can reach them.
func register(d *directory.Directory) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d != nil {
			if err := d.Register(c.Request.Context(), principal(c)); err != nil {
				_ = c.Error(err)
				writeProblem(c, http.StatusInternalServerError, "internal", "could not register the caller; quote the request ID when reporting it")
				return
			}
		}
		c.Next()
	}
}

// staffOf allows the job centre's own managers (and, for reads, caseworkers) and admins, for a
// job centre that exists.
func (h *lifecycleHandlers) staffOf(c *gin.Context, code string, managersOnly bool) bool {
	p := principal(c)
	if exists, err := h.directory.JobcenterExists(c.Request.Context(), code); err != nil {
		failInternal(c, err)
		return false
	} else if !exists {
		writeProblem(c, http.StatusNotFound, "not-found", "no such job centre in your reach")
		return false
	}
	switch {
	case p.Role == auth.RoleAdmin:
		return true
	case p.IsJobcenterStaff() && p.Jobcenter == code:
		if managersOnly && p.Role != auth.RoleManager {
			writeProblem(c, http.StatusForbidden, "forbidden", "only the job centre's managers may do this")
			return false
		}
		return true
	}
	writeProblem(c, http.StatusNotFound, "not-found", "no such job centre in your reach")
	return false
}

// CaseworkerList is a job centre's caseworkers and managers.
type CaseworkerList struct {
	Items []models.Caseworker `json:"items"`
}

func (h *lifecycleHandlers) listCaseworkers(c *gin.Context) {
	code := c.Param("code")
	if !h.staffOf(c, code, false) {
		return
	}
	list, err := h.directory.Caseworkers(c.Request.Context(), code)
	if err != nil {
		failInternal(c, err)
		return
	}
	if list == nil {
		list = []models.Caseworker{}
	}
	c.JSON(http.StatusOK, CaseworkerList{Items: list})
}

func (h *lifecycleHandlers) addCaseworker(c *gin.Context) {
	code := c.Param("code")
	if !h.staffOf(c, code, true) {
		return
	}
	var req directory.AddCaseworkerRequest
	if !decodeJSON(c, &req) {
		return
	}
	cw, err := h.directory.AddCaseworker(c.Request.Context(), code, req)
	var invalid *directory.InvalidError
	switch {
	case errors.As(err, &invalid):
		fields := make([]orders.FieldError, len(invalid.Fields))
		for i, f := range invalid.Fields {
			fields[i] = orders.FieldError{Field: f.Field, Detail: f.Detail}
		}
		writeProblem(c, http.StatusUnprocessableEntity, "validation", "the caseworker is not valid; see errors", fields...)
	case errors.Is(err, directory.ErrConflict):
		writeProblem(c, http.StatusConflict, "conflict", err.Error(), orders.FieldError{Field: "id", Detail: err.Error()})
	case err != nil:
		failInternal(c, err)
	default:
		c.JSON(http.StatusCreated, cw)
	}
}

// OutboxList is one page of outbox messages.
type OutboxList struct {
	Items []models.OutboxMessage `json:"items"`
}

func (h *lifecycleHandlers) outbox(c *gin.Context) {
	if principal(c).Role != auth.RoleAdmin {
		writeProblem(c, http.StatusForbidden, "forbidden", "only admins read the outbox")
		return
	}
	f := orders.OutboxFilter{
		JobOrderID: c.Query("job_order_id"), Recipient: c.Query("recipient"), Template: c.Query("template"),
		Status: c.Query("status"), Limit: MaxPageSize,
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			writeProblem(c, http.StatusBadRequest, "validation", "limit must be a whole number from 1 to 1000", orders.FieldError{Field: "limit", Detail: "must be 1 to 1000"})
			return
		}
		f.Limit = n
	}
	rows, err := h.orders.Outbox(c.Request.Context(), principal(c), f)
	if err != nil {
		failService(c, err)
		return
	}
	if rows == nil {
		rows = []models.OutboxMessage{}
	}
	c.JSON(http.StatusOK, OutboxList{Items: rows})
}

// HistoryList is an order's history, oldest first.
type HistoryList struct {
	Items []orders.HistoryEntry `json:"items"`
}

func (h *lifecycleHandlers) history(ctx context.Context, p auth.Principal, c *gin.Context) (HistoryList, error) {
	entries, err := h.orders.History(ctx, p, c.Param("id"))
	return HistoryList{Items: entries}, err
}

func (h *lifecycleHandlers) addNote(ctx context.Context, p auth.Principal, c *gin.Context, req orders.NoteRequest) (orders.HistoryEntry, error) {
	return h.orders.AddNote(ctx, p, c.Param("id"), req)
}

func failInternal(c *gin.Context, err error) {
	_ = c.Error(err)
	writeProblem(c, http.StatusInternalServerError, "internal", "an unexpected error occurred; quote the request ID when reporting it")
}

// failService maps the order service's errors to problems (shared by every order handler).
func failService(c *gin.Context, err error) {
	var invalid *orders.ValidationError
	var rejected *orders.CommandRejectedError
	var malformed *orders.MalformedError
	switch {
	case errors.As(err, &invalid):
		writeProblem(c, http.StatusUnprocessableEntity, "validation", "the request is not valid; see errors", invalid.Fields...)
	case errors.As(err, &rejected):
		status := http.StatusConflict // OrderClosed, Conflict: the order's state forbids it now
		switch rejected.Reason {
		case "InvalidCommand":
			status = http.StatusUnprocessableEntity
		case "NotFound":
			status = http.StatusNotFound
		}
		writeProblem(c, status, "command-rejected", fmt.Sprintf("the order refused the command: %s", rejected.Message))
	case errors.Is(err, orders.ErrOrderEnded):
		writeProblem(c, http.StatusConflict, "order-ended", err.Error())
	case errors.Is(err, orders.ErrNotFound):
		writeProblem(c, http.StatusNotFound, "not-found", "no such job order")
	case errors.Is(err, orders.ErrJobcenterNotFound):
		writeProblem(c, http.StatusNotFound, "not-found", err.Error())
	case errors.As(err, &malformed):
		writeProblem(c, http.StatusBadRequest, "malformed-json", malformed.Detail)
	case errors.Is(err, orders.ErrForbidden):
		writeProblem(c, http.StatusForbidden, "forbidden", err.Error())
	default:
		failInternal(c, err)
	}
}
