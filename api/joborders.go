package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"jobordre/internal/orders"
	"jobordre/models"
	"jobordre/workflows"
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

// JobOrderResponse is a job order as the API shows it.
type JobOrderResponse struct {
	ID                   string               `json:"id"`
	CompanyCVR           string               `json:"company_cvr"`
	Title                string               `json:"title"`
	Description          string               `json:"description"`
	Workplace            orders.Workplace     `json:"workplace"`
	ResponsibleJobcenter string               `json:"responsible_jobcenter"`
	OccupationCode       string               `json:"occupation_code"`
	Positions            int                  `json:"positions"`
	StartDate            *models.Date         `json:"start_date"`
	ApplicationDeadline  *models.Date         `json:"application_deadline"`
	Kind                 string               `json:"kind"`
	Status               string               `json:"status"`
	Sharing              string               `json:"sharing"`
	Coordinator          *CoordinatorRef      `json:"coordinator"`
	WishedCoordinator    string               `json:"wished_coordinator,omitempty"`
	CreatedAt            time.Time            `json:"created_at"`
	UpdatedAt            time.Time            `json:"updated_at"`
	Live                 *workflows.LiveState `json:"live,omitempty"`
	LiveError            string               `json:"live_error,omitempty"`
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
	return r
}

// withLive overlays the workflow's live state: it is newer than the projection when they differ.
func withLive(r JobOrderResponse, v orders.View) JobOrderResponse {
	r.Live, r.LiveError = v.Live, v.LiveError
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
			orders.FieldError{Field: "Idempotency-Key", Detail: "must be at most 200 characters"})
		return
	}
	res, err := h.orders.Create(c.Request.Context(), principal(c), req, key)
	var notStarted *orders.WorkflowNotStartedError
	switch {
	case errors.As(err, &notStarted):
		// Stored, not lost: the reconciler starts the workflow, and a retry with the same
		// Idempotency-Key returns this order.
		c.Header("Location", h.location(notStarted.JobOrderID))
		c.Header("Retry-After", "5")
		writeProblem(c, http.StatusServiceUnavailable, "workflow-not-started",
			fmt.Sprintf("job order %s is stored, but its workflow could not be started yet; it will be started automatically. Retry with the same Idempotency-Key to get the order.", notStarted.JobOrderID))
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	c.Header("Location", h.location(res.Order.ID))
	if res.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.JSON(http.StatusCreated, toResponse(res.Order))
}

func (h *jobOrderHandlers) get(c *gin.Context) {
	v, err := h.orders.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewFor(principal(c), v))
}

func (h *jobOrderHandlers) list(c *gin.Context) {
	f := orders.ListFilter{Limit: DefaultPageSize, Cursor: c.Query("cursor")}
	var fields []orders.FieldError
	switch s := c.Query("status"); s {
	case "", models.StatusOpen, models.StatusTemporarilyInactive, models.StatusClosed:
		f.Status = s
	default:
		fields = append(fields, orders.FieldError{Field: "status", Detail: "must be open, temporarily_inactive or closed"})
	}
	switch scope := c.Query("scope"); scope {
	case "":
	case "national":
		f.National = true
		if f.Status != "" {
			fields = append(fields, orders.FieldError{Field: "status", Detail: "the national list holds open orders only; leave status out with scope=national"})
		}
	default:
		fields = append(fields, orders.FieldError{Field: "scope", Detail: "must be national or absent"})
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxPageSize {
			fields = append(fields, orders.FieldError{Field: "limit", Detail: fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize)})
		} else {
			f.Limit = n
		}
	}
	if len(fields) > 0 {
		writeProblem(c, http.StatusBadRequest, "validation", "the query parameters are not valid", fields...)
		return
	}
	res, err := h.orders.List(c.Request.Context(), principal(c), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := JobOrderList{Items: make([]JobOrderResponse, 0, len(res.Orders)), NextCursor: res.NextCursor}
	for i := range res.Orders {
		out.Items = append(out.Items, toResponse(&res.Orders[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (h *jobOrderHandlers) location(id string) string {
	return h.baseURL + "/api/v1/job-orders/" + id
}

// fail maps a service error to its problem response.
func (h *jobOrderHandlers) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, orders.ErrNotJobOrder):
		writeProblem(c, http.StatusUnprocessableEntity, "not-a-job-order",
			"only ordinary job orders (kind \"ordinary\") are accepted; wage subsidy, supported employment and similar requests are not job orders",
			orders.FieldError{Field: "kind", Detail: "must be \"ordinary\""})
	case errors.Is(err, orders.ErrIdempotencyKeyReused):
		writeProblem(c, http.StatusUnprocessableEntity, "idempotency-key-reused",
			"this Idempotency-Key was already used with a different request body",
			orders.FieldError{Field: IdempotencyKeyHeader, Detail: "use a new key for a different request"})
	case errors.Is(err, orders.ErrBadCursor):
		writeProblem(c, http.StatusBadRequest, "validation", err.Error(), orders.FieldError{Field: "cursor", Detail: err.Error()})
	default:
		failService(c, err)
	}
}

// decodeJSON reads exactly one JSON object into dst, refusing unknown fields, and checks the body
// against the route's OpenAPI request schema; on failure it has already answered with a problem
// that names the field or position.
func decodeJSON(c *gin.Context, dst any) bool {
	if !jsonContentType(c) {
		return false
	}
	body, ok := readBody(c)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		fields := jsonErrorFields(err)
		detail := jsonErrorDetail(err, body)
		if len(fields) == 0 {
			if field, ferr := failingField(body, dst); field != "" {
				fields = []orders.FieldError{{Field: field, Detail: ferr}}
				detail = fmt.Sprintf("field %s is not valid: %s", field, ferr)
			}
		}
		writeProblem(c, http.StatusBadRequest, "malformed-json", detail, fields...)
		return false
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		writeProblem(c, http.StatusBadRequest, "malformed-json", "the body must hold exactly one JSON object and nothing after it")
		return false
	}
	if field, found := nulString(body); found {
		writeProblem(c, http.StatusUnprocessableEntity, "validation", "text must not contain the NUL character (U+0000)",
			orders.FieldError{Field: field, Detail: "must not contain the NUL character (U+0000)"})
		return false
	}
	// The OpenAPI request schema, before any domain rule (schema.go).
	return validateBody(c, body)
}

// failingField finds which top-level field of a JSON object a value type's own decoding (times,
// ISO 8601 durations) rejected, since encoding/json does not name it; "" when none does alone.
func failingField(body []byte, dst any) (string, string) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return "", ""
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		probe := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw[k]})
		if err := json.Unmarshal(one, probe); err != nil {
			return k, strings.TrimPrefix(err.Error(), "json: ")
		}
	}
	return "", ""
}

// jsonContentType requires application/json, answering 415 otherwise.
func jsonContentType(c *gin.Context) bool {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(c, http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json")
		return false
	}
	return true
}

func jsonErrorDetail(err error, body []byte) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the request body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON body ends too early"
	case errors.As(err, &syntax):
		return fmt.Sprintf("the body is not valid JSON (at byte %d): %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ) && typ.Field == "":
		return "the body must be a JSON object, not a JSON " + typ.Value
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s must be %s, not a JSON %s", typ.Field, jsonTypeName(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "the body has a field this API does not know: " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not a valid JSON object"
}

func jsonErrorFields(err error) []orders.FieldError {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return []orders.FieldError{{Field: typ.Field, Detail: "must be " + jsonTypeName(typ.Type)}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []orders.FieldError{{Field: strings.Trim(name, `"`), Detail: "is not a field of this request"}}
	}
	return nil
}

func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "of another type"
}
