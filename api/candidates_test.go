package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/internal/candidates"
	"jobordre/models"
)

// newCandidate registers a candidate of p's job centre with the given CV and returns its ID.
func (a *testAPI) newCandidate(p auth.Principal, name string, searchable bool, headline string, occupations []string, experience string) string {
	a.t.Helper()
	var c struct{ ID string }
	r := a.do(http.MethodPost, "/api/v1/candidates", &p, map[string]any{
		"name": name, "email": strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.dk", "searchable": searchable,
		"cv": map[string]any{"headline": headline, "occupations": occupations, "experience": experience, "education": "", "skills": []string{}},
	})
	if r.status != http.StatusCreated {
		a.t.Fatalf("candidate: %d %s", r.status, r.body)
	}
	r.json(a.t, &c)
	return c.ID
}

func (a *testAPI) search(p auth.Principal, query url.Values) candidates.Page {
	a.t.Helper()
	r := a.do(http.MethodGet, "/api/v1/candidates?"+query.Encode(), &p, nil)
	if r.status != http.StatusOK {
		a.t.Fatalf("search %s: %d %s", query.Encode(), r.status, r.body)
	}
	var page candidates.Page
	r.json(a.t, &page)
	return page
}

func ids(page candidates.Page) []string {
	out := make([]string, 0, len(page.Items))
	for _, h := range page.Items {
		out = append(out, h.ID)
	}
	return out
}

func containsID(list []string, id string) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func TestCandidateSearchFindsACVByADanishInflectedWord(t *testing.T) {
	a := newTestAPI(t)
	carpenter := a.newCandidate(caseworker, "Peter Tømrer", true, "Tømrer", []string{"7115"}, "12 år på byggepladser")
	nurse := a.newCandidate(caseworker, "Sara Sygeplejerske", true, "Sygeplejerske", []string{"2221"}, "Akutmodtagelse")
	for _, q := range []string{"tømrere", "Tømreren", "tømrerne"} {
		got := ids(a.search(caseworker, url.Values{"q": {q}}))
		if len(got) != 1 || got[0] != carpenter {
			t.Errorf("q=%s found %v, want only the carpenter %s", q, got, carpenter)
		}
	}
	if got := ids(a.search(caseworker, url.Values{"q": {"sygeplejersker"}})); len(got) != 1 || got[0] != nurse {
		t.Errorf("q=sygeplejersker found %v, want the nurse", got)
	}
	// Every word must match.
	if got := ids(a.search(caseworker, url.Values{"q": {"tømrer akutmodtagelse"}})); len(got) != 0 {
		t.Errorf("two words from two CVs found %v, want none", got)
	}
	// The headline counts more than the experience.
	welder := a.newCandidate(caseworker, "Ole Smed", true, "Smed", []string{"7212"}, "Har arbejdet sammen med tømrere")
	got := ids(a.search(caseworker, url.Values{"q": {"tømrer"}}))
	if len(got) != 2 || got[0] != carpenter || got[1] != welder {
		t.Errorf("q=tømrer ranked %v, want the carpenter (headline) before the welder (experience)", got)
	}
}

func TestCandidateSearchFiltersByOccupationUnitOrMinorGroup(t *testing.T) {
	a := newTestAPI(t)
	carpenter := a.newCandidate(caseworker, "Peter Tømrer", true, "Tømrer", []string{"7115"}, "")
	mason := a.newCandidate(caseworker, "Mads Murer", true, "Murer", []string{"7112"}, "")
	nurse := a.newCandidate(caseworker, "Sara Sygeplejerske", true, "Sygeplejerske", []string{"2221"}, "")
	if got := ids(a.search(caseworker, url.Values{"occupation": {"7115"}})); len(got) != 1 || got[0] != carpenter {
		t.Errorf("occupation=7115 found %v, want the carpenter", got)
	}
	got := ids(a.search(caseworker, url.Values{"occupation": {"711"}}))
	if len(got) != 2 || !containsID(got, carpenter) || !containsID(got, mason) || containsID(got, nurse) {
		t.Errorf("occupation=711 (minor group) found %v, want the carpenter and the mason", got)
	}
	if got := ids(a.search(caseworker, url.Values{"occupation": {"2"}})); len(got) != 1 || got[0] != nurse {
		t.Errorf("occupation=2 (major group) found %v, want the nurse", got)
	}
	if got := ids(a.search(caseworker, url.Values{"occupation": {"7115"}, "q": {"murer"}})); len(got) != 0 {
		t.Errorf("occupation and q together found %v, want none", got)
	}
}

func TestCandidateSearchShowsOwnCandidatesAndOtherJobcentresSearchableActiveCVsOnly(t *testing.T) {
	a := newTestAPI(t)
	ownHidden := a.newCandidate(caseworker, "Egen Skjult", false, "Tømrer", []string{"7115"}, "")
	ownInactive := a.newCandidate(caseworker, "Egen Inaktiv", true, "Tømrer", []string{"7115"}, "")
	if r := a.do(http.MethodPatch, "/api/v1/candidates/"+ownInactive, &caseworker, map[string]any{"active": false}); r.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	otherSearchable := a.newCandidate(otherCW, "Anden Søgbar", true, "Tømrer", []string{"7115"}, "")
	otherHidden := a.newCandidate(otherCW, "Anden Skjult", false, "Tømrer", []string{"7115"}, "")
	otherInactive := a.newCandidate(otherCW, "Anden Inaktiv", true, "Tømrer", []string{"7115"}, "")
	if r := a.do(http.MethodPatch, "/api/v1/candidates/"+otherInactive, &otherCW, map[string]any{"active": false}); r.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	page := a.search(caseworker, url.Values{"q": {"tømrer"}})
	got := ids(page)
	if len(got) != 2 || !containsID(got, ownHidden) || !containsID(got, otherSearchable) {
		t.Fatalf("751 found %v, want its own active candidate and 101's searchable one", got)
	}
	for _, h := range page.Items {
		switch h.ID {
		case ownHidden:
			if !h.Own || h.Email == "" {
				t.Errorf("own candidate without own/e-mail: %+v", h)
			}
		case otherSearchable:
			if h.Own || h.Email != "" || h.HomeJobcenter != "101" {
				t.Errorf("other job centre's candidate shows own or its e-mail: %+v", h)
			}
		}
	}
	if got := ids(a.search(caseworker, url.Values{"active": {"false"}})); len(got) != 1 || got[0] != ownInactive {
		t.Errorf("active=false found %v, want only 751's own inactive candidate (101's inactive CV is not searchable)", got)
	}
	if got := ids(a.search(caseworker, url.Values{"searchable": {"false"}})); len(got) != 1 || got[0] != ownHidden {
		t.Errorf("searchable=false found %v, want 751's own non-searchable candidate", got)
	}
	if got := ids(a.search(caseworker, url.Values{"jobcenter": {"101"}})); len(got) != 1 || got[0] != otherSearchable {
		t.Errorf("jobcenter=101 found %v, want 101's searchable candidate", got)
	}
	if containsID(ids(a.search(caseworker, url.Values{})), otherHidden) {
		t.Error("101's non-searchable CV is visible to 751")
	}
	for _, p := range []auth.Principal{employer, admin} {
		if r := a.do(http.MethodGet, "/api/v1/candidates?q=t%C3%B8mrer", &p, nil); r.status != http.StatusForbidden {
			t.Errorf("%s searched candidates: %d %s", p.Role, r.status, r.body)
		}
	}
}

func TestCandidateSearchPagesWithACursorTiedToItsFilters(t *testing.T) {
	a := newTestAPI(t)
	want := map[string]bool{}
	for _, n := range []string{"A", "B", "C", "D", "E"} {
		want[a.newCandidate(caseworker, "Tømrer "+n, true, "Tømrer", []string{"7115"}, "")] = true
	}
	seen := map[string]bool{}
	query := url.Values{"q": {"tømrer"}, "limit": {"2"}}
	for pages := 0; ; pages++ {
		page := a.search(caseworker, query)
		for _, id := range ids(page) {
			if seen[id] {
				t.Fatalf("%s on two pages", id)
			}
			seen[id] = true
		}
		if page.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		// A cursor of this search is refused for another search.
		other := url.Values{"q": {"murer"}, "limit": {"2"}, "cursor": {page.NextCursor}}
		if r := a.do(http.MethodGet, "/api/v1/candidates?"+other.Encode(), &caseworker, nil); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"cursor"`) {
			t.Fatalf("foreign cursor: %d %s", r.status, r.body)
		}
		query.Set("cursor", page.NextCursor)
	}
	if len(seen) != len(want) {
		t.Fatalf("paged through %d candidates, want %d", len(seen), len(want))
	}
}

func TestCandidateSearchRefusesBadParametersNamingThem(t *testing.T) {
	a := newTestAPI(t)
	for query, field := range map[string]string{
		"occupation=71a5": "occupation", "occupation=9999": "occupation", "jobcenter=75": "jobcenter", "limit=0": "limit",
		"limit=101": "limit", "active=ja": "active", "searchable=1": "searchable", "q=og+i+til": "q", "cursor=bogus": "cursor",
	} {
		r := a.do(http.MethodGet, "/api/v1/candidates?"+query, &caseworker, nil)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", query, r.status, r.body, field)
		}
	}
}

func (a *testAPI) suggestions(p auth.Principal, orderID string) candidates.SuggestionList {
	a.t.Helper()
	r := a.do(http.MethodGet, "/api/v1/job-orders/"+orderID+"/candidate-suggestions", &p, nil)
	if r.status != http.StatusOK {
		a.t.Fatalf("suggestions: %d %s", r.status, r.body)
	}
	var l candidates.SuggestionList
	r.json(a.t, &l)
	return l
}

func TestSuggestionsRankTheUnitGroupBeforeTheMinorGroupAndLeaveOutReferredAndUnconsentedCandidates(t *testing.T) {
	a := newTestAPI(t)
	order := a.createOrder(caseworker, validOrder()) // occupation 7115, carpenters
	carpenter := a.newCandidate(caseworker, "Peter Tømrer", true, "Tømrer", []string{"7115"}, "")
	titleCarpenter := a.newCandidate(caseworker, "Tina Tømrer", true, "Tømrer med renovering", []string{"7115"}, "Renovering af etageejendomme")
	mason := a.newCandidate(caseworker, "Mads Murer", true, "Murer", []string{"7112"}, "")
	nurse := a.newCandidate(caseworker, "Sara Sygeplejerske", true, "Sygeplejerske", []string{"2221"}, "")
	referred := a.newCandidate(caseworker, "Henvist Tømrer", true, "Tømrer", []string{"7115"}, "")
	withdrawn := a.newCandidate(caseworker, "Trukket Tømrer", true, "Tømrer", []string{"7115"}, "")
	unconsented := a.newCandidate(caseworker, "Uden Samtykke", false, "Tømrer", []string{"7115"}, "")
	consented := a.newCandidate(caseworker, "Med Samtykke", false, "Tømrer", []string{"7115"}, "")
	otherOrderConsent := a.newCandidate(caseworker, "Samtykke Andetsteds", false, "Tømrer", []string{"7115"}, "")
	inactive := a.newCandidate(caseworker, "Inaktiv Tømrer", true, "Tømrer", []string{"7115"}, "")
	otherJobcentre := a.newCandidate(otherCW, "Anden Tømrer", true, "Tømrer", []string{"7115"}, "")
	otherHidden := a.newCandidate(otherCW, "Anden Skjult", false, "Tømrer", []string{"7115"}, "")
	a.consent(caseworker, consented, employer.CVR, order.ID)
	second := a.createOrder(caseworker, validOrder())
	a.consent(caseworker, otherOrderConsent, employer.CVR, second.ID)
	if r := a.do(http.MethodPatch, "/api/v1/candidates/"+inactive, &caseworker, map[string]any{"active": false}); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	if r := a.refer(caseworker, order.ID, referred); r.status != http.StatusCreated {
		t.Fatalf("refer: %d %s", r.status, r.body)
	}
	r := a.refer(caseworker, order.ID, withdrawn)
	var ref struct{ ID string }
	r.json(t, &ref)
	if r := a.do(http.MethodPost, "/api/v1/job-orders/"+order.ID+"/referrals/"+ref.ID+"/withdraw", &caseworker, nil); r.status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}

	list := a.suggestions(caseworker, order.ID)
	var got []string
	match := map[string]candidates.Suggestion{}
	for _, s := range list.Items {
		got = append(got, s.Candidate.ID)
		match[s.Candidate.ID] = s
	}
	for _, id := range []string{referred, unconsented, otherOrderConsent, inactive, nurse, otherHidden} {
		if containsID(got, id) {
			t.Errorf("suggestions hold %s, which must be left out: %v", id, got)
		}
	}
	for _, id := range []string{carpenter, titleCarpenter, withdrawn, consented, otherJobcentre, mason} {
		if !containsID(got, id) {
			t.Errorf("suggestions lack %s: %v", id, got)
		}
	}
	if len(got) == 0 || got[len(got)-1] != mason {
		t.Fatalf("the mason (minor group 711) is not last after every carpenter (unit group 7115): %v", got)
	}
	if got[0] != consented {
		t.Errorf("751's most recently updated carpenter is not first: %v", got)
	}
	if !hasReason(match[titleCarpenter], candidates.ReasonTitleWords, "titel") || hasReason(match[mason], candidates.ReasonTitleWords, "titel") {
		t.Errorf("title words: %+v / %+v", match[titleCarpenter], match[mason])
	}
	if got[len(got)-2] != otherJobcentre {
		t.Errorf("within the unit group the other job centre's candidate is not after 751's own: %v", got)
	}
	if s := match[carpenter]; s.Match != candidates.MatchSameOccupation || !hasReason(s, candidates.MatchSameOccupation, "samme stilling") || !hasReason(s, candidates.ReasonSearchableCV, "søgbart CV") {
		t.Errorf("carpenter explained as %+v", s)
	}
	if s := match[mason]; s.Match != candidates.MatchRelatedOccupation || !hasReason(s, candidates.MatchRelatedOccupation, "beslægtet stilling") {
		t.Errorf("mason explained as %+v", s)
	}
	if s := match[consented]; !hasReason(s, candidates.ReasonConsent, "samtykke") {
		t.Errorf("consented candidate explained as %+v", s)
	}
	if s := match[otherJobcentre]; !hasReason(s, candidates.ReasonOtherJobcenter, "jobcenter 101") || s.Candidate.Own || s.Candidate.Email != "" {
		t.Errorf("other job centre's candidate shown as %+v", s)
	}
	if list.OccupationCode != "7115" || list.JobOrderID != order.ID {
		t.Errorf("list header %+v", list)
	}
}

func hasReason(s candidates.Suggestion, code, text string) bool {
	for _, r := range s.Reasons {
		if r.Code == code && strings.Contains(r.Text, text) {
			return true
		}
	}
	return false
}

func TestSuggestionsAreForStaffOfAJobCentreThatSeesTheOrder(t *testing.T) {
	a := newTestAPI(t)
	order := a.createOrder(caseworker, validOrder())
	for _, c := range []struct {
		p    auth.Principal
		want int
	}{{caseworker, 200}, {neighbourCW, 404}, {employer, 403}, {otherEmployer, 404}, {admin, 403}} {
		p := c.p
		if r := a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/candidate-suggestions", &p, nil); r.status != c.want {
			t.Errorf("%s: %d %s, want %d", p.Subject, r.status, r.body, c.want)
		}
	}
	if err := a.db.Model(&models.JobOrder{}).Where("id = ?", order.ID).Update("sharing", models.SharingNeighbours).Error; err != nil {
		t.Fatal(err)
	}
	p := neighbourCW
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/candidate-suggestions", &p, nil); r.status != http.StatusOK {
		t.Errorf("neighbour on a shared order: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodGet, "/api/v1/job-orders/"+order.ID+"/candidate-suggestions?limit=500", &caseworker, nil); r.status != http.StatusBadRequest {
		t.Errorf("limit=500: %d %s", r.status, r.body)
	}
}
