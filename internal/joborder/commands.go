package joborder

import (
	"time"

	"jobordre/internal/policy"
)

// Actor is who issued a command: the caller's subject ID and role. IDs only, never names.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
}

// AssignCoordinatorInput makes CoordinatorID (a caseworker's subject ID) the order's coordinator.
type AssignCoordinatorInput struct {
	Actor         Actor  `json:"actor"`
	CoordinatorID string `json:"coordinator_id"`
}

// RecordContactInput records a contact with the employer; the first one stops the contact reminders.
type RecordContactInput struct {
	Actor     Actor  `json:"actor"`
	ContactID string `json:"contact_id"`
}

// SetSharingInput sets the sharing level now, at At, or After from now (at most one of At/After).
// Any manual choice stops the policy's automatic sharing steps.
type SetSharingInput struct {
	Actor Actor            `json:"actor"`
	Level string           `json:"level"`
	At    *time.Time       `json:"at,omitempty"`
	After *policy.Duration `json:"after,omitempty"`
}

// AddFollowUpInput agrees a follow-up with the employer, due at Due.
type AddFollowUpInput struct {
	Actor      Actor     `json:"actor"`
	FollowUpID string    `json:"follow_up_id"`
	Due        time.Time `json:"due"`
}

// CompleteFollowUpInput marks a follow-up done, stopping its reminders.
type CompleteFollowUpInput struct {
	Actor      Actor  `json:"actor"`
	FollowUpID string `json:"follow_up_id"`
}

// RegisterHireInput registers one hire.
type RegisterHireInput struct {
	Actor  Actor  `json:"actor"`
	HireID string `json:"hire_id"`
}

// SetStatusInput changes the order's status. Reason is required with closed (one of CloseReasons)
// and not allowed otherwise; Until is optional with temporarily_inactive only.
type SetStatusInput struct {
	Actor  Actor      `json:"actor"`
	Status string     `json:"status"`
	Reason string     `json:"reason,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
}

// Answers to the close-out question (AnswerCloseOutInput.Answer).
const (
	// CloseOutAnswerClose: "yes, close it"; the order closes with CloseReasonClosedByEmployer.
	CloseOutAnswerClose = "close"
	// CloseOutAnswerStillRecruiting: "no, we are still recruiting"; the close-out chain starts
	// over, so the next nudge comes only after the policy's period again.
	CloseOutAnswerStillRecruiting = "still_recruiting"
)

// AnswerCloseOutInput is the employer's answer to the close-out question: one of the
// CloseOutAnswer* values.
type AnswerCloseOutInput struct {
	Actor  Actor  `json:"actor"`
	Answer string `json:"answer"`
}

// CorrectDetailsInput corrects the order details the workflow keeps time by: the number of
// positions (close-out after hire) and the application deadline (close-out after the deadline).
// Fields names every corrected field, for the history; the values themselves stay in the database.
type CorrectDetailsInput struct {
	Actor               Actor      `json:"actor"`
	Positions           int        `json:"positions"`
	ApplicationDeadline *time.Time `json:"application_deadline,omitempty"`
	// OccupationCode is the corrected ISCO-08 code, "" when it did not change; a shortage
	// occupation of the policy's share_immediately is then shared at once.
	OccupationCode string   `json:"occupation_code,omitempty"`
	Fields         []string `json:"fields"`
}

// ReferralSentSignal tells the order a candidate was referred; the first one stops the
// first-referral reminders and starts the follow-up-after-referral deadline.
type ReferralSentSignal struct {
	ReferralID string    `json:"referral_id"`
	At         time.Time `json:"at"`
	// Channel is how the CV reaches the employer (ChannelJobag when empty, as in signals sent
	// before channels delivered): it picks the employer's notice.
	Channel string `json:"channel,omitempty"`
}

// Channels a referred CV reaches the employer through (a referral's channel field).
const (
	// ChannelJobag: the employer reads the CV in jobordre (API and console) after logging in.
	ChannelJobag = "jobag"
	// ChannelSecureLink: the employer's contact gets a mail with a link to a page where the CV
	// is read after a one-time code sent to the same address; no account needed.
	ChannelSecureLink = "secure_link"
	// ChannelEboks: Digital Post (e-Boks) to the company, through a configured provider.
	ChannelEboks = "eboks"
)

// EventRecordedSignal tells the order something happened (a note, an edit): it resets the inactivity clock.
type EventRecordedSignal struct {
	At time.Time `json:"at"`
}

// PolicyChangedSignal carries the job centre's new policy; pending timers are recomputed under it.
type PolicyChangedSignal struct {
	Policy policy.Policy `json:"policy"`
}

// ReferralDecidedSignal carries the coordinator's decision on a proposal.
type ReferralDecidedSignal struct {
	ReferralID string    `json:"referral_id"`
	Approved   bool      `json:"approved"`
	At         time.Time `json:"at"`
}

// CandidateChangedSignal says a referred candidate's CV stopped (or started again) being active.
type CandidateChangedSignal struct {
	ReferralID string    `json:"referral_id"`
	Active     bool      `json:"active"`
	At         time.Time `json:"at"`
}

// PolicyFanOutInput names the job centre whose policy changed.
type PolicyFanOutInput struct {
	Jobcenter string
}

// DeliverOutboxInput names the notification to deliver.
type DeliverOutboxInput struct {
	IdempotencyKey string
}
