// Package kpi keeps and answers the key figures managers steer by (docs/kpis.md). Every order has
// one fact row, derived from its row, its history and its referrals whenever a history entry is
// written; monthly aggregates are kept in step with each fact in the same transaction, so a
// figure over whole months is a read of a few hundred aggregate rows and only the days at the
// edges of a period are summed from facts (by index).
package kpi

import (
	"encoding/json"
	"sort"
	"time"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

// SharingGrace is how long after its due time a promised sharing step may take effect and still
// count as on time: the workflow's timer fires at the due time, but a busy worker takes a moment.
const SharingGrace = time.Minute

// PlannedSharing is one sharing level the policy promised an order, and by when.
type PlannedSharing struct {
	Level string    `json:"level"`
	Due   time.Time `json:"due"`
}

// Plan is the sharing the policy in force at creation promised: the level for the occupation
// at once (share_immediately), then each sharing step after its delay.
func Plan(p policy.Policy, createdAt time.Time, occupationCode string) []PlannedSharing {
	var plan []PlannedSharing
	if level := p.ImmediateLevel(occupationCode); level != "" {
		plan = append(plan, PlannedSharing{Level: level, Due: createdAt.UTC()})
	}
	for _, s := range p.SharingSteps {
		plan = append(plan, PlannedSharing{Level: s.Level, Due: policy.AddDuration(createdAt, s.After, p.WorkingDaysOnly).UTC()})
	}
	return plan
}

// Sources is everything one order's fact is derived from.
type Sources struct {
	Order models.JobOrder
	// IndustryGroup is the company's DB07 group (two digits), "" when not known.
	IndustryGroup string
	Events        []models.JobOrderEvent
	Referrals     []models.Referral
	Plan          []PlannedSharing
}

// IndustryGroupOf is the DB07 group (two digits) of a DB07 code at any level below section.
func IndustryGroupOf(code string) string {
	if len(code) < 2 || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9' {
		return ""
	}
	return code[:2]
}

// MonthOf is the month (YYYY-MM) of t in Copenhagen, the month an order counts in.
func MonthOf(t time.Time) string { return t.In(policy.Copenhagen).Format("2006-01") }

// Build derives an order's fact from its sources. It is a pure function: the same sources give
// the same fact, which is what lets Refresh compute exact deltas for the aggregates.
func Build(s Sources, now time.Time) models.JobOrderFact {
	o := s.Order
	f := models.JobOrderFact{
		JobOrderID: o.ID, Jobcenter: o.ResponsibleJobcenter, CreatedAt: o.CreatedAt.UTC(), Month: MonthOf(o.CreatedAt),
		IndustryGroup: s.IndustryGroup, OccupationCode: o.OccupationCode, Positions: max(o.Positions, 1),
		Status: models.StatusOpen, UpdatedAt: now.UTC(),
	}
	if len(o.OccupationCode) > 0 {
		f.MajorGroup = o.OccupationCode[:1]
	}

	events := append([]models.JobOrderEvent(nil), s.Events...)
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].At.Equal(events[j].At) {
			return events[i].At.Before(events[j].At)
		}
		return events[i].ID < events[j].ID
	})
	var coordAt, contactAt, coordReminded, contactReminded, referralReminded, nudged *time.Time
	first := func(dst **time.Time, at time.Time) {
		if *dst == nil {
			t := at.UTC()
			*dst = &t
		}
	}
	reached := make([]*time.Time, len(models.SharingLevels)) // first time sharing was at least that level
	first(&reached[0], o.CreatedAt)
	for _, e := range events {
		var d map[string]string
		_ = json.Unmarshal([]byte(e.Details), &d) // details are written by this code base as a string map
		switch e.Type {
		case string(joborder.EventCoordinatorAssigned):
			first(&coordAt, e.At)
		case string(joborder.EventContactRecorded):
			first(&contactAt, e.At)
		case string(joborder.EventSharingChanged):
			for r := 0; r <= models.SharingRank(d["level"]); r++ {
				first(&reached[r], e.At)
			}
		case string(joborder.EventStatusChanged):
			if d["status"] != "" {
				f.Status, f.CloseReason, f.ClosedAt = d["status"], "", nil
				if d["status"] == models.StatusClosed {
					f.CloseReason = d["reason"]
					t := e.At.UTC()
					f.ClosedAt = &t
				}
			}
		case string(joborder.EventNotificationSent):
			switch d["template"] {
			case joborder.TemplateCoordinatorMissingReminder:
				first(&coordReminded, e.At)
			case joborder.TemplateContactReminder:
				first(&contactReminded, e.At)
			case joborder.TemplateFirstReferralReminder:
				first(&referralReminded, e.At)
			case joborder.TemplateCloseOutNudge:
				first(&nudged, e.At)
			}
		}
	}
	closed := f.Status == models.StatusClosed

	f.Filled = b2i(closed && f.CloseReason == joborder.CloseReasonFilled)
	f.WithCoordinator = b2i(coordAt != nil)
	f.CoordinatorOnTime, f.CoordinatorLate = onTime(coordAt, coordReminded)
	f.ContactOnTime, f.ContactLate = onTime(contactAt, contactReminded)

	for _, r := range s.Referrals {
		if r.SentAt != nil && (f.FirstReferralAt == nil || r.SentAt.Before(*f.FirstReferralAt)) {
			t := r.SentAt.UTC()
			f.FirstReferralAt = &t
		}
		if r.Status == models.ReferralHired {
			f.HiredReferred = 1
		}
	}
	if f.FirstReferralAt != nil {
		f.WithReferral = 1
		h := int(max(f.FirstReferralAt.Sub(f.CreatedAt), 0) / time.Hour)
		f.ReferralHours = &h
	}
	f.OverdueNoReferral = b2i(referralReminded != nil && f.FirstReferralAt == nil && !closed)
	f.NudgedOpen = b2i(nudged != nil && !closed)

	plan := s.Plan
	if plan == nil {
		plan = []PlannedSharing{}
	}
	b, _ := json.Marshal(plan)
	f.SharingPlan = string(b)
	for _, step := range plan {
		rank := models.SharingRank(step.Level)
		if rank < 0 {
			continue
		}
		at := reached[rank]
		var late bool
		switch {
		case at != nil:
			late = at.After(step.Due.Add(SharingGrace))
		case closed && f.ClosedAt != nil && !f.ClosedAt.After(step.Due):
			late = false // closed before the step was due: nothing left to share
		default:
			late = true // not shared yet: late from the due time on (queries compare with now)
		}
		if late && (f.SharingLateSince == nil || step.Due.Before(*f.SharingLateSince)) {
			due := step.Due
			f.SharingLateSince = &due
		}
	}
	return f
}

// onTime classifies a promise kept at done against the workflow's first reminder that it was
// overdue: kept before the reminder (or never reminded) is on time; a reminder first is late.
// Neither happened yet: the order counts in neither.
func onTime(done, reminded *time.Time) (int, int) {
	switch {
	case reminded != nil && (done == nil || !done.Before(*reminded)):
		return 0, 1
	case done != nil:
		return 1, 0
	default:
		return 0, 0
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ParsePlan reads a fact's stored sharing plan.
func ParsePlan(s string) []PlannedSharing {
	var plan []PlannedSharing
	if json.Unmarshal([]byte(s), &plan) != nil {
		return nil
	}
	return plan
}
