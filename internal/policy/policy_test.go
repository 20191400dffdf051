package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func cph(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, Copenhagen)
}

func TestDurationParsesAndFormatsRoundTrip(t *testing.T) {
	for in, want := range map[string]struct {
		days  int
		clock time.Duration
		str   string
	}{
		"P3D":      {3, 0, "P3D"},
		"PT4H":     {0, 4 * time.Hour, "PT4H"},
		"PT5S":     {0, 5 * time.Second, "PT5S"},
		"P1DT2H":   {1, 2 * time.Hour, "P1DT2H"},
		"P2W":      {14, 0, "P14D"},
		"PT1M30S":  {0, 90 * time.Second, "PT1M30S"},
		"P1DT0.5S": {1, 500 * time.Millisecond, "P1DT0.5S"},
	} {
		d, err := ParseDuration(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if d.Days() != want.days || d.Clock() != want.clock || d.String() != want.str {
			t.Errorf("%s: got days %d clock %v string %s", in, d.Days(), d.Clock(), d)
		}
		again, err := ParseDuration(d.String())
		if err != nil || again != d {
			t.Errorf("%s: round trip %v %v", in, again, err)
		}
		b, _ := json.Marshal(d)
		var back Duration
		if err := json.Unmarshal(b, &back); err != nil || back != d || string(b) != `"`+want.str+`"` {
			t.Errorf("%s: json %s -> %v %v", in, b, back, err)
		}
	}
	if (Duration{}).String() != "PT0S" || !(Duration{}).IsZero() {
		t.Error("zero duration")
	}
}

func TestDurationRejectsYearsMonthsNegativesAndGarbage(t *testing.T) {
	for in, want := range map[string]string{
		"P1Y":    "years or months",
		"P2M":    "years or months",
		"P1Y2D":  "years or months",
		"-P3D":   "negative",
		"P":      "no amount",
		"PT":     "no amount",
		"P1DT":   "no amount",
		"3 days": "invalid duration",
		"":       "empty",
		"P3X":    "invalid duration",
	} {
		_, err := ParseDuration(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want error containing %q", in, err, want)
		}
	}
	var d Duration
	if err := json.Unmarshal([]byte(`3`), &d); err == nil {
		t.Error("a number is not a duration")
	}
}

func TestWorkingDaysSkipEasterKeepingClockTime(t *testing.T) {
	// Easter Sunday 2027 is 28 March: Maundy Thursday 25, Good Friday 26, Easter Monday 29 are holidays.
	wed := cph(2027, 3, 24, 10, 0)
	if got := AddDuration(wed, MustParseDuration("P1D"), true); !got.Equal(cph(2027, 3, 30, 10, 0)) {
		t.Errorf("Wednesday before Easter + 1 working day: got %v", got)
	}
	if got := AddDuration(wed, MustParseDuration("P2D"), true); !got.Equal(cph(2027, 3, 31, 10, 0)) {
		t.Errorf("+2 working days: got %v", got)
	}
	if got := AddDuration(wed, MustParseDuration("P1DT2H"), true); !got.Equal(cph(2027, 3, 30, 12, 0)) {
		t.Errorf("+1 working day 2 hours: got %v", got)
	}
	// The same span without working days is plain arithmetic (across the DST change on 28 March).
	if got := AddDuration(wed, MustParseDuration("P1D"), false); !got.Equal(wed.Add(24 * time.Hour)) {
		t.Errorf("calendar day: got %v", got)
	}
	for _, d := range []time.Time{cph(2027, 3, 25, 12, 0), cph(2027, 3, 26, 12, 0), cph(2027, 3, 29, 12, 0)} {
		if IsWorkingDay(d) {
			t.Errorf("%v is an Easter holiday", d)
		}
	}
}

func TestWorkingDaysSkipChristmasNewYearAndWeekends(t *testing.T) {
	// 23 Dec 2026 is a Wednesday; 24, 25 (Thu, Fri) are closed, then the weekend.
	if got := AddDuration(cph(2026, 12, 23, 9, 0), MustParseDuration("P1D"), true); !got.Equal(cph(2026, 12, 28, 9, 0)) {
		t.Errorf("over Christmas: got %v", got)
	}
	// 31 Dec 2026 is a Thursday; New Year's Day is a Friday.
	if got := AddDuration(cph(2026, 12, 31, 9, 0), MustParseDuration("P1D"), true); !got.Equal(cph(2027, 1, 4, 9, 0)) {
		t.Errorf("over New Year: got %v", got)
	}
	// Friday + 1 working day is Monday; Saturday + 1 is Monday too.
	if got := AddDuration(cph(2026, 11, 27, 14, 0), MustParseDuration("P1D"), true); !got.Equal(cph(2026, 11, 30, 14, 0)) {
		t.Errorf("over a weekend: got %v", got)
	}
	if got := AddDuration(cph(2026, 11, 28, 14, 0), MustParseDuration("P1D"), true); !got.Equal(cph(2026, 11, 30, 14, 0)) {
		t.Errorf("from Saturday: got %v", got)
	}
	// Two weeks of working days from a Monday is 14 working days later.
	if got := AddDuration(cph(2026, 11, 2, 9, 0), MustParseDuration("P2W"), true); !got.Equal(cph(2026, 11, 20, 9, 0)) {
		t.Errorf("P2W working days: got %v", got)
	}
	// The result keeps the caller's location.
	if got := AddDuration(time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC), MustParseDuration("P1D"), true); got.Location() != time.UTC || !got.Equal(time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("UTC input: got %v", got)
	}
}

func TestDeliveryWindowIsWorkingDaysEightToFour(t *testing.T) {
	for _, c := range []struct {
		name   string
		at     time.Time
		expect time.Time
	}{
		{"inside is unchanged", cph(2026, 11, 26, 12, 30), cph(2026, 11, 26, 12, 30)},
		{"before 08:00 waits for 08:00", cph(2026, 11, 26, 6, 15), cph(2026, 11, 26, 8, 0)},
		{"after 16:00 waits for the next morning", cph(2026, 11, 26, 16, 30), cph(2026, 11, 27, 8, 0)},
		{"16:00 is closed", cph(2026, 11, 26, 16, 0), cph(2026, 11, 27, 8, 0)},
		{"Friday evening waits for Monday", cph(2026, 11, 27, 19, 0), cph(2026, 11, 30, 8, 0)},
		{"Sunday waits for Monday", cph(2026, 11, 29, 11, 0), cph(2026, 11, 30, 8, 0)},
		{"Christmas waits for the Monday after", cph(2026, 12, 23, 17, 0), cph(2026, 12, 28, 8, 0)},
		{"Easter waits for Tuesday", cph(2027, 3, 25, 10, 0), cph(2027, 3, 30, 8, 0)},
	} {
		if got := DeliveryTime(c.at.UTC(), true); !got.Equal(c.expect) || got.Location() != time.UTC {
			t.Errorf("%s: got %v want %v", c.name, got, c.expect)
		}
	}
	sat := cph(2026, 11, 28, 3, 0)
	if got := DeliveryTime(sat, false); !got.Equal(sat) {
		t.Errorf("without working days delivery is immediate: %v", got)
	}
}

func TestDefaultsAreValid(t *testing.T) {
	if errs := Defaults().Validate(); len(errs) != 0 {
		t.Fatalf("defaults: %v", errs)
	}
	b, err := json.Marshal(Defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"coordinator_deadline":"P1D"`, `"sharing_steps":[]`, `"escalate_after":3`, `"working_days_only":true`, `"share_immediately":[]`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("defaults JSON lacks %s: %s", field, b)
		}
	}
	var back Policy
	if err := json.Unmarshal(b, &back); err != nil || len(back.Validate()) != 0 || back.ReminderRepeat != Defaults().ReminderRepeat {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

func TestValidateNamesEachBadField(t *testing.T) {
	p := Defaults()
	p.ContactDeadline = Duration{}
	p.SharingSteps = []SharingStep{
		{After: MustParseDuration("P3D"), Level: "national"},
		{After: MustParseDuration("P2D"), Level: "neighbours"},
		{After: MustParseDuration("P9D"), Level: "internal"},
		{After: MustParseDuration("P12D"), Level: "galaxy"},
	}
	p.ShareImmediately = []ShareImmediately{{OccupationCode: "22", Level: "national"}, {OccupationCode: "2221", Level: "worldwide"}}
	p.EscalateAfter = 21
	got := map[string]string{}
	for _, e := range p.Validate() {
		got[e.Field] = e.Detail
	}
	for field, detail := range map[string]string{
		"contact_deadline":                     "positive",
		"sharing_steps[1].level":               "widen",
		"sharing_steps[1].after":               "later than",
		"sharing_steps[2].level":               "cannot be \"internal\"",
		"sharing_steps[3].level":               "unknown sharing level \"galaxy\"",
		"share_immediately[0].occupation_code": "4 digits",
		"share_immediately[1].level":           "unknown sharing level",
		"escalate_after":                       "between 1 and 20",
	} {
		if !strings.Contains(got[field], detail) {
			t.Errorf("%s: got %q, want it to mention %q", field, got[field], detail)
		}
	}
	if len(got) != 8 {
		t.Errorf("unexpected errors: %v", got)
	}
	p = Defaults()
	p.EscalateAfter = 0
	if errs := p.Validate(); len(errs) != 1 || errs[0].Field != "escalate_after" {
		t.Errorf("escalate_after 0: %v", errs)
	}
}

func TestMergeReplacesOnlySentFields(t *testing.T) {
	var patch Patch
	if err := json.Unmarshal([]byte(`{"contact_deadline":"P5D","escalate_after":5,"working_days_only":false,"sharing_steps":[{"after":"P1D","level":"community"}]}`), &patch); err != nil {
		t.Fatal(err)
	}
	base := Defaults()
	base.SharingSteps = []SharingStep{{After: MustParseDuration("P3D"), Level: "neighbours"}, {After: MustParseDuration("P10D"), Level: "national"}}
	got := base.Merge(patch)
	if got.ContactDeadline.Days() != 5 || got.EscalateAfter != 5 || got.WorkingDaysOnly || len(got.SharingSteps) != 1 || got.SharingSteps[0].Level != "community" {
		t.Errorf("merged: %+v", got)
	}
	if got.CoordinatorDeadline != base.CoordinatorDeadline || got.ReopenWindow != base.ReopenWindow {
		t.Errorf("untouched fields changed: %+v", got)
	}
	if base.ContactDeadline.Days() != 2 || len(base.SharingSteps) != 2 {
		t.Error("merge modified the base policy")
	}
	if len(got.Validate()) != 0 {
		t.Errorf("merged policy: %v", got.Validate())
	}
	if same := base.Merge(Patch{}); len(same.SharingSteps) != 2 || same.ContactDeadline != base.ContactDeadline {
		t.Error("empty patch changes nothing")
	}
}

func TestImmediateLevelForShortageOccupation(t *testing.T) {
	p := Defaults()
	p.ShareImmediately = []ShareImmediately{{OccupationCode: "2221", Level: "national"}}
	if p.ImmediateLevel("2221") != "national" || p.ImmediateLevel("7115") != "" {
		t.Error("immediate level")
	}
}

// The holiday table filled at start-up answers exactly what computing each holiday's date from
// github.com/rickar/cal answers, inside the table's years and beyond them.
func TestHolidayTableAgreesWithTheHolidayCalculations(t *testing.T) {
	for day := time.Date(1998, 1, 1, 12, 0, 0, 0, time.UTC); day.Year() <= 2102; day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		want := false
		for _, h := range holidays {
			act, obs := h.Calc(y)
			for _, c := range []time.Time{act, obs} {
				if !c.IsZero() && c.Year() == y && c.Month() == m && c.Day() == d {
					want = true
				}
			}
		}
		if got := isHoliday(y, m, d); got != want {
			t.Fatalf("%s: isHoliday %v, want %v", day.Format(time.DateOnly), got, want)
		}
	}
}
