// Package servicestest wires the application's services to one test database the way
// internal/app wires them for the processes, with the caller's stand-in for Temporal, so the
// API's, the console's and the benchmarks' tests are built on one set instead of each its own.
// It imports neither api nor web, so their own (internal) tests can use it too.
package servicestest

import (
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/candidates"
	"jobordre/internal/companies"
	"jobordre/internal/directory"
	"jobordre/internal/feed"
	"jobordre/internal/jobcenters"
	"jobordre/internal/kpi"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/internal/webhooks"
)

// Services are the services the API and the console call.
type Services struct {
	Orders     *orders.Service
	Referrals  *referrals.Service
	Candidates *candidates.Service
	Directory  *directory.Directory
	Jobcenters *jobcenters.Service
	Companies  *companies.Service
	KPIs       *kpi.Service
	Feed       *feed.Service
	// Webhooks keeps webhook subscriptions; endpoints on loopback are allowed (test receivers
	// listen there), and replays are started on wf when it is also a webhooks.Starter.
	Webhooks  *webhooks.Service
	Reference *refdata.Data
	// Relations is the access rules' view of the database (who is whose neighbour, ...).
	Relations access.Relations
}

// New wires every service to db, with wf standing in for Temporal (nil: no workflow is ever
// asked; a command then fails, which read-only tests and benchmarks never send).
func New(db *gorm.DB, wf orders.Workflows) Services {
	ref := refdata.Default()
	rel := access.DBRelations{DB: db, Ref: ref}
	svc := orders.NewService(db, ref, wf, rel, nil)
	starter, _ := wf.(webhooks.Starter)
	return Services{
		Webhooks:   webhooks.NewService(db, starter, true),
		Orders:     svc,
		Referrals:  referrals.NewService(db, svc, wf, nil),
		Candidates: candidates.NewService(db, svc, ref),
		Directory:  directory.New(db),
		Jobcenters: jobcenters.NewService(db, ref),
		Companies:  companies.NewService(db, ref),
		KPIs:       kpi.NewService(db, ref),
		Feed:       feed.New(db, rel),
		Reference:  ref,
		Relations:  rel,
	}
}
