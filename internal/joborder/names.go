// Package joborder is the contract between the job-order workflow, its activities and their
// callers (services, API, console): the names of workflows, queries, updates and signals with
// their payload types, the e-mail templates and recipient roles, the error types a workflow or
// activity answers with, and the formidlingslog's event types with the one key builder. It is a
// leaf: it imports only other leaves, so workflows and activities both stand on it.
//
// Payloads carry IDs and codes only: no names, e-mail addresses or free text, so no personal
// data lands in a workflow history.
package joborder

import "strings"

// Registered workflow names.
const (
	// WorkflowName is the registered name of the job-order workflow (one per order).
	WorkflowName = "JobOrderWorkflow"
	// PolicyFanOutWorkflowName is the registered name of the workflow that tells a job
	// centre's open orders about its new policy.
	PolicyFanOutWorkflowName = "PolicyFanOutWorkflow"
	// DeliverOutboxWorkflowName is the registered name of the workflow that delivers one
	// notification written outside an order's workflow.
	DeliverOutboxWorkflowName = "DeliverOutboxWorkflow"
)

// workflowIDPrefix starts every job-order workflow ID.
const workflowIDPrefix = "job-order/"

// WorkflowID is the workflow ID of the job order with the given ID.
func WorkflowID(jobOrderID string) string { return workflowIDPrefix + jobOrderID }

// IDFromWorkflowID returns the job order ID inside a workflow ID, or false if it is not one.
func IDFromWorkflowID(workflowID string) (string, bool) {
	id, ok := strings.CutPrefix(workflowID, workflowIDPrefix)
	return id, ok && id != ""
}

// PolicyFanOutWorkflowID is the fan-out's workflow ID for a job centre; a newer policy change
// replaces a fan-out still running, and the activity always sends the policy stored now.
func PolicyFanOutWorkflowID(jobcenter string) string { return "policy-fanout/" + jobcenter }

// DeliverOutboxWorkflowID is the workflow ID of the delivery of one notification written outside
// an order's workflow (the coordinator notice about a bounce, from the SendGrid webhook).
func DeliverOutboxWorkflowID(idempotencyKey string) string {
	return "outbox-delivery/" + idempotencyKey
}

// QueryLiveState returns the order's LiveState.
const QueryLiveState = "live-state"

// Updates (commands). Each has a validator; a rejected command leaves no trace in history.
// Every one returns the order's LiveState after the command.
const (
	UpdateAssignCoordinator = "assign-coordinator" // AssignCoordinatorInput
	UpdateRecordContact     = "record-contact"     // RecordContactInput
	UpdateSetSharing        = "set-sharing"        // SetSharingInput
	UpdateAddFollowUp       = "add-follow-up"      // AddFollowUpInput
	UpdateCompleteFollowUp  = "complete-follow-up" // CompleteFollowUpInput
	UpdateRegisterHire      = "register-hire"      // RegisterHireInput
	UpdateSetStatus         = "set-status"         // SetStatusInput
	UpdateCorrectDetails    = "correct-details"    // CorrectDetailsInput
	// UpdateAnswerCloseOut is the employer's answer to the close_out_question mail
	// (AnswerCloseOutInput): close the order, or keep recruiting and restart the close-out nudges.
	UpdateAnswerCloseOut = "answer-close-out"
	// UpdateApplyPolicy carries the job centre's new policy (PolicyChangedSignal), as
	// SignalPolicyChanged does, but answers only once the order has taken it (its reminders
	// recomputed, any now due written): the policy fan-out sends it a few orders at a time, so
	// that one policy change cannot queue thousands of orders' work in front of the commands.
	// It answers nothing (no LiveState) and is rejected when the policy is invalid.
	UpdateApplyPolicy = "apply-policy"
)

// Signals (fire-and-forget events).
const (
	// SignalReferralSent tells the order a candidate was referred (ReferralSentSignal).
	SignalReferralSent = "referral-sent"
	// SignalEventRecorded tells the order something happened (EventRecordedSignal).
	SignalEventRecorded = "event-recorded"
	// SignalPolicyChanged carries the job centre's new policy (PolicyChangedSignal).
	SignalPolicyChanged = "policy-changed"
	// SignalReferralDecided tells the order the coordinator approved or rejected a proposal
	// from another job centre (ReferralDecidedSignal); the proposer is notified.
	SignalReferralDecided = "referral-decided"
	// SignalCandidateChanged tells the order a referred candidate became inactive or active
	// again (CandidateChangedSignal); the coordinator is notified.
	SignalCandidateChanged = "candidate-changed"
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
