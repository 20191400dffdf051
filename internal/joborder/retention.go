package joborder

// RetentionWorkflowName is the registered name of the daily deletion workflow: it deletes or
// anonymises, in batches, the personal data whose retention period (policy.Retention) has run out.
const RetentionWorkflowName = "RetentionWorkflow"

// RetentionScheduleID is the ID of the Temporal Schedule that starts RetentionWorkflow every day;
// the worker creates it, or updates it to the configured spec, at start-up.
const RetentionScheduleID = "retention-daily"

// RetentionWorkflowID is the workflow ID the schedule starts RetentionWorkflow with (Temporal
// appends the scheduled time, so each day's run has its own ID).
const RetentionWorkflowID = "retention"

// Retention kinds: what one batch of the deletion workflow deletes or anonymises. Each is counted
// from the close of the order the data belongs to, with the period of the order's job centre.
const (
	// RetentionReferralData unlinks a referral from its candidate (the CV the employer saw is gone
	// from the employer's view) and clears its free text; the row stays for the key figures.
	RetentionReferralData = "referral_data"
	// RetentionEmployerNotes clears the employer's note and archive mark on a referral.
	RetentionEmployerNotes = "employer_notes"
	// RetentionConsents deletes the consents given for one order.
	RetentionConsents = "consents"
	// RetentionCVAccessLog deletes the CV access log's entries of an order.
	RetentionCVAccessLog = "cv_access_log"
	// RetentionOutboxMail clears the addresses of the outbox rows of an order and deletes the
	// rendered copies of those mails (the dev mailbox).
	RetentionOutboxMail = "outbox_mail"
	// RetentionOrderDescription clears a closed order's description.
	RetentionOrderDescription = "order_description"
	// RetentionOrderNotes clears the text of a closed order's notes.
	RetentionOrderNotes = "order_notes"
	// RetentionInactiveCandidates erases the candidates with no open referral and no activity for
	// their job centre's inactive_candidates period (internal/erasure, as an erasure on request
	// does). Unlike the other kinds it is counted from the candidate's last activity, not from an
	// order's close.
	RetentionInactiveCandidates = "inactive_candidates"
	// RetentionRemovedContacts clears the name, e-mail and phone of the employers' contact persons
	// removed (companies.RemoveContact) longer ago than the national period
	// (RetentionInput.RemovedContacts, JOBORDRE_RETENTION_REMOVED_CONTACTS); the row and its ID
	// stay, so histories and the CV access log still point at "a former contact person". Counted
	// from the removal, not from an order's close, and the same for every job centre: a contact
	// person belongs to a company, not to a job centre.
	RetentionRemovedContacts = "removed_contacts"
)

// RetentionKinds lists every kind in the order the workflow runs them: the consents after the
// referral data they are the ground of; the inactive candidates and the removed contact persons
// last (added later: a run started before runs without them, RetentionInactiveCandidatesVersion,
// RetentionRemovedContactsVersion).
var RetentionKinds = []string{RetentionReferralData, RetentionEmployerNotes, RetentionConsents,
	RetentionCVAccessLog, RetentionOutboxMail, RetentionOrderDescription, RetentionOrderNotes, RetentionInactiveCandidates,
	RetentionRemovedContacts}

// RetentionInactiveCandidatesVersion is the workflow.GetVersion change ID under which
// RetentionWorkflow runs the inactive_candidates kind: a run recorded before the kind existed
// replays without it.
const RetentionInactiveCandidatesVersion = "retention-inactive-candidates"

// RetentionRemovedContactsVersion is the workflow.GetVersion change ID under which
// RetentionWorkflow runs the removed_contacts kind: a run recorded before the kind existed
// replays without it.
const RetentionRemovedContactsVersion = "retention-removed-contacts"

// RetentionInput starts the deletion workflow: the rows per batch (each batch its own transaction)
// and at most how many batches of one kind a run does (the rest waits for the next day's run, so
// one run's history stays bounded).
type RetentionInput struct {
	BatchSize  int `json:"batch_size"`
	MaxBatches int `json:"max_batches"`
	// RemovedContacts is the national period (ISO 8601, "P180D") after a contact person's removal
	// when their name, e-mail and phone are cleared (JOBORDRE_RETENTION_REMOVED_CONTACTS); empty:
	// the default, P180D. A period, not personal data.
	RemovedContacts string `json:"removed_contacts,omitempty"`
}

// RetentionBatchInput is one batch of one kind; Now is the run's time the periods are counted back from.
type RetentionBatchInput struct {
	Kind      string `json:"kind"`
	BatchSize int    `json:"batch_size"`
	// NowUnixMilli is the workflow's time at the start of the run, so every batch of a run uses
	// the same cut-off.
	NowUnixMilli int64 `json:"now_unix_milli"`
	// RemovedContacts is RetentionInput.RemovedContacts, passed on for the removed_contacts kind.
	RemovedContacts string `json:"removed_contacts,omitempty"`
}

// RetentionBatchResult is how many rows one batch deleted or anonymised; fewer than the batch
// size means the kind has nothing more due.
type RetentionBatchResult struct {
	Count int `json:"count"`
}

// RetentionCount is how many rows of one kind a run deleted or anonymised.
type RetentionCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
	// Batches is how many batches of the kind ran.
	Batches int `json:"batches"`
	// More says the run stopped at MaxBatches with rows of the kind still due.
	More bool `json:"more,omitempty"`
}

// RetentionResult is the deletion workflow's result: counts only, no IDs of people.
type RetentionResult struct {
	Counts []RetentionCount `json:"counts"`
}
