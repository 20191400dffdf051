package access

import (
	"jobordre/internal/auth"
	"jobordre/models"
)

// Who may act on an order the caller can read. The services enforce these predicates, and the
// console asks OrderActions which forms to offer, so a page never offers what the service would
// refuse and never holds a rule of its own.

// IsCoordinator tells whether p is the order's coordinator (tovholder).
func IsCoordinator(p auth.Principal, o *models.JobOrder) bool {
	return p.IsJobcenterStaff() && o.CoordinatorID != nil && *o.CoordinatorID == p.Subject
}

// CanDecideProposals tells whether p approves or rejects CVs other job centres propose for the
// order: its coordinator, or a manager of the responsible job centre.
func CanDecideProposals(p auth.Principal, o *models.JobOrder) bool {
	return IsOwnJobcenter(p, o) && (IsCoordinator(p, o) || p.Role == auth.RoleManager)
}

// CanSetStatus tells whether p opens, pauses or closes the order: the employer and the
// responsible job centre.
func CanSetStatus(p auth.Principal, o *models.JobOrder) bool {
	return IsOwnJobcenter(p, o) || (p.Role == auth.RoleEmployer && o.CompanyCVR == p.CVR)
}

// CanReopen tells whether p reopens a closed order: the responsible job centre only.
func CanReopen(p auth.Principal, o *models.JobOrder) bool { return IsOwnJobcenter(p, o) }

// CanRefer tells whether p refers candidates (of p's own job centre) to orders p can read:
// job-centre staff. A referral from the responsible job centre is sent at once; one from
// another job centre is a proposal for the coordinator.
func CanRefer(p auth.Principal) bool { return p.IsJobcenterStaff() }

// CanWithdrawReferral tells whether p takes back a referral of the order that proposedBy made:
// the responsible job centre's staff, or the proposer. Referrals are people's work (a case
// system keeps orders, not candidates).
func CanWithdrawReferral(p auth.Principal, o *models.JobOrder, proposedBy string) bool {
	return p.IsJobcenterStaff() && (IsOwnJobcenter(p, o) || proposedBy == p.Subject)
}

// Actions is what a caller may do to one order, as OrderActions works it out.
type Actions struct {
	// Manage: assign the coordinator, record contacts, share, agree and complete follow-ups,
	// register hires and correct details (the responsible job centre, while the order is not closed).
	Manage bool
	// Note: write notes on the order (the responsible job centre, in any status).
	Note bool
	// Refer: refer a candidate of the caller's job centre (an open order only).
	Refer bool
	// DecideProposals: approve or reject other job centres' proposals.
	DecideProposals bool
	// SetStatus: pause or close the order (reopening a closed one is Reopen).
	SetStatus bool
	// Reopen: reopen a closed order.
	Reopen bool
	// SetContactPerson: name the order's employer contact person (CanSetContactPerson).
	SetContactPerson bool
}

// OrderActions is what p may do to the order o (which p can read) in its current state.
func OrderActions(p auth.Principal, o *models.JobOrder) Actions {
	closed := o.Status == models.StatusClosed
	return Actions{
		Manage:           IsOwnJobcenter(p, o) && !closed,
		Note:             IsOwnJobcenter(p, o),
		Refer:            CanRefer(p) && o.Status == models.StatusOpen,
		DecideProposals:  CanDecideProposals(p, o) && o.Status == models.StatusOpen,
		SetStatus:        CanSetStatus(p, o) && !closed,
		Reopen:           CanReopen(p, o) && closed,
		SetContactPerson: CanSetContactPerson(p, o),
	}
}

// CanSetContactPerson tells whether p names the order's employer contact person: the
// responsible job centre and the company's own people.
func CanSetContactPerson(p auth.Principal, o *models.JobOrder) bool {
	return IsOwnJobcenter(p, o) || (p.Role == auth.RoleEmployer && o.CompanyCVR == p.CVR)
}

// CanSeeContactPerson tells whether p sees who the order's employer contact person is (name,
// e-mail, phone): those who may name one, and admins. Other job centres reading a shared order
// reach the employer through the responsible job centre.
func CanSeeContactPerson(p auth.Principal, o *models.JobOrder) bool {
	return CanSetContactPerson(p, o) || p.Role == auth.RoleAdmin
}
