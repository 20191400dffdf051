package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/directory"
	"jobordre/models"
)

type caseworkerHandlers struct {
	directory *directory.Directory
}

// registerCaseworkers adds a job centre's caseworkers and managers (read: its staff; add: its managers).
func registerCaseworkers(v1 *gin.RouterGroup, d *directory.Directory) {
	h := &caseworkerHandlers{directory: d}
	v1.GET("/jobcenters/:code/caseworkers", h.listCaseworkers)
	v1.POST("/jobcenters/:code/caseworkers", h.addCaseworker)
	v1.DELETE("/jobcenters/:code/caseworkers/:id", h.removeCaseworker)
}

// staffOf allows the job centre's own managers (and, for reads, caseworkers) and admins, for a
// job centre that exists (directory.AuthorizeStaff).
func (h *caseworkerHandlers) staffOf(c *gin.Context, code string, managersOnly bool) bool {
	if err := h.directory.AuthorizeStaff(c.Request.Context(), principal(c), code, managersOnly); err != nil {
		fail(c, err)
		return false
	}
	return true
}

// CaseworkerList is a job centre's caseworkers and managers.
type CaseworkerList struct {
	Items []Caseworker `json:"items"`
}

// Caseworker is a job centre's caseworker or manager as the directory knows them.
type Caseworker struct {
	ID        string    `json:"id"`
	Jobcenter string    `json:"jobcenter"`
	Role      string    `json:"role"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone,omitempty"`
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func caseworkerOf(m *models.Caseworker) Caseworker {
	return Caseworker{ID: m.ID, Jobcenter: m.Jobcenter, Role: m.Role, Name: m.Name, Email: m.Email, Phone: m.Phone, Language: m.Language,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func (h *caseworkerHandlers) listCaseworkers(c *gin.Context) {
	code := c.Param("code")
	if !h.staffOf(c, code, false) {
		return
	}
	list, err := h.directory.Caseworkers(c.Request.Context(), code)
	if err != nil {
		failInternal(c, err)
		return
	}
	out := CaseworkerList{Items: make([]Caseworker, len(list))}
	for i := range list {
		out.Items[i] = caseworkerOf(&list[i])
	}
	c.JSON(http.StatusOK, out)
}

func (h *caseworkerHandlers) addCaseworker(c *gin.Context) {
	code := c.Param("code")
	if !h.staffOf(c, code, true) {
		return
	}
	var req directory.AddCaseworkerRequest
	if !decodeJSON(c, &req) {
		return
	}
	cw, err := h.directory.AddCaseworker(c.Request.Context(), code, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, caseworkerOf(cw))
}

// removeCaseworker removes a person who has left (their managers): 204, as nothing personal is
// left to show; 409 while they coordinate open orders, 404 for an unknown or removed ID.
func (h *caseworkerHandlers) removeCaseworker(c *gin.Context) {
	code := c.Param("code")
	if !h.staffOf(c, code, true) {
		return
	}
	if err := h.directory.RemoveCaseworker(c.Request.Context(), code, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
