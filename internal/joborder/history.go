package joborder

import "strconv"

// Event is the type of one entry in an order's history (formidlingslog).
type Event string

// History event types. Details hold IDs, codes and levels only.
const (
	EventCreated             Event = "created"
	EventNoteAdded           Event = "note-added"
	EventDetailsCorrected    Event = "details-corrected"
	EventCoordinatorAssigned Event = "coordinator-assigned"
	EventContactRecorded     Event = "contact-recorded"
	EventSharingChanged      Event = "sharing-changed"
	EventSharingScheduled    Event = "sharing-scheduled"
	EventFollowUpAdded       Event = "follow-up-added"
	EventFollowUpCompleted   Event = "follow-up-completed"
	EventHireRegistered      Event = "hire-registered"
	EventStatusChanged       Event = "status-changed"
	EventEscalated           Event = "escalated"
	EventNotificationSent    Event = "notification-sent"
	EventDeliveryFailed      Event = "delivery-failed"
	EventDeliveryBounced     Event = "delivery-bounced"
	EventReferralProposed    Event = "referral-proposed"
	EventReferralSent        Event = "referral-sent"
	EventReferralApproved    Event = "referral-approved"
	EventReferralRejected    Event = "referral-rejected"
	EventReferralWithdrawn   Event = "referral-withdrawn"
	// EventCloseOutAnswered: the employer answered the close-out question (details answer:
	// still_recruiting; a "close" answer is recorded as the status change it causes).
	EventCloseOutAnswered Event = "close-out-answered"
	// EventContactPersonChanged: the order has another employer contact person (details
	// contact_id, previous_contact_id, reason: one of the ContactReason* values). Written by the
	// services, not the workflow: the workflow never carries the contact person.
	EventContactPersonChanged Event = "contact-person-changed"
)

// Why an order's employer contact person changed (EventContactPersonChanged's reason).
const (
	// ContactReasonNamed: a caseworker or the company named another contact person.
	ContactReasonNamed = "named"
	// ContactReasonCompanyRegistered: the company registered and its main contact took over the
	// orders that had no contact person.
	ContactReasonCompanyRegistered = "company_registered"
	// ContactReasonContactRemoved: the company removed the contact person, whose orders went to
	// the main contact.
	ContactReasonContactRemoved = "contact_removed"
)

// Actor IDs and roles of entries no person caused.
const (
	// SystemActor is the actor ID and role of timer-driven and delivery entries.
	SystemActor = "system"
)

// EventKey is the unique key of one history entry: the order's workflow ID, the event type and
// the parts that make the entry unique (a sequence number, a note or referral ID), e.g.
// job-order/<id>/status-changed/4. Writing an entry twice with the same key stores it once.
func EventKey(jobOrderID string, typ Event, parts ...string) string {
	return key(WorkflowID(jobOrderID), string(typ), parts...)
}

func key(prefix, name string, parts ...string) string {
	k := prefix + "/" + name
	for _, p := range parts {
		k += "/" + p
	}
	return k
}

func uintString(n uint64) string { return strconv.FormatUint(n, 10) }
