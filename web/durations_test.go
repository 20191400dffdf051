package web

import (
	"testing"

	"jobordre/internal/policy"
	"jobordre/web/i18n"
)

// Durations are read as people write them, in Danish or English or ISO 8601, and written back
// the way the policy counts its days.
func TestDurationsAreReadAndWrittenAsPeopleSayThem(t *testing.T) {
	for in, want := range map[string]string{
		"3 arbejdsdage": "P3D", "1 dag": "P1D", "2 timer": "PT2H", "1 dag og 4 timer": "P1DT4H", "1 day, 2 hours": "P1DT2H",
		"2 uger": "P14D", "30 minutter": "PT30M", "10 sekunder": "PT10S", "3 working days": "P3D", "p2d": "P2D", "PT10S": "PT10S",
	} {
		d, err := parseHumanDuration(in)
		if err != nil || d.String() != want {
			t.Errorf("%q: %v %v, want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "tre dage", "3", "3 måneder", "0 dage", "P1M"} {
		if d, err := parseHumanDuration(bad); err == nil {
			t.Errorf("%q read as %s", bad, d)
		}
	}
	da := i18n.MustLoad().For(i18n.Danish)
	en := i18n.MustLoad().For(i18n.English)
	for _, c := range []struct {
		l    *i18n.Localizer
		d    string
		wd   bool
		want string
	}{{da, "P3D", true, "3 arbejdsdage"}, {da, "P1D", true, "1 arbejdsdag"}, {da, "P3D", false, "3 dage"}, {da, "PT2H", true, "2 timer"},
		{da, "P1DT4H30M", true, "1 arbejdsdag, 4 timer og 30 minutter"}, {en, "P2D", true, "2 working days"}, {en, "PT1H", false, "1 hour"}} {
		if got := humanDuration(c.l, policy.MustParseDuration(c.d), c.wd); got != c.want {
			t.Errorf("%s: %q, want %q", c.d, got, c.want)
		}
		back, err := parseHumanDuration(humanDuration(c.l, policy.MustParseDuration(c.d), c.wd))
		if err != nil || back.String() != policy.MustParseDuration(c.d).String() {
			t.Errorf("%s does not read back: %v %v", c.d, back, err)
		}
	}
}
