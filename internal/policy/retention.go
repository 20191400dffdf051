package policy

import (
	"jobordre/internal/problem"
)

// Retention is how long a job centre keeps each kind of personal data. Every period is counted in
// calendar time (never working days: a deletion period is a promise to the citizen, not a service
// deadline) from the close of the order the data belongs to, except InactiveCandidates, which counts
// from a candidate's last activity once the candidate has no open referral.
type Retention struct {
	ReferralData       Duration `json:"referral_data"`
	EmployerNotes      Duration `json:"employer_notes"`
	Consents           Duration `json:"consents"`
	CVAccessLog        Duration `json:"cv_access_log"`
	OutboxMail         Duration `json:"outbox_mail"`
	OrderFreeText      Duration `json:"order_free_text"`
	InactiveCandidates Duration `json:"inactive_candidates"`
}

// DefaultRetention is the national default a job centre has until it sets its own periods:
//
//   - referral_data P180D: the referral and the CV the employer saw stay about half a year after the
//     order closes, long enough for the employer's and the job centre's follow-up and a complaint.
//   - employer_notes P180D: the employer's notes and archive of a referral go with the referral.
//   - consents P180D: a consent is the proof that sharing the CV was allowed, so it must live at
//     least as long as the referral data it covers (Validate enforces that), and no longer.
//   - cv_access_log P365D: every employer read of a CV stays a year, longer than the data it logs,
//     so a candidate's insight request can still show who read the CV after it is gone.
//   - outbox_mail P30D: rendered bodies and addresses are only needed to deliver and re-send.
//   - order_free_text P180D: description and notes of a closed order may name people.
//   - inactive_candidates P365D: a candidate with no open referral and no activity for a year is
//     deleted.
func DefaultRetention() Retention {
	return Retention{
		ReferralData:       MustParseDuration("P180D"),
		EmployerNotes:      MustParseDuration("P180D"),
		Consents:           MustParseDuration("P180D"),
		CVAccessLog:        MustParseDuration("P365D"),
		OutboxMail:         MustParseDuration("P30D"),
		OrderFreeText:      MustParseDuration("P180D"),
		InactiveCandidates: MustParseDuration("P365D"),
	}
}

// Shortest is the shortest of r's periods: Temporal's namespace retention must not keep workflow
// histories longer than the data they describe would be kept.
func (r Retention) Shortest() Duration {
	shortest := r.ReferralData
	for _, d := range []Duration{r.EmployerNotes, r.Consents, r.CVAccessLog, r.OutboxMail, r.OrderFreeText, r.InactiveCandidates} {
		if d.Approx() < shortest.Approx() {
			shortest = d
		}
	}
	return shortest
}

// Validate returns every problem with r, fields named as JSON paths under prefix (for example
// "retention."); none means valid.
func (r Retention) Validate(prefix string) []problem.FieldError {
	errs := positiveDurations(prefix, "P180D", []namedDuration{
		{"referral_data", r.ReferralData},
		{"employer_notes", r.EmployerNotes},
		{"consents", r.Consents},
		{"cv_access_log", r.CVAccessLog},
		{"outbox_mail", r.OutboxMail},
		{"order_free_text", r.OrderFreeText},
		{"inactive_candidates", r.InactiveCandidates},
	})
	if len(errs) > 0 {
		return errs
	}
	// Without its consent a kept referral would be data shared on no recorded ground.
	if r.Consents.Approx() < r.ReferralData.Approx() {
		errs = append(errs, problem.Field(prefix+"consents", "must be at least referral_data (%s): a referral is kept only with the consent that allowed it", r.ReferralData))
	}
	// The employer's notes are about the referral; keeping them without it keeps data about a person
	// the job centre can no longer show the person.
	if r.EmployerNotes.Approx() > r.ReferralData.Approx() {
		errs = append(errs, problem.Field(prefix+"employer_notes", "must be at most referral_data (%s): notes go with the referral they are about", r.ReferralData))
	}
	return errs
}

// RetentionPatch is a partial Retention: nil fields keep their current value.
type RetentionPatch struct {
	ReferralData       *Duration `json:"referral_data,omitempty"`
	EmployerNotes      *Duration `json:"employer_notes,omitempty"`
	Consents           *Duration `json:"consents,omitempty"`
	CVAccessLog        *Duration `json:"cv_access_log,omitempty"`
	OutboxMail         *Duration `json:"outbox_mail,omitempty"`
	OrderFreeText      *Duration `json:"order_free_text,omitempty"`
	InactiveCandidates *Duration `json:"inactive_candidates,omitempty"`
}

// Merge returns r with the periods set in patch replaced; validate the result.
func (r Retention) Merge(patch RetentionPatch) Retention {
	setDuration(&r.ReferralData, patch.ReferralData)
	setDuration(&r.EmployerNotes, patch.EmployerNotes)
	setDuration(&r.Consents, patch.Consents)
	setDuration(&r.CVAccessLog, patch.CVAccessLog)
	setDuration(&r.OutboxMail, patch.OutboxMail)
	setDuration(&r.OrderFreeText, patch.OrderFreeText)
	setDuration(&r.InactiveCandidates, patch.InactiveCandidates)
	return r
}
