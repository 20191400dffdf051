// Package feed reads the event feed (models.FeedEvent, written by internal/history with the
// history entries they come from) for the pull feed (GET /api/v1/events) and for webhook
// delivery, with the orders' visibility (internal/access).
//
// Order. On SQLite one transaction writes at a time, so Position is commit order. On PostgreSQL
// transactions commit in any order, so a reader that went by Position alone could pass over an
// event whose transaction commits after a later one's. Each event therefore carries its writing
// transaction's ID (TxID), the feed is ordered by (TxID, Position), and a reader sees only
// events of transactions older than every transaction still running
// (pg_snapshot_xmin(pg_current_snapshot())): a transaction that commits later always has a
// higher ID than any event already read, so a cursor never skips one. The price: a long-running
// writing transaction holds back the feed until it ends.
package feed

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Paging bounds of the feed.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Event is a feed event as receivers see it: the body of a webhook delivery and an item of
// the pull feed.
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Data      `json:"data"`
}

// Data is an event's thin payload: which order, its job centre and its per-order sequence.
type Data struct {
	JobOrderID string `json:"job_order_id"`
	Jobcenter  string `json:"jobcenter"`
	Sequence   int64  `json:"sequence"`
}

// FromModel is the event as receivers see it.
func FromModel(e *models.FeedEvent) Event {
	return Event{ID: e.ID, Type: e.Type, Timestamp: e.OccurredAt.UTC(),
		Data: Data{JobOrderID: e.JobOrderID, Jobcenter: e.Jobcenter, Sequence: e.Sequence}}
}

// Query selects a page of the feed.
type Query struct {
	// After is the cursor of the last page (empty: from the start).
	After string
	// Types keeps only these feed types (empty: all).
	Types []string
	// Jobcenter keeps only events of orders this job centre was responsible for (empty: all).
	Jobcenter string
	// Limit is the page size (0: DefaultLimit).
	Limit int
}

// Page is one page of the feed. NextCursor is always set once the feed has events: pass it as
// After to read on from here (an empty page keeps the cursor it was given).
type Page struct {
	Items      []Event `json:"items"`
	NextCursor string  `json:"next_cursor"`
}

// Cursor is a position in the feed.
type Cursor struct {
	TxID     int64
	Position uint64
}

// String is the cursor's opaque form.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("v1:%d:%d", c.TxID, c.Position)))
}

// ParseCursor reads a cursor made by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("not a cursor of this feed")
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "v1" {
		return Cursor{}, fmt.Errorf("not a cursor of this feed")
	}
	tx, err1 := strconv.ParseInt(parts[1], 10, 64)
	pos, err2 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || tx < 0 {
		return Cursor{}, fmt.Errorf("not a cursor of this feed")
	}
	return Cursor{TxID: tx, Position: pos}, nil
}

// CursorOf is the cursor just after e.
func CursorOf(e *models.FeedEvent) Cursor { return Cursor{TxID: e.TxID, Position: e.Position} }

// Service reads the feed.
type Service struct {
	db  *gorm.DB
	rel access.Relations
}

// New returns the feed's service.
func New(db *gorm.DB, rel access.Relations) *Service { return &Service{db: db, rel: rel} }

// List returns the page of events after q.After that p may see: events of the orders p may read
// (access.ScopeJobOrders, as the order list), and for an employer only those its history view
// shows. Bad parameters are a 400 naming them.
func (s *Service) List(ctx context.Context, p auth.Principal, q Query) (Page, error) {
	v := &problem.ValidationError{}
	var after Cursor
	if q.After != "" {
		c, err := ParseCursor(q.After)
		if err != nil {
			v.Add("after", "%s", err.Error())
		}
		after = c
	}
	for _, t := range q.Types {
		if !joborder.IsFeedType(t) {
			v.Add("types", "%q is not an event type", t)
		}
	}
	if q.Jobcenter != "" && !isCode(q.Jobcenter) {
		v.Add("jobcenter", "must be a 3-digit job-centre code")
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 1 || q.Limit > MaxLimit:
		v.Add("limit", "must be from 1 to %d", MaxLimit)
	}
	if err := v.Err(); err != nil {
		return Page{}, problem.BadRequest("the query parameters are not valid", v.Fields...)
	}
	orders, err := access.ScopeJobOrders(ctx, s.db.WithContext(ctx).Model(&models.JobOrder{}).Select("id"), p, s.rel)
	if err != nil {
		return Page{}, err
	}
	db := s.db.WithContext(ctx).Where("job_order_id IN (?)", orders)
	if p.Role == auth.RoleEmployer {
		db = db.Where("history_key IN (?)", s.db.Model(&models.JobOrderEvent{}).Select("event_key").Where("employer_visible = ?", true))
	}
	rows, err := s.after(db, after, q.Types, q.Jobcenter, q.Limit)
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: make([]Event, len(rows))}
	if q.After != "" {
		page.NextCursor = q.After
	}
	for i := range rows {
		page.Items[i] = FromModel(&rows[i])
		page.NextCursor = CursorOf(&rows[i]).String()
	}
	return page, nil
}

// After returns up to limit events after c in feed order, unscoped: for the webhook dispatcher,
// which applies each subscription's scope itself.
func (s *Service) After(ctx context.Context, c Cursor, limit int) ([]models.FeedEvent, error) {
	return s.after(s.db.WithContext(ctx), c, nil, "", limit)
}

func (s *Service) after(db *gorm.DB, c Cursor, types []string, jobcenter string, limit int) ([]models.FeedEvent, error) {
	db = db.Where("(tx_id > ? OR (tx_id = ? AND position > ?))", c.TxID, c.TxID, c.Position)
	if s.db.Dialector.Name() == "postgres" {
		// Only transactions older than every running one: see the package comment.
		db = db.Where("tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
	}
	if len(types) > 0 {
		db = db.Where("type IN ?", types)
	}
	if jobcenter != "" {
		db = db.Where("jobcenter = ?", jobcenter)
	}
	var rows []models.FeedEvent
	err := db.Order("tx_id, position").Limit(limit).Find(&rows).Error
	return rows, err
}

func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
