package webhooks

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Why a subscription is disabled.
const (
	DisabledManual = "manual"
	DisabledGone   = "gone" // the endpoint answered 410 Gone
)

// RotationOverlap is how long the previous secret keeps signing after a rotation.
const RotationOverlap = 24 * time.Hour

// Service is the subscriptions' application service: who may hold which subscription, their
// validation, secrets, the delivery log and replays. The API and any other caller use it.
type Service struct {
	db      *gorm.DB
	sender  *Sender
	starter Starter
	// allowPrivate lets endpoints on loopback and private addresses be subscribed (jobordre dev,
	// or JOBORDRE_WEBHOOK_ALLOW_PRIVATE).
	allowPrivate bool
	now          func() time.Time
}

// NewService returns the subscriptions' service; starter starts replays (nil: no replays).
func NewService(db *gorm.DB, starter Starter, allowPrivate bool) *Service {
	s := &Service{db: db, starter: starter, allowPrivate: allowPrivate, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	s.sender = NewSender(db, allowPrivate)
	return s
}

// Subscription is a subscription as its holders see it; the secret is shown only when made.
type Subscription struct {
	ID                      string     `json:"id"`
	URL                     string     `json:"url"`
	EventTypes              []string   `json:"event_types"`
	Jobcenter               *string    `json:"jobcenter"`
	Description             string     `json:"description"`
	Enabled                 bool       `json:"enabled"`
	DisabledReason          string     `json:"disabled_reason,omitempty"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
	// Secret is the signing secret, only in the answers that make one (create, rotate).
	Secret string `json:"secret,omitempty"`
}

func view(m *models.WebhookSubscription) Subscription {
	v := Subscription{ID: m.ID, URL: m.URL, EventTypes: []string{}, Description: m.Description, Enabled: m.Enabled,
		DisabledReason: m.DisabledReason, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.Types != "" {
		v.EventTypes = strings.Split(m.Types, ",")
	}
	if m.Jobcenter != "" {
		jc := m.Jobcenter
		v.Jobcenter = &jc
	}
	if m.PreviousSecret != "" && m.PreviousSecretExpiresAt != nil {
		v.PreviousSecretExpiresAt = m.PreviousSecretExpiresAt
	}
	return v
}

// CreateRequest is the body of POST /api/v1/webhook-subscriptions.
type CreateRequest struct {
	URL string `json:"url"`
	// EventTypes: the event types to receive; empty or absent: all.
	EventTypes []string `json:"event_types"`
	// Jobcenter: the job centre whose orders' events it receives. A manager's is its own job
	// centre (the default); an admin's is any job centre, or absent for every order.
	Jobcenter   *string `json:"jobcenter"`
	Description string  `json:"description"`
}

// UpdateRequest is the body of PATCH /api/v1/webhook-subscriptions/{id}: only the fields sent change.
type UpdateRequest struct {
	URL         *string   `json:"url"`
	EventTypes  *[]string `json:"event_types"`
	Description *string   `json:"description"`
	Enabled     *bool     `json:"enabled"`
}

// ErrSubscriptionNotFound answers for a subscription the caller cannot see.
var ErrSubscriptionNotFound = problem.NotFound("no such webhook subscription")

// visible tells whether p holds (sees and changes) the subscription.
func visible(p auth.Principal, m *models.WebhookSubscription) bool {
	return access.CanSubscribeTo(p, m.Jobcenter)
}

// Create makes a subscription with a fresh secret, shown in this answer only.
func (s *Service) Create(ctx context.Context, p auth.Principal, r CreateRequest) (Subscription, error) {
	if !access.CanKeepWebhookSubscriptions(p) {
		return Subscription{}, access.ErrNotSubscriber
	}
	jobcenter := ""
	switch {
	case r.Jobcenter != nil:
		jobcenter = *r.Jobcenter
	case p.Role == auth.RoleManager:
		jobcenter = p.Jobcenter
	}
	if !access.CanSubscribeTo(p, jobcenter) {
		return Subscription{}, access.ErrSubscriptionScope
	}
	v := &problem.ValidationError{}
	url := strings.TrimSpace(r.URL)
	s.checkURL(ctx, v, url)
	types := s.checkTypes(v, r.EventTypes)
	s.checkDescription(v, r.Description)
	if jobcenter != "" {
		var n int64
		if err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", jobcenter).Count(&n).Error; err != nil {
			return Subscription{}, err
		}
		if n == 0 {
			v.Add("jobcenter", "is not a job centre")
		}
	}
	if err := v.Err(); err != nil {
		return Subscription{}, err
	}
	now := s.now()
	m := models.WebhookSubscription{ID: uuid.NewString(), URL: url, Types: types, Jobcenter: jobcenter, Description: strings.TrimSpace(r.Description),
		Enabled: true, Secret: NewSecret(), CreatedBy: p.Subject, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&m).Error; err != nil {
		return Subscription{}, err
	}
	out := view(&m)
	out.Secret = m.Secret
	return out, nil
}

func (s *Service) checkURL(ctx context.Context, v *problem.ValidationError, url string) {
	if err := CheckURL(ctx, url, s.allowPrivate); err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			v.Add("url", "points at a loopback, private or link-local address, which this server does not deliver to")
			return
		}
		v.Add("url", "%s", err.Error())
	}
}

func (s *Service) checkTypes(v *problem.ValidationError, types []string) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range types {
		if !joborder.IsFeedType(t) {
			v.Add("event_types", "%q is not an event type", t)
			continue
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}

func (s *Service) checkDescription(v *problem.ValidationError, d string) {
	if utf8.RuneCountInString(strings.TrimSpace(d)) > 200 {
		v.Add("description", "must be at most 200 characters")
	}
}

// List returns the subscriptions p holds: an admin all, a manager its job centre's.
func (s *Service) List(ctx context.Context, p auth.Principal) ([]Subscription, error) {
	if !access.CanKeepWebhookSubscriptions(p) {
		return nil, access.ErrNotSubscriber
	}
	q := s.db.WithContext(ctx).Order("created_at, id")
	if p.Role != auth.RoleAdmin {
		q = q.Where("jobcenter = ?", p.Jobcenter)
	}
	var rows []models.WebhookSubscription
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Subscription, len(rows))
	for i := range rows {
		out[i] = view(&rows[i])
	}
	return out, nil
}

func (s *Service) load(ctx context.Context, p auth.Principal, id string) (*models.WebhookSubscription, error) {
	if !access.CanKeepWebhookSubscriptions(p) {
		return nil, access.ErrNotSubscriber
	}
	if uuid.Validate(id) != nil {
		return nil, ErrSubscriptionNotFound
	}
	var m models.WebhookSubscription
	err := s.db.WithContext(ctx).Take(&m, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !visible(p, &m)) {
		return nil, ErrSubscriptionNotFound
	}
	return &m, err
}

// Get returns one subscription p holds.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (Subscription, error) {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return Subscription{}, err
	}
	return view(m), nil
}

// Update changes the fields sent; enabling a disabled subscription clears why it was disabled.
func (s *Service) Update(ctx context.Context, p auth.Principal, id string, r UpdateRequest) (Subscription, error) {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return Subscription{}, err
	}
	v := &problem.ValidationError{}
	updates := map[string]any{"updated_at": s.now()}
	if r.URL != nil {
		url := strings.TrimSpace(*r.URL)
		s.checkURL(ctx, v, url)
		updates["url"] = url
	}
	if r.EventTypes != nil {
		updates["types"] = s.checkTypes(v, *r.EventTypes)
	}
	if r.Description != nil {
		s.checkDescription(v, *r.Description)
		updates["description"] = strings.TrimSpace(*r.Description)
	}
	if r.Enabled != nil {
		updates["enabled"] = *r.Enabled
		switch {
		case *r.Enabled:
			updates["disabled_reason"] = ""
		case m.Enabled:
			updates["disabled_reason"] = DisabledManual
		}
	}
	if err := v.Err(); err != nil {
		return Subscription{}, err
	}
	if err := s.db.WithContext(ctx).Model(&models.WebhookSubscription{}).Where("id = ?", m.ID).Updates(updates).Error; err != nil {
		return Subscription{}, err
	}
	return s.Get(ctx, p, m.ID)
}

// Delete removes the subscription and its delivery log; deliveries still waiting are skipped.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id string) error {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("subscription_id = ?", m.ID).Delete(&models.WebhookDelivery{}).Error; err != nil {
			return err
		}
		return tx.Delete(&models.WebhookSubscription{}, "id = ?", m.ID).Error
	})
}

// RotateSecret gives the subscription a new secret, shown in this answer only; the previous one
// keeps signing beside it for RotationOverlap, so the receiver can switch without a gap.
func (s *Service) RotateSecret(ctx context.Context, p auth.Principal, id string) (Subscription, error) {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return Subscription{}, err
	}
	now := s.now()
	expires := now.Add(RotationOverlap)
	secret := NewSecret()
	if err := s.db.WithContext(ctx).Model(&models.WebhookSubscription{}).Where("id = ?", m.ID).Updates(map[string]any{
		"secret": secret, "previous_secret": m.Secret, "previous_secret_expires_at": expires, "updated_at": now,
	}).Error; err != nil {
		return Subscription{}, err
	}
	out, err := s.Get(ctx, p, m.ID)
	out.Secret = secret
	return out, err
}

// Ping sends a test event to the subscription now and answers what the endpoint said.
func (s *Service) Ping(ctx context.Context, p auth.Principal, id string) (PingResult, error) {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return PingResult{}, err
	}
	return s.sender.Ping(ctx, m)
}

// Delivery is one entry of a subscription's delivery log.
type Delivery struct {
	ID             uint64     `json:"id"`
	EventID        string     `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode int        `json:"last_status_code,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	LastAttemptAt  *time.Time `json:"last_attempt_at,omitempty"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
	Replays        int        `json:"replays"`
	CreatedAt      time.Time  `json:"created_at"`
}

func deliveryView(d *models.WebhookDelivery) Delivery {
	return Delivery{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, LastAttemptAt: d.LastAttemptAt, DeliveredAt: d.DeliveredAt,
		Replays: d.Replays, CreatedAt: d.CreatedAt}
}

// DeliveryStatuses lists the delivery log's statuses.
var DeliveryStatuses = []string{models.WebhookPending, models.WebhookSucceeded, models.WebhookFailed, models.WebhookSkipped}

// Deliveries lists the subscription's delivery log, newest first, optionally of one status.
func (s *Service) Deliveries(ctx context.Context, p auth.Principal, id, status string, limit int) ([]Delivery, error) {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("subscription_id = ?", m.ID)
	if status != "" {
		ok := false
		for _, st := range DeliveryStatuses {
			ok = ok || st == status
		}
		if !ok {
			return nil, problem.BadRequest("the query parameters are not valid", problem.Field("status", "must be one of %s", strings.Join(DeliveryStatuses, ", ")))
		}
		q = q.Where("status = ?", status)
	}
	var rows []models.WebhookDelivery
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Delivery, len(rows))
	for i := range rows {
		out[i] = deliveryView(&rows[i])
	}
	return out, nil
}

// ErrNotReplayable answers a replay of a delivery that has not failed, or of a test ping.
var ErrNotReplayable = problem.Conflict("", "only a failed delivery of an event can be replayed")

// Replay starts a failed delivery again, with a fresh retry schedule (the subscription must be
// enabled, or it is skipped at once).
func (s *Service) Replay(ctx context.Context, p auth.Principal, id string, deliveryID uint64) (Delivery, error) {
	m, err := s.load(ctx, p, id)
	if err != nil {
		return Delivery{}, err
	}
	var d models.WebhookDelivery
	err = s.db.WithContext(ctx).Take(&d, "id = ? AND subscription_id = ?", deliveryID, m.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Delivery{}, problem.NotFound("no such delivery of this subscription")
	}
	if err != nil {
		return Delivery{}, err
	}
	if d.Status != models.WebhookFailed || d.EventType == string(joborder.FeedPing) || s.starter == nil {
		return Delivery{}, ErrNotReplayable
	}
	res := s.db.WithContext(ctx).Model(&models.WebhookDelivery{}).Where("id = ? AND status = ?", d.ID, models.WebhookFailed).
		Updates(map[string]any{"status": models.WebhookPending, "replays": gorm.Expr("replays + 1")})
	if res.Error != nil {
		return Delivery{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Delivery{}, ErrNotReplayable // replayed concurrently
	}
	if err := s.starter.ReplayDelivery(ctx, m.ID, d.EventID); err != nil {
		// Put it back as it was: nothing was started.
		s.db.WithContext(ctx).Model(&models.WebhookDelivery{}).Where("id = ?", d.ID).
			Updates(map[string]any{"status": models.WebhookFailed, "replays": gorm.Expr("replays - 1")})
		if errors.Is(err, ErrAlreadyStarted) {
			return Delivery{}, ErrNotReplayable
		}
		return Delivery{}, err
	}
	if err := s.db.WithContext(ctx).Take(&d, "id = ?", d.ID).Error; err != nil {
		return Delivery{}, err
	}
	return deliveryView(&d), nil
}
