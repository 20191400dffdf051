package joborder

import "jobordre/models"

// The event feed: what jobordre tells other systems (the job centres' case systems) about an
// order. Each business event in an order's history yields one feed event, written in the same
// transaction as the history entry (internal/history), and delivered by the pull feed
// (GET /api/v1/events) and by webhooks. A feed event is thin: the order's ID, its responsible
// job centre and a per-order sequence number; receivers read the details through the API.

// FeedType is the type of a feed event, as receivers see it (`job_order.created`, ...).
type FeedType string

// Feed event types: one per business event of an order.
const (
	FeedCreated             FeedType = "job_order.created"
	FeedDetailsCorrected    FeedType = "job_order.details_corrected"
	FeedCoordinatorAssigned FeedType = "job_order.coordinator_assigned"
	FeedContactRegistered   FeedType = "job_order.contact_registered"
	FeedSharingChanged      FeedType = "job_order.sharing_changed"
	FeedReferralSent        FeedType = "job_order.referral_sent"
	FeedReferralApproved    FeedType = "job_order.referral_approved"
	FeedReferralRejected    FeedType = "job_order.referral_rejected"
	FeedReferralWithdrawn   FeedType = "job_order.referral_withdrawn"
	FeedHireRegistered      FeedType = "job_order.hire_registered"
	FeedStatusChanged       FeedType = "job_order.status_changed"
	FeedClosed              FeedType = "job_order.closed"
	FeedReopened            FeedType = "job_order.reopened"
)

// FeedTypes lists every feed event type, in the order the documentation gives them.
var FeedTypes = []FeedType{
	FeedCreated, FeedDetailsCorrected, FeedCoordinatorAssigned, FeedContactRegistered, FeedSharingChanged,
	FeedReferralSent, FeedReferralApproved, FeedReferralRejected, FeedReferralWithdrawn,
	FeedHireRegistered, FeedStatusChanged, FeedClosed, FeedReopened,
}

// FeedPing is the type of a webhook subscription's test ping; it is never in the feed.
const FeedPing FeedType = "webhook.test"

// IsFeedType tells whether s names a feed event type.
func IsFeedType(s string) bool {
	for _, t := range FeedTypes {
		if string(t) == s {
			return true
		}
	}
	return false
}

// feedOf maps history event types that are business events to their feed type; status changes
// are refined by FeedTypeOf. Notes (internal text), scheduled sharing steps, follow-ups,
// escalations, notifications and their delivery, proposals awaiting approval and a change of
// the employer's contact person are not business events for other systems.
var feedOf = map[Event]FeedType{
	EventCreated:             FeedCreated,
	EventDetailsCorrected:    FeedDetailsCorrected,
	EventCoordinatorAssigned: FeedCoordinatorAssigned,
	EventContactRecorded:     FeedContactRegistered,
	EventSharingChanged:      FeedSharingChanged,
	EventReferralSent:        FeedReferralSent,
	EventReferralApproved:    FeedReferralApproved,
	EventReferralRejected:    FeedReferralRejected,
	EventReferralWithdrawn:   FeedReferralWithdrawn,
	EventHireRegistered:      FeedHireRegistered,
	EventStatusChanged:       FeedStatusChanged,
}

// FeedTypeOf is the feed event a history entry of type typ with these details yields, or false
// when the entry is not a business event. A status change to closed is job_order.closed, one
// from closed is job_order.reopened, any other job_order.status_changed.
func FeedTypeOf(typ Event, details map[string]string) (FeedType, bool) {
	ft, ok := feedOf[typ]
	if !ok {
		return "", false
	}
	if typ == EventStatusChanged {
		switch {
		case details["status"] == models.StatusClosed:
			return FeedClosed, true
		case details["from"] == models.StatusClosed:
			return FeedReopened, true
		}
	}
	return ft, true
}

// HistoryEvents lists every history event type (the formidlingslog's vocabulary).
var HistoryEvents = []Event{
	EventCreated, EventNoteAdded, EventDetailsCorrected, EventCoordinatorAssigned, EventContactRecorded,
	EventSharingChanged, EventSharingScheduled, EventFollowUpAdded, EventFollowUpCompleted, EventHireRegistered,
	EventStatusChanged, EventEscalated, EventNotificationSent, EventDeliveryFailed, EventDeliveryBounced,
	EventReferralProposed, EventReferralSent, EventReferralApproved, EventReferralRejected, EventReferralWithdrawn,
	EventContactPersonChanged, EventCloseOutAnswered,
}
