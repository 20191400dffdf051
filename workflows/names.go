// Package workflows holds JobOrderWorkflow: one durable workflow per job order that keeps the
// job centre's promises with timers. Workflow code is deterministic and carries IDs only, never
// personal data; activities read what they need from the database.
package workflows

import "strings"

// Names of the workflow, its queries, updates and signals; clients use these constants.
const (
	// JobOrderWorkflowName is the registered name of JobOrderWorkflow.
	JobOrderWorkflowName = "JobOrderWorkflow"
	// QueryLiveState returns the order's LiveState.
	QueryLiveState = "live-state"

	// Updates (commands). Each has a validator; a rejected command leaves no trace in history.
	UpdateAssignCoordinator = "assign-coordinator" // AssignCoordinatorInput → AssignCoordinatorResult
	UpdateRecordContact     = "record-contact"     // RecordContactInput → RecordContactResult
	UpdateSetSharing        = "set-sharing"        // SetSharingInput → SetSharingResult
	UpdateAddFollowUp       = "add-follow-up"      // AddFollowUpInput → AddFollowUpResult
	UpdateCompleteFollowUp  = "complete-follow-up" // CompleteFollowUpInput → CompleteFollowUpResult
	UpdateRegisterHire      = "register-hire"      // RegisterHireInput → RegisterHireResult
	UpdateSetStatus         = "set-status"         // SetStatusInput → SetStatusResult
	UpdateCorrectDetails    = "correct-details"    // CorrectDetailsInput → CorrectDetailsResult

	// Signals (fire-and-forget events).
	SignalReferralSent  = "referral-sent"  // ReferralSentSignal
	SignalEventRecorded = "event-recorded" // EventRecordedSignal
	SignalPolicyChanged = "policy-changed" // PolicyChangedSignal
)

// Notification templates (fixed by the issue; the notifier renders them).
const (
	TemplateNewOrder                   = "new_order"
	TemplateOrderReceived              = "order_received"
	TemplateCoordinatorAssigned        = "coordinator_assigned"
	TemplateCoordinatorMissingReminder = "coordinator_missing_reminder"
	TemplateContactReminder            = "contact_reminder"
	TemplateFirstReferralReminder      = "first_referral_reminder"
	TemplateFollowUpReminder           = "follow_up_reminder"
	TemplateCloseOutNudge              = "close_out_nudge"
	TemplateInactiveEndedReminder      = "inactive_ended_reminder"
	TemplateEscalation                 = "escalation"
	TemplateStatusChanged              = "status_changed"
	TemplateCloseOutQuestion           = "close_out_question"
)

// Close reasons accepted with status closed.
const (
	CloseReasonFilled               = "filled"
	CloseReasonDeadlinePassed       = "deadline_passed"
	CloseReasonWithdrawnByEmployer  = "withdrawn_by_employer"
	CloseReasonNoSuitableCandidates = "no_suitable_candidates"
	CloseReasonOther                = "other"
)

// CloseReasonClosedByEmployer is stored when the employer closes its own order: the job
// centre's close reasons are internal and the employer never sees them, so it gives none.
const CloseReasonClosedByEmployer = "closed_by_employer"

// CloseReasons lists the close reasons the job centre chooses from.
var CloseReasons = []string{CloseReasonFilled, CloseReasonDeadlinePassed, CloseReasonWithdrawnByEmployer, CloseReasonNoSuitableCandidates, CloseReasonOther}

// DefaultMaxEventsBeforeContinueAsNew bounds one run's history when the server does not suggest
// continue-as-new earlier.
const DefaultMaxEventsBeforeContinueAsNew = 1000

// workflowIDPrefix starts every job-order workflow ID.
const workflowIDPrefix = "job-order/"

// JobOrderWorkflowID is the workflow ID of the job order with the given ID.
func JobOrderWorkflowID(jobOrderID string) string { return workflowIDPrefix + jobOrderID }

// JobOrderIDFromWorkflowID returns the job order ID inside a workflow ID, or false if it is not one.
func JobOrderIDFromWorkflowID(workflowID string) (string, bool) {
	id, ok := strings.CutPrefix(workflowID, workflowIDPrefix)
	return id, ok && id != ""
}
