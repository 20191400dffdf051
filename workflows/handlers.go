package workflows

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

func reject(errType, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), errType)
}

// pausedSoFar is the time the order has spent paused up to now, the current pause included.
func (r *run) pausedSoFar(now time.Time) time.Duration {
	if r.s.PausedSince != nil {
		return r.s.PausedTotal + now.Sub(*r.s.PausedSince)
	}
	return r.s.PausedTotal
}

func (r *run) checkOpen(a joborder.Actor) error {
	if a.ID == "" {
		return reject(joborder.ErrInvalidCommand, "the command needs an actor ID")
	}
	if r.s.Status == models.StatusClosed {
		return reject(joborder.ErrOrderClosed, "job order %s is closed", r.s.JobOrderID)
	}
	return nil
}

// registerUpdates installs every command as an update with a validator. Handlers run one at a
// time (and never alongside the main loop's timer work) under the run's mutex; they re-validate
// after taking it because an earlier command may have changed the state.
func (r *run) registerUpdates(ctx workflow.Context) error {
	for _, register := range []func(workflow.Context, *run) error{
		commandUpdate(joborder.UpdateAssignCoordinator, (*run).validateAssign, (*run).applyAssign),
		commandUpdate(joborder.UpdateRecordContact, (*run).validateContact, (*run).applyContact),
		commandUpdate(joborder.UpdateSetSharing, (*run).validateSharing, (*run).applySharing),
		commandUpdate(joborder.UpdateAddFollowUp, (*run).validateAddFollowUp, (*run).applyAddFollowUp),
		commandUpdate(joborder.UpdateCompleteFollowUp, (*run).validateCompleteFollowUp, (*run).applyCompleteFollowUp),
		commandUpdate(joborder.UpdateRegisterHire, (*run).validateHire, (*run).applyHire),
		commandUpdate(joborder.UpdateSetStatus, (*run).validateStatus, (*run).applyStatus),
		commandUpdate(joborder.UpdateCorrectDetails, (*run).validateDetails, (*run).applyDetails),
		commandUpdate(joborder.UpdateAnswerCloseOut, (*run).validateCloseOutAnswer, (*run).applyCloseOutAnswer),
		registerApplyPolicy,
	} {
		if err := register(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// registerApplyPolicy installs UpdateApplyPolicy: the policy change of the signal, taken under
// the run's mutex. The handler returns as soon as the policy is in the state; the main loop,
// woken by the new version, recomputes the deadlines and fires what is now due in the same
// workflow task, which completes — and answers the update — only after that work (local
// activities) is done. Applying one policy twice changes nothing, so no update ID is kept.
func registerApplyPolicy(ctx workflow.Context, r *run) error {
	handler := func(ctx workflow.Context, in joborder.PolicyChangedSignal) error {
		if err := r.mu.Lock(ctx); err != nil {
			return err
		}
		defer r.mu.Unlock()
		r.runEvents++ // the update's accepted and completed events; onPolicyChanged counts one
		r.wait(ctx, r.onPolicyChanged(ctx, in))
		return nil
	}
	validator := func(_ workflow.Context, in joborder.PolicyChangedSignal) error {
		if errs := in.Policy.Validate(); len(errs) > 0 {
			return reject(joborder.ErrInvalidInput, "invalid policy: %v", errs)
		}
		return nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, joborder.UpdateApplyPolicy, handler, workflow.UpdateHandlerOptions{Validator: validator}); err != nil {
		return fmt.Errorf("register update %s: %w", joborder.UpdateApplyPolicy, err)
	}
	return nil
}

// commandUpdate is the one way a command becomes an update: its validator (skipped for an update
// already applied, see replayed) and its handler, which validates again under the mutex and then
// applies it (command).
func commandUpdate[In any](name string,
	validate func(r *run, now time.Time, in In) error,
	apply func(r *run, ctx workflow.Context, now time.Time, in In) []workflow.Future,
) func(workflow.Context, *run) error {
	return func(ctx workflow.Context, r *run) error {
		handler := func(ctx workflow.Context, in In) (joborder.LiveState, error) {
			return r.command(ctx,
				func(now time.Time) error { return validate(r, now, in) },
				func(now time.Time) []workflow.Future { return apply(r, ctx, now, in) })
		}
		validator := func(ctx workflow.Context, in In) error {
			if r.replayed(ctx) {
				return nil
			}
			return validate(r, workflow.Now(ctx), in)
		}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handler, workflow.UpdateHandlerOptions{Validator: validator}); err != nil {
			return fmt.Errorf("register update %s: %w", name, err)
		}
		return nil
	}
}

// command runs one accepted command: state change, history entry, projection and notifications,
// then returns the new live state (the projection is current when the update returns).
func (r *run) command(ctx workflow.Context, validate func(time.Time) error, apply func(time.Time) []workflow.Future) (joborder.LiveState, error) {
	if err := r.mu.Lock(ctx); err != nil {
		return joborder.LiveState{}, err
	}
	defer r.mu.Unlock()
	now := workflow.Now(ctx)
	if r.replayed(ctx) {
		// The same update again (a client retry that crossed a continue-as-new): it was applied once.
		return r.view(now), nil
	}
	if err := validate(now); err != nil {
		return joborder.LiveState{}, err
	}
	r.runEvents++
	r.remember(ctx)
	r.inCommand = !r.localCommand(ctx) // else the update's activities go to the task queue (localChangeID)
	futures := apply(now)
	r.touch(ctx)
	futures = append(futures, r.projectDeadlines(ctx)...)
	r.inCommand = false
	r.wait(ctx, futures)
	return r.view(workflow.Now(ctx)), nil
}

// localCommand tells whether the command starting now may run its activities locally: from
// localCommandsVersion on, the first maxLocalCommandsPerTask commands of a workflow task may.
// The history length at the task's start tells one task from the next, and is the same on
// replay, so a replay takes the same decisions.
func (r *run) localCommand(ctx workflow.Context) bool {
	if !r.localCommands {
		return false
	}
	if n := workflow.GetInfo(ctx).GetCurrentHistoryLength(); n != r.taskMark {
		r.taskMark, r.taskCommands = n, 0
	}
	r.taskCommands++
	return r.taskCommands <= maxLocalCommandsPerTask
}

// maxRememberedUpdates bounds the update IDs kept to recognise retried commands.
const maxRememberedUpdates = 1000

// replayed tells whether the running update's ID was already applied, in this run or an earlier
// one: update IDs are deduplicated by the server within a run only, so a client retry after
// continue-as-new would otherwise apply a command twice.
func (r *run) replayed(ctx workflow.Context) bool {
	info := workflow.GetCurrentUpdateInfo(ctx)
	return info != nil && info.ID != "" && contains(r.s.UpdateIDs, info.ID)
}

// remember records the running update's ID as applied.
func (r *run) remember(ctx workflow.Context) {
	info := workflow.GetCurrentUpdateInfo(ctx)
	if info == nil || info.ID == "" {
		return
	}
	r.s.UpdateIDs = append(r.s.UpdateIDs, info.ID)
	if n := len(r.s.UpdateIDs); n > maxRememberedUpdates {
		r.s.UpdateIDs = append([]string(nil), r.s.UpdateIDs[n-maxRememberedUpdates:]...)
	}
}

// ---- assign-coordinator ----

func (r *run) validateAssign(_ time.Time, in joborder.AssignCoordinatorInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	if in.CoordinatorID == "" {
		return reject(joborder.ErrInvalidCommand, "coordinator_id is required")
	}
	if r.s.Coordinator != nil && *r.s.Coordinator == in.CoordinatorID {
		return reject(joborder.ErrConflict, "%s is already the coordinator", in.CoordinatorID)
	}
	return nil
}

func (r *run) applyAssign(ctx workflow.Context, now time.Time, in joborder.AssignCoordinatorInput) []workflow.Future {
	s := r.s
	details := map[string]string{"coordinator_id": in.CoordinatorID}
	if s.Coordinator != nil {
		details["previous_coordinator_id"] = *s.Coordinator
	}
	id := in.CoordinatorID
	s.Coordinator = &id
	s.Coordinators = append(s.Coordinators, joborder.Assignment{CaseworkerID: id, At: now, By: in.Actor.ID})
	s.Coord.Active = false
	fs := []workflow.Future{r.recordEvent(ctx, joborder.EventCoordinatorAssigned, in.Actor.ID, in.Actor.Role, details, true)}
	fs = append(fs, r.projectIfChanged(ctx)...)
	return append(fs, r.notify(ctx, joborder.TemplateCoordinatorAssigned, joborder.RecipientEmployer, "", strconv.Itoa(len(s.Coordinators))))
}

// ---- record-contact ----

func (r *run) validateContact(_ time.Time, in joborder.RecordContactInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	if in.ContactID == "" {
		return reject(joborder.ErrInvalidCommand, "contact_id is required")
	}
	if contains(r.s.ContactIDs, in.ContactID) {
		return reject(joborder.ErrConflict, "contact %s is already recorded", in.ContactID)
	}
	return nil
}

func (r *run) applyContact(ctx workflow.Context, _ time.Time, in joborder.RecordContactInput) []workflow.Future {
	r.s.ContactIDs = append(r.s.ContactIDs, in.ContactID)
	r.s.Contact.Active = false
	return []workflow.Future{r.recordEvent(ctx, joborder.EventContactRecorded, in.Actor.ID, in.Actor.Role, map[string]string{"contact_id": in.ContactID}, false)}
}

// ---- set-sharing ----

func (r *run) validateSharing(now time.Time, in joborder.SetSharingInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	if fields := joborder.CheckSharing(now, in.Level, in.At, in.After); len(fields) > 0 {
		return reject(joborder.ErrInvalidCommand, "%s", joborder.FieldsMessage(fields))
	}
	return nil
}

func (r *run) applySharing(ctx workflow.Context, now time.Time, in joborder.SetSharingInput) []workflow.Future {
	s := r.s
	s.ManualSharing = true // a manual choice ends the policy's automatic steps
	at := in.At
	if in.After != nil {
		// A duration is counted as the job centre counts its own (working days by default).
		at = timePtr(policy.AddDuration(now, *in.After, s.Policy.WorkingDaysOnly && rulesApply(ctx)))
	}
	if at != nil {
		s.ScheduledSharing = &ScheduledSharing{Level: in.Level, At: *at}
		return []workflow.Future{r.recordEvent(ctx, joborder.EventSharingScheduled, in.Actor.ID, in.Actor.Role, map[string]string{"level": in.Level, "at": at.UTC().Format(time.RFC3339)}, false)}
	}
	s.ScheduledSharing = nil
	if in.Level == s.Sharing {
		return []workflow.Future{r.recordEvent(ctx, joborder.EventSharingChanged, in.Actor.ID, in.Actor.Role, map[string]string{"level": in.Level, "cause": "manual"}, false)}
	}
	return r.changeSharing(ctx, in.Level, "manual", in.Actor.ID, in.Actor.Role)
}

// ---- follow-ups ----

func (r *run) findFollowUp(id string) *FollowUp {
	for i := range r.s.FollowUps {
		if r.s.FollowUps[i].ID == id {
			return &r.s.FollowUps[i]
		}
	}
	return nil
}

func (r *run) validateAddFollowUp(now time.Time, in joborder.AddFollowUpInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	if in.FollowUpID == "" {
		return reject(joborder.ErrInvalidCommand, "follow_up_id is required")
	}
	if in.Due.IsZero() {
		return reject(joborder.ErrInvalidCommand, "due is required")
	}
	if in.Due.Before(now) {
		return reject(joborder.ErrInvalidCommand, "due %s is in the past", in.Due.UTC().Format(time.RFC3339))
	}
	if r.findFollowUp(in.FollowUpID) != nil {
		return reject(joborder.ErrConflict, "follow-up %s already exists", in.FollowUpID)
	}
	return nil
}

func (r *run) applyAddFollowUp(ctx workflow.Context, now time.Time, in joborder.AddFollowUpInput) []workflow.Future {
	s := r.s
	s.FollowUps = append(s.FollowUps, FollowUp{ID: in.FollowUpID, Due: in.Due, PausedAtRef: r.pausedSoFar(now)})
	if s.FirstReferralAt != nil {
		s.AutoFollowUpDone = true // a follow-up was agreed after the first referral
	}
	return []workflow.Future{r.recordEvent(ctx, joborder.EventFollowUpAdded, in.Actor.ID, in.Actor.Role, map[string]string{"follow_up_id": in.FollowUpID, "due": in.Due.UTC().Format(time.RFC3339)}, false)}
}

func (r *run) validateCompleteFollowUp(_ time.Time, in joborder.CompleteFollowUpInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	f := r.findFollowUp(in.FollowUpID)
	if f == nil {
		return reject(joborder.ErrNotFound, "unknown follow-up %q", in.FollowUpID)
	}
	if f.Done {
		return reject(joborder.ErrConflict, "follow-up %s is already done", in.FollowUpID)
	}
	return nil
}

func (r *run) applyCompleteFollowUp(ctx workflow.Context, _ time.Time, in joborder.CompleteFollowUpInput) []workflow.Future {
	r.findFollowUp(in.FollowUpID).Done = true
	return []workflow.Future{r.recordEvent(ctx, joborder.EventFollowUpCompleted, in.Actor.ID, in.Actor.Role, map[string]string{"follow_up_id": in.FollowUpID}, false)}
}

// ---- register-hire ----

func (r *run) validateHire(_ time.Time, in joborder.RegisterHireInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	if in.HireID == "" {
		return reject(joborder.ErrInvalidCommand, "hire_id is required")
	}
	if contains(r.s.Hires, in.HireID) {
		return reject(joborder.ErrConflict, "hire %s is already registered", in.HireID)
	}
	return nil
}

func (r *run) applyHire(ctx workflow.Context, now time.Time, in joborder.RegisterHireInput) []workflow.Future {
	s := r.s
	s.Hires = append(s.Hires, in.HireID)
	if len(s.Hires) >= s.Positions && s.FilledAt == nil {
		s.FilledAt = timePtr(now)
		s.PausedAtFilled = r.pausedSoFar(now)
	}
	return []workflow.Future{r.recordEvent(ctx, joborder.EventHireRegistered, in.Actor.ID, in.Actor.Role, map[string]string{"hire_id": in.HireID, "hires": strconv.Itoa(len(s.Hires)), "positions": strconv.Itoa(s.Positions)}, true)}
}

// ---- set-status ----

func (r *run) validateStatus(now time.Time, in joborder.SetStatusInput) error {
	s := r.s
	if in.Actor.ID == "" {
		return reject(joborder.ErrInvalidCommand, "the command needs an actor ID")
	}
	if fields := joborder.CheckStatus(now, in.Status, in.Reason, in.Until); len(fields) > 0 {
		return reject(joborder.ErrInvalidCommand, "%s", joborder.FieldsMessage(fields))
	}
	reopenBy := timePtr(now) // a closed order without its closing time cannot be reopened
	if s.ClosedAt != nil {
		reopenBy = timePtr(policy.AddDuration(*s.ClosedAt, s.Policy.ReopenWindow, s.Policy.WorkingDaysOnly))
	}
	if errType, msg := joborder.CheckTransition(s.JobOrderID, s.Status, in.Status, in.Until, reopenBy, now); errType != "" {
		return reject(errType, "%s", msg)
	}
	return nil
}

func (r *run) applyStatus(ctx workflow.Context, now time.Time, in joborder.SetStatusInput) []workflow.Future {
	s := r.s
	from := s.Status
	switch in.Status {
	case models.StatusClosed:
		if s.PausedSince == nil {
			s.PausedSince = timePtr(now)
		}
		s.ClosedAt, s.CloseReason = timePtr(now), in.Reason
		s.InactiveSince, s.InactiveUntil = nil, nil
	case models.StatusOpen:
		if s.PausedSince != nil {
			s.PausedTotal += now.Sub(*s.PausedSince)
			s.PausedSince = nil
		}
		s.ClosedAt, s.CloseReason = nil, ""
		s.InactiveSince, s.InactiveUntil = nil, nil
	case models.StatusTemporarilyInactive:
		if from == models.StatusOpen {
			s.PausedSince = timePtr(now)
			s.InactiveSince = timePtr(now)
			s.InactivePeriods++
		}
		s.InactiveUntil = in.Until
		s.InactiveEndedSent = false
	}
	s.Status = in.Status
	s.StatusChanges++
	details := map[string]string{"status": in.Status, "from": from}
	if in.Reason != "" {
		details["reason"] = in.Reason
	}
	if in.Until != nil {
		details["until"] = in.Until.UTC().Format(time.RFC3339)
	}
	fs := []workflow.Future{r.recordEvent(ctx, joborder.EventStatusChanged, in.Actor.ID, in.Actor.Role, details, true)}
	fs = append(fs, r.projectIfChanged(ctx)...)
	return append(fs, r.notify(ctx, joborder.TemplateStatusChanged, joborder.RecipientEmployer, "", strconv.Itoa(s.StatusChanges)))
}

// ---- answer-close-out ----

// closeOutAsStatus is the status change a "close" answer makes.
func closeOutAsStatus(in joborder.AnswerCloseOutInput) joborder.SetStatusInput {
	return joborder.SetStatusInput{Actor: in.Actor, Status: models.StatusClosed, Reason: joborder.CloseReasonClosedByEmployer}
}

func (r *run) validateCloseOutAnswer(now time.Time, in joborder.AnswerCloseOutInput) error {
	if fields := joborder.CheckCloseOutAnswer(in.Answer); len(fields) > 0 {
		return reject(joborder.ErrInvalidCommand, "%s", joborder.FieldsMessage(fields))
	}
	switch in.Answer {
	case joborder.CloseOutAnswerClose:
		return r.validateStatus(now, closeOutAsStatus(in))
	case joborder.CloseOutAnswerStillRecruiting:
		if err := r.checkOpen(in.Actor); err != nil {
			return err
		}
		if r.s.Status != models.StatusOpen {
			return reject(joborder.ErrOrderClosed, "job order %s is not open", r.s.JobOrderID)
		}
	}
	return nil
}

// applyCloseOutAnswer closes the order as the employer, or (still recruiting) starts the
// close-out chain over whatever started it: the employer said the order is alive, so the nudges
// count again from now (command's touch restarts the inactivity clock).
func (r *run) applyCloseOutAnswer(ctx workflow.Context, now time.Time, in joborder.AnswerCloseOutInput) []workflow.Future {
	if in.Answer == joborder.CloseOutAnswerClose {
		return r.applyStatus(ctx, now, closeOutAsStatus(in))
	}
	s := r.s
	s.CloseOut.Fired = 0
	s.CloseOutEscalated = false
	s.CloseOutCause = ""
	s.CloseOutAnsweredAt = timePtr(now)
	return []workflow.Future{r.recordEvent(ctx, joborder.EventCloseOutAnswered, in.Actor.ID, in.Actor.Role,
		map[string]string{"answer": in.Answer}, true)}
}

// ---- correct-details ----

func (r *run) validateDetails(_ time.Time, in joborder.CorrectDetailsInput) error {
	if err := r.checkOpen(in.Actor); err != nil {
		return err
	}
	if fields := joborder.CheckPositions(in.Positions); len(fields) > 0 {
		return reject(joborder.ErrInvalidCommand, "%s", joborder.FieldsMessage(fields))
	}
	return nil
}

// applyDetails takes the corrected positions and deadline; the close-out deadlines derived from
// them are recomputed by the main loop from the new state.
func (r *run) applyDetails(ctx workflow.Context, now time.Time, in joborder.CorrectDetailsInput) []workflow.Future {
	s := r.s
	s.Positions = in.Positions
	s.ApplicationDeadline = in.ApplicationDeadline
	var shared []workflow.Future
	if in.OccupationCode != "" && in.OccupationCode != s.OccupationCode {
		s.OccupationCode = in.OccupationCode
		shared = r.shareShortage(ctx)
	}
	switch filled := len(s.Hires) >= s.Positions; {
	case filled && s.FilledAt == nil:
		s.FilledAt = timePtr(now)
		s.PausedAtFilled = r.pausedSoFar(now)
	case !filled:
		s.FilledAt = nil
	}
	fields := append([]string(nil), in.Fields...)
	sort.Strings(fields)
	return append([]workflow.Future{r.recordEvent(ctx, joborder.EventDetailsCorrected, in.Actor.ID, in.Actor.Role,
		map[string]string{"fields": strings.Join(fields, ","), "positions": strconv.Itoa(s.Positions)}, true)}, shared...)
}
