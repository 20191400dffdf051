package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration is an ISO 8601 duration restricted to weeks, days and a clock part (hours, minutes,
// seconds): P3D, PT4H, PT5S, P1DT2H, P2W. Years and months are rejected because their length
// varies. Days are calendar days, or working days when the policy says working_days_only, so a
// Duration keeps its days apart from its clock part. The zero value is an empty duration.
type Duration struct {
	days  int
	clock time.Duration
}

// NewDuration returns a duration of days days plus the clock part clock.
func NewDuration(days int, clock time.Duration) Duration { return Duration{days: days, clock: clock} }

// Days returns the day part (weeks count as 7 days).
func (d Duration) Days() int { return d.days }

// Clock returns the time part (hours, minutes, seconds).
func (d Duration) Clock() time.Duration { return d.clock }

// IsZero reports whether the duration is empty.
func (d Duration) IsZero() bool { return d.days == 0 && d.clock == 0 }

// Approx returns the duration as plain time (days of 24 hours), for comparisons.
func (d Duration) Approx() time.Duration { return time.Duration(d.days)*24*time.Hour + d.clock }

var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,9})?)S)?)?$`)

// ParseDuration parses an ISO 8601 duration such as P3D, PT4H, P1DT2H or P2W.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return Duration{}, fmt.Errorf("empty duration: want ISO 8601 such as P3D or PT4H")
	}
	if strings.HasPrefix(s, "-") {
		return Duration{}, fmt.Errorf("duration %q is negative: durations must be positive", s)
	}
	m := isoDuration.FindStringSubmatch(s)
	if m == nil {
		if y := regexp.MustCompile(`^P(?:\d+Y)|^P(?:\d+[YWD])*\d+M`).MatchString(s); y {
			return Duration{}, fmt.Errorf("duration %q uses years or months, whose length varies: use weeks (W) or days (D)", s)
		}
		return Duration{}, fmt.Errorf("invalid duration %q: want ISO 8601 such as P3D, PT4H, P1DT2H or P2W", s)
	}
	if s == "P" || strings.HasSuffix(s, "T") {
		return Duration{}, fmt.Errorf("invalid duration %q: no amount given", s)
	}
	atoi := func(v string) (int, error) {
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("duration %q is too large", s)
		}
		return n, nil
	}
	var nums [4]int
	for i := range 4 {
		n, err := atoi(m[i+1])
		if err != nil {
			return Duration{}, err
		}
		nums[i] = n
	}
	clock := time.Duration(nums[2])*time.Hour + time.Duration(nums[3])*time.Minute
	if m[5] != "" {
		sec, err := strconv.ParseFloat(m[5], 64)
		if err != nil || sec > 1e7 {
			return Duration{}, fmt.Errorf("duration %q has invalid seconds", s)
		}
		clock += time.Duration(sec * float64(time.Second))
	}
	return Duration{days: nums[0]*7 + nums[1], clock: clock}, nil
}

// MustParseDuration is ParseDuration that panics on error; for constants and tests.
func MustParseDuration(s string) Duration {
	d, err := ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats the duration in ISO 8601 (weeks are written as days): P3D, PT4H, P1DT2H30M, PT0S.
func (d Duration) String() string {
	if d.IsZero() {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	if d.days != 0 {
		fmt.Fprintf(&b, "%dD", d.days)
	}
	if d.clock != 0 {
		b.WriteString("T")
		h := d.clock / time.Hour
		m := (d.clock % time.Hour) / time.Minute
		s := d.clock % time.Minute
		if h != 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m != 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if s != 0 {
			b.WriteString(strconv.FormatFloat(s.Seconds(), 'f', -1, 64) + "S")
		}
	}
	return b.String()
}

// MarshalJSON writes the duration as an ISO 8601 string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads an ISO 8601 string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be an ISO 8601 string such as \"P3D\": %w", err)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
