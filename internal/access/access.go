// Package access decides who may see which job order. It is the one place that knows the rules;
// every handler and every list query goes through it.
package access

import (
	"context"
	"sort"

	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Relations knows which job centres are related for sharing.
type Relations interface {
	// Neighbours lists the job centres whose municipalities share a land border with jobcenter's.
	Neighbours(ctx context.Context, jobcenter string) ([]string, error)
	// Community lists the other job centres in jobcenter's recruitment communities.
	Community(ctx context.Context, jobcenter string) ([]string, error)
}

// CanReadJobOrder tells whether p may read the order at all. Sharing levels are cumulative:
// community includes neighbours, and national includes everyone.
func CanReadJobOrder(ctx context.Context, p auth.Principal, o *models.JobOrder, rel Relations) (bool, error) {
	switch p.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleEmployer:
		return o.CompanyCVR == p.CVR, nil
	case auth.RoleCaseworker, auth.RoleManager, auth.RoleSystem:
		// A job centre's case system sees what its job centre sees.
		if o.ResponsibleJobcenter == p.Jobcenter {
			return true, nil
		}
		visible, err := sharedWith(ctx, p.Jobcenter, rel)
		if err != nil {
			return false, err
		}
		for _, level := range visible.levelsFor(o.ResponsibleJobcenter) {
			if models.SharingRank(o.Sharing) >= models.SharingRank(level) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, nil
}

// CanUseConsole tells whether p logs in to the console: people do; a system client (a job
// centre's case system) works through the API only.
func CanUseConsole(p auth.Principal) bool { return p.Role != auth.RoleSystem }

// IsOwnJobcenter tells whether p works at the order's responsible job centre, or is its case
// system (full rights).
func IsOwnJobcenter(p auth.Principal, o *models.JobOrder) bool {
	return p.ActsForJobcenter() && o.ResponsibleJobcenter == p.Jobcenter
}

// ScopeJobOrders narrows a job_orders query to the orders p may read.
func ScopeJobOrders(ctx context.Context, q *gorm.DB, p auth.Principal, rel Relations) (*gorm.DB, error) {
	switch p.Role {
	case auth.RoleAdmin:
		return q, nil
	case auth.RoleEmployer:
		return q.Where("company_cvr = ?", p.CVR), nil
	case auth.RoleCaseworker, auth.RoleManager, auth.RoleSystem:
		visible, err := sharedWith(ctx, p.Jobcenter, rel)
		if err != nil {
			return nil, err
		}
		cond := q.Session(&gorm.Session{NewDB: true}).Where("responsible_jobcenter = ?", p.Jobcenter).
			Or("sharing = ?", models.SharingNational)
		if len(visible.neighbours) > 0 {
			cond = cond.Or("sharing IN ? AND responsible_jobcenter IN ?",
				[]string{models.SharingNeighbours, models.SharingCommunity}, visible.neighbours)
		}
		if len(visible.community) > 0 {
			cond = cond.Or("sharing = ? AND responsible_jobcenter IN ?", models.SharingCommunity, visible.community)
		}
		return q.Where(cond), nil
	}
	return q.Where("1 = 0"), nil
}

type related struct {
	neighbours []string
	community  []string
}

// levelsFor lists the sharing levels at which an order of owner becomes visible.
func (r related) levelsFor(owner string) []string {
	levels := []string{models.SharingNational}
	if contains(r.neighbours, owner) {
		levels = append(levels, models.SharingNeighbours)
	}
	if contains(r.community, owner) {
		levels = append(levels, models.SharingCommunity)
	}
	return levels
}

func sharedWith(ctx context.Context, jobcenter string, rel Relations) (related, error) {
	n, err := rel.Neighbours(ctx, jobcenter)
	if err != nil {
		return related{}, err
	}
	c, err := rel.Community(ctx, jobcenter)
	if err != nil {
		return related{}, err
	}
	return related{neighbours: n, community: c}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DBRelations derives job-centre relations from the job centres' municipalities in the database
// and the shipped municipality borders.
type DBRelations struct {
	DB  *gorm.DB
	Ref *refdata.Data
}

// Neighbours lists the job centres serving a municipality that borders one of jobcenter's.
func (r DBRelations) Neighbours(ctx context.Context, jobcenter string) ([]string, error) {
	var links []models.JobcenterMunicipality
	if err := r.DB.WithContext(ctx).Find(&links).Error; err != nil {
		return nil, err
	}
	servedBy := map[string]string{}
	var own []string
	for _, l := range links {
		servedBy[l.MunicipalityCode] = l.JobcenterCode
		if l.JobcenterCode == jobcenter {
			own = append(own, l.MunicipalityCode)
		}
	}
	set := map[string]bool{}
	for _, m := range own {
		for _, n := range r.Ref.Neighbours(m) {
			if jc := servedBy[n]; jc != "" && jc != jobcenter {
				set[jc] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for jc := range set {
		out = append(out, jc)
	}
	sort.Strings(out)
	return out, nil
}

// Community lists the other job centres that share a recruitment community with jobcenter.
func (r DBRelations) Community(ctx context.Context, jobcenter string) ([]string, error) {
	var out []string
	err := r.DB.WithContext(ctx).Model(&models.CommunityMember{}).Distinct("jobcenter_code").
		Where("community_id IN (?) AND jobcenter_code <> ?",
			r.DB.Model(&models.CommunityMember{}).Select("community_id").Where("jobcenter_code = ?", jobcenter), jobcenter).
		Order("jobcenter_code").Pluck("jobcenter_code", &out).Error
	return out, err
}
