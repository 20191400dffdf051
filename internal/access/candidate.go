package access

import (
	"jobordre/internal/auth"
	"jobordre/models"
)

// HoldsCandidate tells whether p sees the candidate and everything stored about them (the
// candidate record, consents, referrals, the CV access log, the insight of GDPR art. 15): the
// staff of the candidate's home job centre, which registered them and answers for their data.
// Employers, other job centres, admins and case systems do not; to them the candidate does not
// exist (404).
func HoldsCandidate(p auth.Principal, c *models.Candidate) bool {
	return p.IsJobcenterStaff() && c.HomeJobcenter == p.Jobcenter
}
