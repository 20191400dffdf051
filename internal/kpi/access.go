package kpi

import (
	"context"
	"errors"
	"time"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

// MaxPeriod bounds a key-figure period: ten years covers any comparison a manager makes.
const MaxPeriod = 10 * 366 * 24 * time.Hour

// Errors of the access rule: a caseworker of the job centre may know it exists (403), anyone
// else learns nothing (404), as for the policy.
var (
	ErrNotManager  = problem.Forbidden("only the job centre's managers read its key figures")
	ErrNoJobcenter = problem.NotFound("no such job centre in your reach")
	ErrNotAdmin    = problem.Forbidden("only administrators read the national key figures")
)

// AuthorizeJobcenter tells whether p may read the key figures of job centre code: its managers
// and admins may; its caseworkers get ErrNotManager; everyone else, and an unknown job centre,
// ErrNoJobcenter. The API and the console's dashboard both ask here.
func (s *Service) AuthorizeJobcenter(ctx context.Context, p auth.Principal, code string) error {
	if err := access.ManagesJobcenter(p, code); err != nil {
		if errors.Is(err, problem.ErrForbidden) {
			return ErrNotManager
		}
		return ErrNoJobcenter
	}
	exists, err := s.JobcenterExists(ctx, code)
	if err != nil {
		return err
	}
	if !exists {
		return ErrNoJobcenter
	}
	return nil
}

// AuthorizeNational tells whether p may read the national figures (admins only).
func AuthorizeNational(p auth.Principal) error {
	if p.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	return nil
}

// DefaultPeriod is the twelve months up to and including today (Copenhagen).
func DefaultPeriod(now time.Time) Period {
	today := now.In(policy.Copenhagen)
	to := models.Date{Time: time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)}
	return Period{From: models.Date{Time: to.AddDate(-1, 0, 1)}, To: to}
}

// ParsePeriod reads a period from its two ends as typed (YYYY-MM-DD, both included); an empty
// to is today, an empty from a year before to. It returns every problem, named "from" or "to".
func ParsePeriod(from, to string, now time.Time) (Period, []problem.FieldError) {
	p := DefaultPeriod(now)
	var fields []problem.FieldError
	if to != "" {
		d, err := models.ParseDate(to)
		if err != nil {
			fields = append(fields, problem.FieldError{Field: "to", Detail: "must be a date in the form YYYY-MM-DD"})
		}
		p.To = d
	}
	p.From = models.Date{Time: p.To.AddDate(-1, 0, 1)}
	if from != "" {
		d, err := models.ParseDate(from)
		if err != nil {
			fields = append(fields, problem.FieldError{Field: "from", Detail: "must be a date in the form YYYY-MM-DD"})
		}
		p.From = d
	}
	if len(fields) == 0 {
		switch {
		case p.From.After(p.To.Time):
			fields = append(fields, problem.FieldError{Field: "from", Detail: "must not be after to (" + p.To.String() + ")"})
		case p.To.Sub(p.From.Time) > MaxPeriod:
			fields = append(fields, problem.FieldError{Field: "from", Detail: "the period may be at most ten years"})
		}
	}
	return p, fields
}

// YearBefore is the same period one year earlier (29 February becomes 28 February), the
// comparison the dashboard shows next to each figure.
func (p Period) YearBefore() Period {
	back := func(d models.Date) models.Date {
		y, m, day := d.Date()
		t := time.Date(y-1, m, day, 0, 0, 0, 0, time.UTC)
		if t.Month() != m { // 29 February of a leap year
			t = time.Date(y-1, m+1, 0, 0, 0, 0, 0, time.UTC)
		}
		return models.Date{Time: t}
	}
	return Period{From: back(p.From), To: back(p.To)}
}
