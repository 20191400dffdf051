package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"jobordre/internal/policy"
	"jobordre/web/i18n"
)

// Durations as people say them: the policy editor shows "3 arbejdsdage" or "2 timer" and reads
// the same back (Danish or English, and ISO 8601 such as P3D for those who know it); the policy
// stores ISO 8601. Whether a day is a working day is the policy's working_days_only, so "dage"
// and "arbejdsdage" read the same.

// durationUnits maps the words of a duration to its unit, in both languages, singular and plural.
var durationUnits = map[string]string{
	"uge": "w", "uger": "w", "week": "w", "weeks": "w",
	"dag": "d", "dage": "d", "arbejdsdag": "d", "arbejdsdage": "d", "hverdag": "d", "hverdage": "d",
	"day": "d", "days": "d", "working day": "d", "working days": "d", "workday": "d", "workdays": "d",
	"time": "h", "timer": "h", "hour": "h", "hours": "h",
	"minut": "m", "minutter": "m", "minute": "m", "minutes": "m", "min": "m",
	"sekund": "s", "sekunder": "s", "second": "s", "seconds": "s", "sek": "s",
}

var durationPart = regexp.MustCompile(`^(\d+)\s*([a-zæøå]+(?: days?)?)$`)

// parseHumanDuration reads "3 arbejdsdage", "2 timer", "1 dag og 4 timer", "1 day, 2 hours" or
// "P1DT4H". It says what it could not read.
func parseHumanDuration(s string) (policy.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return policy.Duration{}, fmt.Errorf("empty")
	}
	if strings.HasPrefix(s, "p") {
		return policy.ParseDuration(strings.ToUpper(s))
	}
	for _, sep := range []string{",", " og ", " and ", "+"} {
		s = strings.ReplaceAll(s, sep, ";")
	}
	var days int
	var clock time.Duration
	// "1 dag 4 timer": split before each number too.
	s = regexp.MustCompile(`([a-zæøå])\s+(\d)`).ReplaceAllString(s, "$1;$2")
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := durationPart.FindStringSubmatch(part)
		if m == nil {
			return policy.Duration{}, fmt.Errorf("cannot read %q", part)
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100000 {
			return policy.Duration{}, fmt.Errorf("%q is too large", part)
		}
		switch durationUnits[m[2]] {
		case "w":
			days += 7 * n
		case "d":
			days += n
		case "h":
			clock += time.Duration(n) * time.Hour
		case "m":
			clock += time.Duration(n) * time.Minute
		case "s":
			clock += time.Duration(n) * time.Second
		default:
			return policy.Duration{}, fmt.Errorf("unknown unit %q", m[2])
		}
	}
	if days == 0 && clock == 0 {
		return policy.Duration{}, fmt.Errorf("no amount")
	}
	return policy.NewDuration(days, clock), nil
}

// humanDuration writes a duration as people say it: "3 arbejdsdage" (working days) or "3 dage",
// "2 timer", "1 arbejdsdag og 4 timer".
func humanDuration(l *i18n.Localizer, d policy.Duration, workingDays bool) string {
	var parts []string
	add := func(n int, key string) {
		if n > 0 {
			parts = append(parts, l.Must(key+plural(n), "n", strconv.Itoa(n)))
		}
	}
	dayKey := "duration.day"
	if workingDays {
		dayKey = "duration.workingday"
	}
	add(d.Days(), dayKey)
	c := d.Clock()
	add(int(c/time.Hour), "duration.hour")
	add(int(c%time.Hour/time.Minute), "duration.minute")
	add(int(c%time.Minute/time.Second), "duration.second")
	if len(parts) == 0 {
		return ""
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " " + l.Must("duration.and") + " " + parts[len(parts)-1]
}

func plural(n int) string {
	if n == 1 {
		return ".one"
	}
	return ".other"
}
