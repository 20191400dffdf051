//go:build candidatebench

// The candidate-search benchmark (`make bench`, target bench-candidates): 200,000 synthetic
// candidates with Danish CVs in a throwaway PostgreSQL, the real HTTP API, and search and
// suggestions timed through it. Behind the candidatebench build tag so that `go test ./...`
// never runs it (speed is measured here, never asserted in a test); run it with
//
//	go test -tags candidatebench -run TestCandidateSearchBenchmark -v -timeout 1h ./internal/candidates/
//
// Settings (environment):
//
//	CANDIDATE_BENCH_CANDIDATES     candidates to seed (default 200000)
//	CANDIDATE_BENCH_REQUESTS       timed requests per case (default 200)
//	CANDIDATE_BENCH_DATABASE_URL   use (and keep) this PostgreSQL database instead of a throwaway
//	                               one: seeded when empty, reused when it holds that many candidates
//	CANDIDATE_BENCH_REPORT         write the result table to this file (default: print it)
package candidates_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"jobordre/api"
	"jobordre/internal/auth"
	"jobordre/internal/cvindex"
	"jobordre/internal/pgtest"
	"jobordre/internal/refdata"
	"jobordre/internal/servicestest"
	"jobordre/internal/store"
	"jobordre/internal/telemetry"
	"jobordre/models"
)

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q is not a positive number", name, s)
	}
	return n
}

// trade is an occupation with the Danish words a CV for it uses.
type trade struct {
	code     string
	headline []string // headline forms ("Tømrer", "Erfaren tømrer", …)
	tasks    []string // experience fragments
	skills   []string
}

// trades are the common occupations of the synthetic CVs (ISCO-08 unit groups); other CVs get
// any unit group of the classification with generic text.
var trades = []trade{
	{"7115", []string{"Tømrer", "Erfaren tømrer", "Tømrersvend", "Bygningstømrer"}, []string{"renovering af tage", "montering af vinduer", "nybyggeri i træ", "tagarbejde på etageejendomme"}, []string{"tage", "vinduer", "gulve", "forskalling"}},
	{"7112", []string{"Murer", "Murersvend", "Erfaren murer"}, []string{"facaderenovering", "murerarbejde på boliger", "flisearbejde i badeværelser"}, []string{"fliser", "puds", "facader"}},
	{"7411", []string{"Elektriker", "Autoriseret elektriker", "Elektrikersvend"}, []string{"el-installationer i boliger", "tavlearbejde", "service på industrianlæg"}, []string{"tavler", "installationer", "fejlfinding"}},
	{"2221", []string{"Sygeplejerske", "Erfaren sygeplejerske", "Intensivsygeplejerske"}, []string{"akutmodtagelse", "medicinsk sengeafsnit", "hjemmesygepleje"}, []string{"medicinhåndtering", "sårpleje", "triage"}},
	{"5321", []string{"Social- og sundhedsassistent", "SOSU-assistent"}, []string{"plejecenter", "psykiatrisk afdeling", "hjemmeplejen"}, []string{"pleje", "medicin", "dokumentation"}},
	{"2342", []string{"Pædagog", "Uddannet pædagog"}, []string{"vuggestue", "børnehave", "fritidshjem"}, []string{"sprogstimulering", "udeliv", "forældresamarbejde"}},
	{"9333", []string{"Lagerarbejder", "Lagermedarbejder", "Pakkemedarbejder"}, []string{"plukning og pakning", "varemodtagelse", "lagerstyring"}, []string{"truck", "scanner", "plukning"}},
	{"8332", []string{"Lastbilchauffør", "Chauffør", "Distributionschauffør"}, []string{"fjernkørsel i Europa", "distribution af dagligvarer", "kørsel med kran"}, []string{"kørekort C", "kørekort CE", "ADR"}},
	{"5120", []string{"Kok", "Uddannet kok", "Køkkenchef"}, []string{"restaurantkøkken", "kantinedrift", "catering"}, []string{"menuplanlægning", "hygiejne", "bagning"}},
	{"9112", []string{"Rengøringsassistent", "Rengøringsmedarbejder"}, []string{"erhvervsrengøring", "hospitalsrengøring", "skolerengøring"}, []string{"maskinrengøring", "hygiejne"}},
	{"5223", []string{"Butiksassistent", "Salgsassistent", "Ekspedient"}, []string{"dagligvarebutik", "tøjbutik", "byggemarked"}, []string{"kassesystem", "kundeservice", "varepåfyldning"}},
	{"7131", []string{"Maler", "Malersvend", "Bygningsmaler"}, []string{"indvendigt malerarbejde", "facademaling", "tapetsering"}, []string{"spartling", "tapet", "sprøjtemaling"}},
	{"7212", []string{"Smed", "Klejnsmed", "Svejser"}, []string{"stålkonstruktioner", "svejsning af rør", "montage af trapper"}, []string{"MIG/MAG", "TIG", "tegningslæsning"}},
	{"7231", []string{"Mekaniker", "Automekaniker", "Personvognsmekaniker"}, []string{"service og reparation", "fejlfinding på motorer", "dækskift"}, []string{"diagnose", "bremser", "motorer"}},
	{"2512", []string{"Softwareudvikler", "Programmør", "Backend-udvikler"}, []string{"udvikling af webservices", "databaser og integrationer", "test og drift"}, []string{"Go", "SQL", "Kubernetes"}},
	{"4311", []string{"Bogholder", "Regnskabsmedarbejder"}, []string{"debitor og kreditor", "månedsafslutning", "momsindberetning"}, []string{"Navision", "Excel", "afstemning"}},
	{"2341", []string{"Lærer", "Folkeskolelærer"}, []string{"undervisning i dansk", "matematikundervisning", "klasselærer på mellemtrinnet"}, []string{"dansk", "matematik", "historie"}},
	{"7126", []string{"VVS-montør", "VVS-installatør", "Blikkenslager"}, []string{"installation af varmeanlæg", "badeværelser", "service på fjernvarme"}, []string{"varmepumper", "rør", "sanitet"}},
	{"7522", []string{"Snedker", "Møbelsnedker", "Bygningssnedker"}, []string{"køkkenmontage", "møbelproduktion", "indretning af butikker"}, []string{"CNC", "montage", "finer"}},
	{"8344", []string{"Truckfører", "Gaffeltruckfører"}, []string{"lastning af lastbiler", "reolstablere", "lagerlogistik"}, []string{"truckcertifikat", "reachtruck"}},
}

var fillers = []string{"Har erfaring med", "Har arbejdet med", "Flere års erfaring inden for", "Ansat med ansvar for", "Deltaget i", "Stor erfaring med"}

// seedCandidates writes n synthetic candidates (and their occupations) with COPY, and a few job
// orders of job centre 751 with referrals and consents. Deterministic for a given n.
func seedCandidates(t *testing.T, ctx context.Context, db *gorm.DB, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	ref := refdata.Default()
	var units []string
	var occs []models.RefOccupation
	if err := db.Where("level = 4").Order("code").Find(&occs).Error; err != nil {
		t.Fatal(err)
	}
	for _, o := range occs {
		units = append(units, o.Code)
	}
	var jobcenters []string
	for _, m := range ref.Municipalities() {
		jobcenters = append(jobcenters, m.Code)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cands := make([][]any, 0, n)
	var occRows [][]any
	for i := range n {
		id := uuid.NewString()
		var cv cvindex.CV
		if rng.IntN(100) < 70 {
			tr := trades[rng.IntN(len(trades))]
			cv.Headline = tr.headline[rng.IntN(len(tr.headline))]
			cv.Occupations = []string{tr.code}
			var parts []string
			for range 1 + rng.IntN(3) {
				parts = append(parts, fillers[rng.IntN(len(fillers))]+" "+tr.tasks[rng.IntN(len(tr.tasks))]+".")
			}
			cv.Experience = strings.Join(parts, " ") + fmt.Sprintf(" %d års erfaring.", 1+rng.IntN(30))
			cv.Skills = []string{tr.skills[rng.IntN(len(tr.skills))], tr.skills[rng.IntN(len(tr.skills))]}
			if rng.IntN(4) == 0 {
				other := trades[rng.IntN(len(trades))]
				cv.Occupations = append(cv.Occupations, other.code)
				cv.Experience += " Har også arbejdet som " + strings.ToLower(other.headline[0]) + "."
			}
		} else {
			code := units[rng.IntN(len(units))]
			cv.Headline = "Medarbejder inden for ISCO " + code
			cv.Occupations = []string{code}
			cv.Experience = fillers[rng.IntN(len(fillers))] + " opgaver inden for faget. Gode samarbejdsevner."
			cv.Skills = []string{"samarbejde", "kundeservice"}
		}
		cv.Education = []string{"Svendebrev", "Erhvervsuddannelse", "Professionsbachelor", "Kandidatuddannelse", "AMU-kurser"}[rng.IntN(5)]
		b, _ := json.Marshal(cv)
		at := start.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour)))).Truncate(time.Microsecond)
		jc := jobcenters[rng.IntN(len(jobcenters))]
		if rng.IntN(20) == 0 {
			jc = "751" // Aarhus has more candidates than the average job centre
		}
		searchable := rng.IntN(100) < 75
		active := rng.IntN(100) < 90
		cands = append(cands, []any{id, fmt.Sprintf("Syntetisk Kandidat %07d", i), fmt.Sprintf("kandidat-%07d@example.invalid", i), jc,
			searchable, active, string(b), "da", "bench", at, at})
		for _, o := range cvindex.OccupationRows(&models.Candidate{ID: id, CV: string(b), HomeJobcenter: jc, Searchable: searchable, Active: active, UpdatedAt: at}) {
			occRows = append(occRows, []any{o.CandidateID, o.Code, o.MinorGroup, o.FirstInMinor, o.HomeJobcenter, o.Searchable, o.Active, o.UpdatedAt})
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	copyRows := func(table string, cols []string, rows [][]any) {
		err := conn.Raw(func(dc any) error {
			_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		})
		if err != nil {
			t.Fatalf("copy %s: %v", table, err)
		}
	}
	copyRows("candidates", []string{"id", "name", "email", "home_jobcenter", "searchable", "active", "cv", "language", "created_by", "created_at", "updated_at"}, cands)
	copyRows("candidate_occupations", []string{"candidate_id", "code", "minor_group", "first_in_minor", "home_jobcenter", "searchable", "active", "updated_at"}, occRows)
	conn.Close()
	// candidate_search rows (with the tsvector PostgreSQL computes) for everything just copied.
	if err := cvindex.Backfill(ctx, db); err != nil {
		t.Fatal(err)
	}
}

type benchCase struct {
	name, path string
	runs       []time.Duration
	hits       int
}

func (c *benchCase) stats() (mean, p50, p95, p99, maxi time.Duration) {
	d := slices.Clone(c.runs)
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	pct := func(p float64) time.Duration { return d[max(0, int(math.Ceil(p*float64(len(d))))-1)] }
	return sum / time.Duration(len(d)), pct(0.50), pct(0.95), pct(0.99), d[len(d)-1]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
}

func TestCandidateSearchBenchmark(t *testing.T) {
	ctx := context.Background()
	n := envInt(t, "CANDIDATE_BENCH_CANDIDATES", 200_000)
	requests := envInt(t, "CANDIDATE_BENCH_REQUESTS", 200)
	dbURL := os.Getenv("CANDIDATE_BENCH_DATABASE_URL")
	throwaway := dbURL == ""
	if throwaway {
		dbURL = pgtest.NewDatabase(t)
	}
	db, err := store.Open(ctx, dbURL, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var have int64
	if err := db.Model(&models.Candidate{}).Count(&have).Error; err != nil {
		t.Fatal(err)
	}
	var seedLine string
	switch {
	case have == 0:
		t0 := time.Now()
		seedCandidates(t, ctx, db, n)
		if err := db.Exec("VACUUM ANALYZE").Error; err != nil {
			t.Fatal(err)
		}
		seedLine = fmt.Sprintf("seeded %d candidates in %s (COPY, then the search rows with PostgreSQL's tsvectors, then VACUUM ANALYZE)", n, time.Since(t0).Round(time.Second))
	case have == int64(n):
		seedLine = fmt.Sprintf("reused a database seeded before with %d candidates", n)
	default:
		t.Fatalf("the database has %d candidates, not %d", have, n)
	}
	t.Log(seedLine)

	signer, err := auth.NewHS256("candidate-benchmark-secret-long-enough-for-hs256", "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	s := servicestest.New(db, nil)
	srv := httptest.NewServer(api.New(api.Deps{Orders: s.Orders, Candidates: s.Candidates, Verifier: signer, Metrics: telemetry.NewMetrics()}))
	defer srv.Close()
	cw := auth.Principal{Subject: "bench-cw-751", Role: auth.RoleCaseworker, Jobcenter: "751"}
	tok, err := signer.Sign(cw, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	// Orders of 751 to suggest for, each with 50 referrals already and consents for some
	// non-searchable candidates of 751, so the exclusions have work to do.
	var orderIDs []string
	for _, occ := range []string{"7115", "2221", "9333"} {
		o := models.JobOrder{ID: uuid.NewString(), CompanyCVR: "10103940", Title: "Søges: " + map[string]string{"7115": "tømrer til renovering af tage", "2221": "sygeplejerske til akutmodtagelse", "9333": "lagermedarbejder til plukning"}[occ],
			Description: "Syntetisk jobordre (benchmark)", WorkplaceAddress: "Søren Frichs Vej 38", WorkplacePostalCode: "8000", WorkplaceMunicipalityCode: "751",
			ResponsibleJobcenter: "751", OccupationCode: occ, Positions: 2, Kind: models.KindOrdinary, Status: models.StatusOpen, Sharing: models.SharingInternal,
			CreatedBySubject: cw.Subject, CreatedByRole: cw.Role, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		o.WorkflowID = "job-order/" + o.ID
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		orderIDs = append(orderIDs, o.ID)
		var picks []string
		db.Raw(`SELECT c.id FROM candidates c JOIN candidate_occupations co ON co.candidate_id = c.id
			WHERE co.code = ? AND c.home_jobcenter = '751' AND c.active ORDER BY c.id LIMIT 80`, occ).Scan(&picks)
		now := time.Now().UTC()
		for i, cid := range picks {
			if i < 50 {
				db.Create(&models.Referral{ID: uuid.NewString(), JobOrderID: o.ID, CandidateID: cid, Status: models.ReferralSent, Channel: "jobag",
					ProposedBy: cw.Subject, ProposedByJobcenter: "751", SentAt: &now, CreatedAt: now, UpdatedAt: now})
			} else {
				oid := o.ID
				db.Create(&models.Consent{ID: uuid.NewString(), CandidateID: cid, EmployerCVR: o.CompanyCVR, JobOrderID: &oid, Purpose: "Formidling",
					DataCategories: `["cv"]`, GivenAt: now, Method: "digital", RecordedBy: cw.Subject, CreatedAt: now})
			}
		}
	}

	client := srv.Client()
	get := func(path string) (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(t0)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		var page struct{ Items []json.RawMessage }
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		return len(page.Items), took
	}
	search := func(v url.Values) string { return "/api/v1/candidates?" + v.Encode() }
	cases := []*benchCase{
		{name: "search q=tømrere (inflected, common)", path: search(url.Values{"q": {"tømrere"}})},
		{name: "search q=erfaring renovering (two words)", path: search(url.Values{"q": {"erfaring renovering"}})},
		{name: "search q=sygeplejersker occupation=2221", path: search(url.Values{"q": {"sygeplejersker"}, "occupation": {"2221"}})},
		{name: "search q=svejser occupation=2221 (rare mix)", path: search(url.Values{"q": {"svejser"}, "occupation": {"2221"}})},
		{name: "search q=bagning (rare skill)", path: search(url.Values{"q": {"bagning"}})},
		{name: "search q=kørekort (skill)", path: search(url.Values{"q": {"kørekort"}})},
		{name: "search occupation=7115 (no text)", path: search(url.Values{"occupation": {"7115"}})},
		{name: "search occupation=711 (minor group)", path: search(url.Values{"occupation": {"711"}})},
		{name: "search jobcenter=751 searchable=false", path: search(url.Values{"jobcenter": {"751"}, "searchable": {"false"}})},
		{name: "search (no filters: newest first)", path: search(url.Values{})},
		{name: "search q=tømrer limit=100", path: search(url.Values{"q": {"tømrer"}, "limit": {"100"}})},
		{name: "suggestions 7115 (carpenters)", path: "/api/v1/job-orders/" + orderIDs[0] + "/candidate-suggestions"},
		{name: "suggestions 2221 (nurses)", path: "/api/v1/job-orders/" + orderIDs[1] + "/candidate-suggestions"},
		{name: "suggestions 9333 limit=100", path: "/api/v1/job-orders/" + orderIDs[2] + "/candidate-suggestions?limit=100"},
	}
	for _, c := range cases {
		for range 5 {
			c.hits, _ = get(c.path)
		}
		for range requests {
			_, d := get(c.path)
			c.runs = append(c.runs, d)
		}
		if c.hits == 0 {
			t.Errorf("%s found nothing: the benchmark would time an empty answer", c.name)
		}
	}
	var pgVersion string
	db.Raw("SHOW server_version").Scan(&pgVersion)
	var tableSize, indexSize int64
	db.Raw("SELECT pg_table_size('candidates'), pg_indexes_size('candidates')").Row().Scan(&tableSize, &indexSize)
	var sb strings.Builder
	fmt.Fprintf(&sb, "Candidate search benchmark: %d candidates, PostgreSQL %s (%s); candidates table %.0f MB, its indexes %.0f MB\n", n, pgVersion,
		map[bool]string{true: "throwaway pgtest cluster", false: "CANDIDATE_BENCH_DATABASE_URL"}[throwaway], float64(tableSize)/1e6, float64(indexSize)/1e6)
	fmt.Fprintln(&sb, seedLine)
	fmt.Fprintf(&sb, "\n%-48s %5s %6s %8s %8s %8s %8s %8s  %s\n", "case (ms; full HTTP request as a caseworker of 751)", "n", "hits", "mean", "p50", "p95", "p99", "max", "p95 goal")
	for _, c := range cases {
		mean, p50, p95, p99, mx := c.stats()
		verdict := "met"
		if p95 >= 50*time.Millisecond {
			verdict = "MISSED"
		}
		fmt.Fprintf(&sb, "%-48s %5d %6d %8s %8s %8s %8s %8s  < 50: %s\n", c.name, len(c.runs), c.hits, ms(mean), ms(p50), ms(p95), ms(p99), ms(mx), verdict)
	}
	if out := os.Getenv("CANDIDATE_BENCH_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		fmt.Print("\n" + sb.String())
	}
}
