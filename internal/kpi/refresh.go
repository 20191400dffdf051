package kpi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/models"
)

// PolicyLoader returns a job centre's policy now (store.LoadPolicy); kpi asks for it once per
// order, when its fact is first built, to fix the sharing the order was promised.
type PolicyLoader func(ctx context.Context, db *gorm.DB, jobcenter string) (policy.Policy, error)

// Register makes every write of a history entry (job_order_events) refresh its order's fact and
// the aggregates, in the same transaction when there is one. Every change a key figure depends on
// writes a history entry — status, coordinator, contact, sharing, referrals, hires, reminders —
// so the figures cannot drift from the history by a code path that forgot to update them.
// Without a surrounding transaction the refresh runs in its own; a failed refresh fails the write,
// and the retried write (history writes are idempotent) refreshes again.
func Register(db *gorm.DB, loadPolicy PolicyLoader) error {
	return db.Callback().Create().After("gorm:create").Register("kpi:refresh", func(d *gorm.DB) {
		if d.Error != nil || d.Statement.Schema == nil || d.Statement.Schema.Table != "job_order_events" {
			return
		}
		ids := eventOrderIDs(d.Statement.ReflectValue)
		if len(ids) == 0 {
			return
		}
		ctx := d.Statement.Context
		// A clean handle on the same connection (the transaction, if any): the callback's own
		// statement holds the INSERT being executed and must not leak into the refresh's queries.
		session := d.Session(&gorm.Session{NewDB: true}).Model(nil).Session(&gorm.Session{Context: ctx})
		refresh := func(tx *gorm.DB) error {
			for _, id := range ids {
				if err := Refresh(ctx, tx, id, loadPolicy, time.Now()); err != nil {
					return err
				}
			}
			return nil
		}
		var err error
		if _, inTx := d.Statement.ConnPool.(gorm.TxCommitter); inTx {
			err = refresh(session)
		} else {
			err = session.Transaction(refresh)
		}
		if err != nil {
			_ = d.AddError(fmt.Errorf("refresh key figures: %w", err))
		}
	})
}

// eventOrderIDs lists the distinct orders of the history entries being created, leaving out
// entries that cannot change a figure (changesNoFigure).
func eventOrderIDs(v reflect.Value) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(e any) {
		var ev *models.JobOrderEvent
		switch x := e.(type) {
		case *models.JobOrderEvent:
			ev = x
		case models.JobOrderEvent:
			ev = &x
		}
		if ev == nil || changesNoFigure(ev) {
			return
		}
		if id := ev.JobOrderID; id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() != reflect.Struct {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			add(v.Index(i).Interface())
		}
	case reflect.Struct, reflect.Pointer:
		if v.CanAddr() {
			add(v.Addr().Interface())
		} else {
			add(v.Interface())
		}
	}
	return ids
}

// factTemplates are the notifications a fact reads (Build): the reminders and the close-out
// nudge. The others (a new order's receipt, a referral's CV, …) leave every figure as it was.
var factTemplates = map[string]bool{joborder.TemplateCoordinatorMissingReminder: true, joborder.TemplateContactReminder: true,
	joborder.TemplateFirstReferralReminder: true, joborder.TemplateCloseOutNudge: true}

// changesNoFigure reports whether a history entry cannot change its order's fact, so writing
// it needs no refresh: a sent notification other than the ones the fact reads. Its only writer,
// activities.Notify, writes it with the outbox rows and nothing else a fact is built from. The
// check saves the refresh (five reads and a locked order row) on every other notification.
func changesNoFigure(e *models.JobOrderEvent) bool {
	if e.Type != string(joborder.EventNotificationSent) {
		return false
	}
	var d struct {
		Template string `json:"template"`
	}
	if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
		return false // unreadable: refresh, to be safe
	}
	return !factTemplates[d.Template]
}

// factEvents are the history entries a fact is built from.
var factEvents = []string{string(joborder.EventStatusChanged), string(joborder.EventCoordinatorAssigned),
	string(joborder.EventContactRecorded), string(joborder.EventSharingChanged), string(joborder.EventNotificationSent)}

// Refresh rebuilds one order's fact from its sources and moves the aggregates by the difference
// to the stored fact. tx should be a transaction: the order's row is locked so that two
// refreshes of one order cannot both apply the same difference.
func Refresh(ctx context.Context, tx *gorm.DB, orderID string, loadPolicy PolicyLoader, now time.Time) error {
	tx = tx.WithContext(ctx)
	var order models.JobOrder
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&order, "id = ?", orderID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // history of an order that is gone: nothing to count
		}
		return fmt.Errorf("load order: %w", err)
	}
	var prev *models.JobOrderFact
	var stored models.JobOrderFact
	switch err := tx.Take(&stored, "job_order_id = ?", orderID).Error; {
	case err == nil:
		prev = &stored
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("load fact: %w", err)
	}

	src := Sources{Order: order}
	if prev != nil {
		src.IndustryGroup, src.Plan = prev.IndustryGroup, ParsePlan(prev.SharingPlan)
	} else {
		pol, err := loadPolicy(ctx, tx, order.ResponsibleJobcenter)
		if err != nil {
			return fmt.Errorf("load policy: %w", err)
		}
		src.Plan = Plan(pol, order.CreatedAt, order.OccupationCode)
	}
	if src.IndustryGroup == "" {
		var company models.Company
		if err := tx.Select("industry_code").Take(&company, "cvr = ?", order.CompanyCVR).Error; err == nil {
			src.IndustryGroup = IndustryGroupOf(company.IndustryCode)
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("load company: %w", err)
		}
	}
	if err := tx.Select("id", "type", "at", "details").Where("job_order_id = ?", orderID).
		Where("type IN ?", factEvents).
		Find(&src.Events).Error; err != nil {
		return fmt.Errorf("load history: %w", err)
	}
	if err := tx.Select("status", "sent_at").Where("job_order_id = ?", orderID).Find(&src.Referrals).Error; err != nil {
		return fmt.Errorf("load referrals: %w", err)
	}

	next := Build(src, now)
	if prev != nil && sameContribution(prev, &next) && prev.Status == next.Status && prev.CloseReason == next.CloseReason &&
		equalTime(prev.SharingLateSince, next.SharingLateSince) && equalTime(prev.FirstReferralAt, next.FirstReferralAt) {
		return nil // nothing a figure reads changed
	}
	delta := NewDelta()
	if prev != nil {
		delta.Add(prev, -1)
	}
	delta.Add(&next, +1)
	if err := delta.Apply(ctx, tx); err != nil {
		return err
	}
	if err := tx.Save(&next).Error; err != nil {
		return fmt.Errorf("store fact: %w", err)
	}
	return nil
}

// sameContribution reports whether two facts add the same to every aggregate.
func sameContribution(a, b *models.JobOrderFact) bool {
	return countersOf(a) == countersOf(b) && a.Jobcenter == b.Jobcenter && a.Month == b.Month && a.MajorGroup == b.MajorGroup &&
		a.IndustryGroup == b.IndustryGroup && a.OccupationCode == b.OccupationCode && equalInt(a.ReferralHours, b.ReferralHours)
}

func equalInt(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func equalTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// Load stores facts built outside the history path (the synthetic data of `jobordre seed`) and
// adds them to the aggregates. The facts must be new: an order already counted would count twice.
func Load(ctx context.Context, db *gorm.DB, facts []models.JobOrderFact) error {
	if len(facts) == 0 {
		return nil
	}
	delta := NewDelta()
	for i := range facts {
		delta.Add(&facts[i], +1)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(facts, 1000).Error; err != nil {
			return fmt.Errorf("store facts: %w", err)
		}
		return delta.Apply(ctx, tx)
	})
}
