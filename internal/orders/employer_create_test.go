package orders_test

import (
	"context"
	"strings"
	"testing"

	"jobordre/internal/access"
	"jobordre/internal/dbtest"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
)

// The job centre an employer's new-order form pre-selects is the one Create would choose: the one
// serving the municipality of the workplace's postal code, or of the chosen municipality when the
// postal code spans several; nothing while the postal code does not settle it.
func TestJobcenterForWorkplaceIsTheJobcentreServingThePostalCodesMunicipality(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Postgres(t)
	ref := refdata.Default()
	svc := orders.NewService(db, ref, nil, access.DBRelations{DB: db, Ref: ref}, nil)
	for _, tc := range []struct{ postal, municipality, want string }{
		{"8000", "", "751"},    // Aarhus C lies in Aarhus alone
		{" 1620 ", "", "101"},  // København V, typed with spaces
		{"8300", "", ""},       // Odder spans Odder and Aarhus: which one is not known yet
		{"8300", "727", "727"}, // ... until the municipality is chosen
		{"8300", "101", ""},    // a municipality the postal code does not lie in
		{"0001", "", ""},       // not a Danish postal code
		{"80", "", ""},         // not a postal code at all
		{"", "", ""},           // nothing typed
	} {
		got, err := svc.JobcenterForWorkplace(ctx, tc.postal, tc.municipality)
		if err != nil || got != tc.want {
			t.Errorf("JobcenterForWorkplace(%q, %q) = %q, %v; want %q", tc.postal, tc.municipality, got, err, tc.want)
		}
	}
}

// An employer who gives no title gets the description's first line, cut at a word before 80
// characters when it is longer, so the order lists show something the employer wrote.
func TestTitleFromDescriptionIsTheFirstLineCutAtAWord(t *testing.T) {
	long := strings.Repeat("tømrerarbejde ", 10) // 140 characters
	for _, tc := range []struct{ in, want string }{
		{"Tømrer til tage\nStart i januar", "Tømrer til tage"},
		{"\n\n  Tømrer til tage  \n", "Tømrer til tage"},
		{"", ""},
		{long, strings.TrimSpace(strings.Repeat("tømrerarbejde ", 5)) + "…"},
		{strings.Repeat("æ", 100), strings.Repeat("æ", 79) + "…"},
	} {
		if got := orders.TitleFromDescription(tc.in); got != tc.want {
			t.Errorf("TitleFromDescription(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
