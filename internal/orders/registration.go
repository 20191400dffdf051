package orders

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/problem"
	"jobordre/models"
)

// A case system's key of an order it registers: source_system names the system (the same for all
// of its registrations), external_id the order in it.
const (
	MaxSourceSystemLength = 100
	MaxExternalIDLength   = 200
)

var sourceSystemPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ErrRegisteredElsewhere refuses a registration whose source_system and external_id name an
// order another job centre is responsible for: a case system keeps its own job centre's orders,
// and the pair is unique across the service (idx_job_orders_source_external).
var ErrRegisteredElsewhere = problem.Conflict("conflict",
	"source_system and external_id already name an order another job centre is responsible for",
	problem.FieldError{Field: "external_id", Detail: "is registered to an order of another job centre; use a key of your own job centre's orders"})

// checkSourceKey checks a new order's source_system and external_id: a system client sends both
// (its registrations are found again by them, so a retry never makes a second order); nobody
// else sends either, so no person's order can take a case system's key.
func checkSourceKey(v *problem.ValidationError, p auth.Principal, r *CreateRequest) {
	if p.Role != auth.RoleSystem {
		for _, f := range []struct{ name, value string }{{"source_system", r.SourceSystem}, {"external_id", r.ExternalID}} {
			if f.value != "" {
				v.Add(f.name, "only a job centre's case system (role system) registers orders by source_system and external_id")
			}
		}
		return
	}
	switch n := utf8.RuneCountInString(r.SourceSystem); {
	case n == 0:
		v.Add("source_system", "is required from a system client: the name of the case system the order comes from")
	case n > MaxSourceSystemLength:
		v.Add("source_system", "must be at most %d characters, got %d", MaxSourceSystemLength, n)
	case !sourceSystemPattern.MatchString(r.SourceSystem):
		v.Add("source_system", "must be letters, digits, '.', '_' and '-', starting with a letter or digit")
	}
	switch n := utf8.RuneCountInString(r.ExternalID); {
	case n == 0:
		v.Add("external_id", "is required from a system client: the order's ID in the case system")
	case n > MaxExternalIDLength:
		v.Add("external_id", "must be at most %d characters, got %d", MaxExternalIDLength, n)
	case !utf8.ValidString(r.ExternalID) || strings.IndexFunc(r.ExternalID, unicode.IsControl) >= 0:
		v.Add("external_id", "must be text without control characters")
	}
}

// registered answers a system client's registration of an order its source_system and
// external_id already name (found=false for a new pair, and for anyone but a system client):
// the same registration again gives the order as it is, a changed one corrects the order's
// details through CorrectDetails (recorded in its history, told to its workflow, refused for a
// closed order like any correction). The company and the contact person are the registration's
// first answer; they change through their own commands. req is normalized.
func (s *Service) registered(ctx context.Context, p auth.Principal, req CreateRequest) (CreateResult, bool, error) {
	if p.Role != auth.RoleSystem || req.SourceSystem == "" || req.ExternalID == "" {
		return CreateResult{}, false, nil
	}
	var o models.JobOrder
	err := s.db.WithContext(ctx).Where("source_system = ? AND external_id = ?", req.SourceSystem, req.ExternalID).Take(&o).Error
	if errIsNotFound(err) {
		return CreateResult{}, false, nil
	}
	if err != nil {
		return CreateResult{}, true, err
	}
	if !access.IsOwnJobcenter(p, &o) {
		return CreateResult{}, true, ErrRegisteredElsewhere
	}
	// The first registration may have stored the order and then failed to start its workflow.
	if err := s.ensureWorkflow(ctx, &o); err != nil {
		return CreateResult{Order: &o, Registered: true}, true, err
	}
	patch, err := s.registrationChanges(ctx, p, &o, req)
	if err != nil {
		return CreateResult{}, true, err
	}
	if patch == (DetailsPatch{}) {
		return CreateResult{Order: &o, Registered: true}, true, nil
	}
	v, err := s.CorrectDetails(ctx, p, o.ID, patch)
	if err != nil {
		return CreateResult{}, true, err
	}
	return CreateResult{Order: v.Order, Registered: true, Updated: true}, true, nil
}

// registrationChanges compares a registration with the order it names, after the same defaults
// and checks as a create (a registration is the whole order: a date left out takes the stored
// date away), and returns the details that differ. Another CVR is refused: the order is the
// company's.
func (s *Service) registrationChanges(ctx context.Context, p auth.Principal, o *models.JobOrder, req CreateRequest) (DetailsPatch, error) {
	want := req
	if err := s.validate(ctx, p, &want); err != nil {
		return DetailsPatch{}, err
	}
	if want.CompanyCVR != o.CompanyCVR {
		return DetailsPatch{}, problem.Invalid(problem.Field("company_cvr",
			"the order this source_system and external_id name is CVR %s's; a registration cannot move it to another company", o.CompanyCVR))
	}
	var patch DetailsPatch
	if want.Title != o.Title {
		patch.Title = &want.Title
	}
	if want.Description != o.Description {
		patch.Description = &want.Description
	}
	if w := want.Workplace; w != (Workplace{Address: o.WorkplaceAddress, PostalCode: o.WorkplacePostalCode, MunicipalityCode: o.WorkplaceMunicipalityCode}) {
		patch.Workplace = &w
	}
	if want.OccupationCode != o.OccupationCode {
		patch.OccupationCode = &want.OccupationCode
	}
	if *want.Positions != o.Positions {
		patch.Positions = want.Positions
	}
	if !sameDate(want.startDate, o.StartDate) {
		patch.StartDate = dateOrEmpty(want.startDate)
	}
	if !sameDate(want.applicationDeadline, o.ApplicationDeadline) {
		patch.ApplicationDeadline = dateOrEmpty(want.applicationDeadline)
	}
	if want.WishedCoordinator != o.WishedCoordinator {
		patch.WishedCoordinator = &want.WishedCoordinator
	}
	return patch, nil
}

// dateOrEmpty is a correction's date: the date, or "" to take it away (CorrectDetails).
func dateOrEmpty(d *models.Date) *string {
	s := ""
	if d != nil {
		s = d.String()
	}
	return &s
}

// nonEmptyOrNil stores "" as NULL, so the unique pair holds only registrations' keys.
func nonEmptyOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
