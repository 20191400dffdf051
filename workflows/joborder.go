package workflows

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/temporalx"
	"jobordre/models"
)

// Actor used in history entries for timer-driven events.
const systemActor = joborder.SystemActor

// run is one run of JobOrderWorkflow: its state plus the run-local bookkeeping.
type run struct {
	s         *State
	mu        workflow.Mutex
	version   int // bumped by every state change so the main loop recomputes its timer
	runEvents int // events handled in this run (continue-as-new bound)
	done      bool
	logger    interface {
		Info(string, ...any)
		Warn(string, ...any)
		Error(string, ...any)
	}
	referralCh, eventCh, policyCh workflow.ReceiveChannel
	decidedCh, candidateCh        workflow.ReceiveChannel
	outbox                        outbox // e-mail deliveries in flight (delivery.go)
	// local runs the database-only activities as local activities (localChangeID), except
	// while an update handler issues them (inCommand) beyond what localCommands allows.
	local, inCommand bool
	// localCommands lets commands run theirs locally, maxLocalCommandsPerTask per workflow
	// task: taskCommands counts them in the task that began at history length taskMark.
	localCommands          bool
	taskMark, taskCommands int
}

// JobOrderWorkflow runs one job order from creation until its reopen window after closing has passed.
func JobOrderWorkflow(ctx workflow.Context, in JobOrderInput) error {
	if in.State == nil && (in.JobOrderID == "" || in.ResponsibleJobcenter == "") {
		return temporal.NewNonRetryableApplicationError("job order input needs an ID and a responsible job centre", joborder.ErrInvalidInput, nil)
	}
	r := &run{logger: workflow.GetLogger(ctx), mu: workflow.NewMutex(ctx), outbox: outbox{root: ctx}}
	fresh := in.State == nil
	if fresh {
		p := in.Policy
		if p.IsZero() {
			p = policy.Defaults()
		}
		if errs := p.Validate(); len(errs) > 0 {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("invalid policy: %v", errs), joborder.ErrInvalidInput, nil)
		}
		r.s = newState(in, p)
	} else {
		r.s = in.State
	}
	// Runs recorded before the spread keep delivering at the window's opening (replay).
	r.s.SpreadReminders = workflow.GetVersion(ctx, spreadChangeID, workflow.DefaultVersion, spreadVersion) >= spreadVersion
	// Runs recorded before local activities keep scheduling them on the task queue (replay).
	lv := workflow.GetVersion(ctx, localChangeID, workflow.DefaultVersion, localCommandsVersion)
	r.local, r.localCommands = lv >= localVersion, lv >= localCommandsVersion
	maxEvents := in.MaxEventsBeforeContinueAsNew
	if maxEvents <= 0 {
		maxEvents = DefaultMaxEventsBeforeContinueAsNew
	}

	if err := workflow.SetQueryHandler(ctx, joborder.QueryLiveState, func() (joborder.LiveState, error) {
		return r.view(workflow.Now(ctx)), nil
	}); err != nil {
		return fmt.Errorf("register live-state query: %w", err)
	}
	if err := r.registerUpdates(ctx); err != nil {
		return err
	}
	r.referralCh = workflow.GetSignalChannel(ctx, joborder.SignalReferralSent)
	r.eventCh = workflow.GetSignalChannel(ctx, joborder.SignalEventRecorded)
	r.policyCh = workflow.GetSignalChannel(ctx, joborder.SignalPolicyChanged)
	r.decidedCh = workflow.GetSignalChannel(ctx, joborder.SignalReferralDecided)
	r.candidateCh = workflow.GetSignalChannel(ctx, joborder.SignalCandidateChanged)

	if err := workflow.UpsertTypedSearchAttributes(ctx, searchAttributes(r.s)...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	if fresh {
		r.mu.Lock(ctx)
		r.start(ctx)
		r.mu.Unlock()
	}

	for {
		now := workflow.Now(ctx)
		if r.done {
			// The reopen window has passed: the order is finished for good.
			if err := workflow.Await(ctx, func() bool { return r.settled(ctx) }); err != nil {
				return err
			}
			return nil
		}
		if r.runEvents >= maxEvents || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return r.settled(ctx) }); err != nil {
				return err
			}
			r.drainSignals(ctx)
			// Signals drained just now may have started deliveries: they finish in this run.
			if err := workflow.Await(ctx, func() bool { return r.settled(ctx) }); err != nil {
				return err
			}
			next := JobOrderInput{
				JobOrderID: r.s.JobOrderID, ResponsibleJobcenter: r.s.ResponsibleJobcenter, OccupationCode: r.s.OccupationCode,
				CreatedAt: r.s.CreatedAt, Positions: r.s.Positions, ApplicationDeadline: r.s.ApplicationDeadline,
				Policy: r.s.Policy, State: r.s, MaxEventsBeforeContinueAsNew: in.MaxEventsBeforeContinueAsNew,
			}
			return workflow.NewContinueAsNewError(ctx, joborder.WorkflowName, next)
		}
		seen := r.version
		wake := r.nextWake(now)
		cond := func() bool {
			return r.version != seen || r.referralCh.Len() > 0 || r.eventCh.Len() > 0 || r.policyCh.Len() > 0 ||
				r.decidedCh.Len() > 0 || r.candidateCh.Len() > 0 ||
				r.runEvents >= maxEvents || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		}
		var err error
		switch {
		case wake == nil:
			err = workflow.Await(ctx, cond)
		case wake.After(now):
			_, err = workflow.AwaitWithTimeout(ctx, wake.Sub(now), cond)
		}
		if err != nil {
			return err
		}
		r.mu.Lock(ctx)
		r.drainSignals(ctx)
		r.fireDue(ctx)
		r.wait(ctx, r.projectDeadlines(ctx))
		r.mu.Unlock()
	}
}

func newState(in JobOrderInput, p policy.Policy) *State {
	positions := in.Positions
	if positions <= 0 {
		positions = 1
	}
	s := &State{
		JobOrderID: in.JobOrderID, ResponsibleJobcenter: in.ResponsibleJobcenter, OccupationCode: in.OccupationCode,
		CreatedAt: in.CreatedAt, Positions: positions, ApplicationDeadline: in.ApplicationDeadline, Policy: p,
		Status: models.StatusOpen, Sharing: models.SharingInternal,
		Coordinators: []joborder.Assignment{}, ContactIDs: []string{}, Referrals: []string{}, Hires: []string{}, FollowUps: []FollowUp{},
		LastEventAt:   in.CreatedAt,
		Coord:         Chain{Active: true, Ref: in.CreatedAt},
		Contact:       Chain{Active: true, Ref: in.CreatedAt},
		FirstReferral: Chain{Active: true, Ref: in.CreatedAt},
		CloseOut:      Chain{Active: true},
	}
	s.ProjectedStatus, s.ProjectedSharing = s.Status, s.Sharing
	if lvl := p.ImmediateLevel(in.OccupationCode); lvl != "" {
		s.Sharing = lvl
	}
	return s
}

// start announces a new order: caseworkers and employer are told, and a shortage occupation's
// immediate sharing is recorded and projected.
func (r *run) start(ctx workflow.Context) {
	var futures []workflow.Future
	if r.s.Sharing != models.SharingInternal {
		futures = append(futures, r.recordEvent(ctx, joborder.EventSharingChanged, systemActor, systemActor, map[string]string{"level": r.s.Sharing, "cause": "share_immediately"}, false))
	}
	futures = append(futures, r.projectIfChanged(ctx)...)
	futures = append(futures, r.projectDeadlines(ctx)...)
	futures = append(futures,
		r.notify(ctx, joborder.TemplateNewOrder, joborder.RecipientCaseworkers, "", "1"),
		r.notify(ctx, joborder.TemplateOrderReceived, joborder.RecipientEmployer, "", "1"))
	r.wait(ctx, futures)
}

// ---- activities ----

var acts *activities.Activities

// activityRetry is the retry policy of the order's database activities: unlimited attempts
// (they are idempotent), backoff up to a minute, no retry of a refused input.
var activityRetry = temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        time.Minute,
	MaximumAttempts:        0, // unlimited: the activities are idempotent
	NonRetryableErrorTypes: []string{joborder.ErrInvalidInput, joborder.ErrNotFound},
}

// activityTimeout bounds one attempt of a database activity on the task queue, and so how long
// an attempt on a worker that died is waited for before it is retried elsewhere: a command after
// a worker's SIGKILL waits up to this long. 10 s made attempts on a starved machine (load 12 on
// two cores) time out and run twice, and a continue-as-new test under load lost its updates.
const activityTimeout = 30 * time.Second

func activityCtx(ctx workflow.Context) workflow.Context {
	retry := activityRetry
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: activityTimeout, RetryPolicy: &retry})
}

// localChangeID versions running the order's database-only activities (RecordEvent,
// ProjectState, ProjectDeadlines, Notify) as local activities (issue 14) when a timer, a signal
// or the order's start causes them. Each one scheduled on the task queue cost the server a
// schedule, a start, a completion and one more workflow task; as a local activity it runs inside
// the workflow task that asked for it, recorded as one marker, so a reminder needs one workflow
// task before its Deliver. They are short, idempotent writes to jobordre's own database, the
// case local activities are for.
//
// Commands (update handlers) run theirs locally too from localCommandsVersion on, but at most
// maxLocalCommandsPerTask of them in one workflow task: updates queue for the run's mutex, and
// with no bound every queued command would run inside one workflow task, whose answers reach the
// callers only when that task completes (measured: 240 queued commands on one order waited more
// than 100 s). The command after the bound schedules ordinary activities, so the task completes
// and answers the commands before it; the next task starts counting again. Runs recorded with
// localVersion keep ordinary activities for every command; histories recorded before either
// replay with DefaultVersion and schedule ordinary activities throughout.
const (
	localChangeID        = "local-db-activities"
	localVersion         = 1
	localCommandsVersion = 2
)

// maxLocalCommandsPerTask bounds the commands whose activities run locally within one workflow
// task (see localChangeID): a few commands' writes, tens of milliseconds, before their answers.
const maxLocalCommandsPerTask = 4

// localActivityTimeout bounds one attempt of a local activity. Shorter than a workflow task's
// timeout (10 s) would be too tight for a write waiting on a busy database; an attempt that
// takes longer is retried, and the SDK keeps the workflow task alive meanwhile.
const localActivityTimeout = 30 * time.Second

// dbActivity runs one of the order's database-only activities: locally from localChangeID on
// unless an update handler asks beyond its bound (inCommand, see localChangeID), else on the
// task queue as before.
func (r *run) dbActivity(ctx workflow.Context, fn, in any) workflow.Future {
	if r.local && !r.inCommand {
		retry := activityRetry
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: localActivityTimeout, RetryPolicy: &retry})
		return workflow.ExecuteLocalActivity(lctx, fn, in)
	}
	return workflow.ExecuteActivity(activityCtx(ctx), fn, in)
}

// notify sends template to role for reason (an escalation's cause, else ""); parts make the
// notification's key unique among the order's notifications of that template (a count).
func (r *run) notify(ctx workflow.Context, template, role, reason string, parts ...string) workflow.Future {
	in := activities.NotifyInput{
		JobOrderID: r.s.JobOrderID, Template: template, RecipientRole: role, Reason: reason,
		IdempotencyKey: joborder.NotificationKey(r.s.JobOrderID, template, reason, parts...), CoordinatorID: copyStr(r.s.Coordinator),
	}
	return r.executeNotify(ctx, in)
}

// recordEvent appends an entry to the order's history; its key is numbered by the workflow.
func (r *run) recordEvent(ctx workflow.Context, typ joborder.Event, actorID, actorRole string, details map[string]string, employerVisible bool) workflow.Future {
	r.s.EventSeq++
	in := activities.RecordEventInput{
		JobOrderID: r.s.JobOrderID, EventKey: joborder.EventKey(r.s.JobOrderID, typ, strconv.Itoa(r.s.EventSeq)), Type: typ,
		At: workflow.Now(ctx), ActorID: actorID, ActorRole: actorRole, Details: details, EmployerVisible: employerVisible,
	}
	return r.dbActivity(ctx, acts.RecordEvent, in)
}

// projectIfChanged upserts the search attributes and runs ProjectState when status, sharing or
// coordinator changed since the last projection.
func (r *run) projectIfChanged(ctx workflow.Context) []workflow.Future {
	s := r.s
	if s.ProjectedStatus == s.Status && s.ProjectedSharing == s.Sharing && eqStr(s.ProjectedCoordinator, s.Coordinator) {
		return nil
	}
	s.ProjectedStatus, s.ProjectedSharing, s.ProjectedCoordinator = s.Status, s.Sharing, copyStr(s.Coordinator)
	if err := workflow.UpsertTypedSearchAttributes(ctx, searchAttributes(s)...); err != nil {
		r.logger.Error("upsert search attributes", "error", err)
	}
	in := activities.ProjectStateInput{JobOrderID: s.JobOrderID, Status: s.Status, Sharing: s.Sharing, CoordinatorID: copyStr(s.Coordinator)}
	return []workflow.Future{r.dbActivity(ctx, acts.ProjectState, in)}
}

// deadlinesChangeID versions the projection of the reminder deadlines to the database
// (ProjectDeadlines, read by the inbox). Histories recorded before it replay with DefaultVersion
// and project nothing.
const (
	deadlinesChangeID = "project-deadlines"
	deadlinesVersion  = 1
)

// projectDeadlines runs ProjectDeadlines when the reminder deadlines the coordinator is asked
// to act on (contact, first referral, follow-ups, close-out) changed since they were last
// projected. Only an open order has any: paused and closed orders wait for nobody.
func (r *run) projectDeadlines(ctx workflow.Context) []workflow.Future {
	var ds []joborder.Deadline
	if r.s.Status == models.StatusOpen {
		for _, p := range r.pendings(workflow.Now(ctx)) {
			kind, _, _ := strings.Cut(p.name, ":")
			switch kind {
			case models.DeadlineContact, models.DeadlineFirstReferral, models.DeadlineFollowUp, models.DeadlineCloseOut:
				ds = append(ds, joborder.Deadline{Name: p.name, Due: p.due})
			}
		}
	}
	if slices.EqualFunc(ds, r.s.ProjectedDeadlines, func(a, b joborder.Deadline) bool { return a.Name == b.Name && a.Due.Equal(b.Due) }) {
		return nil
	}
	if workflow.GetVersion(ctx, deadlinesChangeID, workflow.DefaultVersion, deadlinesVersion) == workflow.DefaultVersion {
		return nil
	}
	r.s.ProjectedDeadlines = ds
	in := activities.ProjectDeadlinesInput{JobOrderID: r.s.JobOrderID, CoordinatorID: copyStr(r.s.Coordinator), Deadlines: slices.Clone(ds)}
	return []workflow.Future{r.dbActivity(ctx, acts.ProjectDeadlines, in)}
}

// wait waits for every future; failures (only non-retryable ones reach here) are logged and the
// order carries on: a missing notification or projection must not stop its timers. Then it
// starts the e-mail deliveries of the notifications written, without waiting for them.
func (r *run) wait(ctx workflow.Context, futures []workflow.Future) {
	for _, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			var appErr *temporal.ApplicationError
			if errors.As(err, &appErr) {
				r.logger.Warn("activity failed without retry; carrying on", "type", appErr.Type(), "error", err)
			} else {
				r.logger.Error("activity failed; carrying on", "error", err)
			}
		}
	}
	r.startDeliveries(ctx)
}

// ---- signals ----

func (r *run) drainSignals(ctx workflow.Context) {
	var futures []workflow.Future
	defer func() { r.wait(ctx, futures) }()
	for {
		var sig joborder.ReferralSentSignal
		if !r.referralCh.ReceiveAsync(&sig) {
			break
		}
		futures = append(futures, r.onReferral(ctx, sig)...)
	}
	for {
		var sig joborder.ReferralDecidedSignal
		if !r.decidedCh.ReceiveAsync(&sig) {
			break
		}
		futures = append(futures, r.onReferralDecided(ctx, sig)...)
	}
	for {
		var sig joborder.CandidateChangedSignal
		if !r.candidateCh.ReceiveAsync(&sig) {
			break
		}
		futures = append(futures, r.onCandidateChanged(ctx, sig)...)
	}
	for {
		var sig joborder.EventRecordedSignal
		if !r.eventCh.ReceiveAsync(&sig) {
			break
		}
		r.touch(ctx)
		r.runEvents++
	}
	for {
		var sig joborder.PolicyChangedSignal
		if !r.policyCh.ReceiveAsync(&sig) {
			break
		}
		futures = append(futures, r.onPolicyChanged(ctx, sig)...)
	}
}

func (r *run) onReferral(ctx workflow.Context, sig joborder.ReferralSentSignal) []workflow.Future {
	r.runEvents++
	r.touch(ctx)
	if sig.ReferralID == "" || contains(r.s.Referrals, sig.ReferralID) {
		return nil
	}
	r.s.Referrals = append(r.s.Referrals, sig.ReferralID)
	if r.s.FirstReferralAt == nil {
		now := workflow.Now(ctx)
		r.s.FirstReferralAt = &now
		r.s.PausedAtReferral = r.pausedSoFar(now)
		r.s.FirstReferral.Active = false
	}
	return r.referralSentNotices(ctx, sig.ReferralID, sig.Channel)
}

// onPolicyChanged takes the job centre's new policy. It is not activity on the order (it must
// not restart the inactivity clock); the main loop recomputes the pending deadlines from it. A
// shortage occupation the new policy shares at once is shared now (shareShortage).
func (r *run) onPolicyChanged(ctx workflow.Context, sig joborder.PolicyChangedSignal) []workflow.Future {
	r.runEvents++
	if errs := sig.Policy.Validate(); len(errs) > 0 {
		r.logger.Warn("ignoring invalid policy", "errors", fmt.Sprint(errs))
		return nil
	}
	r.s.Policy = sig.Policy
	r.version++
	return r.shareShortage(ctx)
}

// rulesChangeID versions the rules of issue 11 in the workflow: the shortage rule applied on a
// policy change and an occupation correction, and a manual sharing "after" counted in the job
// centre's working days. Histories recorded before them replay with DefaultVersion.
const (
	rulesChangeID = "fidelity-rules"
	rulesVersion  = 1
)

// spreadChangeID versions the spreading of reminders that waited for the delivery window
// (policy.SpreadDeliveryTime, issue 14): runs recorded before it replay with DefaultVersion and
// deliver at the window's opening, as they did.
const (
	spreadChangeID = "spread-window-reminders"
	spreadVersion  = 1
)

// rulesApply tells whether this run follows the issue 11 rules (see rulesChangeID).
func rulesApply(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, rulesChangeID, workflow.DefaultVersion, rulesVersion) >= rulesVersion
}

// shareShortage widens the sharing to the level the policy's share_immediately gives the order's
// occupation, unless the order is closed, already shared that widely, or someone at the job
// centre chose its sharing by hand (a manual choice ends the automatic sharing).
func (r *run) shareShortage(ctx workflow.Context) []workflow.Future {
	s := r.s
	level := s.Policy.ImmediateLevel(s.OccupationCode)
	if level == "" || s.ManualSharing || s.Status == models.StatusClosed || models.SharingRank(level) <= models.SharingRank(s.Sharing) {
		return nil
	}
	if !rulesApply(ctx) {
		return nil
	}
	return r.changeSharing(ctx, level, "share_immediately", systemActor, systemActor)
}

// touch records that something happened: the inactivity clock restarts, and a close-out chain
// that only inactivity started is reset.
func (r *run) touch(ctx workflow.Context) {
	now := workflow.Now(ctx)
	r.s.LastEventAt = now
	r.s.PausedAtLastEvent = r.pausedSoFar(now)
	if r.s.CloseOut.Fired > 0 && r.s.CloseOutCause == "inactivity" {
		r.s.CloseOut.Fired = 0
		r.s.CloseOutEscalated = false
		r.s.CloseOutCause = ""
	}
	r.version++
}

// ---- search attributes ----

// searchAttributes are the order's indexed fields in Temporal's visibility store.
func searchAttributes(s *State) []temporal.SearchAttributeUpdate {
	coordinator := temporal.NewSearchAttributeKeyKeyword(temporalx.SACoordinator)
	updates := []temporal.SearchAttributeUpdate{
		temporal.NewSearchAttributeKeyKeyword(temporalx.SAStatus).ValueSet(s.Status),
		temporal.NewSearchAttributeKeyKeyword(temporalx.SASharingLevel).ValueSet(s.Sharing),
		temporal.NewSearchAttributeKeyKeyword(temporalx.SAResponsibleJobcenter).ValueSet(s.ResponsibleJobcenter),
	}
	if s.Coordinator != nil {
		updates = append(updates, coordinator.ValueSet(*s.Coordinator))
	} else {
		updates = append(updates, coordinator.ValueUnset())
	}
	return updates
}

// ---- helpers ----

func copyStr(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func eqStr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func timePtr(t time.Time) *time.Time { return &t }

func sortDeadlines(d []joborder.Deadline) {
	sort.SliceStable(d, func(i, j int) bool {
		if !d[i].Due.Equal(d[j].Due) {
			return d[i].Due.Before(d[j].Due)
		}
		return d[i].Name < d[j].Name
	})
}
