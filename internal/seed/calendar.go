package seed

import (
	"time"

	"jobordre/internal/policy"
)

// calendar is policy's working-day arithmetic with the working-day test cached per date: the
// generator asks it a few dozen times per order, and policy.IsWorkingDay computes the holidays
// every time. The results are the same as policy.AddDuration and policy.DeliveryTime.
type calendar struct {
	working map[int32]bool
}

func newCalendar() *calendar { return &calendar{working: map[int32]bool{}} }

func (c *calendar) isWorkingDay(t time.Time) bool {
	l := t.In(policy.Copenhagen)
	y, m, d := l.Date()
	key := int32(y*10000 + int(m)*100 + d)
	w, ok := c.working[key]
	if !ok {
		w = policy.IsWorkingDay(l)
		c.working[key] = w
	}
	return w
}

// add is policy.AddDuration.
func (c *calendar) add(start time.Time, d policy.Duration, workingDaysOnly bool) time.Time {
	if !workingDaysOnly {
		return start.Add(d.Approx())
	}
	t := start.In(policy.Copenhagen)
	for range d.Days() {
		t = nextDay(t)
		for !c.isWorkingDay(t) {
			t = nextDay(t)
		}
	}
	return t.Add(d.Clock()).In(start.Location())
}

// deliver is policy.DeliveryTime.
func (c *calendar) deliver(t time.Time, workingDaysOnly bool) time.Time {
	if !workingDaysOnly {
		return t
	}
	l := t.In(policy.Copenhagen)
	y, m, d := l.Date()
	dayStart := time.Date(y, m, d, 0, 0, 0, 0, policy.Copenhagen)
	open, closing := dayStart.Add(policy.DeliveryStart), dayStart.Add(policy.DeliveryEnd)
	if c.isWorkingDay(l) {
		if l.Before(open) {
			return open.In(t.Location())
		}
		if l.Before(closing) {
			return t
		}
	}
	next := time.Date(y, m, d+1, 0, 0, 0, 0, policy.Copenhagen)
	for !c.isWorkingDay(next) {
		next = time.Date(next.Year(), next.Month(), next.Day()+1, 0, 0, 0, 0, policy.Copenhagen)
	}
	return next.Add(policy.DeliveryStart).In(t.Location())
}

// nextDay is the same wall-clock time on the next calendar day (DST-safe), as in policy.
func nextDay(t time.Time) time.Time {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, m, d+1, h, mi, s, t.Nanosecond(), t.Location())
}
