package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

// IdempotencyKeyHeader makes a create safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

// Paging bounds for list endpoints.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

type jobOrderHandlers struct {
	orders  *orders.Service
	baseURL string
}

// registerJobOrders adds the job-order resource: create, list, read, its history and notes.
// The order's commands are in commands.go.
func registerJobOrders(v1 *gin.RouterGroup, svc *orders.Service, baseURL string) {
	h := &jobOrderHandlers{orders: svc, baseURL: baseURL}
	v1.POST("/job-orders", h.create)
	v1.GET("/job-orders", h.list)
	v1.GET("/job-orders/:id", h.get)
	v1.GET("/job-orders/:id/history", handle(http.StatusOK, func(ctx context.Context, p auth.Principal, c *gin.Context) (HistoryList, error) {
		entries, err := svc.History(ctx, p, c.Param("id"))
		return HistoryList{Items: entries}, err
	}))
	v1.POST("/job-orders/:id/notes", handleBody(http.StatusCreated, func(ctx context.Context, p auth.Principal, c *gin.Context, req orders.NoteRequest) (orders.HistoryEntry, error) {
		return svc.AddNote(ctx, p, c.Param("id"), req)
	}))
}

// HistoryList is an order's history, oldest first.
type HistoryList struct {
	Items []orders.HistoryEntry `json:"items"`
}

// JobOrderResponse is a job order as the API shows it to job-centre staff and admins; employers
// get orders.EmployerView instead.
type JobOrderResponse struct {
	ID         string `json:"id"`
	CompanyCVR string `json:"company_cvr"`
	// CompanyName is the company's name (registered, or as the job centre gave it); absent when
	// none is known.
	CompanyName string `json:"company_name,omitempty"`
	// ContactPerson is who the employer's mail about the order goes to, for the responsible
	// job centre, the company's own people and admins.
	ContactPerson        *orders.ContactPerson `json:"contact_person,omitempty"`
	Title                string                `json:"title"`
	Description          string                `json:"description"`
	Workplace            orders.Workplace      `json:"workplace"`
	ResponsibleJobcenter string                `json:"responsible_jobcenter"`
	OccupationCode       string                `json:"occupation_code"`
	Positions            int                   `json:"positions"`
	StartDate            *models.Date          `json:"start_date"`
	ApplicationDeadline  *models.Date          `json:"application_deadline"`
	Kind                 string                `json:"kind"`
	Status               string                `json:"status"`
	Sharing              string                `json:"sharing"`
	Coordinator          *CoordinatorRef       `json:"coordinator"`
	WishedCoordinator    string                `json:"wished_coordinator,omitempty"`
	// SourceSystem and ExternalID are the case system's key of an order a system client
	// registered; absent otherwise.
	SourceSystem string     `json:"source_system,omitempty"`
	ExternalID   string     `json:"external_id,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Live         *LiveState `json:"live,omitempty"`
	LiveError    string     `json:"live_error,omitempty"`
}

// CoordinatorRef names the order's coordinator (tovholder).
type CoordinatorRef struct {
	CaseworkerID string `json:"caseworker_id"`
}

// JobOrderList is one page of job orders.
type JobOrderList struct {
	Items      []JobOrderResponse `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// EmployerJobOrderList is one page of an employer's orders, each as the employer sees it.
type EmployerJobOrderList struct {
	Items      []orders.EmployerView `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

func toResponse(o *models.JobOrder) JobOrderResponse {
	r := JobOrderResponse{
		ID: o.ID, CompanyCVR: o.CompanyCVR, Title: o.Title, Description: o.Description,
		Workplace: orders.Workplace{
			Address: o.WorkplaceAddress, PostalCode: o.WorkplacePostalCode, MunicipalityCode: o.WorkplaceMunicipalityCode,
		},
		ResponsibleJobcenter: o.ResponsibleJobcenter, OccupationCode: o.OccupationCode, Positions: o.Positions,
		StartDate: o.StartDate, ApplicationDeadline: o.ApplicationDeadline, Kind: o.Kind,
		Status: o.Status, Sharing: o.Sharing, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		WishedCoordinator: o.WishedCoordinator,
	}
	if o.CoordinatorID != nil {
		r.Coordinator = &CoordinatorRef{CaseworkerID: *o.CoordinatorID}
	}
	if o.SourceSystem != nil && o.ExternalID != nil {
		r.SourceSystem, r.ExternalID = *o.SourceSystem, *o.ExternalID
	}
	return r
}

// withLive overlays the workflow's live state: it is newer than the projection when they differ.
func withLive(r JobOrderResponse, v orders.View) JobOrderResponse {
	r.CompanyName, r.ContactPerson = v.CompanyName, v.ContactPerson
	r.Live, r.LiveError = liveState(v.Live), v.LiveError
	if v.Live != nil {
		r.Status, r.Sharing = v.Live.Status, v.Live.Sharing
		r.Coordinator = nil
		if v.Live.Coordinator != nil {
			r.Coordinator = &CoordinatorRef{CaseworkerID: *v.Live.Coordinator}
		}
	}
	return r
}

func (h *jobOrderHandlers) create(c *gin.Context) {
	var req orders.CreateRequest
	if !decodeJSON(c, &req) {
		return
	}
	key := strings.TrimSpace(c.GetHeader(IdempotencyKeyHeader))
	if utf8.RuneCountInString(key) > 200 {
		writeProblem(c, http.StatusBadRequest, "validation", "the Idempotency-Key header is longer than 200 characters",
			problem.FieldError{Field: "Idempotency-Key", Detail: "must be at most 200 characters"})
		return
	}
	res, err := h.orders.Create(c.Request.Context(), principal(c), req, key)
	if err != nil {
		var notStarted *orders.WorkflowNotStartedError
		if errors.As(err, &notStarted) {
			c.Header("Location", h.location(notStarted.JobOrderID))
		}
		fail(c, err)
		return
	}
	c.Header("Location", h.location(res.Order.ID))
	if res.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	p := principal(c)
	if p.Role == auth.RoleEmployer {
		v, err := h.orders.Describe(c.Request.Context(), p, res.Order)
		if err != nil {
			fail(c, err)
			return
		}
		view, err := h.orders.ForEmployer(c.Request.Context(), v)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, view)
		return
	}
	status := http.StatusCreated
	if res.Registered {
		// A case system's registration found the order its source_system and external_id
		// name (and applied what changed): nothing new was created.
		status = http.StatusOK
	}
	c.JSON(status, h.created(c, res.Order))
}

// created is a new order's response: the order as stored, with its company's name and contact
// person (read back, so a replayed create answers the same).
func (h *jobOrderHandlers) created(c *gin.Context, o *models.JobOrder) JobOrderResponse {
	r := toResponse(o)
	if v, err := h.orders.Describe(c.Request.Context(), principal(c), o); err == nil {
		r.CompanyName, r.ContactPerson = v.CompanyName, v.ContactPerson
	}
	return r
}

func (h *jobOrderHandlers) get(c *gin.Context) {
	v, err := h.orders.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out, err := viewFor(c.Request.Context(), h.orders, principal(c), v)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *jobOrderHandlers) list(c *gin.Context) {
	f := orders.ListFilter{Limit: DefaultPageSize, Cursor: c.Query("cursor")}
	var fields []problem.FieldError
	switch s := c.Query("status"); s {
	case "", models.StatusOpen, models.StatusTemporarilyInactive, models.StatusClosed:
		f.Status = s
	default:
		fields = append(fields, problem.FieldError{Field: "status", Detail: "must be open, temporarily_inactive or closed"})
	}
	switch scope := c.Query("scope"); scope {
	case "":
	case "national":
		f.National = true
		if f.Status != "" {
			fields = append(fields, problem.FieldError{Field: "status", Detail: "the national list holds open orders only; leave status out with scope=national"})
		}
	default:
		fields = append(fields, problem.FieldError{Field: "scope", Detail: "must be national or absent"})
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxPageSize {
			fields = append(fields, problem.FieldError{Field: "limit", Detail: fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize)})
		} else {
			f.Limit = n
		}
	}
	if len(fields) > 0 {
		writeProblem(c, http.StatusBadRequest, "validation", "the query parameters are not valid", fields...)
		return
	}
	if p := principal(c); p.Role == auth.RoleEmployer {
		res, err := h.orders.ListForEmployer(c.Request.Context(), p, f)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, EmployerJobOrderList{Items: res.Orders, NextCursor: res.NextCursor})
		return
	}
	res, err := h.orders.List(c.Request.Context(), principal(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	out := JobOrderList{Items: make([]JobOrderResponse, 0, len(res.Orders)), NextCursor: res.NextCursor}
	for i := range res.Orders {
		r := toResponse(&res.Orders[i])
		r.CompanyName = res.CompanyNames[r.CompanyCVR]
		out.Items = append(out.Items, r)
	}
	c.JSON(http.StatusOK, out)
}

func (h *jobOrderHandlers) location(id string) string {
	return h.baseURL + "/api/v1/job-orders/" + id
}

// LiveState is the order's state as its workflow sees it now (the "live" part of an order).
type LiveState struct {
	JobOrderID           string    `json:"job_order_id"`
	Status               string    `json:"status"`
	Sharing              string    `json:"sharing"`
	ResponsibleJobcenter string    `json:"responsible_jobcenter"`
	Coordinator          *string   `json:"coordinator"`
	OpenedAt             time.Time `json:"opened_at"`
	// Deadlines lists the pending deadlines, soonest first.
	Deadlines []Deadline `json:"deadlines"`
	// FollowUps lists every follow-up, open and done, by due time.
	FollowUps []FollowUp `json:"follow_ups"`
	// NextReminderAt is when the next notification is delivered, if any is pending.
	NextReminderAt *time.Time    `json:"next_reminder_at"`
	Coordinators   []Assignment  `json:"coordinators"`
	Hires          int           `json:"hires"`
	Referrals      int           `json:"referrals"`
	Positions      int           `json:"positions"`
	CloseReason    string        `json:"close_reason,omitempty"`
	ClosedAt       *time.Time    `json:"closed_at"`
	InactiveUntil  *time.Time    `json:"inactive_until"`
	Policy         policy.Policy `json:"policy"`
}

// Deadline is a pending promise of the order with its due time.
type Deadline struct {
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
}

// FollowUp is one agreed (or automatic) follow-up of the order.
type FollowUp struct {
	ID   string    `json:"id"`
	Due  time.Time `json:"due"`
	Done bool      `json:"done"`
}

// Assignment is one coordinator assignment.
type Assignment struct {
	CaseworkerID string    `json:"caseworker_id"`
	At           time.Time `json:"at"`
	By           string    `json:"by"`
}

// liveState is the response form of the workflow's live state; nil stays nil.
func liveState(l *joborder.LiveState) *LiveState {
	if l == nil {
		return nil
	}
	out := &LiveState{
		JobOrderID: l.JobOrderID, Status: l.Status, Sharing: l.Sharing, ResponsibleJobcenter: l.ResponsibleJobcenter,
		Coordinator: l.Coordinator, OpenedAt: l.OpenedAt, NextReminderAt: l.NextReminderAt, Hires: l.Hires,
		Referrals: l.Referrals, Positions: l.Positions, CloseReason: l.CloseReason, ClosedAt: l.ClosedAt,
		InactiveUntil: l.InactiveUntil, Policy: l.Policy,
		Deadlines: make([]Deadline, len(l.Deadlines)), FollowUps: make([]FollowUp, len(l.FollowUps)),
		Coordinators: make([]Assignment, len(l.Coordinators)),
	}
	for i, d := range l.Deadlines {
		out.Deadlines[i] = Deadline(d)
	}
	for i, f := range l.FollowUps {
		out.FollowUps[i] = FollowUp(f)
	}
	for i, a := range l.Coordinators {
		out.Coordinators[i] = Assignment(a)
	}
	return out
}
