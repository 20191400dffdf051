package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/models"
)

// registerOutbox adds the admins' view of the notification outbox.
func registerOutbox(v1 *gin.RouterGroup, svc *orders.Service) {
	v1.GET("/outbox", outbox(svc))
}

// OutboxList is one page of outbox messages.
type OutboxList struct {
	Items []OutboxMessage `json:"items"`
}

// OutboxMessage is one notification to one recipient and where its delivery stands.
type OutboxMessage struct {
	ID                uint64     `json:"id"`
	IdempotencyKey    string     `json:"idempotency_key"`
	RecipientID       string     `json:"recipient_id"`
	RecipientRole     string     `json:"recipient_role"`
	RecipientEmail    string     `json:"recipient"`
	Language          string     `json:"language"`
	Template          string     `json:"template"`
	JobOrderID        string     `json:"job_order_id"`
	Status            string     `json:"status"`
	Attempts          int        `json:"attempts"`
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	LastError         string     `json:"last_error,omitempty"`
	DeliveredAt       *time.Time `json:"delivered_at,omitempty"`
	LastAttemptAt     *time.Time `json:"last_attempt_at,omitempty"`
	ProviderStatus    string     `json:"provider_status,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
}

func outboxMessage(m *models.OutboxMessage) OutboxMessage {
	return OutboxMessage{ID: m.ID, IdempotencyKey: m.IdempotencyKey, RecipientID: m.RecipientID, RecipientRole: m.RecipientRole,
		RecipientEmail: m.RecipientEmail, Language: m.Language, Template: m.Template, JobOrderID: m.JobOrderID, Status: m.Status,
		Attempts: m.Attempts, ProviderMessageID: m.ProviderMessageID, LastError: m.LastError, DeliveredAt: m.DeliveredAt,
		LastAttemptAt: m.LastAttemptAt, ProviderStatus: m.ProviderStatus, CreatedAt: m.CreatedAt}
}

func outbox(svc *orders.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
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
				writeProblem(c, http.StatusBadRequest, "validation", "limit must be a whole number from 1 to 1000", problem.FieldError{Field: "limit", Detail: "must be 1 to 1000"})
				return
			}
			f.Limit = n
		}
		rows, err := svc.Outbox(c.Request.Context(), principal(c), f)
		if err != nil {
			fail(c, err)
			return
		}
		out := OutboxList{Items: make([]OutboxMessage, len(rows))}
		for i := range rows {
			out.Items[i] = outboxMessage(&rows[i])
		}
		c.JSON(http.StatusOK, out)
	}
}
