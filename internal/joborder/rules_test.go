package joborder

import (
	"testing"
	"time"

	"jobordre/internal/policy"
	"jobordre/internal/problem"
	"jobordre/models"
)

func fieldsOf(fs []problem.FieldError) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Field)
	}
	return out
}

func sameFields(t *testing.T, name string, got []problem.FieldError, want ...string) {
	t.Helper()
	g := fieldsOf(got)
	if len(g) != len(want) {
		t.Errorf("%s: fields %v, want %v (%v)", name, g, want, got)
		return
	}
	for i := range g {
		if g[i] != want[i] {
			t.Errorf("%s: fields %v, want %v (%v)", name, g, want, got)
		}
	}
}

func TestCheckSharingNamesTheFieldOfEveryBrokenRule(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	future, past := now.Add(time.Hour), now.Add(-time.Hour)
	three := policy.MustParseDuration("P3D")
	zero := policy.Duration{}
	for name, c := range map[string]struct {
		level string
		at    *time.Time
		after *policy.Duration
		want  []string
	}{
		"a level now":              {models.SharingNeighbours, nil, nil, nil},
		"a level at a future time": {models.SharingNational, &future, nil, nil},
		"a level after 3 days":     {models.SharingCommunity, nil, &three, nil},
		"an unknown level":         {"galaxy", nil, nil, []string{"level"}},
		"both at and after":        {models.SharingInternal, &future, &three, []string{"at"}},
		"at in the past":           {models.SharingInternal, &past, nil, []string{"at"}},
		"at exactly now":           {models.SharingInternal, &now, nil, []string{"at"}},
		"after zero":               {models.SharingInternal, nil, &zero, []string{"after"}},
		"everything wrong":         {"", &past, &zero, []string{"level", "at", "at", "after"}},
	} {
		sameFields(t, name, CheckSharing(now, c.level, c.at, c.after), c.want...)
	}
}

func TestCheckStatusNeedsAReasonWhenClosingAndOnlyThen(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	future, past := now.Add(time.Hour), now.Add(-time.Hour)
	for name, c := range map[string]struct {
		status, reason string
		until          *time.Time
		want           []string
	}{
		"open":                          {models.StatusOpen, "", nil, nil},
		"paused until later":            {models.StatusTemporarilyInactive, "", &future, nil},
		"paused without an end":         {models.StatusTemporarilyInactive, "", nil, nil},
		"closed as filled":              {models.StatusClosed, CloseReasonFilled, nil, nil},
		"closed by the employer":        {models.StatusClosed, CloseReasonClosedByEmployer, nil, nil},
		"closed without a reason":       {models.StatusClosed, "", nil, []string{"reason"}},
		"closed with an unknown reason": {models.StatusClosed, "bored", nil, []string{"reason"}},
		"opened with a reason":          {models.StatusOpen, CloseReasonFilled, nil, []string{"reason"}},
		"an unknown status":             {"sleeping", "", nil, []string{"status"}},
		"until on an open order":        {models.StatusOpen, "", &future, []string{"until"}},
		"until in the past":             {models.StatusTemporarilyInactive, "", &past, []string{"until"}},
		"closed with until in the past": {models.StatusClosed, CloseReasonOther, &past, []string{"until", "until"}},
	} {
		sameFields(t, name, CheckStatus(now, c.status, c.reason, c.until), c.want...)
	}
}

func TestCheckTransitionAllowsOnlyWhatTheLifecycleAllows(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	open, paused, closed := models.StatusOpen, models.StatusTemporarilyInactive, models.StatusClosed
	for name, c := range map[string]struct {
		from, to        string
		until, reopenBy *time.Time
		want            string
	}{
		"open → paused":                          {open, paused, nil, nil, ""},
		"open → closed":                          {open, closed, nil, nil, ""},
		"paused → open":                          {paused, open, nil, nil, ""},
		"paused → paused with a new end":         {paused, paused, &later, nil, ""},
		"closed → open within the window":        {closed, open, nil, &later, ""},
		"closed → open, window unknown":          {closed, open, nil, nil, ""},
		"open → open":                            {open, open, nil, nil, ErrConflict},
		"paused → paused without an end":         {paused, paused, nil, nil, ErrConflict},
		"closed → closed":                        {closed, closed, nil, nil, ErrConflict},
		"closed → paused":                        {closed, paused, &later, nil, ErrOrderClosed},
		"closed → open after the window":         {closed, open, nil, &earlier, ErrOrderClosed},
		"closed → open at the window's very end": {closed, open, nil, &now, ErrOrderClosed},
	} {
		got, msg := CheckTransition("o-1", c.from, c.to, c.until, c.reopenBy, now)
		if got != c.want {
			t.Errorf("%s: %q (%s), want %q", name, got, msg, c.want)
		}
		if (got == "") != (msg == "") {
			t.Errorf("%s: a refusal needs a message and an allowed transition none: %q %q", name, got, msg)
		}
	}
}

func TestCheckPositionsKeepsOneToNineHundredNinetyNine(t *testing.T) {
	for n, ok := range map[int]bool{0: false, 1: true, 999: true, 1000: false, -3: false} {
		if got := len(CheckPositions(n)) == 0; got != ok {
			t.Errorf("%d positions: allowed %v, want %v", n, got, ok)
		}
	}
}

func TestCheckCloseOutAnswerKnowsTheTwoAnswersAndNamesTheFieldOtherwise(t *testing.T) {
	for _, a := range []string{CloseOutAnswerClose, CloseOutAnswerStillRecruiting} {
		if fields := CheckCloseOutAnswer(a); len(fields) != 0 {
			t.Errorf("%q: %v", a, fields)
		}
	}
	for _, a := range []string{"", "maybe", "CLOSE"} {
		fields := CheckCloseOutAnswer(a)
		if len(fields) != 1 || fields[0].Field != "answer" {
			t.Errorf("%q: %v, want one error naming answer", a, fields)
		}
	}
}
