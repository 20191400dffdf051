package seed

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"jobordre/internal/cvr"
	"jobordre/internal/kpi"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/models"
)

var testUntil = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

func newTestGenerator(t testing.TB, seed uint64, orders int) *Generator {
	t.Helper()
	g, err := NewGenerator(seed, testUntil, DefaultSpan, orders, refdata.Default(), guidelineEnv())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// guidelineEnv gives every job centre GuidelinePolicy, as Run stores it.
func guidelineEnv() Env {
	env := Env{Policies: map[string]policy.Policy{}}
	for _, m := range refdata.Default().Municipalities() {
		env.Policies[m.Code] = GuidelinePolicy()
	}
	return env
}

func TestPopulationsCoverEveryMunicipality(t *testing.T) {
	pops, err := Populations()
	if err != nil {
		t.Fatal(err)
	}
	ref := refdata.Default()
	if len(pops) != len(ref.Municipalities()) || len(pops) != 98 {
		t.Fatalf("%d populations for %d municipalities", len(pops), len(ref.Municipalities()))
	}
	total := 0
	for _, p := range pops {
		m, ok := ref.Municipality(p.Code)
		if !ok || m.Name != p.Name {
			t.Errorf("%s %s is not a municipality of refdata (%+v)", p.Code, p.Name, m)
		}
		total += p.People
	}
	// Danmarks Statistik, FOLK1A, 1 January 2019: 5,806,081 including Christiansø's 90.
	if total+90 != 5_806_081 {
		t.Fatalf("total population %d", total)
	}
}

func TestTheSameSeedGivesTheSameData(t *testing.T) {
	a, b := newTestGenerator(t, 42, 300).Next(300), newTestGenerator(t, 42, 300).Next(300)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generators with the same seed made different data")
	}
	c := newTestGenerator(t, 43, 300).Next(300)
	if reflect.DeepEqual(a.Orders, c.Orders) {
		t.Fatal("another seed made the same orders")
	}
}

func TestGeneratedRowsAreValid(t *testing.T) {
	ref := refdata.Default()
	g := newTestGenerator(t, 1, 5000)
	b := g.Next(5000)
	companies := map[string]models.Company{}
	for _, c := range b.Companies {
		if !cvr.Valid(c.CVR) {
			t.Fatalf("CVR %s fails modulus 11", c.CVR)
		}
		if _, dup := companies[c.CVR]; dup {
			t.Fatalf("CVR %s twice", c.CVR)
		}
		if c.IndustryCode != "" {
			if i, ok := ref.Industry(c.IndustryCode); !ok || i.Level != "subclass" {
				t.Fatalf("industry %q of %s is not a DB07 subclass", c.IndustryCode, c.CVR)
			}
		}
		if !strings.HasPrefix(c.Name, "Syntetisk ") {
			t.Fatalf("company name %q does not look synthetic", c.Name)
		}
		companies[c.CVR] = c
	}
	for _, c := range b.Candidates {
		if !strings.HasPrefix(c.Name, "Syntetisk Kandidat ") || !strings.HasSuffix(c.Email, "@example.invalid") {
			t.Fatalf("candidate %q <%s> does not look synthetic", c.Name, c.Email)
		}
	}
	events := map[string][]models.JobOrderEvent{}
	keys := map[string]bool{}
	for _, e := range b.Events {
		events[e.JobOrderID] = append(events[e.JobOrderID], e)
		if keys[e.EventKey] {
			t.Fatalf("event key %s twice", e.EventKey)
		}
		keys[e.EventKey] = true
		var d map[string]string
		if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
			t.Fatalf("details %s: %v", e.Details, err)
		}
		if !e.At.Before(g.Until()) {
			t.Fatalf("event at %s is not before %s", e.At, g.Until())
		}
	}
	for i, o := range b.Orders {
		if _, ok := companies[o.CompanyCVR]; !ok {
			t.Fatalf("order %s names company %s not generated", o.ID, o.CompanyCVR)
		}
		occ, ok := ref.Occupation(o.OccupationCode)
		if !ok || occ.Level != 4 {
			t.Fatalf("occupation %q is not an ISCO-08 unit group", o.OccupationCode)
		}
		if p, ok := ref.PostalCode(o.WorkplacePostalCode); !ok || !contains(p.Municipalities, o.WorkplaceMunicipalityCode) {
			t.Fatalf("postal code %s is not in municipality %s", o.WorkplacePostalCode, o.WorkplaceMunicipalityCode)
		}
		if o.CreatedAt.Before(g.From()) || !o.CreatedAt.Before(g.Until()) {
			t.Fatalf("created %s outside the span", o.CreatedAt)
		}
		if i > 0 && o.CreatedAt.Before(b.Orders[i-1].CreatedAt) {
			t.Fatalf("orders are not in creation order: %s after %s", o.CreatedAt, b.Orders[i-1].CreatedAt)
		}
		if c := companies[o.CompanyCVR]; !c.CreatedAt.Before(o.CreatedAt) {
			t.Fatalf("company %s registered %s, after its order of %s", c.CVR, c.CreatedAt, o.CreatedAt)
		}
		evs := events[o.ID]
		if len(evs) == 0 || evs[0].Type != "created" || !evs[0].At.Equal(o.CreatedAt) {
			t.Fatalf("order %s history does not start with its creation: %+v", o.ID, evs)
		}
		for j := 1; j < len(evs); j++ {
			if !evs[j].At.After(evs[j-1].At) {
				t.Fatalf("order %s history is not in strict time order", o.ID)
			}
		}
		f := b.Facts[i]
		if f.JobOrderID != o.ID || f.Status != o.Status || f.CloseReason != o.CloseReason {
			t.Fatalf("fact %+v does not match order %+v", f, o)
		}
		if (o.Status == models.StatusClosed) != (o.CloseReason != "") {
			t.Fatalf("order %s: status %s with close reason %q", o.ID, o.Status, o.CloseReason)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The shares follow the weights: municipalities by population, occupations by their weights,
// creation on working days in office hours, older orders closed and about a third filled.
func TestGeneratedDataFollowsTheWeights(t *testing.T) {
	const n = 40000
	g := newTestGenerator(t, 7, n)
	b := g.Next(n)
	pops, _ := Populations()
	people := 0
	for _, p := range pops {
		people += p.People
	}
	byMuni, byOcc := map[string]int{}, map[string]int{}
	working, office := 0, 0
	var old, oldClosed, oldFilled, recent, recentOpen int
	for i, o := range b.Orders {
		byMuni[o.WorkplaceMunicipalityCode]++
		byOcc[o.OccupationCode]++
		l := o.CreatedAt.In(policy.Copenhagen)
		if policy.IsWorkingDay(l) {
			working++
		}
		if h := l.Hour(); h >= 8 && h < 16 {
			office++
		}
		age := g.Until().Sub(o.CreatedAt)
		switch {
		case age > 180*24*time.Hour:
			old++
			if o.Status == models.StatusClosed {
				oldClosed++
			}
			oldFilled += b.Facts[i].Filled
		case age < 7*24*time.Hour:
			recent++
			if o.Status != models.StatusClosed {
				recentOpen++
			}
		}
	}
	within := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %.4f, want %.4f ± %.4f", name, got, want, tol)
		}
	}
	for _, p := range pops {
		want := float64(p.People) / float64(people)
		// Three standard deviations of a binomial share.
		within("share of "+p.Name, float64(byMuni[p.Code])/n, want, 3*math.Sqrt(want*(1-want)/n)+0.0005)
	}
	totalW := 0.0
	for _, o := range commonOccupations {
		totalW += o.weight
	}
	totalW += tailWeight
	for _, code := range []string{"5322", "5223", "2512", "2221"} {
		for _, o := range commonOccupations {
			if o.code == code {
				want := o.weight / totalW
				within("share of occupation "+code, float64(byOcc[code])/n, want, 3*math.Sqrt(want*(1-want)/n))
			}
		}
	}
	if share := float64(working) / n; share < 0.9 {
		t.Errorf("only %.2f of orders created on working days", share)
	}
	if share := float64(office) / n; share < 0.75 {
		t.Errorf("only %.2f of orders created in office hours", share)
	}
	if share := float64(oldClosed) / float64(old); share < 0.9 || share > 0.99 {
		t.Errorf("%.3f of orders older than half a year are closed", share)
	}
	if share := float64(oldFilled) / float64(old); share < 0.3 || share > 0.4 {
		t.Errorf("%.3f of orders older than half a year are filled", share)
	}
	if share := float64(recentOpen) / float64(recent); share < 0.85 {
		t.Errorf("only %.3f of orders from the last week are open", share)
	}
}

// The facts the generator builds are what kpi.Build makes of the rows it returns, as the
// key-figure callback would after reading them back: the ID tie-break is irrelevant because
// every history has distinct instants, and the promised sharing is the policy's plan.
func TestFactsAreBuiltFromTheGeneratedRows(t *testing.T) {
	g := newTestGenerator(t, 3, 2000)
	b := g.Next(2000)
	events := map[string][]models.JobOrderEvent{}
	for i, e := range b.Events {
		e.ID = uint64(1000 + i)
		events[e.JobOrderID] = append(events[e.JobOrderID], e)
	}
	refs := map[string][]models.Referral{}
	for _, r := range b.Referrals {
		refs[r.JobOrderID] = append(refs[r.JobOrderID], r)
	}
	industry := map[string]string{}
	for _, c := range b.Companies {
		industry[c.CVR] = c.IndustryCode
	}
	counted := map[string]int{}
	for i, o := range b.Orders {
		got := kpi.Build(kpi.Sources{Order: o, IndustryGroup: kpi.IndustryGroupOf(industry[o.CompanyCVR]), Events: events[o.ID],
			Referrals: refs[o.ID], Plan: kpi.Plan(GuidelinePolicy(), o.CreatedAt, o.OccupationCode)}, g.Until())
		if !reflect.DeepEqual(got, b.Facts[i]) {
			t.Fatalf("order %s:\n got  %+v\n want %+v", o.ID, got, b.Facts[i])
		}
		f := got
		for name, v := range map[string]int{"filled": f.Filled, "coordinator late": f.CoordinatorLate, "contact late": f.ContactLate,
			"with referral": f.WithReferral, "hired": f.HiredReferred, "overdue without referral": f.OverdueNoReferral, "nudged open": f.NudgedOpen} {
			counted[name] += v
		}
		if f.SharingLateSince != nil {
			counted["late sharing"]++
		}
	}
	// Every figure the reports show is exercised.
	for _, name := range []string{"filled", "coordinator late", "contact late", "with referral", "hired", "overdue without referral", "nudged open", "late sharing"} {
		if counted[name] == 0 {
			t.Errorf("no order counts in %q", name)
		}
	}
	t.Logf("of 2000 orders: %v", counted)
}

func TestCVRsNeverRepeatOrCollideWithTakenOnes(t *testing.T) {
	taken := map[string]bool{}
	probe, _ := NewGenerator(1, testUntil, DefaultSpan, 0, refdata.Default(), Env{})
	first := probe.cvr()
	taken[first] = true
	g, err := NewGenerator(1, testUntil, DefaultSpan, 0, refdata.Default(), Env{TakenCVRs: taken})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{first: true}
	for range 100000 {
		c := g.cvr()
		if seen[c] || !cvr.Valid(c) {
			t.Fatalf("CVR %s repeats or is invalid", c)
		}
		seen[c] = true
	}
}

func BenchmarkGenerateOrders(b *testing.B) {
	g := newTestGenerator(b, 1, 0)
	for b.Loop() {
		g.Next(1)
	}
}

func TestDetailsAreEncodedAsEncodingJSONWould(t *testing.T) {
	for _, d := range []map[string]string{
		{}, {"status": "closed", "from": "open", "reason": "filled"}, {"level": "national", "cause": "sharing_step"},
		{"a": `quote " and \ backslash`}, {"a": "<tag> & æøå", "b": "\n"},
	} {
		want, _ := json.Marshal(d)
		if got := detailsJSON(d); got != string(want) {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}
