package orders

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/internal/store"
	"jobordre/models"
	"jobordre/workflows"
)

// PolicyPreview is what a policy change would do, worked out before it is saved: for an order
// created now, when each reminder and sharing step fires under the current and the new policy;
// and how the job centre's running orders would move. Every time comes from the workflow's own
// timing (workflows.PlanNewOrder, workflows.PlanRunning), never from a second calculation.
type PolicyPreview struct {
	Current, Next policy.Policy
	// CreatedAt is the "now" of the hypothetical new order.
	CreatedAt time.Time
	// NewOrder is one line per reminder and sharing step, soonest first under the new policy.
	NewOrder []PreviewLine
	// Running is how many orders of the job centre are not closed; Moves how they would change.
	Running int
	Moves   []PolicyMove
}

// PreviewLine is one reminder or sharing step of the new order under both policies; a nil time
// means the policy does not do it.
type PreviewLine struct {
	// Name is the reminder ("coordinator", "contact", "first_referral", "close_out") or "sharing".
	Name  string
	Level string
	// Current and Next are when the workflow acts (Due for a sharing step, the delivery time for a reminder).
	Current, Next *time.Time
}

// Ways a running order can move under a new policy.
const (
	MoveNow     = "now"     // falls due at once (shared at once, reminder sent in the next delivery window)
	MoveEarlier = "earlier" // comes earlier, still ahead
	MoveLater   = "later"   // comes later
	MoveAdded   = "added"   // the new policy adds it (ahead)
	MoveDropped = "dropped" // the new policy no longer does it
)

// PolicyMove counts the running orders whose reminder or sharing step moves one way.
type PolicyMove struct {
	// Name is the reminder or "sharing" (with Level); How is one of the Move constants.
	Name, Level, How string
	Orders           int
}

// PreviewPolicy merges the patch into the job centre's policy, validates it (a
// *problem.ValidationError names each field) and works out its preview. Only the job centre's
// managers may (as for SetPolicy).
func (s *Service) PreviewPolicy(ctx context.Context, p auth.Principal, code string, patch policy.Patch) (PolicyPreview, error) {
	if err := s.policyManager(ctx, p, code); err != nil {
		return PolicyPreview{}, err
	}
	current, err := s.LoadPolicy(ctx, code)
	if err != nil {
		return PolicyPreview{}, err
	}
	next := current.Merge(patch)
	if err := problem.Invalid(next.Validate()...); err != nil {
		return PolicyPreview{}, err
	}
	now := s.now().Truncate(time.Minute)
	pv := PolicyPreview{Current: current, Next: next, CreatedAt: now}
	pv.NewOrder = previewLines(workflows.PlanNewOrder(current, "", now), workflows.PlanNewOrder(next, "", now))

	snaps, err := s.runningSnapshots(ctx, code)
	if err != nil {
		return PolicyPreview{}, err
	}
	pv.Running = len(snaps)
	moves := map[PolicyMove]int{}
	for _, o := range snaps {
		for _, m := range movesOf(workflows.PlanRunning(o, current, now), workflows.PlanRunning(o, next, now), now) {
			moves[m]++
		}
	}
	for m, n := range moves {
		m.Orders = n
		pv.Moves = append(pv.Moves, m)
	}
	sort.Slice(pv.Moves, func(i, j int) bool {
		a, b := pv.Moves[i], pv.Moves[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Level != b.Level {
			return models.SharingRank(a.Level) < models.SharingRank(b.Level)
		}
		return a.How < b.How
	})
	return pv, nil
}

func plannedKey(p workflows.Planned) string { return p.Name + ":" + p.Level }

func previewLines(cur, next []workflows.Planned) []PreviewLine {
	var out []PreviewLine
	index := map[string]int{}
	for _, n := range next {
		at := n.At
		index[plannedKey(n)] = len(out)
		out = append(out, PreviewLine{Name: n.Name, Level: n.Level, Next: &at})
	}
	for _, c := range cur {
		at := c.At
		if i, ok := index[plannedKey(c)]; ok {
			out[i].Current = &at
			continue
		}
		out = append(out, PreviewLine{Name: c.Name, Level: c.Level, Current: &at})
	}
	return out
}

// movesOf is how one running order's plan changes from cur to next.
func movesOf(cur, next []workflows.Planned, now time.Time) []PolicyMove {
	was := map[string]workflows.Planned{}
	for _, c := range cur {
		was[plannedKey(c)] = c
	}
	var out []PolicyMove
	for _, n := range next {
		m := PolicyMove{Name: n.Name, Level: n.Level}
		c, ok := was[plannedKey(n)]
		delete(was, plannedKey(n))
		switch {
		case !n.Due.After(now) && (!ok || c.Due.After(now)):
			m.How = MoveNow
		case !ok:
			m.How = MoveAdded
		case n.At.Before(c.At):
			m.How = MoveEarlier
		case n.At.After(c.At):
			m.How = MoveLater
		default:
			continue
		}
		out = append(out, m)
	}
	for _, c := range was {
		out = append(out, PolicyMove{Name: c.Name, Level: c.Level, How: MoveDropped})
	}
	return out
}

// runningSnapshots reads what the database knows of the job centre's orders that are not closed.
func (s *Service) runningSnapshots(ctx context.Context, code string) ([]workflows.Snapshot, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		ID, OccupationCode, Status, Sharing string
		CoordinatorID                       *string
		ApplicationDeadline                 *models.Date
		CreatedAt                           time.Time
		FirstReferralAt                     *time.Time
	}
	if err := db.Table("job_orders o").Joins("LEFT JOIN job_order_facts f ON f.job_order_id = o.id").
		Select("o.id, o.occupation_code, o.status, o.sharing, o.coordinator_id, o.application_deadline, o.created_at, f.first_referral_at").
		Where("o.responsible_jobcenter = ? AND o.status <> ?", code, models.StatusClosed).Order("o.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	var events []models.JobOrderEvent
	if err := db.Select("job_order_id", "type", "at", "details").
		Where("job_order_id IN (?)", db.Model(&models.JobOrder{}).Select("id").Where("responsible_jobcenter = ? AND status <> ?", code, models.StatusClosed)).
		Order("at, id").Find(&events).Error; err != nil {
		return nil, err
	}
	chains := map[string]string{
		joborder.TemplateCoordinatorMissingReminder: "coordinator", joborder.TemplateContactReminder: "contact",
		joborder.TemplateFirstReferralReminder: "first_referral", joborder.TemplateCloseOutNudge: "close_out",
	}
	byOrder := map[string]*workflows.Snapshot{}
	out := make([]workflows.Snapshot, len(rows))
	for i, r := range rows {
		out[i] = workflows.Snapshot{CreatedAt: r.CreatedAt, OccupationCode: r.OccupationCode, Status: r.Status, Sharing: r.Sharing,
			ApplicationDeadline: deadlineEnd(r.ApplicationDeadline), HasCoordinator: r.CoordinatorID != nil, FirstReferralAt: r.FirstReferralAt,
			LastEventAt: r.CreatedAt, Reminders: map[string]workflows.SentReminders{}}
		byOrder[r.ID] = &out[i]
	}
	for _, e := range events {
		o := byOrder[e.JobOrderID]
		if o == nil {
			continue
		}
		var d map[string]string
		_ = json.Unmarshal([]byte(e.Details), &d)
		switch joborder.Event(e.Type) {
		case joborder.EventContactRecorded:
			o.HasContact = true
		case joborder.EventSharingChanged, joborder.EventSharingScheduled:
			if c := d["cause"]; c != "sharing_step" && c != "share_immediately" {
				o.ManualSharing = true
			}
		case joborder.EventNotificationSent:
			if name, ok := chains[d["template"]]; ok {
				r := o.Reminders[name]
				r.Count++
				r.Last = e.At
				o.Reminders[name] = r
			}
			continue // not activity on the order
		case joborder.EventDeliveryFailed, joborder.EventDeliveryBounced, joborder.EventEscalated:
			continue
		}
		if e.At.After(o.LastEventAt) {
			o.LastEventAt = e.At
		}
	}
	return out, nil
}

// FanOutProgress is how far a saved policy has reached the job centre's orders.
type FanOutProgress struct {
	// Done: every order has been sent the new policy.
	Done bool
	// Reached of Total orders have been sent it.
	Reached, Total int
}

// OnPolicyFanOutState sets how PolicyProgress reads the fan-out (TemporalWorkflows.PolicyFanOutState).
func (s *Service) OnPolicyFanOutState(f func(ctx context.Context, jobcenter string) (FanOutState, error)) {
	s.fanOutState = f
}

// PolicyProgress tells the job centre's managers how far its last policy change has reached its
// orders (the same orders the fan-out signals, store.PolicyRecipients).
func (s *Service) PolicyProgress(ctx context.Context, p auth.Principal, code string) (FanOutProgress, error) {
	if err := s.policyManager(ctx, p, code); err != nil {
		return FanOutProgress{}, err
	}
	var total int64
	if err := store.PolicyRecipients(s.db.WithContext(ctx), code, s.now()).Count(&total).Error; err != nil {
		return FanOutProgress{}, err
	}
	pr := FanOutProgress{Total: int(total)}
	if s.fanOutState == nil {
		pr.Done, pr.Reached = true, pr.Total
		return pr, nil
	}
	st, err := s.fanOutState(ctx, code)
	if err != nil {
		return FanOutProgress{}, err
	}
	switch {
	case !st.Started || st.Done:
		pr.Done, pr.Reached = true, pr.Total
		if st.Done {
			pr.Reached = min(st.Signalled, pr.Total)
		}
	case st.LastOrderID != "":
		var n int64
		if err := store.PolicyRecipients(s.db.WithContext(ctx), code, s.now()).Where("id <= ?", st.LastOrderID).Count(&n).Error; err != nil {
			return FanOutProgress{}, err
		}
		pr.Reached = int(n)
	}
	return pr, nil
}
