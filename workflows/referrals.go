package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/models"
)

// Signals of the referral flow (fire-and-forget events from the API).
const (
	// SignalReferralDecided tells the order the coordinator approved or rejected a proposal from
	// another job centre (ReferralDecidedSignal); the proposer is notified.
	SignalReferralDecided = "referral-decided"
	// SignalCandidateChanged tells the order a referred candidate became inactive or active again
	// (CandidateChangedSignal); the coordinator is notified.
	SignalCandidateChanged = "candidate-changed"
)

// Templates of the referral flow.
const (
	TemplateCandidateNotice     = "candidate_notice"
	TemplateCandidatesReferred  = "candidates_referred"
	TemplateReferralApproved    = "referral_approved"
	TemplateReferralRejected    = "referral_rejected"
	TemplateCandidateInactive   = "candidate_inactive"
	TemplateCandidateReactivate = "candidate_active_again"
	// TemplateConsentWithdrawn tells the coordinator that a consent a referral relied on was
	// withdrawn (written outside the workflow, by the referral service).
	TemplateConsentWithdrawn = "consent_withdrawn"
)

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

// notifyReferral sends a notification about one referral; the key names the referral, so each
// referral's notice goes out exactly once however often the signal arrives.
func (r *run) notifyReferral(ctx workflow.Context, template, role, event, referralID string) workflow.Future {
	in := activities.NotifyInput{
		JobOrderID: r.s.JobOrderID, Template: template, RecipientRole: role,
		IdempotencyKey: r.key(event, referralID), CoordinatorID: copyStr(r.s.Coordinator), ReferralID: referralID,
	}
	return r.executeNotify(ctx, in)
}

// referralSentNotices tells the candidate their CV was sent (advisering) and the employer that
// candidates were referred.
func (r *run) referralSentNotices(ctx workflow.Context, referralID string) []workflow.Future {
	return []workflow.Future{
		r.notifyReferral(ctx, TemplateCandidateNotice, activities.RecipientCandidate, "candidate-notice", referralID),
		r.notifyReferral(ctx, TemplateCandidatesReferred, activities.RecipientEmployer, "candidates-referred", referralID),
	}
}

// onReferralDecided tells the proposing caseworker the coordinator's decision.
func (r *run) onReferralDecided(ctx workflow.Context, sig ReferralDecidedSignal) []workflow.Future {
	r.runEvents++
	r.touch(ctx)
	if sig.ReferralID == "" {
		return nil
	}
	if sig.Approved {
		return []workflow.Future{r.notifyReferral(ctx, TemplateReferralApproved, activities.RecipientProposer, "referral-approved", sig.ReferralID)}
	}
	return []workflow.Future{r.notifyReferral(ctx, TemplateReferralRejected, activities.RecipientProposer, "referral-rejected", sig.ReferralID)}
}

// onCandidateChanged tells the coordinator a referred candidate's CV stopped or started again
// being active; each change gets its own key (the change count).
func (r *run) onCandidateChanged(ctx workflow.Context, sig CandidateChangedSignal) []workflow.Future {
	r.runEvents++
	if sig.ReferralID == "" || r.s.Status == models.StatusClosed {
		return nil
	}
	r.s.CandidateChanges++
	template, event := TemplateCandidateInactive, "candidate-inactive"
	if sig.Active {
		template, event = TemplateCandidateReactivate, "candidate-active-again"
	}
	in := activities.NotifyInput{
		JobOrderID: r.s.JobOrderID, Template: template, RecipientRole: activities.RecipientCoordinator,
		IdempotencyKey: r.key(event, sig.ReferralID, strconv.Itoa(r.s.CandidateChanges)), CoordinatorID: copyStr(r.s.Coordinator), ReferralID: sig.ReferralID,
	}
	return []workflow.Future{r.executeNotify(ctx, in)}
}
