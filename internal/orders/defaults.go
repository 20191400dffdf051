package orders

import (
	"jobordre/internal/auth"
	"jobordre/internal/problem"
)

// mayCreate tells whether p may create job orders: employers, job-centre staff and a job
// centre's case system may.
func mayCreate(p auth.Principal) error {
	if !(p.Role == auth.RoleEmployer || p.ActsForJobcenter()) {
		return problem.Forbidden("only employers, job-centre staff and job centres' case systems create job orders")
	}
	return nil
}

// CreateDefaults is what a new order of p starts with before anything is typed (the form a
// caseworker or employer fills in): an employer's own CVR, a caseworker's or manager's own job
// centre as the responsible one, an ordinary order. Create applies the same defaults to what
// is left out. Callers who may not create orders get the error Create would give them.
func (s *Service) CreateDefaults(p auth.Principal) (CreateRequest, error) {
	if err := mayCreate(p); err != nil {
		return CreateRequest{}, err
	}
	r := normalize(p, CreateRequest{})
	if p.ActsForJobcenter() {
		r.ResponsibleJobcenter = p.Jobcenter
	}
	return r, nil
}
