package orders

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Command request bodies of the order's lifecycle endpoints.
type (
	// CoordinatorRequest is the body of PUT .../coordinator.
	CoordinatorRequest struct {
		CaseworkerID string `json:"caseworker_id"`
	}
	// ContactRequest is the body of POST .../contacts: a call or meeting with the employer.
	ContactRequest struct {
		Note string `json:"note"`
	}
	// SharingRequest is the body of PUT .../sharing: a level now, at a time, or after a duration.
	SharingRequest struct {
		Level string           `json:"level"`
		At    *time.Time       `json:"at"`
		After *policy.Duration `json:"after"`
	}
	// FollowUpRequest is the body of POST .../follow-ups.
	FollowUpRequest struct {
		Due  *time.Time `json:"due"`
		Note string     `json:"note"`
	}
	// HireRequest is the body of POST .../hires: which sent referral led to the hire.
	HireRequest struct {
		ReferralID string `json:"referral_id"`
		Note       string `json:"note"`
	}
	// StatusRequest is the body of PUT .../status.
	StatusRequest struct {
		Status string     `json:"status"`
		Reason string     `json:"reason"`
		Until  *time.Time `json:"until"`
	}
)

// actor is the command's issuer as the workflow sees it: IDs only.
func actor(p auth.Principal) joborder.Actor { return joborder.Actor{ID: p.Subject, Role: p.Role} }

// ownOrder loads an order the caller's job centre is responsible for: ErrNotFound when the caller
// cannot see it, ErrForbidden when it can see but not change it.
func (s *Service) ownOrder(ctx context.Context, p auth.Principal, id string) (*models.JobOrder, error) {
	o, err := s.readable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !access.IsOwnJobcenter(p, o) {
		return nil, problem.Forbidden("only the responsible job centre may do this")
	}
	return o, nil
}

// command sends an update to the order's workflow and returns the order with its new live state.
func (s *Service) command(ctx context.Context, p auth.Principal, o *models.JobOrder, name string, arg any) (View, error) {
	var live joborder.LiveState
	if err := s.workflows.Update(ctx, o.ID, name, arg, &live); err != nil {
		return View{}, err
	}
	// The workflow projected its state before answering; read the row again (read your writes).
	var fresh models.JobOrder
	if err := s.db.WithContext(ctx).Take(&fresh, "id = ?", o.ID).Error; err != nil {
		return View{}, err
	}
	view := View{Order: &fresh, Live: &live}
	var err error
	if view.CompanyName, err = s.companyName(ctx, fresh.CompanyCVR); err != nil {
		return View{}, err
	}
	if view.ContactPerson, err = s.contactPerson(ctx, p, &fresh); err != nil {
		return View{}, err
	}
	return view, nil
}

// AssignCoordinator makes a caseworker of the responsible job centre the order's coordinator.
func (s *Service) AssignCoordinator(ctx context.Context, p auth.Principal, id string, r CoordinatorRequest) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	r.CaseworkerID = strings.TrimSpace(r.CaseworkerID)
	v := &problem.ValidationError{}
	var cw models.Caseworker
	// A removed person (one who left) is no coordinator to assign until a login restores them.
	switch err := s.db.WithContext(ctx).Take(&cw, "id = ? AND removed_at IS NULL", r.CaseworkerID).Error; {
	case r.CaseworkerID == "":
		v.Add("caseworker_id", "is required")
	case errIsNotFound(err):
		v.Add("caseworker_id", "%s is not a known caseworker; a manager can add them at /api/v1/jobcenters/%s/caseworkers", r.CaseworkerID, o.ResponsibleJobcenter)
	case err != nil:
		return View{}, err
	case cw.Jobcenter != o.ResponsibleJobcenter:
		v.Add("caseworker_id", "a caseworker of another job centre (%s) cannot coordinate an order of %s", cw.Jobcenter, o.ResponsibleJobcenter)
	}
	if err := v.Err(); err != nil {
		return View{}, err
	}
	return s.command(ctx, p, o, joborder.UpdateAssignCoordinator, joborder.AssignCoordinatorInput{Actor: actor(p), CoordinatorID: r.CaseworkerID})
}

// RecordContact stores the record of a call or meeting with the employer and tells the workflow.
func (s *Service) RecordContact(ctx context.Context, p auth.Principal, id string, r ContactRequest) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	note, err := s.storeNote(ctx, p, o, "contact", models.NoteInternal, r.Note, "note")
	if err != nil {
		return View{}, err
	}
	return s.withNote(ctx, p, o, note, joborder.UpdateRecordContact, joborder.RecordContactInput{Actor: actor(p), ContactID: note.ID})
}

// SetSharing sets or schedules the order's sharing level.
func (s *Service) SetSharing(ctx context.Context, p auth.Principal, id string, r SharingRequest) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if fields := joborder.CheckSharing(s.now(), r.Level, r.At, r.After); len(fields) > 0 {
		return View{}, &problem.ValidationError{Fields: fields}
	}
	return s.command(ctx, p, o, joborder.UpdateSetSharing, joborder.SetSharingInput{Actor: actor(p), Level: r.Level, At: r.At, After: r.After})
}

// AddFollowUp stores an agreed follow-up and has the workflow remind the coordinator at its time.
func (s *Service) AddFollowUp(ctx context.Context, p auth.Principal, id string, r FollowUpRequest) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if r.Due == nil {
		return View{}, &problem.ValidationError{Fields: []problem.FieldError{{Field: "due", Detail: "is required: when the follow-up is due (RFC 3339 time)"}}}
	}
	if !r.Due.After(s.now()) {
		return View{}, &problem.ValidationError{Fields: []problem.FieldError{{Field: "due", Detail: "must be in the future"}}}
	}
	note, err := s.storeNote(ctx, p, o, "follow_up", models.NoteInternal, r.Note, "note")
	if err != nil {
		return View{}, err
	}
	return s.withNote(ctx, p, o, note, joborder.UpdateAddFollowUp, joborder.AddFollowUpInput{Actor: actor(p), FollowUpID: note.ID, Due: r.Due.UTC()})
}

// CompleteFollowUp marks a follow-up done, which stops its reminders.
func (s *Service) CompleteFollowUp(ctx context.Context, p auth.Principal, id, followUpID string) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	return s.command(ctx, p, o, joborder.UpdateCompleteFollowUp, joborder.CompleteFollowUpInput{Actor: actor(p), FollowUpID: followUpID})
}

// RegisterHire records that a referred candidate was hired: the hire names a sent referral of
// the order, which becomes hired.
func (s *Service) RegisterHire(ctx context.Context, p auth.Principal, id string, r HireRequest) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	var ref models.Referral
	switch err := s.db.WithContext(ctx).Take(&ref, "id = ? AND job_order_id = ?", r.ReferralID, o.ID).Error; {
	case r.ReferralID == "" || uuid.Validate(r.ReferralID) != nil:
		return View{}, &problem.ValidationError{Fields: []problem.FieldError{{Field: "referral_id", Detail: "name the sent referral that led to the hire"}}}
	case errIsNotFound(err):
		return View{}, &problem.ValidationError{Fields: []problem.FieldError{{Field: "referral_id", Detail: "is not a referral of this order"}}}
	case err != nil:
		return View{}, err
	case ref.Status != models.ReferralSent:
		return View{}, joborder.Rejection(joborder.ErrConflict, "only a sent referral can become a hire; this one is "+ref.Status)
	}
	// Claim the referral first: of two concurrent hires naming it, only one gets it.
	res := s.db.WithContext(ctx).Model(&models.Referral{}).Where("id = ? AND status = ?", ref.ID, models.ReferralSent).
		Updates(map[string]any{"status": models.ReferralHired, "updated_at": s.now()})
	if res.Error != nil {
		return View{}, res.Error
	}
	if res.RowsAffected == 0 {
		return View{}, joborder.Rejection(joborder.ErrConflict, "the referral was registered as a hire already")
	}
	release := func() {
		if err := s.db.WithContext(ctx).Model(&models.Referral{}).Where("id = ?", ref.ID).
			Updates(map[string]any{"status": models.ReferralSent, "updated_at": s.now()}).Error; err != nil {
			s.log.ErrorContext(ctx, "could not release the referral of a refused hire", "referral_id", ref.ID, "error", err)
		}
	}
	// The hire ID is the referral's (a retried hire of the same referral is the same hire), and
	// its note carries that ID: the history finds a command's text by the command's ID.
	note, err := s.storeNoteAs(ctx, p, o, ref.ID, "hire", models.NoteInternal, r.Note, "note")
	if err != nil {
		release()
		return View{}, err
	}
	view, err := s.withNote(ctx, p, o, note, joborder.UpdateRegisterHire, joborder.RegisterHireInput{Actor: actor(p), HireID: ref.ID})
	if refused(err) {
		release()
	}
	return view, err
}

// SetStatus opens, pauses or closes the order; the employer and the responsible job centre may.
func (s *Service) SetStatus(ctx context.Context, p auth.Principal, id string, r StatusRequest) (View, error) {
	o, err := s.readable(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if !access.CanSetStatus(p, o) {
		return View{}, problem.Forbidden("only the employer and the responsible job centre change an order's status")
	}
	// The employer gives no reason: the job centre's close reasons are internal (STAR's guide:
	// the employer cannot see them). A reason the employer sends anyway is refused together with
	// every other problem of the request, so one answer names all that must change.
	var fields []problem.FieldError
	if p.Role == auth.RoleEmployer && r.Status == models.StatusClosed {
		if r.Reason != "" {
			fields = append(fields, problem.FieldError{Field: "reason",
				Detail: "must be left out when the employer closes its order: close reasons are the job centre's own; without one the order is closed as " + joborder.CloseReasonClosedByEmployer})
		}
		r.Reason = joborder.CloseReasonClosedByEmployer
	} else if r.Status == models.StatusClosed && r.Reason == joborder.CloseReasonClosedByEmployer {
		return View{}, &problem.ValidationError{Fields: []problem.FieldError{{Field: "reason", Detail: "is required when closing: one of " + strings.Join(joborder.CloseReasons, ", ")}}}
	}
	if fields = append(fields, joborder.CheckStatus(s.now(), r.Status, r.Reason, r.Until)...); len(fields) > 0 {
		return View{}, &problem.ValidationError{Fields: fields}
	}
	// The projection's status is the workflow's as of its last answer; the workflow checks again
	// (with the reopen window, which only it knows for certain).
	if errType, msg := joborder.CheckTransition(o.ID, o.Status, r.Status, r.Until, nil, s.now()); errType != "" {
		return View{}, joborder.Rejection(errType, msg)
	}
	if r.Status == models.StatusOpen && o.Status == models.StatusClosed && !access.CanReopen(p, o) {
		return View{}, problem.Forbidden("only the responsible job centre reopens a closed order")
	}
	return s.command(ctx, p, o, joborder.UpdateSetStatus, joborder.SetStatusInput{Actor: actor(p), Status: r.Status, Reason: r.Reason, Until: r.Until})
}

// storeNote keeps a command's free text in the database; the workflow only gets the note's ID.
// field names the request field for length errors; the text itself may be empty.
func (s *Service) storeNote(ctx context.Context, p auth.Principal, o *models.JobOrder, kind, visibility, text, field string) (*models.JobOrderNote, error) {
	return s.storeNoteAs(ctx, p, o, uuid.NewString(), kind, visibility, text, field)
}

// storeNoteAs is storeNote for a command whose ID is not the note's own (a hire is its
// referral's ID). A note already stored under id (a hire that was refused and whose note could
// not be removed) is replaced.
func (s *Service) storeNoteAs(ctx context.Context, p auth.Principal, o *models.JobOrder, id, kind, visibility, text, field string) (*models.JobOrderNote, error) {
	text = strings.TrimSpace(text)
	if n := len([]rune(text)); n > MaxNoteLength {
		return nil, &problem.ValidationError{Fields: []problem.FieldError{{Field: field, Detail: fmt.Sprintf("must be at most %d characters, got %d", MaxNoteLength, n)}}}
	}
	note := &models.JobOrderNote{ID: id, JobOrderID: o.ID, Kind: kind, Visibility: visibility, Text: text, AuthorID: p.Subject, CreatedAt: s.now()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"text", "visibility", "author_id", "created_at"}),
	}).Create(note).Error
	if err != nil {
		return nil, err
	}
	return note, nil
}

// withNote sends a command that refers to a stored note; if the workflow refuses the command, the
// note is removed again so a refused command leaves no trace.
func (s *Service) withNote(ctx context.Context, p auth.Principal, o *models.JobOrder, note *models.JobOrderNote, name string, arg any) (View, error) {
	view, err := s.command(ctx, p, o, name, arg)
	if refused(err) {
		if derr := s.db.WithContext(ctx).Delete(&models.JobOrderNote{}, "id = ?", note.ID).Error; derr != nil {
			s.log.WarnContext(ctx, "could not remove the note of a refused command", "note_id", note.ID, "error", derr)
		}
	}
	return view, err
}

// CloseOutAnswerRequest is the employer's answer to the close-out question: one of
// joborder.CloseOutAnswerClose or joborder.CloseOutAnswerStillRecruiting.
type CloseOutAnswerRequest struct {
	Answer string `json:"answer"`
}

// AnswerCloseOut passes the employer's answer to the close_out_question mail to the order's
// workflow. Only the order's employer answers (others do not see the order or get 403). A "close"
// on an order already closed returns the closed order: the employer answering twice (two clicks,
// two tabs) has what it asked for. Any answer on an order that is not open is otherwise a conflict.
func (s *Service) AnswerCloseOut(ctx context.Context, p auth.Principal, id string, r CloseOutAnswerRequest) (View, error) {
	o, err := s.readable(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if p.Role != auth.RoleEmployer || !access.CanSetStatus(p, o) {
		return View{}, problem.Forbidden("only the order's employer answers the close-out question")
	}
	if fields := joborder.CheckCloseOutAnswer(r.Answer); len(fields) > 0 {
		return View{}, &problem.ValidationError{Fields: fields}
	}
	if o.Status == models.StatusClosed && r.Answer == joborder.CloseOutAnswerClose {
		return s.Describe(ctx, p, o)
	}
	if o.Status != models.StatusOpen {
		return View{}, joborder.Rejection(joborder.ErrOrderClosed, "job order "+o.ID+" is not open")
	}
	return s.command(ctx, p, o, joborder.UpdateAnswerCloseOut, joborder.AnswerCloseOutInput{Actor: actor(p), Answer: r.Answer})
}
