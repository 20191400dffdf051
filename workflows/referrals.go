package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"

	"jobordre/activities"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// notifyReferral sends a notification about one referral; the key names the referral, so each
// referral's notice goes out exactly once however often the signal arrives.
func (r *run) notifyReferral(ctx workflow.Context, template, role, referralID string) workflow.Future {
	in := activities.NotifyInput{
		JobOrderID: r.s.JobOrderID, Template: template, RecipientRole: role,
		IdempotencyKey: joborder.NotificationKey(r.s.JobOrderID, template, "", referralID), CoordinatorID: copyStr(r.s.Coordinator), ReferralID: referralID,
	}
	return r.executeNotify(ctx, in)
}

// referralSentNotices tells the candidate their CV was sent (advisering) and the employer that
// candidates were referred: through jobordre (candidates_referred), or with the secure link to
// the CV's page when the referral went by secure_link. A signal without a channel (sent before
// channels delivered) is jobag, so replaying an older history gives the same commands.
func (r *run) referralSentNotices(ctx workflow.Context, referralID, channel string) []workflow.Future {
	// The secure link goes to the address it was made for (RecipientSecureLink), where its
	// one-time codes go too.
	employerNotice, employerRole := joborder.TemplateCandidatesReferred, joborder.RecipientEmployer
	if channel == joborder.ChannelSecureLink {
		employerNotice, employerRole = joborder.TemplateSecureLink, joborder.RecipientSecureLink
	}
	return []workflow.Future{
		r.notifyReferral(ctx, joborder.TemplateCandidateNotice, joborder.RecipientCandidate, referralID),
		r.notifyReferral(ctx, employerNotice, employerRole, referralID),
	}
}

// onReferralDecided tells the proposing caseworker the coordinator's decision.
func (r *run) onReferralDecided(ctx workflow.Context, sig joborder.ReferralDecidedSignal) []workflow.Future {
	r.runEvents++
	r.touch(ctx)
	if sig.ReferralID == "" {
		return nil
	}
	if sig.Approved {
		return []workflow.Future{r.notifyReferral(ctx, joborder.TemplateReferralApproved, joborder.RecipientProposer, sig.ReferralID)}
	}
	return []workflow.Future{r.notifyReferral(ctx, joborder.TemplateReferralRejected, joborder.RecipientProposer, sig.ReferralID)}
}

// onCandidateChanged tells the coordinator a referred candidate's CV stopped or started again
// being active; each change gets its own key (the change count).
func (r *run) onCandidateChanged(ctx workflow.Context, sig joborder.CandidateChangedSignal) []workflow.Future {
	r.runEvents++
	if sig.ReferralID == "" || r.s.Status == models.StatusClosed {
		return nil
	}
	r.s.CandidateChanges++
	template := joborder.TemplateCandidateInactive
	if sig.Active {
		template = joborder.TemplateCandidateReactivate
	}
	in := activities.NotifyInput{
		JobOrderID: r.s.JobOrderID, Template: template, RecipientRole: joborder.RecipientCoordinator,
		IdempotencyKey: joborder.NotificationKey(r.s.JobOrderID, template, "", sig.ReferralID, strconv.Itoa(r.s.CandidateChanges)),
		CoordinatorID:  copyStr(r.s.Coordinator), ReferralID: sig.ReferralID,
	}
	return []workflow.Future{r.executeNotify(ctx, in)}
}
