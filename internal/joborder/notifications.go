package joborder

import "strings"

// E-mail templates (internal/mail/templates/<name>.{txt,html}); the names are fixed by the issues.
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
	TemplateCandidateNotice            = "candidate_notice"
	TemplateCandidatesReferred         = "candidates_referred"
	TemplateReferralApproved           = "referral_approved"
	TemplateReferralRejected           = "referral_rejected"
	TemplateCandidateInactive          = "candidate_inactive"
	TemplateCandidateReactivate        = "candidate_active_again"
	// TemplateConsentWithdrawn tells the coordinator that a consent a referral relied on was
	// withdrawn (written outside the workflow, by the referral service).
	TemplateConsentWithdrawn = "consent_withdrawn"
	// TemplateDeliveryFailed tells the order's coordinator that an e-mail could not be delivered.
	TemplateDeliveryFailed = "delivery_failed"
	// TemplateSecureLink tells the employer's contact that CVs were referred through the
	// secure_link channel: a link to the page where they are read, and nothing of the CVs.
	TemplateSecureLink = "secure_link"
	// TemplateSecureLinkCode carries the one-time code for a secure link's page (written outside
	// the workflow, when the page asks for it).
	TemplateSecureLinkCode = "secure_link_code"
)

// Templates lists every template, for the renderer's completeness check.
var Templates = []string{
	TemplateNewOrder, TemplateOrderReceived, TemplateCoordinatorAssigned, TemplateCoordinatorMissingReminder,
	TemplateContactReminder, TemplateFirstReferralReminder, TemplateFollowUpReminder, TemplateCloseOutNudge,
	TemplateInactiveEndedReminder, TemplateEscalation, TemplateStatusChanged, TemplateCloseOutQuestion,
	TemplateCandidateNotice, TemplateCandidatesReferred, TemplateReferralApproved, TemplateReferralRejected,
	TemplateCandidateInactive, TemplateCandidateReactivate, TemplateConsentWithdrawn, TemplateDeliveryFailed,
	TemplateSecureLink, TemplateSecureLinkCode,
}

// Recipient roles a notification can be addressed to; the Notify activity resolves the actual
// addresses from the database at send time.
const (
	RecipientCaseworkers = "caseworkers" // every caseworker of the responsible job centre
	RecipientCoordinator = "coordinator" // the order's coordinator (managers when there is none)
	RecipientManagers    = "managers"    // the responsible job centre's managers
	RecipientEmployer    = "employer"    // the employer's contact person for the order
	RecipientCandidate   = "candidate"   // the candidate of the notification's referral
	RecipientProposer    = "proposer"    // the caseworker who proposed the notification's referral
	// RecipientSecureLink is the address the secure link of the notification's referral was
	// made for: its link and every one-time code go there, and nowhere else.
	RecipientSecureLink = "secure_link"
)

// ExternalRecipient tells whether a role is outside the job centre (the employer, a candidate).
func ExternalRecipient(role string) bool {
	switch role {
	case RecipientCaseworkers, RecipientManagers, RecipientCoordinator, RecipientProposer:
		return false
	}
	return true
}

// Reasons a notification is sent, when its template alone does not say: an escalation's cause,
// and whether a delivery_failed notice is about a refusal or a bounce. They travel in the
// notification's input and its outbox rows; they are also the reason detail of the history's
// escalated entries.
const (
	ReasonContact  = "contact"   // escalation: the employer was not contacted in time
	ReasonCloseOut = "close_out" // escalation: the order was not closed out after the nudges
	ReasonRefused  = "refused"   // delivery_failed: the provider refused the e-mail for good
	ReasonBounced  = "bounced"   // delivery_failed: the provider reported a bounce or drop
)

// NotificationKey is the idempotency key of one notification of an order: the order's workflow
// ID, the notification's event and the parts that make it unique (a count, a referral ID), e.g.
// job-order/<id>/contact-reminder/2. The event is the template's name in kebab case; an
// escalation's is prefixed by its reason (contact-escalation, close-out-escalation). A retried or
// replayed activity with the same key never creates a second notification.
func NotificationKey(jobOrderID, template, reason string, parts ...string) string {
	event := template
	if template == TemplateEscalation && reason != "" {
		event = reason + "_" + template
	}
	return key(WorkflowID(jobOrderID), strings.ReplaceAll(event, "_", "-"), parts...)
}

// NoticeKey is the idempotency key of the coordinator's delivery_failed notice about the outbox
// row rowID of the notification notificationKey; reason is ReasonRefused or ReasonBounced.
func NoticeKey(notificationKey, reason string, rowID uint64) string {
	return notificationKey + NoticeKeyInfix(reason) + uintString(rowID)
}

// NoticeKeyInfix is what follows a notification's key in the keys of its notices: the notices
// of a notification are the keys with its key and this infix as prefix.
func NoticeKeyInfix(reason string) string {
	if reason == ReasonBounced {
		return "/bounced/"
	}
	return "/delivery-failed/"
}

// Recipient IDs of outbox rows that are not a person's token subject start with a prefix: a
// candidate's mails (CandidateRecipientPrefix + the candidate's ID) and a secure link's mails
// (SecureLinkRecipientPrefix + the link's ID). Erasing a candidate finds the mails still
// waiting for or about the candidate by them (internal/erasure).
const (
	CandidateRecipientPrefix  = "candidate:"
	SecureLinkRecipientPrefix = "secure-link:"
)
