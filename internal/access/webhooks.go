package access

import (
	"jobordre/internal/auth"
	"jobordre/internal/problem"
)

// Who keeps webhook subscriptions (docs/integration.md): admins, for any job centre's orders or
// for every order; a job centre's managers, for their own job centre's orders only. Everyone
// else is refused outright, so nobody else learns which subscriptions exist.

// ErrNotSubscriber refuses webhook subscriptions to everyone but admins and managers.
var ErrNotSubscriber = problem.Forbidden("only admins and job centre managers keep webhook subscriptions")

// ErrSubscriptionScope refuses a manager a subscription to another job centre's orders, or to all.
var ErrSubscriptionScope = problem.Forbidden("a manager subscribes to its own job centre's orders only")

// CanKeepWebhookSubscriptions tells whether p creates and lists webhook subscriptions at all.
func CanKeepWebhookSubscriptions(p auth.Principal) bool {
	return p.Role == auth.RoleAdmin || p.Role == auth.RoleManager
}

// CanSubscribeTo tells whether p may hold a subscription scoped to jobcenter's orders ("": the
// events of every order, admins only).
func CanSubscribeTo(p auth.Principal, jobcenter string) bool {
	return p.Role == auth.RoleAdmin || (p.Role == auth.RoleManager && jobcenter != "" && jobcenter == p.Jobcenter)
}
