package kpi

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/models"
)

// monthlyCounters names kpi_monthly's counter columns in the order of a counters vector.
var monthlyCounters = [...]string{"orders", "positions", "filled", "with_coordinator", "coordinator_on_time", "coordinator_late",
	"contact_on_time", "contact_late", "with_referral", "hired_referred", "overdue_no_referral", "nudged_open"}

type counters [len(monthlyCounters)]int64

func countersOf(f *models.JobOrderFact) counters {
	return counters{1, int64(f.Positions), int64(f.Filled), int64(f.WithCoordinator), int64(f.CoordinatorOnTime), int64(f.CoordinatorLate),
		int64(f.ContactOnTime), int64(f.ContactLate), int64(f.WithReferral), int64(f.HiredReferred), int64(f.OverdueNoReferral), int64(f.NudgedOpen)}
}

type monthKey struct{ scope, month, dim string }

type hoursKey struct {
	scope, month string
	hours        int
}

// Delta is a change to the aggregates: what some facts add (or, subtracted, take away).
type Delta struct {
	monthly     map[monthKey]counters
	industries  map[monthKey]int64
	occupations map[monthKey]int64
	hours       map[hoursKey]int64
}

// NewDelta returns an empty delta.
func NewDelta() *Delta {
	return &Delta{monthly: map[monthKey]counters{}, industries: map[monthKey]int64{}, occupations: map[monthKey]int64{}, hours: map[hoursKey]int64{}}
}

// Add adds f's contribution (sign +1) or takes it away (sign -1), for its job centre and nationally.
func (d *Delta) Add(f *models.JobOrderFact, sign int64) {
	c := countersOf(f)
	for _, scope := range []string{f.Jobcenter, models.KPIScopeNational} {
		k := monthKey{scope, f.Month, f.MajorGroup}
		v := d.monthly[k]
		for i := range c {
			v[i] += sign * c[i]
		}
		d.monthly[k] = v
		if f.IndustryGroup != "" {
			d.industries[monthKey{scope, f.Month, f.IndustryGroup}] += sign
		}
		d.occupations[monthKey{scope, f.Month, f.OccupationCode}] += sign
		if f.ReferralHours != nil {
			d.hours[hoursKey{scope, f.Month, *f.ReferralHours}] += sign
		}
	}
}

// Apply adds the delta to the aggregate tables. Rows are written in key order, so concurrent
// transactions lock them in the same order and cannot deadlock each other.
func (d *Delta) Apply(ctx context.Context, tx *gorm.DB) error {
	var monthly []models.KPIMonthly
	for _, k := range sortedKeys(d.monthly, cmpMonthKey) {
		c := d.monthly[k]
		if c == (counters{}) {
			continue
		}
		monthly = append(monthly, models.KPIMonthly{Scope: k.scope, Month: k.month, MajorGroup: k.dim, Orders: c[0], Positions: c[1],
			Filled: c[2], WithCoordinator: c[3], CoordinatorOnTime: c[4], CoordinatorLate: c[5], ContactOnTime: c[6], ContactLate: c[7],
			WithReferral: c[8], HiredReferred: c[9], OverdueNoReferral: c[10], NudgedOpen: c[11]})
	}
	var industries []models.KPIMonthlyIndustry
	for _, k := range sortedKeys(d.industries, cmpMonthKey) {
		if n := d.industries[k]; n != 0 {
			industries = append(industries, models.KPIMonthlyIndustry{Scope: k.scope, Month: k.month, IndustryGroup: k.dim, Orders: n})
		}
	}
	var occupations []models.KPIMonthlyOccupation
	for _, k := range sortedKeys(d.occupations, cmpMonthKey) {
		if n := d.occupations[k]; n != 0 {
			occupations = append(occupations, models.KPIMonthlyOccupation{Scope: k.scope, Month: k.month, OccupationCode: k.dim, Orders: n})
		}
	}
	var hours []models.KPIMonthlyReferralHours
	for _, k := range sortedKeys(d.hours, func(a, b hoursKey) int {
		return cmp.Or(cmp.Compare(a.scope, b.scope), cmp.Compare(a.month, b.month), cmp.Compare(a.hours, b.hours))
	}) {
		if n := d.hours[k]; n != 0 {
			hours = append(hours, models.KPIMonthlyReferralHours{Scope: k.scope, Month: k.month, Hours: k.hours, Orders: n})
		}
	}
	tx = tx.WithContext(ctx)
	if err := upsertAdd(tx, "kpi_monthly", monthly, []string{"scope", "month", "major_group"}, monthlyCounters[:]); err != nil {
		return err
	}
	if err := upsertAdd(tx, "kpi_monthly_industries", industries, []string{"scope", "month", "industry_group"}, []string{"orders"}); err != nil {
		return err
	}
	if err := upsertAdd(tx, "kpi_monthly_occupations", occupations, []string{"scope", "month", "occupation_code"}, []string{"orders"}); err != nil {
		return err
	}
	return upsertAdd(tx, "kpi_monthly_referral_hours", hours, []string{"scope", "month", "hours"}, []string{"orders"})
}

// upsertAdd inserts rows, adding their counters to any row already there with the same key.
func upsertAdd[T any](tx *gorm.DB, table string, rows []T, keys, sums []string) error {
	if len(rows) == 0 {
		return nil
	}
	set := make(clause.Set, 0, len(sums))
	for _, c := range sums {
		set = append(set, clause.Assignment{Column: clause.Column{Name: c}, Value: gorm.Expr(table + "." + c + " + excluded." + c)})
	}
	cols := make([]clause.Column, len(keys))
	for i, k := range keys {
		cols[i] = clause.Column{Name: k}
	}
	// 500 rows × at most 15 columns stays far below PostgreSQL's 65535 bind parameters.
	if err := tx.Clauses(clause.OnConflict{Columns: cols, DoUpdates: set}).CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("update %s: %w", table, err)
	}
	return nil
}

func cmpMonthKey(a, b monthKey) int {
	return cmp.Or(cmp.Compare(a.scope, b.scope), cmp.Compare(a.month, b.month), cmp.Compare(a.dim, b.dim))
}

func sortedKeys[K comparable, V any](m map[K]V, cmp func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp)
	return keys
}
