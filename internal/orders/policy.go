package orders

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm/clause"

	"jobordre/internal/auth"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/internal/store"
	"jobordre/models"
)

// LoadPolicy returns the job centre's policy, or the shipped defaults when it has set none.
func (s *Service) LoadPolicy(ctx context.Context, jobcenter string) (policy.Policy, error) {
	return store.LoadPolicy(ctx, s.db, jobcenter)
}

// policyManager checks that p manages the job centre: other roles of the same job centre get
// ErrForbidden, everyone else ErrNotFound (the policy is not theirs to know about).
func (s *Service) policyManager(ctx context.Context, p auth.Principal, code string) error {
	if p.ActsForJobcenter() && p.Jobcenter == code {
		if p.Role != auth.RoleManager {
			return problem.Forbidden("only the job centre's managers read and set its policy")
		}
		var n int64
		if err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return err
		}
		if n == 1 {
			return nil
		}
	}
	return ErrJobcenterNotFound
}

// CheckPolicyManager tells whether p may read and set the job centre's policy (before the body is read).
func (s *Service) CheckPolicyManager(ctx context.Context, p auth.Principal, code string) error {
	return s.policyManager(ctx, p, code)
}

// Policy returns the job centre's policy to its managers.
func (s *Service) Policy(ctx context.Context, p auth.Principal, code string) (policy.Policy, error) {
	if err := s.policyManager(ctx, p, code); err != nil {
		return policy.Policy{}, err
	}
	return s.LoadPolicy(ctx, code)
}

// DecodePolicyPatch reads a PUT body that may hold only the fields it changes. Each field is
// decoded on its own so an error names the field ("contact_deadline: ...").
func DecodePolicyPatch(body []byte) (policy.Patch, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil || len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return policy.Patch{}, problem.Malformed("the body must be one JSON object with the policy fields to change")
	}
	var patch policy.Patch
	pv := reflect.ValueOf(&patch).Elem()
	fields := map[string]int{}
	for i := 0; i < pv.NumField(); i++ {
		name, _, _ := strings.Cut(pv.Type().Field(i).Tag.Get("json"), ",")
		fields[name] = i
	}
	v := &problem.ValidationError{}
	for key, value := range raw {
		i, ok := fields[key]
		if !ok {
			v.Add(key, "is not a policy field")
			continue
		}
		target := reflect.New(pv.Field(i).Type().Elem())
		dec := json.NewDecoder(bytes.NewReader(value))
		if key == "retention" {
			// A misspelt period would silently keep personal data longer than the job centre set.
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(target.Interface()); err != nil {
			v.Add(key, "%s", strings.TrimPrefix(err.Error(), "json: "))
			continue
		}
		pv.Field(i).Set(target)
	}
	sortFieldErrors(v.Fields)
	return patch, v.Err()
}

// SetPolicy merges the patch into the job centre's policy, validates and stores it, and has the
// change reach the job centre's open orders. It returns the new policy.
func (s *Service) SetPolicy(ctx context.Context, p auth.Principal, code string, patch policy.Patch) (policy.Policy, error) {
	if err := s.policyManager(ctx, p, code); err != nil {
		return policy.Policy{}, err
	}
	current, err := s.LoadPolicy(ctx, code)
	if err != nil {
		return policy.Policy{}, err
	}
	next := current.Merge(patch)
	if err := problem.Invalid(next.Validate()...); err != nil {
		return policy.Policy{}, err
	}
	doc, err := json.Marshal(next)
	if err != nil {
		return policy.Policy{}, err
	}
	row := models.JobcenterPolicy{Jobcenter: code, Document: string(doc), UpdatedBy: p.Subject, UpdatedAt: s.now()}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "jobcenter"}},
		DoUpdates: clause.AssignmentColumns([]string{"document", "updated_by", "updated_at"}),
	}).Create(&row).Error; err != nil {
		return policy.Policy{}, err
	}
	if s.policyChanged != nil {
		if err := s.policyChanged(ctx, code); err != nil {
			// Stored; the fan-out is retried durably by Temporal once it has started.
			return next, &PolicyNotPropagatedError{Jobcenter: code, Err: err}
		}
	}
	return next, nil
}

// PolicyNotPropagatedError says the policy was stored but its fan-out to open orders could not
// be started; setting it again retries.
type PolicyNotPropagatedError struct {
	Jobcenter string
	Err       error
}

func (e *PolicyNotPropagatedError) Error() string {
	return fmt.Sprintf("policy of job centre %s is stored, but open orders could not be told yet: %v", e.Jobcenter, e.Err)
}

func (e *PolicyNotPropagatedError) Unwrap() error { return e.Err }

func sortFieldErrors(f []problem.FieldError) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && f[j].Field < f[j-1].Field; j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}
