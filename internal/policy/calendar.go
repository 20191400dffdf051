package policy

import (
	"hash/fnv"
	"slices"
	"time"
	_ "time/tzdata" // Europe/Copenhagen must load the same way on every worker

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/dk"
)

// Copenhagen is Europe/Copenhagen, loaded once from the embedded time zone database so every
// worker computes the same times (workflow determinism).
var Copenhagen = mustLoad("Europe/Copenhagen")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("load time zone " + name + ": " + err.Error())
	}
	return loc
}

// Juleaftensdag (24 December) is not a statutory holiday, but job centres are closed and no
// reminder should land on it.
var Juleaftensdag = &cal.Holiday{Name: "Juleaftensdag", Type: cal.ObservanceOther, Month: time.December, Day: 24, Func: cal.CalcDayOfMonth}

// holidays are the Danish public holidays from github.com/rickar/cal/v2/dk (New Year, Maundy
// Thursday, Good Friday, Easter Monday, Ascension, Whit Monday, Constitution Day, Christmas Day,
// Boxing Day; Store Bededag until 2023) plus Christmas Eve. Each is calculated directly rather
// than through cal.Calendar, whose cache is a map evicted by iteration: not something workflow
// code may touch (workflowcheck flags it), and not safe across concurrently running workflows.
var holidays = append(append([]*cal.Holiday{}, dk.Holidays...), Juleaftensdag)

// Years for which the holidays are computed once, at start-up; other years are computed per call.
const (
	tableFirstYear = 2000
	tableLastYear  = 2100
)

// holidayTable holds, for each year of the table, the dates (month*32+day) that are a holiday,
// actual or observed. It is filled once by init and only read afterwards: a fixed array, not a
// map, so workflow code may read it and concurrently running workflows share it safely. Computing
// every holiday's date on each call made each working-day step cost a dozen Easter calculations.
var holidayTable [tableLastYear - tableFirstYear + 1][]int

func init() {
	for i := range holidayTable {
		holidayTable[i] = holidayDates(tableFirstYear + i)
	}
}

// holidayDates computes the year's holiday dates (month*32+day), actual and observed.
func holidayDates(y int) []int {
	var out []int
	for _, h := range holidays {
		act, obs := h.Calc(y)
		for _, t := range []time.Time{act, obs} {
			if !t.IsZero() && t.Year() == y {
				out = append(out, int(t.Month())*32+t.Day())
			}
		}
	}
	return out
}

// isHoliday tells whether the calendar date y-m-d is one of the holidays, actual or observed.
func isHoliday(y int, m time.Month, d int) bool {
	var dates []int
	if y >= tableFirstYear && y <= tableLastYear {
		dates = holidayTable[y-tableFirstYear]
	} else {
		dates = holidayDates(y)
	}
	return slices.Contains(dates, int(m)*32+d)
}

// Delivery window for reminders on working days, Copenhagen time.
const (
	DeliveryStart = 8 * time.Hour
	DeliveryEnd   = 16 * time.Hour
)

// IsWorkingDay reports whether t's date in Copenhagen is a Danish working day (Monday–Friday and
// not a public holiday or Christmas Eve).
func IsWorkingDay(t time.Time) bool {
	l := t.In(Copenhagen)
	if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	y, m, d := l.Date()
	return !isHoliday(y, m, d)
}

// AddDuration adds d to start. With workingDaysOnly every day of d advances one Danish working
// day (skipping weekends and holidays) keeping the Copenhagen wall-clock time, then the clock part
// is added. Without it the result is start + days×24h + clock.
func AddDuration(start time.Time, d Duration, workingDaysOnly bool) time.Time {
	if !workingDaysOnly {
		return start.Add(d.Approx())
	}
	t := start.In(Copenhagen)
	for range d.Days() {
		t = nextDay(t)
		for !IsWorkingDay(t) {
			t = nextDay(t)
		}
	}
	return t.Add(d.Clock()).In(start.Location())
}

// nextDay is the same wall-clock time on the next calendar day (DST-safe).
func nextDay(t time.Time) time.Time {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, m, d+1, h, mi, s, t.Nanosecond(), t.Location())
}

// DeliveryTime is when a reminder due at t is delivered. With workingDaysOnly it is the first
// instant at or after t inside 08:00–16:00 Copenhagen time on a working day (t itself when it is
// inside); otherwise t.
func DeliveryTime(t time.Time, workingDaysOnly bool) time.Time {
	if !workingDaysOnly {
		return t
	}
	l := t.In(Copenhagen)
	y, m, d := l.Date()
	dayStart := time.Date(y, m, d, 0, 0, 0, 0, Copenhagen)
	open, close := dayStart.Add(DeliveryStart), dayStart.Add(DeliveryEnd)
	if IsWorkingDay(l) {
		if l.Before(open) {
			return open.In(t.Location())
		}
		if l.Before(close) {
			return t
		}
	}
	next := time.Date(y, m, d+1, 0, 0, 0, 0, Copenhagen)
	for !IsWorkingDay(next) {
		next = time.Date(next.Year(), next.Month(), next.Day()+1, 0, 0, 0, 0, Copenhagen)
	}
	return next.Add(DeliveryStart).In(t.Location())
}

// DeliverySpread is how far into the delivery window the reminders that waited for it are spread.
const DeliverySpread = time.Hour

// SpreadDeliveryTime is DeliveryTime, except that a reminder that waited for the window (due at
// night, on a weekend or a holiday) is delivered at the window's opening plus an offset within
// DeliverySpread taken from key (the order's ID), in whole seconds. The same key always gets the
// same offset, so a workflow's replay computes the same time; and the thousands of reminders that
// fall due over a weekend arrive spread over Monday 08:00–09:00 instead of all at 08:00.
func SpreadDeliveryTime(t time.Time, workingDaysOnly bool, key string) time.Time {
	d := DeliveryTime(t, workingDaysOnly)
	if d.Equal(t) {
		return d
	}
	return d.Add(SpreadOffset(key))
}

// SpreadOffset is key's offset into the delivery window: FNV-1a of key, in whole seconds below
// DeliverySpread.
func SpreadOffset(key string) time.Duration {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return time.Duration(h.Sum32()%uint32(DeliverySpread/time.Second)) * time.Second
}
