// Package candidates finds candidates for job-centre staff: free-text search over CVs in Danish
// (PostgreSQL's `danish` text search; SQLite FTS5 fed by the same Snowball stemmer in dev),
// filters by occupation, job centre and state, and suggestions for a job order ranked by how
// closely the CV's occupations match the order's (ISCO-08 unit group first, then minor group),
// each with the reasons it was suggested. The JSON API and the web console both call Service.
package candidates

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/consent"
	"jobordre/internal/cvindex"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Paging bounds.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// maxOffset bounds how deep a search pages: past it, narrow the search instead.
	maxOffset = 10000
)

// Service searches candidates.
type Service struct {
	db     *gorm.DB
	orders *orders.Service
	ref    *refdata.Data
}

// NewService returns the search over db; o answers which orders a caller may read.
func NewService(db *gorm.DB, o *orders.Service, ref *refdata.Data) *Service {
	return &Service{db: db, orders: o, ref: ref}
}

// Filter narrows a search; every field is optional.
type Filter struct {
	// Query is free text matched against the CV in Danish (stemmed: "tømrere" finds "tømrer").
	Query string
	// Occupation is an ISCO-08 code of 1 to 4 digits: CVs naming an occupation in that group.
	Occupation string
	// Jobcenter is the candidates' home job centre (3 digits).
	Jobcenter string
	// Searchable and Active filter on the CV's state; Active defaults to true.
	Searchable, Active *bool
	Limit              int
	Cursor             string
}

// Hit is a candidate as a search shows it. Candidates of the caller's own job centre (Own) come
// with their e-mail address and may be referred by the caller; other job centres' candidates
// are shown only while their CV is searchable and active.
type Hit struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Email         string     `json:"email,omitempty"`
	HomeJobcenter string     `json:"home_jobcenter"`
	Own           bool       `json:"own"`
	Searchable    bool       `json:"searchable"`
	Active        bool       `json:"active"`
	CV            cvindex.CV `json:"cv"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Page is one page of hits, best first.
type Page struct {
	Items      []Hit  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Errors of the search.
var (
	// ErrBadCursor is a cursor this search did not hand out, or one from a search with other filters.
	ErrBadCursor = problem.BadRequest("cursor is not one this search handed out for these filters",
		problem.Field("cursor", "cursor is not one this search handed out for these filters"))
	errStaffOnly = problem.Forbidden("only job-centre staff search candidates")
)

var (
	jobcenterPattern  = regexp.MustCompile(`^[0-9]{3}$`)
	occupationPattern = regexp.MustCompile(`^[0-9]{1,4}$`)
)

// row is a candidate as the queries read it.
type row struct {
	ID            string
	Name          string
	Email         string
	HomeJobcenter string
	Searchable    bool
	Active        bool
	CV            string
	UpdatedAt     time.Time
}

func (r row) hit(p auth.Principal) Hit {
	h := Hit{ID: r.ID, Name: r.Name, HomeJobcenter: r.HomeJobcenter, Own: r.HomeJobcenter == p.Jobcenter,
		Searchable: r.Searchable, Active: r.Active, UpdatedAt: r.UpdatedAt.UTC()}
	if h.Own {
		h.Email = r.Email
	}
	_ = json.Unmarshal([]byte(r.CV), &h.CV)
	if h.CV.Occupations == nil {
		h.CV.Occupations = []string{}
	}
	if h.CV.Skills == nil {
		h.CV.Skills = []string{}
	}
	return h
}

// load reads the candidates with the given IDs, in that order.
func (s *Service) load(ctx context.Context, ids []string) ([]row, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []row
	if err := s.db.WithContext(ctx).Table("candidates").Select("id, name, email, home_jobcenter, searchable, active, cv, updated_at").
		Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	byID := make(map[string]row, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]row, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// Search finds the candidates p may see that match f: its own job centre's candidates, and the
// searchable, active CVs of every job centre. Without a query, the most recently updated come
// first. With one, CVs whose headline matches come first, then those that match elsewhere,
// each most recently updated first (on SQLite, dev: FTS5's bm25 rank). Every query reads an
// index of internal/cvindex in the order it answers in, so a page costs about the same over
// 200,000 candidates as over 200 (docs/performance.md).
func (s *Service) Search(ctx context.Context, p auth.Principal, f Filter) (Page, error) {
	if !p.IsJobcenterStaff() {
		return Page{}, errStaffOnly
	}
	terms, at, err := s.check(&f)
	if err != nil {
		return Page{}, err
	}
	// Read the phases in order from the cursor's position until a page (and one more) is full.
	type found struct {
		id  string
		pos position
	}
	var hits []found
	err = s.read(ctx, func(db *gorm.DB) error {
		phases := phases(db, p, f, terms)
		if at.phase >= len(phases) {
			return ErrBadCursor
		}
		for pos := at; pos.phase < len(phases) && len(hits) <= f.Limit; {
			need := f.Limit + 1 - len(hits)
			ids, err := phases[pos.phase].read(pos.offset, need)
			if err != nil {
				return err
			}
			for i, id := range ids {
				hits = append(hits, found{id, position{pos.phase, pos.offset + i + 1}})
			}
			if len(ids) < need {
				pos = position{pos.phase + 1, 0}
			} else {
				pos.offset += len(ids)
			}
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: make([]Hit, 0, len(hits))}
	if len(hits) > f.Limit {
		hits = hits[:f.Limit]
		if next := hits[len(hits)-1].pos; next.offset <= maxOffset {
			page.NextCursor = encodeCursor(next, fingerprint(f))
		}
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	rows, err := s.load(ctx, ids)
	if err != nil {
		return Page{}, err
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.hit(p))
	}
	return page, nil
}

// phase is one of the ordered queries whose results, one after the other, answer a search: read
// gives the IDs at offset..offset+n of its answer.
type phase struct {
	read func(offset, n int) ([]string, error)
}

// ordered is a phase that is one query selecting id in answer order.
func ordered(q *gorm.DB) phase {
	return phase{read: func(offset, n int) ([]string, error) {
		var ids []string
		err := q.Session(&gorm.Session{}).Offset(offset).Limit(n).Pluck("id", &ids).Error
		return ids, err
	}}
}

// boundedScan is how many of an occupation's newest CVs a search for words within that
// occupation reads first (see phases).
var boundedScan = 500

func phases(db *gorm.DB, p auth.Principal, f Filter, terms []string) []phase {
	// filter applies the caller's visibility and the filters to the index table alias t.
	// Literal booleans (not parameters), so the partial indexes' predicates are implied, and only
	// columns the covering indexes hold. Other job centres' CVs show while searchable and
	// active; the caller's own job centre's in any state.
	filter := func(q *gorm.DB, t string) *gorm.DB {
		q = q.Where(boolTerm(t+".active", *f.Active))
		if *f.Active {
			q = q.Where("("+t+".home_jobcenter = ? OR "+t+".searchable)", p.Jobcenter)
		} else {
			q = q.Where(t+".home_jobcenter = ?", p.Jobcenter)
		}
		if f.Searchable != nil {
			q = q.Where(boolTerm(t+".searchable", *f.Searchable))
		}
		if f.Jobcenter != "" {
			q = q.Where(t+".home_jobcenter = ?", f.Jobcenter)
		}
		return q
	}
	// occupations reads candidate_occupations for a 3- or 4-digit occupation filter.
	occupations := func() *gorm.DB {
		if len(f.Occupation) == 4 {
			return filter(db.Table("candidate_occupations AS co").Where("co.code = ?", f.Occupation), "co")
		}
		return filter(db.Table("candidate_occupations AS co").Where("co.minor_group = ? AND co.first_in_minor", f.Occupation), "co")
	}
	byIndex := *f.Active && (len(f.Occupation) == 4 || len(f.Occupation) == 3)
	if len(terms) == 0 && byIndex {
		// candidate_occupations answers alone.
		return []phase{ordered(occupations().Select("co.candidate_id AS id").Order("co.updated_at DESC, co.candidate_id DESC"))}
	}
	base := func() *gorm.DB { return filter(db.Table("candidate_search AS s"), "s").Select("s.candidate_id AS id") }
	newest := "s.updated_at DESC, s.candidate_id DESC"
	switch {
	case len(terms) == 0:
		q := base()
		if f.Occupation != "" {
			q = q.Where("EXISTS (?)", occupationMatch(db, f.Occupation))
		}
		return []phase{ordered(q.Order(newest))}
	case cvindex.IsPostgres(db):
		// Ranking every match of a common word by ts_rank reads every match; headline matches
		// first, each phase newest first, reads an index in order and stops after a page. The
		// occupation filter is a lexeme of the same tsvectors (cvindex.OccupationLexeme).
		words := "plainto_tsquery('danish', ?)"
		args := []any{f.Query}
		if f.Occupation != "" {
			words = "(plainto_tsquery('danish', ?) && plainto_tsquery('simple', ?))"
			args = append(args, cvindex.OccupationLexeme(f.Occupation))
		}
		headline := ordered(base().Where("s.headline_vector @@ "+words, args...).Order(newest))
		elsewhere := ordered(base().Where("s.search_vector @@ "+words+" AND NOT s.headline_vector @@ plainto_tsquery('danish', ?)", append(args, f.Query)...).Order(newest))
		if !byIndex {
			return []phase{headline, elsewhere}
		}
		return []phase{
			withinOccupation(db, occupations, headline, "s.headline_vector @@ plainto_tsquery('danish', ?)", f.Query),
			withinOccupation(db, occupations, elsewhere, "s.search_vector @@ plainto_tsquery('danish', ?) AND NOT s.headline_vector @@ plainto_tsquery('danish', ?)", f.Query, f.Query),
		}
	default:
		// bm25 is lower for better matches.
		q := base()
		if f.Occupation != "" {
			q = q.Where("EXISTS (?)", occupationMatch(db, f.Occupation))
		}
		return []phase{ordered(q.Joins("JOIN (SELECT candidate_id, bm25("+cvindex.FTSTable+", 0.0, 4.0, 1.0) AS fts_rank FROM "+cvindex.FTSTable+" WHERE "+cvindex.FTSTable+" MATCH ?) f ON f.candidate_id = s.candidate_id", allTerms(terms)).
			Order("f.fts_rank, " + newest))}
	}
}

// withinOccupation is a phase of words within an occupation (PostgreSQL). The planner guesses
// how many CVs of the occupation match the words as if the two were unrelated, and they rarely
// are: nurses' CVs say "sygeplejerske", few say "svejser". So it does not guess: it first reads
// the occupation's boundedScan newest CVs in order (an index) and keeps those whose words match
// (cond), which fills the page when the words are common in the occupation. When they are not,
// and the occupation has more CVs than that, it asks the GIN index for CVs with the words and
// the occupation's lexeme at once (full), which is quick because few CVs have both. Both give the
// same answer in the same order.
func withinOccupation(db *gorm.DB, occupations func() *gorm.DB, full phase, cond string, args ...any) phase {
	return phase{read: func(offset, n int) ([]string, error) {
		recent := func() *gorm.DB {
			return occupations().Select("co.candidate_id, co.updated_at").Order("co.updated_at DESC, co.candidate_id DESC").Limit(boundedScan)
		}
		var ids []string
		if err := db.Table("(?) AS r", recent()).Joins("JOIN candidate_search s ON s.candidate_id = r.candidate_id").
			Where(cond, args...).Select("r.candidate_id AS id").Order("r.updated_at DESC, r.candidate_id DESC").
			Offset(offset).Limit(n).Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		if len(ids) == n {
			return ids, nil
		}
		var scanned int64
		if err := db.Table("(?) AS r", recent()).Count(&scanned).Error; err != nil {
			return nil, err
		}
		if scanned < int64(boundedScan) {
			return ids, nil // that was every CV of the occupation
		}
		return full.read(offset, n)
	}}
}

// read runs fn with a database handle whose queries PostgreSQL plans for their actual values:
// the best plan of a search depends on how common its word or occupation is, and the generic
// plan of a prepared statement (PostgreSQL's choice after five runs) guesses that badly.
func (s *Service) read(ctx context.Context, fn func(db *gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	if !cvindex.IsPostgres(db) {
		return fn(db)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
			return err
		}
		return fn(tx)
	})
}

// boolTerm is "column" or "NOT column".
func boolTerm(column string, want bool) string {
	if want {
		return column
	}
	return "NOT " + column
}

// invalidQuery is the error of filters that are not valid.
func invalidQuery(fields ...problem.FieldError) error {
	return &problem.ValidationError{Fields: fields}
}

// position is where a page starts: a phase of the search and the offset in it.
type position struct{ phase, offset int }

// check validates and normalizes the filter; it returns the query's search terms and the
// position the cursor points at.
func (s *Service) check(f *Filter) ([]string, position, error) {
	var fields []problem.FieldError
	add := func(field, detail string) {
		fields = append(fields, problem.FieldError{Field: field, Detail: detail})
	}
	f.Query = strings.TrimSpace(f.Query)
	var terms []string
	switch {
	case len([]rune(f.Query)) > 200:
		add("q", "must be at most 200 characters")
	case f.Query != "":
		if terms = cvindex.Terms(f.Query); len(terms) == 0 {
			add("q", "holds only common words (og, i, til …) that are not searched; give a word from the CV")
		}
	}
	if f.Occupation != "" {
		if !occupationPattern.MatchString(f.Occupation) {
			add("occupation", "must be an ISCO-08 code of 1 to 4 digits, e.g. 7115 (unit group) or 711 (minor group)")
		} else if _, ok := s.ref.Occupation(f.Occupation); !ok {
			add("occupation", f.Occupation+" is not an ISCO-08 group")
		}
	}
	if f.Jobcenter != "" && !jobcenterPattern.MatchString(f.Jobcenter) {
		add("jobcenter", "must be a 3-digit job centre code")
	}
	if f.Active == nil {
		t := true
		f.Active = &t
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultLimit
	case f.Limit < 1 || f.Limit > MaxLimit:
		add("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxLimit))
	}
	if len(fields) > 0 {
		return nil, position{}, invalidQuery(fields...)
	}
	var at position
	if f.Cursor != "" {
		pos, fp, err := decodeCursor(f.Cursor)
		if err != nil || fp != fingerprint(*f) {
			return nil, position{}, ErrBadCursor
		}
		at = pos
	}
	return terms, at, nil
}

// occupationMatch is the subquery "the candidate (candidate_search s) has a CV occupation in the group code".
func occupationMatch(db *gorm.DB, code string) *gorm.DB {
	q := db.Session(&gorm.Session{NewDB: true}).Table("candidate_occupations AS co").Select("1").Where("co.candidate_id = s.candidate_id")
	switch len(code) {
	case 4:
		return q.Where("co.code = ?", code)
	case 3:
		return q.Where("co.minor_group = ?", code)
	default:
		return q.Where("co.code LIKE ?", code+"%")
	}
}

// allTerms is an FTS5 query that needs every term; anyTerm one that needs one of them.
func allTerms(terms []string) string { return quoteTerms(terms, " ") }
func anyTerm(terms []string) string  { return quoteTerms(terms, " OR ") }

func quoteTerms(terms []string, sep string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, sep)
}

// fingerprint ties a cursor to the filters it was handed out for.
func fingerprint(f Filter) string {
	b, _ := json.Marshal([]any{f.Query, f.Occupation, f.Jobcenter, f.Searchable, f.Active, f.Limit})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

func encodeCursor(at position, fp string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c1|" + strconv.Itoa(at.phase) + "|" + strconv.Itoa(at.offset) + "|" + fp))
}

func decodeCursor(c string) (position, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return position{}, "", ErrBadCursor
	}
	parts := strings.Split(string(b), "|")
	if len(parts) != 4 || parts[0] != "c1" {
		return position{}, "", ErrBadCursor
	}
	phase, err1 := strconv.Atoi(parts[1])
	n, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || phase < 0 || phase > 1 || n < 0 || n > maxOffset {
		return position{}, "", ErrBadCursor
	}
	return position{phase, n}, parts[3], nil
}

// Suggestion is a candidate suggested for an order, with why.
type Suggestion struct {
	Candidate Hit `json:"candidate"`
	// Match is same_occupation (the order's ISCO-08 unit group) or related_occupation (its minor group).
	Match   string   `json:"match"`
	Reasons []Reason `json:"reasons"`
}

// Reason is one reason a candidate was suggested; Text is what the caseworker reads (Danish).
type Reason struct {
	Code           string `json:"code"`
	Text           string `json:"text"`
	OccupationCode string `json:"occupation_code,omitempty"`
}

// Match kinds and reason codes of suggestions.
const (
	MatchSameOccupation    = "same_occupation"
	MatchRelatedOccupation = "related_occupation"
	ReasonSearchableCV     = "searchable_cv"
	ReasonConsent          = "consent"
	ReasonTitleWords       = "title_words"
	ReasonOtherJobcenter   = "other_jobcenter"
)

// SuggestionList is an order's suggestions, best first.
type SuggestionList struct {
	JobOrderID     string       `json:"job_order_id"`
	OccupationCode string       `json:"occupation_code"`
	Items          []Suggestion `json:"items"`
}

// Suggest lists active candidates whose CV names the order's occupation, the same ISCO-08 unit
// group first, then the same minor group, leaving out those already referred to the order (a
// withdrawn referral does not count) and non-searchable CVs without a consent that covers this
// order (internal/consent). Within each group the caller's own job centre's candidates come
// first (it can refer them itself), then other job centres' searchable CVs, each newest first.
// Staff of a job centre that can see the order may ask; everyone else gets what they would get
// for the order.
func (s *Service) Suggest(ctx context.Context, p auth.Principal, orderID string, limit int) (SuggestionList, error) {
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return SuggestionList{}, err
	}
	if !p.IsJobcenterStaff() {
		return SuggestionList{}, problem.Forbidden("only job-centre staff get candidate suggestions")
	}
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 1 || limit > MaxLimit:
		return SuggestionList{}, invalidQuery(problem.Field("limit", "must be a whole number from 1 to %d", MaxLimit))
	}
	unit := o.OccupationCode
	if unit == "" {
		// An employer's order without an occupation yet: nothing to match on until the job
		// centre adds it (a minor group of "" would match every CV).
		return SuggestionList{JobOrderID: o.ID, Items: []Suggestion{}}, nil
	}
	minor := unit[:min(3, len(unit))]
	// Four groups in rank order, each read from an index in order until the page is full.
	type group struct {
		tier int
		own  bool
	}
	var picked []string
	tiers := map[string]int{}
	err = s.read(ctx, func(db *gorm.DB) error {
		for _, g := range []group{{2, true}, {2, false}, {1, true}, {1, false}} {
			if len(picked) >= limit {
				break
			}
			ids, err := suggestGroup(db, p, o, unit, minor, g.tier, g.own, picked, limit-len(picked))
			if err != nil {
				return err
			}
			for _, id := range ids {
				tiers[id] = g.tier
			}
			picked = append(picked, ids...)
		}
		return nil
	})
	if err != nil {
		return SuggestionList{}, err
	}
	rows, err := s.load(ctx, picked)
	if err != nil {
		return SuggestionList{}, err
	}
	titled, err := s.mentionsTitle(ctx, picked, o.Title)
	if err != nil {
		return SuggestionList{}, err
	}
	out := SuggestionList{JobOrderID: o.ID, OccupationCode: o.OccupationCode, Items: make([]Suggestion, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, suggestion(p, r, tiers[r.ID], titled[r.ID], unit, minor))
	}
	return out, nil
}

// suggestGroup reads up to n candidates of one group: tier 2 is the order's unit group, tier 1
// the rest of its minor group; own is the caller's job centre's candidates (any CV with a basis
// for this order), else other job centres' searchable CVs. Newest first; after is what earlier
// groups picked.
func suggestGroup(db *gorm.DB, p auth.Principal, o *models.JobOrder, unit, minor string, tier int, own bool, after []string, n int) ([]string, error) {
	sub := func() *gorm.DB { return db.Session(&gorm.Session{NewDB: true}) }
	q := db.Table("candidate_occupations AS co").Select("co.candidate_id")
	if tier == 2 {
		q = q.Where("co.code = ? AND co.active", unit)
	} else {
		q = q.Where("co.minor_group = ? AND co.first_in_minor AND co.active", minor).
			Where("NOT EXISTS (?)", sub().Table("candidate_occupations AS u").Select("1").Where("u.candidate_id = co.candidate_id AND u.code = ?", unit))
	}
	if own {
		q = q.Where("co.home_jobcenter = ?", p.Jobcenter).
			Where("(co.searchable OR EXISTS (?))", consent.CoveringConsents(sub().Table("consents AS k").Select("1").Where("k.candidate_id = co.candidate_id"), "k", o))
	} else {
		q = q.Where("co.home_jobcenter <> ? AND co.searchable", p.Jobcenter)
	}
	q = q.Where("NOT EXISTS (?)", sub().Table("referrals AS r").Select("1").
		Where("r.job_order_id = ? AND r.candidate_id = co.candidate_id AND r.status <> ?", o.ID, models.ReferralWithdrawn))
	if len(after) > 0 {
		q = q.Where("co.candidate_id NOT IN ?", after)
	}
	var ids []string
	err := q.Order("co.updated_at DESC, co.candidate_id DESC").Limit(n).Pluck("co.candidate_id", &ids).Error
	return ids, err
}

// mentionsTitle tells which of the candidates' CVs share a word with the order's title.
func (s *Service) mentionsTitle(ctx context.Context, ids []string, title string) (map[string]bool, error) {
	out := map[string]bool{}
	words := titleWords(title)
	if len(ids) == 0 || len(words) == 0 {
		return out, nil
	}
	db := s.db.WithContext(ctx)
	var hits []string
	var err error
	if cvindex.IsPostgres(db) {
		err = db.Table("candidate_search").Where("candidate_id IN ? AND search_vector @@ to_tsquery('danish', ?)", ids, strings.Join(words, " | ")).
			Pluck("candidate_id", &hits).Error
	} else if terms := cvindex.Terms(strings.Join(words, " ")); len(terms) > 0 {
		err = db.Table(cvindex.FTSTable).Where(cvindex.FTSTable+" MATCH ? AND candidate_id IN ?", anyTerm(terms), ids).Pluck("candidate_id", &hits).Error
	}
	for _, id := range hits {
		out[id] = true
	}
	return out, err
}

// suggestion explains one suggested candidate.
func suggestion(p auth.Principal, r row, tier int, titled bool, unit, minor string) Suggestion {
	h := r.hit(p)
	sg := Suggestion{Candidate: h, Match: MatchRelatedOccupation}
	if tier == 2 {
		sg.Match = MatchSameOccupation
		sg.Reasons = append(sg.Reasons, Reason{Code: MatchSameOccupation, Text: "samme stilling (ISCO-08 " + unit + ")", OccupationCode: unit})
	} else {
		for _, code := range h.CV.Occupations {
			if strings.HasPrefix(code, minor) {
				sg.Reasons = append(sg.Reasons, Reason{Code: MatchRelatedOccupation, Text: "beslægtet stilling (ISCO-08 " + code + ", samme undergruppe " + minor + ")", OccupationCode: code})
				break
			}
		}
	}
	if titled {
		sg.Reasons = append(sg.Reasons, Reason{Code: ReasonTitleWords, Text: "CV'et nævner ord fra jobordrens titel"})
	}
	if r.Searchable {
		sg.Reasons = append(sg.Reasons, Reason{Code: ReasonSearchableCV, Text: "søgbart CV: kan sendes uden samtykke"})
	} else {
		sg.Reasons = append(sg.Reasons, Reason{Code: ReasonConsent, Text: "ikke-søgbart CV med samtykke, der dækker denne jobordre"})
	}
	if !h.Own {
		sg.Reasons = append(sg.Reasons, Reason{Code: ReasonOtherJobcenter, Text: "kandidat fra jobcenter " + h.HomeJobcenter + ": bed dem foreslå kandidaten"})
	}
	return sg
}

// titleWords are the order title's words (letters and digits only), lower case, without stop
// words: safe to join into a tsquery.
func titleWords(title string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !cvindex.IsStopWord(w) && len([]rune(w)) > 1 {
			out = append(out, w)
		}
	}
	return out
}
