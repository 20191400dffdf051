package seed

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"jobordre/internal/cvindex"
	"jobordre/internal/joborder"
	"jobordre/internal/kpi"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/models"
	"jobordre/workflows"
)

// Batch is the rows of a number of generated orders: everything to insert, and the orders' facts
// built from the same rows.
type Batch struct {
	Companies  []models.Company
	Candidates []models.Candidate
	// CandidateOccupations are the candidates' CV occupations as the search index keeps them.
	CandidateOccupations []models.CandidateOccupation
	Orders               []models.JobOrder
	Events               []models.JobOrderEvent
	Referrals            []models.Referral
	Facts                []models.JobOrderFact
}

// Env is what the generator needs to know about the database it generates for.
type Env struct {
	// Jobcenter maps a municipality code to the job centre serving it; missing: its own code.
	Jobcenter map[string]string
	// Policies are the job centres' policies now; missing: policy.Defaults().
	Policies map[string]policy.Policy
	// TakenCVRs are CVR numbers already in the database, never generated again.
	TakenCVRs map[string]bool
	// Stream makes the random stream differ between seeding runs into the same database
	// (the number of orders already there), so IDs never repeat.
	Stream uint64
}

// Generator makes synthetic orders. It is deterministic: the same seed, time span and Env give
// the same rows in the same order. It is not safe for concurrent use.
type Generator struct {
	rng        *rand.Rand
	ref        *refdata.Data
	from       time.Time
	until      time.Time
	env        Env
	days       []time.Time // midnight (Copenhagen) of every day in the span
	dayPick    *picker[int]
	hourPick   *picker[int]
	offPick    *picker[int]
	munis      []*muni
	muniPick   *picker[*muni]
	occPick    *picker[string]
	occTitle   map[string]string
	occInd     map[string]*picker[string]
	general    *picker[string]
	subclasses map[string][]string // DB07 group → subclass codes
	closePick  *picker[string]
	posPick    *picker[int]
	chanPick   *picker[string]
	formPick   *picker[string]
	companies  map[string][]*models.Company // municipality/group → pool
	candidates map[string][]string          // job centre → candidate IDs
	staff      map[string][]string          // job centre → caseworker IDs
	cvrNext    int
	nCompanies int
	nCands     int
	nOrders    int
	// defaultPolicy is policy.Defaults(), parsed once.
	defaultPolicy policy.Policy
	times         []int64 // creation times of the first orders, sorted (Unix microseconds)
	nextTime      int
}

type muni struct {
	code, name  string
	jobcenter   string
	postal      []string
	caseworkers []string
	neighbours  []string // neighbouring job centres
}

// Caseworkers returns the synthetic caseworkers the generator assigns and refers with.
func (g *Generator) Caseworkers() []models.Caseworker {
	seen := map[string]bool{}
	var out []models.Caseworker
	for _, m := range g.munis {
		for _, id := range m.caseworkers {
			if seen[id] {
				continue
			}
			seen[id] = true
			n := strings.TrimPrefix(id, "seed-cw-")
			out = append(out, models.Caseworker{ID: id, Jobcenter: m.jobcenter, Role: "caseworker", Name: "Syntetisk Sagsbehandler " + n,
				Email: "sagsbehandler-" + n + "@example.invalid", Language: "da", CreatedAt: g.from, UpdatedAt: g.from})
		}
	}
	return out
}

// NewGenerator prepares a generator of orders created in [until-span, until). The first orders
// of Next come in creation order, as a real system stores them (which matters for how the
// tables are laid out on disk: a period's facts sit together); orders beyond that many are
// drawn in random order.
func NewGenerator(seed uint64, until time.Time, span time.Duration, orders int, ref *refdata.Data, env Env) (*Generator, error) {
	if span <= 0 {
		return nil, fmt.Errorf("the span must be positive")
	}
	g := &Generator{
		rng: rand.New(rand.NewPCG(seed, 0x5eed0000^env.Stream)), ref: ref,
		until: until.UTC().Truncate(time.Microsecond), env: env,
		companies: map[string][]*models.Company{}, candidates: map[string][]string{}, cvrNext: 1_000_000,
		subclasses: map[string][]string{}, occTitle: map[string]string{}, occInd: map[string]*picker[string]{},
	}
	g.from = g.until.Add(-span)
	g.defaultPolicy = policy.Defaults()
	if g.env.Jobcenter == nil {
		g.env.Jobcenter = map[string]string{}
	}
	if g.env.Policies == nil {
		g.env.Policies = map[string]policy.Policy{}
	}
	if g.env.TakenCVRs == nil {
		g.env.TakenCVRs = map[string]bool{}
	}

	// Days of the span, weighted by working day and season; hours of the day.
	first := g.from.In(policy.Copenhagen)
	var dayItems []weighted[int]
	for d := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, policy.Copenhagen); d.Before(g.until); d = d.AddDate(0, 0, 1) {
		dayItems = append(dayItems, weighted[int]{len(g.days), dayWeight(policy.IsWorkingDay(d), d.Weekday(), d.Month())})
		g.days = append(g.days, d)
	}
	g.dayPick = newPicker(dayItems)
	var hours, off []weighted[int]
	for h := range 24 {
		hours = append(hours, weighted[int]{h, hourWeights[h]})
		off = append(off, weighted[int]{h, offHourWeights[h]})
	}
	g.hourPick, g.offPick = newPicker(hours), newPicker(off)
	g.times = make([]int64, max(orders, 0))
	for i := range g.times {
		g.times[i] = g.drawCreatedAt().UnixMicro()
	}
	slices.Sort(g.times)

	// Municipalities by population, with their postal codes and caseworkers.
	pops, err := Populations()
	if err != nil {
		return nil, err
	}
	postal := map[string][]string{}
	for _, p := range ref.SearchPostalCodes("", 1_000_000) {
		for _, m := range p.Municipalities {
			postal[m] = append(postal[m], p.Code)
		}
	}
	var muniItems []weighted[*muni]
	byCode := map[string]*muni{}
	staff := map[string][]string{}
	g.staff = staff
	for _, p := range pops {
		if _, ok := ref.Municipality(p.Code); !ok {
			return nil, fmt.Errorf("population.csv names unknown municipality %s", p.Code)
		}
		jc := g.env.Jobcenter[p.Code]
		if jc == "" {
			jc = p.Code
		}
		m := &muni{code: p.Code, name: p.Name, jobcenter: jc, postal: postal[p.Code]}
		if len(m.postal) == 0 {
			return nil, fmt.Errorf("municipality %s has no postal code", p.Code)
		}
		// About one caseworker on job orders per 8,000 inhabitants, at least two.
		for i := range max(2, p.People/8000) {
			id := fmt.Sprintf("seed-cw-%s-%02d", p.Code, i+1)
			staff[jc] = append(staff[jc], id)
		}
		byCode[p.Code] = m
		g.munis = append(g.munis, m)
		muniItems = append(muniItems, weighted[*muni]{m, float64(p.People)})
	}
	for _, m := range g.munis {
		m.caseworkers = staff[m.jobcenter]
		seen := map[string]bool{m.jobcenter: true}
		for _, n := range ref.Neighbours(m.code) {
			if jc := byCode[n].jobcenter; !seen[jc] {
				seen[jc] = true
				m.neighbours = append(m.neighbours, jc)
			}
		}
	}
	g.muniPick = newPicker(muniItems)

	// Occupations: the common ones by weight, every other unit group evenly from the tail.
	var occItems []weighted[string]
	common := map[string]bool{}
	for _, o := range commonOccupations {
		if occ, ok := ref.Occupation(o.code); !ok || occ.Level != 4 {
			return nil, fmt.Errorf("occupation %s is not an ISCO-08 unit group", o.code)
		}
		common[o.code] = true
		occItems = append(occItems, weighted[string]{o.code, o.weight})
		g.occTitle[o.code] = o.title
		var inds []weighted[string]
		for i, grp := range o.industry {
			inds = append(inds, weighted[string]{grp, 1 / float64(i+1)})
		}
		g.occInd[o.code] = newPicker(inds)
	}
	var tail []refdata.Occupation
	for _, o := range ref.SearchOccupations("", 4, 1_000_000) {
		if !common[o.Code] && !strings.HasPrefix(o.Code, "0") {
			tail = append(tail, o)
		}
	}
	for _, o := range tail {
		occItems = append(occItems, weighted[string]{o.Code, tailWeight / float64(len(tail))})
		g.occTitle[o.Code] = o.TitleEN
	}
	g.occPick = newPicker(occItems)
	g.general = newPicker(generalIndustries)
	for _, i := range ref.SearchIndustries("", "subclass", 1_000_000) {
		g.subclasses[i.Group] = append(g.subclasses[i.Group], i.Code)
	}
	for _, o := range commonOccupations {
		for _, grp := range o.industry {
			if len(g.subclasses[grp]) == 0 {
				return nil, fmt.Errorf("DB07 group %s (for %s) has no subclasses", grp, o.code)
			}
		}
	}
	g.closePick = newPicker(closeReasons)
	g.posPick = newPicker(positionCounts)
	g.chanPick = newPicker(channels)
	g.formPick = newPicker(companyForms)
	return g, nil
}

// From is the start of the span orders are created in.
func (g *Generator) From() time.Time { return g.from }

// Until is the end of the span: nothing generated happens at or after it.
func (g *Generator) Until() time.Time { return g.until }

// Next generates n orders with their companies, candidates, history and referrals, and their
// facts built by kpi.Build from exactly those rows.
func (g *Generator) Next(n int) Batch {
	var b Batch
	for range n {
		g.order(&b)
	}
	return b
}

// ---- random helpers ----

func (g *Generator) uniform(a, b time.Duration) time.Duration {
	if b <= a {
		return a
	}
	return a + time.Duration(g.rng.Int64N(int64(b-a)))
}

func (g *Generator) exp(mean time.Duration) time.Duration {
	return time.Duration(g.rng.ExpFloat64() * float64(mean))
}

// lognormal has the given median; sigma spreads it.
func (g *Generator) lognormal(median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(g.rng.NormFloat64()*sigma))
}

// geometric counts failures before the first success with probability p, at most cap.
func (g *Generator) geometric(p float64, limit int) int {
	n := 0
	for n < limit && g.rng.Float64() >= p {
		n++
	}
	return n
}

func (g *Generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *Generator) uuid() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], g.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], g.rng.Uint64())
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return uuid.UUID(b).String()
}

// human moves t into office hours (08–16 on a working day) when it is outside them: people act
// at work. A time inside office hours is kept.
func (g *Generator) human(t time.Time) time.Time {
	d := policy.DeliveryTime(t, true)
	if d.Equal(t) {
		return t
	}
	return d.Add(g.uniform(5*time.Minute, 3*time.Hour))
}

// latency is how long after a timer fires its activity writes the history entry.
func (g *Generator) latency() time.Duration { return g.uniform(80*time.Millisecond, 4*time.Second) }

// ---- reference data choices ----

// createdAt is the next order's creation time: the next of the sorted times drawn up front,
// then fresh draws.
func (g *Generator) createdAt() time.Time {
	if g.nextTime < len(g.times) {
		g.nextTime++
		return time.UnixMicro(g.times[g.nextTime-1]).UTC()
	}
	return g.drawCreatedAt()
}

// drawCreatedAt draws a creation time: a day by weight, an hour by the day's kind, any minute.
func (g *Generator) drawCreatedAt() time.Time {
	for {
		day := g.days[g.dayPick.pick(g.rng)]
		h := g.hourPick
		if !policy.IsWorkingDay(day) {
			h = g.offPick
		}
		t := time.Date(day.Year(), day.Month(), day.Day(), h.pick(g.rng), 0, 0, 0, policy.Copenhagen).
			Add(time.Duration(g.rng.Int64N(int64(time.Hour)))).UTC().Truncate(time.Microsecond)
		if !t.Before(g.from) && t.Before(g.until) {
			return t
		}
	}
}

// cvr returns a new CVR number valid under modulus 11 (weights 2 7 6 5 4 3 2 1), never one
// already in use. The seven leading digits walk a permutation of 1000000..9999999 so that the
// numbers look scattered; the check digit makes the weighted sum divisible by 11 (a remainder
// needing check digit 10 has no valid number and is skipped).
func (g *Generator) cvr() string {
	const span = 9_000_000
	for {
		g.cvrNext++
		prefix := 1_000_000 + int((uint64(g.cvrNext)*7_368_787)%span) // 7368787 is coprime with span: a permutation
		s := strconv.Itoa(prefix)
		sum := 0
		for i, w := range [7]int{2, 7, 6, 5, 4, 3, 2} {
			sum += int(s[i]-'0') * w
		}
		check := (11 - sum%11) % 11
		if check == 10 {
			continue
		}
		c := s + strconv.Itoa(check)
		if !g.env.TakenCVRs[c] {
			g.env.TakenCVRs[c] = true
			return c
		}
	}
}

// company returns an employer in m of industry group grp: mostly one that ordered before (large
// employers order often), sometimes a new one.
func (g *Generator) company(b *Batch, m *muni, grp string, firstUse time.Time) *models.Company {
	key := m.code + "/" + grp
	pool := g.companies[key]
	if len(pool) > 0 && !g.chance(math.Max(0.04, 1/(1+float64(len(pool))/3))) {
		u := g.rng.Float64()
		return pool[int(u*u*u*float64(len(pool)))] // the first companies are the big ones
	}
	g.nCompanies++
	code := ""
	if !g.chance(0.01) { // a few companies have no industry code in CVR yet
		subs := g.subclasses[grp]
		code = subs[g.rng.IntN(len(subs))]
	}
	name := fmt.Sprintf("Syntetisk %s %s %05d", industryWord(grp), m.name, g.nCompanies)
	if form := g.formPick.pick(g.rng); form != "" {
		name += " " + form
	}
	at := firstUse.Add(-g.uniform(24*time.Hour, 10*365*24*time.Hour)).Truncate(time.Microsecond)
	c := models.Company{CVR: g.cvr(), Name: name, IndustryCode: code, CreatedAt: at, UpdatedAt: at}
	b.Companies = append(b.Companies, c)
	stored := b.Companies[len(b.Companies)-1] // the pool keeps its own copy: the batch's slice grows and moves
	g.companies[key] = append(pool, &stored)
	return &stored
}

func industryWord(grp string) string {
	switch grp {
	case "86", "87", "88":
		return "Omsorg"
	case "47", "46":
		return "Handel"
	case "41", "42", "43":
		return "Byg"
	case "62", "63", "58":
		return "Data"
	case "56", "55":
		return "Køkken"
	case "49", "52", "53":
		return "Transport"
	case "85":
		return "Skole"
	case "84":
		return "Forvaltning"
	default:
		return "Virksomhed"
	}
}

// candidate returns a jobseeker of job centre jc not in used: often one already in the job
// centre's pool, sometimes a new one.
func (g *Generator) candidate(b *Batch, jc, occ string, used map[string]bool, firstUse time.Time) string {
	pool := g.candidates[jc]
	if len(pool) > 20 && !g.chance(0.3) {
		for range 5 {
			id := pool[g.rng.IntN(len(pool))]
			if !used[id] {
				return id
			}
		}
	}
	g.nCands++
	id := g.uuid()
	n := fmt.Sprintf("%07d", g.nCands)
	cv, _ := json.Marshal(map[string]any{
		"headline":    "Syntetisk CV " + n,
		"occupations": []string{occ},
		"experience":  "Syntetisk erfaring (testdata)",
		"education":   "Syntetisk uddannelse (testdata)",
		"skills":      []string{"testdata"},
	})
	at := firstUse.Add(-g.uniform(time.Hour, 365*24*time.Hour)).Truncate(time.Microsecond)
	b.Candidates = append(b.Candidates, models.Candidate{ID: id, Name: "Syntetisk Kandidat " + n, Email: "kandidat-" + n + "@example.invalid",
		HomeJobcenter: jc, Searchable: true, Active: true, CV: string(cv), Language: "da", CreatedBy: "seed",
		CreatedAt: at, UpdatedAt: at})
	b.CandidateOccupations = append(b.CandidateOccupations, cvindex.OccupationRows(&b.Candidates[len(b.Candidates)-1])...)
	g.candidates[jc] = append(pool, id)
	return id
}

// ---- one order ----

// event is a history entry before its key and ID are known.
type event struct {
	at        time.Time
	typ       joborder.Event
	actor     string
	role      string
	details   map[string]string
	visible   bool
	keySuffix string // "" for entries the workflow records (key: <workflow>/<type>/<seq>), "first" for the one created entry, "ref" for referral entries
	notify    string // for notification-sent: the notification's key after the workflow ID
}

type referral struct {
	models.Referral
	proposedAt, decidedAt, hiredAt, withdrawnAt time.Time // zero: does not happen
	own, rejected                               bool
}

func (g *Generator) order(b *Batch) {
	g.nOrders++
	created := g.createdAt()
	m := g.muniPick.pick(g.rng)
	jc := m.jobcenter
	pol, ok := g.env.Policies[jc]
	if !ok {
		pol = g.defaultPolicy
	}
	occ := g.occPick.pick(g.rng)
	grp := ""
	if p := g.occInd[occ]; p != nil && !g.chance(0.1) {
		grp = p.pick(g.rng)
	} else {
		grp = g.general.pick(g.rng)
	}
	comp := g.company(b, m, grp, created)
	id := g.uuid()
	positions := g.posPick.pick(g.rng)
	reason := g.closePick.pick(g.rng)
	worker := func() string { return m.caseworkers[g.rng.IntN(len(m.caseworkers))] }

	o := models.JobOrder{
		ID: id, CompanyCVR: comp.CVR, Title: g.occTitle[occ],
		Description:      "Syntetisk jobordre (testdata fra jobordre seed): " + g.occTitle[occ] + ".",
		WorkplaceAddress: fmt.Sprintf("Syntetisk Vej %d", 1+g.rng.IntN(199)), WorkplacePostalCode: m.postal[g.rng.IntN(len(m.postal))],
		WorkplaceMunicipalityCode: m.code, ResponsibleJobcenter: jc, OccupationCode: occ, Positions: positions,
		Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal,
		WorkflowID: "job-order/" + id, CreatedAt: created,
	}
	started := created.Add(g.uniform(20*time.Millisecond, 900*time.Millisecond))
	o.WorkflowStartedAt = &started // no workflow runs for synthetic orders; the reconciler must not start one
	if g.chance(0.3) {
		o.CreatedBySubject, o.CreatedByRole = "seed-employer-"+comp.CVR, "employer"
	} else {
		o.CreatedBySubject, o.CreatedByRole = worker(), "caseworker"
	}
	var deadline time.Time // end of the application deadline day
	if !g.chance(0.12) {
		lc := created.In(policy.Copenhagen)
		d := time.Date(lc.Year(), lc.Month(), lc.Day()+14+g.rng.IntN(32), 0, 0, 0, 0, time.UTC)
		s := d.AddDate(0, 0, 7+g.rng.IntN(29))
		o.ApplicationDeadline, o.StartDate = &models.Date{Time: d}, &models.Date{Time: s}
		deadline = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, policy.Copenhagen).UTC()
	}

	var evs []event
	add := func(e event) { evs = append(evs, e) }
	never := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	add(event{at: created, typ: joborder.EventCreated, actor: o.CreatedBySubject, role: o.CreatedByRole, visible: true,
		details: map[string]string{"responsible_jobcenter": jc}, keySuffix: "first"})

	// The workflow's own view of the order (workflows.Snapshot) gives every reminder's time, so
	// the synthetic reminders are the ones the workflow would have sent.
	snap := workflows.Snapshot{JobOrderID: id, CreatedAt: created, OccupationCode: occ, Status: models.StatusOpen, Sharing: models.SharingInternal, LastEventAt: created}
	if !deadline.IsZero() {
		snap.ApplicationDeadline = &deadline
	}
	// reminders emits a reminder chain as the workflow fires it (workflows.ReminderChain) while
	// the promise is not kept (done). (The workflow goes on repeating and escalates; two are
	// enough for the figures, which read the first.)
	reminders := func(snap workflows.Snapshot, chain string, done time.Time, template, role string) {
		for i, r := range workflows.ReminderChain(snap, pol, chain, 2) {
			if !r.At.Before(done) {
				return
			}
			add(event{at: r.At.Add(g.latency()), typ: joborder.EventNotificationSent, actor: "system", role: "system",
				details: map[string]string{"template": template, "recipient_role": role}, notify: strings.TrimPrefix(joborder.NotificationKey(id, template, "", strconv.Itoa(i+1)), o.WorkflowID+"/")})
		}
	}
	first := func(chain string) workflows.Planned { return workflows.ReminderChain(snap, pol, chain, 1)[0] }

	// Coordinator: most are assigned before the deadline, the rest after the managers' reminder.
	coordFirst := first("coordinator")
	coordDue, coordWake := coordFirst.Due, coordFirst.At
	var assignAt time.Time
	if g.chance(0.8) {
		u := g.rng.Float64()
		assignAt = g.human(created.Add(time.Duration(float64(coordDue.Sub(created)) * (0.01 + 0.85*u*u))))
	} else {
		assignAt = g.human(coordWake.Add(10*time.Minute + g.exp(6*time.Hour)))
	}
	coordinator := worker()
	add(event{at: assignAt, typ: joborder.EventCoordinatorAssigned, actor: coordinator, role: "caseworker", visible: true,
		details: map[string]string{"coordinator_id": coordinator}})
	reminders(snap, "coordinator", assignAt, joborder.TemplateCoordinatorMissingReminder, "managers")

	// First contact with the employer, by the coordinator.
	contactFirst := first("contact")
	contactDue := contactFirst.Due
	var contactAt time.Time
	if window := contactDue.Sub(assignAt); window > time.Hour && g.chance(0.82) {
		contactAt = g.human(assignAt.Add(g.uniform(10*time.Minute, window*7/10)))
	} else {
		contactAt = g.human(contactFirst.At.Add(20*time.Minute + g.exp(10*time.Hour)))
	}
	if !contactAt.After(assignAt) {
		contactAt = assignAt.Add(g.uniform(5*time.Minute, time.Hour))
	}
	add(event{at: contactAt, typ: joborder.EventContactRecorded, actor: coordinator, role: "caseworker",
		details: map[string]string{"contact_id": "seed-contact-" + comp.CVR}})
	reminders(snap, "contact", contactAt, joborder.TemplateContactReminder, "coordinator")

	// Sharing as the policy promised: the timer's steps on time, now and then late (a worker
	// outage), or widened by hand early.
	plan := kpi.Plan(pol, created, occ)
	rank := 0
	mode := g.rng.Float64()
	lateStep := g.rng.IntN(max(1, len(plan)))
	for i, step := range plan {
		r := models.SharingRank(step.Level)
		if r <= rank {
			continue
		}
		if i == 0 && step.Due.Equal(created) {
			add(event{at: created.Add(g.latency()), typ: joborder.EventSharingChanged, actor: "system", role: "system",
				details: map[string]string{"level": step.Level, "cause": "share_immediately"}})
			rank = r
			continue
		}
		if mode >= 0.94 { // widened by hand to national before the first step was due
			at := g.human(created.Add(g.uniform(time.Hour, max(2*time.Hour, step.Due.Sub(created)))))
			if at.After(step.Due) {
				at = step.Due.Add(-time.Minute)
			}
			who := coordinator
			add(event{at: at, typ: joborder.EventSharingChanged, actor: who, role: "caseworker",
				details: map[string]string{"level": models.SharingNational, "cause": "manual"}})
			break
		}
		at := step.Due.Add(g.uniform(50*time.Millisecond, 20*time.Second))
		if mode >= 0.9 && i == lateStep {
			at = step.Due.Add(g.uniform(5*time.Minute, 30*time.Hour))
		}
		add(event{at: at, typ: joborder.EventSharingChanged, actor: "system", role: "system",
			details: map[string]string{"level": step.Level, "cause": "sharing_step"}})
		rank = r
	}

	// Referrals: how many depends on how the order ends.
	var nRef int
	switch reason {
	case "filled":
		nRef = 1 + g.geometric(0.4, 9)
	case "no_suitable_candidates":
		nRef = g.geometric(0.45, 6)
	case "deadline_passed":
		nRef = g.geometric(0.55, 5)
	case "withdrawn_by_employer":
		nRef = g.geometric(0.7, 3)
	case "other":
		nRef = g.geometric(0.6, 4)
	default:
		nRef = g.geometric(0.45, 6)
	}
	var refs []*referral
	used := map[string]bool{}
	at := created.Add(g.lognormal(5*24*time.Hour, 0.8))
	for i := range nRef {
		if i > 0 {
			at = at.Add(g.exp(2 * 24 * time.Hour))
		}
		at = g.human(at)
		r := &referral{own: len(m.neighbours) == 0 || g.chance(0.85)}
		proposerJC, proposer := jc, coordinator
		if !r.own {
			proposerJC = m.neighbours[g.rng.IntN(len(m.neighbours))]
			proposer = g.staff[proposerJC][g.rng.IntN(len(g.staff[proposerJC]))]
		} else if g.chance(0.3) {
			proposer = worker()
		}
		cand := g.candidate(b, proposerJC, occ, used, at)
		used[cand] = true
		r.Referral = models.Referral{ID: g.uuid(), JobOrderID: id, CandidateID: cand, Channel: g.chanPick.pick(g.rng),
			ProposedBy: proposer, ProposedByJobcenter: proposerJC, CreatedAt: at}
		r.proposedAt = at
		if r.own {
			r.decidedAt = at
		} else {
			r.decidedAt = g.human(at.Add(g.uniform(time.Hour, 48*time.Hour)))
			r.rejected = g.chance(0.12)
		}
		refs = append(refs, r)
	}
	sent := func(r *referral) bool { return !r.rejected }

	// Hires: most filled orders are filled by referred candidates.
	var lastHire time.Time
	hires := 0
	if reason == "filled" && g.chance(0.75) {
		var cands []*referral
		for _, r := range refs {
			if sent(r) {
				cands = append(cands, r)
			}
		}
		hires = min(positions, len(cands), 1+g.geometric(0.6, 4))
		g.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		for _, r := range cands[:hires] {
			r.hiredAt = g.human(r.decidedAt.Add(g.uniform(2*24*time.Hour, 21*24*time.Hour)))
			lastHire = later(lastHire, r.hiredAt)
		}
	}
	for _, r := range refs {
		if sent(r) && r.hiredAt.IsZero() && g.chance(0.04) {
			r.withdrawnAt = g.human(r.decidedAt.Add(g.uniform(time.Hour, 10*24*time.Hour)))
		}
	}

	// When and why it closes.
	closeAt := never
	switch reason {
	case "filled":
		base := created.Add(g.uniform(10*24*time.Hour, 40*24*time.Hour))
		if !lastHire.IsZero() {
			base = lastHire
		}
		closeAt = g.human(base.Add(g.uniform(2*time.Hour, 6*24*time.Hour)))
	case "deadline_passed":
		if deadline.IsZero() {
			closeAt = g.human(created.Add(g.uniform(20*24*time.Hour, 90*24*time.Hour)))
		} else {
			closeAt = g.human(deadline.Add(g.uniform(0, 20*24*time.Hour)))
		}
	case "no_suitable_candidates":
		closeAt = g.human(created.Add(g.uniform(14*24*time.Hour, 75*24*time.Hour)))
	case "withdrawn_by_employer":
		closeAt = g.human(created.Add(time.Hour + g.exp(10*24*time.Hour)))
	case "other":
		closeAt = g.human(created.Add(g.uniform(2*24*time.Hour, 90*24*time.Hour)))
	}
	if reason == "filled" {
		for _, r := range refs { // a hire and its referral came before the order closed
			if !r.hiredAt.IsZero() && !r.hiredAt.Before(closeAt) {
				closeAt = r.hiredAt.Add(time.Hour)
			}
		}
	}
	if reason != "" {
		add(event{at: closeAt, typ: joborder.EventStatusChanged, actor: coordinator, role: "caseworker", visible: true,
			details: map[string]string{"status": models.StatusClosed, "from": models.StatusOpen, "reason": reason}})
	}

	// Referral history.
	firstSent := never
	for _, r := range refs {
		d := map[string]string{"referral_id": r.ID, "channel": r.Channel}
		if r.own {
			add(event{at: r.proposedAt, typ: joborder.EventReferralSent, actor: r.ProposedBy, role: "caseworker", visible: true, details: d, keySuffix: "ref"})
		} else {
			add(event{at: r.proposedAt, typ: joborder.EventReferralProposed, actor: r.ProposedBy, role: "caseworker", details: d, keySuffix: "ref"})
			typ := joborder.EventReferralApproved
			if r.rejected {
				typ = joborder.EventReferralRejected
			}
			add(event{at: r.decidedAt, typ: typ, actor: coordinator, role: "caseworker", visible: !r.rejected,
				details: map[string]string{"referral_id": r.ID}, keySuffix: "ref"})
		}
		if sent(r) && r.decidedAt.Before(firstSent) && r.decidedAt.Before(closeAt) && r.decidedAt.Before(g.until) {
			firstSent = r.decidedAt
		}
		if !r.hiredAt.IsZero() {
			add(event{at: r.hiredAt, typ: joborder.EventHireRegistered, actor: coordinator, role: "caseworker", visible: true,
				details: map[string]string{"hire_id": r.ID, "positions": strconv.Itoa(positions)}})
		}
		if !r.withdrawnAt.IsZero() {
			add(event{at: r.withdrawnAt, typ: joborder.EventReferralWithdrawn, actor: coordinator, role: "caseworker", visible: true,
				details: map[string]string{"referral_id": r.ID}, keySuffix: "ref"})
		}
	}
	reminders(snap, "first_referral", firstSent, joborder.TemplateFirstReferralReminder, "coordinator")

	// Close-out nudges: a week after the application deadline, three days after the last hire,
	// or a month after the last activity, whichever comes first, while the order is still open.
	var lastActivity time.Time
	for _, e := range evs {
		if e.at.Before(closeAt) && e.typ != joborder.EventNotificationSent {
			lastActivity = later(lastActivity, e.at)
		}
	}
	closing := snap
	closing.LastEventAt = lastActivity
	if hires > 0 && hires >= positions {
		closing.FilledAt = &lastHire
	}
	reminders(closing, "close_out", closeAt, joborder.TemplateCloseOutNudge, "coordinator")

	// A few orders still open are paused (temporarily inactive) at the end.
	cutoff := earlier(g.until, closeAt.Add(time.Microsecond))
	if reason == "" || closeAt.After(g.until) {
		if g.chance(0.025) {
			pauseAt := g.human(g.until.Add(-g.uniform(time.Hour, 20*24*time.Hour)))
			if pauseAt.After(created.Add(time.Hour)) && pauseAt.Before(g.until) {
				untilDay := pauseAt.Add(g.uniform(7*24*time.Hour, 40*24*time.Hour)).Truncate(24 * time.Hour)
				add(event{at: pauseAt, typ: joborder.EventStatusChanged, actor: coordinator, role: "caseworker", visible: true,
					details: map[string]string{"status": models.StatusTemporarilyInactive, "from": models.StatusOpen, "until": untilDay.Format(time.RFC3339)}})
				cutoff = pauseAt.Add(time.Microsecond) // the workflow's timers wait while it is paused
			}
		}
	}

	// Keep what happened before the cut-off, in time order with distinct instants.
	kept := evs[:0]
	for _, e := range evs {
		e.at = e.at.UTC().Truncate(time.Microsecond)
		if e.at.Before(cutoff) {
			kept = append(kept, e)
		}
	}
	evs = kept
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	for i := 1; i < len(evs); i++ {
		if !evs[i].at.After(evs[i-1].at) {
			evs[i].at = evs[i-1].at.Add(time.Microsecond)
		}
	}

	// The rows, and the order's state as its history says.
	firstEvent := len(b.Events)
	seq := 0
	for _, e := range evs {
		details := detailsJSON(e.details)
		var key string
		switch {
		case e.notify != "": // as the Notify activity keys the entry of the notification
			key = joborder.EventKey(id, e.typ, e.notify)
		case e.keySuffix == "first":
			key = joborder.EventKey(id, e.typ)
		case e.keySuffix == "ref":
			key = joborder.EventKey(id, e.typ, e.details["referral_id"], g.uuid())
		default:
			seq++
			key = joborder.EventKey(id, e.typ, strconv.Itoa(seq))
		}
		b.Events = append(b.Events, models.JobOrderEvent{JobOrderID: id, EventKey: key, Type: string(e.typ), At: e.at,
			ActorID: e.actor, ActorRole: e.role, Details: details, EmployerVisible: e.visible})
		switch e.typ {
		case joborder.EventCoordinatorAssigned:
			c := e.details["coordinator_id"]
			o.CoordinatorID = &c
		case joborder.EventSharingChanged:
			if models.SharingRank(e.details["level"]) > models.SharingRank(o.Sharing) {
				o.Sharing = e.details["level"]
			}
		case joborder.EventStatusChanged:
			o.Status, o.CloseReason = e.details["status"], e.details["reason"]
		}
		o.UpdatedAt = e.at
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = created
	}
	// Facts order a history by time, then by ID; the database numbers the entries in insert
	// order, which is this time order, so in-memory sequence numbers sort them the same way.
	events := b.Events[firstEvent:]
	forFacts := make([]models.JobOrderEvent, len(events))
	for i, e := range events {
		forFacts[i] = e
		forFacts[i].ID = uint64(i + 1)
	}

	// Referral rows as they stand at the cut-off.
	firstRef := len(b.Referrals)
	for _, r := range refs {
		if !r.proposedAt.Before(cutoff) {
			continue
		}
		row := r.Referral
		row.Status, row.UpdatedAt = models.ReferralPendingApproval, r.proposedAt
		if r.decidedAt.Before(cutoff) {
			d := r.decidedAt.UTC().Truncate(time.Microsecond)
			if r.rejected {
				row.Status, row.RejectReason = models.ReferralRejected, "Syntetisk afvisning (testdata)"
			} else {
				row.Status, row.SentAt = models.ReferralSent, &d
				sig := d.Add(time.Second)
				row.SignalledAt = &sig
			}
			if !r.own {
				row.DecidedBy, row.DecidedAt = coordinator, &d
			}
			row.UpdatedAt = d
		}
		if !r.hiredAt.IsZero() && r.hiredAt.Before(cutoff) {
			row.Status, row.UpdatedAt = models.ReferralHired, r.hiredAt
		}
		if !r.withdrawnAt.IsZero() && r.withdrawnAt.Before(cutoff) {
			row.Status, row.UpdatedAt = models.ReferralWithdrawn, r.withdrawnAt
		}
		row.CreatedAt = row.CreatedAt.UTC().Truncate(time.Microsecond)
		row.UpdatedAt = row.UpdatedAt.UTC().Truncate(time.Microsecond)
		b.Referrals = append(b.Referrals, row)
	}

	b.Orders = append(b.Orders, o)
	b.Facts = append(b.Facts, kpi.Build(kpi.Sources{
		Order: o, IndustryGroup: kpi.IndustryGroupOf(comp.IndustryCode), Events: forFacts,
		Referrals: b.Referrals[firstRef:], Plan: plan,
	}, g.until))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// detailsJSON encodes a history entry's details as encoding/json would (keys sorted), without
// reflection for the plain ASCII values the generator writes; anything else goes through
// encoding/json.
func detailsJSON(d map[string]string) string {
	keys := make([]string, 0, len(d))
	plain := true
	for k, v := range d {
		keys = append(keys, k)
		plain = plain && plainJSON(k) && plainJSON(v)
	}
	if !plain {
		b, _ := json.Marshal(d)
		return string(b)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		sb.WriteString(k)
		sb.WriteString(`":"`)
		sb.WriteString(d[k])
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

// plainJSON tells whether s needs no escaping in a JSON string (encoding/json escapes <, > and &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
