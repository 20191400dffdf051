package orders

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// HistoryEntry is one event in an order's history (formidlingslog) as a caller may see it.
type HistoryEntry struct {
	At        string            `json:"at"`
	Type      string            `json:"type"`
	ActorID   string            `json:"actor_id"`
	ActorRole string            `json:"actor_role"`
	Details   map[string]string `json:"details"`
	// Text is the note or record text of note, contact and follow-up events.
	Text string `json:"text,omitempty"`
}

// Readable loads the order if p may read it; ErrNotFound otherwise (other packages' entry point).
func (s *Service) Readable(ctx context.Context, p auth.Principal, id string) (*models.JobOrder, error) {
	return s.readable(ctx, p, id)
}

// readable loads the order and checks that p may read it; ErrNotFound otherwise.
func (s *Service) readable(ctx context.Context, p auth.Principal, id string) (*models.JobOrder, error) {
	if uuid.Validate(id) != nil {
		return nil, ErrNotFound
	}
	var order models.JobOrder
	err := s.db.WithContext(ctx).Take(&order, "id = ?", id).Error
	if errIsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ok, err := access.CanReadJobOrder(ctx, p, &order, s.relations)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &order, nil
}

// History lists the order's events, oldest first. Employers see only employer-visible events;
// other job centres' staff see everything but internal note texts.
func (s *Service) History(ctx context.Context, p auth.Principal, id string) ([]HistoryEntry, error) {
	order, err := s.readable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("job_order_id = ?", order.ID)
	if p.Role == auth.RoleEmployer {
		q = q.Where("employer_visible = ?", true)
	}
	var events []models.JobOrderEvent
	if err := q.Order("at, id").Find(&events).Error; err != nil {
		return nil, err
	}
	notes, err := s.noteTexts(ctx, order.ID, p, order)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(events))
	for _, e := range events {
		h := HistoryEntry{At: e.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Type: e.Type, ActorID: e.ActorID, ActorRole: e.ActorRole, Details: map[string]string{}}
		_ = json.Unmarshal([]byte(e.Details), &h.Details)
		if p.Role == auth.RoleEmployer {
			delete(h.Details, "reason") // close reasons are never shown to employers
		}
		// Commands that carried text refer to their note by the command's ID.
		for _, key := range []string{"note_id", "contact_id", "follow_up_id", "hire_id"} {
			if nid := h.Details[key]; nid != "" && notes[nid] != "" {
				h.Text = notes[nid]
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// noteTexts returns the texts p may read: employers only employer-visible ones, other job
// centres' staff no internal ones.
func (s *Service) noteTexts(ctx context.Context, orderID string, p auth.Principal, o *models.JobOrder) (map[string]string, error) {
	q := s.db.WithContext(ctx).Where("job_order_id = ?", orderID)
	if !access.IsOwnJobcenter(p, o) && p.Role != auth.RoleAdmin {
		q = q.Where("visibility = ?", models.NoteEmployer)
	}
	var notes []models.JobOrderNote
	if err := q.Find(&notes).Error; err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range notes {
		out[n.ID] = n.Text
	}
	return out, nil
}

// NoteRequest is the body of POST /api/v1/job-orders/{id}/notes.
type NoteRequest struct {
	Text       string `json:"text"`
	Visibility string `json:"visibility"`
}

// MaxNoteLength bounds a note's text, in characters.
const MaxNoteLength = 5000

// AddNote stores a note from the responsible job centre and records it in the history; the
// workflow hears of it as an event (it resets the inactivity clock), never its text.
func (s *Service) AddNote(ctx context.Context, p auth.Principal, id string, r NoteRequest) (HistoryEntry, error) {
	order, err := s.readable(ctx, p, id)
	if err != nil {
		return HistoryEntry{}, err
	}
	if !access.IsOwnJobcenter(p, order) {
		return HistoryEntry{}, problem.Forbidden("only the responsible job centre writes notes on an order")
	}
	r.Text = strings.TrimSpace(r.Text)
	v := &problem.ValidationError{}
	text(v, "text", r.Text, MaxNoteLength)
	if r.Visibility != models.NoteInternal && r.Visibility != models.NoteEmployer {
		v.Add("visibility", "must be internal or employer")
	}
	if err := v.Err(); err != nil {
		return HistoryEntry{}, err
	}
	now := s.now()
	note := models.JobOrderNote{ID: uuid.NewString(), JobOrderID: order.ID, Kind: "note", Visibility: r.Visibility, Text: r.Text, AuthorID: p.Subject, CreatedAt: now}
	details := map[string]string{"note_id": note.ID, "visibility": r.Visibility}
	ev := history.Entry{
		JobOrderID: order.ID, Type: joborder.EventNoteAdded, Key: joborder.EventKey(order.ID, joborder.EventNoteAdded, note.ID), At: now,
		ActorID: p.Subject, ActorRole: p.Role, Details: details, EmployerVisible: r.Visibility == models.NoteEmployer,
	}
	if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&note).Error; err != nil {
			return err
		}
		_, err := history.Append(tx, ev)
		return err
	}); err != nil {
		return HistoryEntry{}, err
	}
	if order.Status != models.StatusClosed {
		if err := s.workflows.Signal(ctx, order.ID, joborder.SignalEventRecorded, joborder.EventRecordedSignal{At: now}); err != nil {
			// The note is stored; only the inactivity clock missed it.
			s.log.WarnContext(ctx, "could not tell the workflow about a note", "job_order_id", order.ID, "error", err)
		}
	}
	return HistoryEntry{At: now.Format("2006-01-02T15:04:05.000Z07:00"), Type: string(ev.Type), ActorID: p.Subject, ActorRole: p.Role,
		Details: details, Text: note.Text}, nil
}

// OutboxFilter narrows the outbox listing.
type OutboxFilter struct {
	JobOrderID, Recipient, Template, Status string
	Limit                                   int
}

// Outbox lists notifications, newest first (admins only: it holds addresses).
func (s *Service) Outbox(ctx context.Context, p auth.Principal, f OutboxFilter) ([]models.OutboxMessage, error) {
	if p.Role != auth.RoleAdmin {
		return nil, problem.Forbidden("only admins read the outbox")
	}
	q := s.db.WithContext(ctx).Model(&models.OutboxMessage{})
	if f.JobOrderID != "" {
		q = q.Where("job_order_id = ?", f.JobOrderID)
	}
	if f.Recipient != "" {
		q = q.Where("recipient_email = ? OR recipient_id = ?", f.Recipient, f.Recipient)
	}
	if f.Template != "" {
		q = q.Where("template = ?", f.Template)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var rows []models.OutboxMessage
	err := q.Order("created_at DESC, id DESC").Limit(f.Limit).Find(&rows).Error
	return rows, err
}
