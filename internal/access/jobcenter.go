package access

import (
	"jobordre/internal/auth"
	"jobordre/internal/problem"
)

// Refusals of a job centre's management pages and routes (key figures, follow-up lists, the
// policy): the job centre's own caseworkers may know it exists; anyone else learns nothing.
var (
	ErrNotManager       = problem.Forbidden("only the job centre's managers may do this")
	ErrJobcenterOutside = problem.NotFound("no such job centre in your reach")
)

// ManagesJobcenter tells whether p oversees job centre code: its managers and admins do; its
// caseworkers and its case system get ErrNotManager, everyone else ErrJobcenterOutside. Whether the job centre
// exists is the caller's to check (an unknown code is ErrJobcenterOutside too).
func ManagesJobcenter(p auth.Principal, code string) error {
	switch {
	case p.Role == auth.RoleAdmin:
		return nil
	case p.Role == auth.RoleManager && p.Jobcenter == code:
		return nil
	case p.ActsForJobcenter() && p.Jobcenter == code:
		return ErrNotManager
	}
	return ErrJobcenterOutside
}
