package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jobordre/internal/auth"
	"jobordre/models"
)

// api calls the JSON API of the test console's engine as p and decodes the answer into out (when
// not nil); it fails the test unless the status is want.
func (tc *testConsole) api(method, path string, p auth.Principal, body any, want int, out any) {
	tc.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tc.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, tc.srv.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+tc.token(p))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tc.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		tc.t.Fatalf("%s %s as %s: %d, want %d\n%s", method, path, p.Subject, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			tc.t.Fatal(err)
		}
	}
}

// candidate registers a candidate through the API and returns its ID.
func (tc *testConsole) candidate(p auth.Principal, name string, searchable bool, headline, occupation, experience string) string {
	tc.t.Helper()
	var c struct{ ID string }
	tc.api(http.MethodPost, "/api/v1/candidates", p, map[string]any{
		"name": name, "email": strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.dk", "searchable": searchable,
		"cv": map[string]any{"headline": headline, "occupations": []string{occupation}, "experience": experience, "skills": []string{"Kørekort B"}},
	}, http.StatusCreated, &c)
	return c.ID
}

var (
	// otherCaseworker works at København (101): another job centre than Aarhus (751).
	otherCaseworker = auth.Principal{Subject: "cw-101", Role: auth.RoleCaseworker, Jobcenter: "101", Name: "Karl Kbh"}
	adminUser       = auth.Principal{Subject: "admin-1", Role: auth.RoleAdmin, Name: "Ada"}
)

func TestCandidateSearchFindsDanishInflectionsAndOccupationsAndLinksOnlyOwnCandidates(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	carpenter := tc.candidate(caseworker, "Peter Tømrer", true, "Tømrer", "7115", "Tage og vinduer")
	tc.candidate(caseworker, "Ole Smed", false, "Smed", "7212", "Svejsning")
	other := tc.candidate(otherCaseworker, "Kaj Kbh", true, "Tømrer i København", "7115", "")
	hidden := tc.candidate(otherCaseworker, "Skjult Kbh", false, "Tømrer", "7115", "")
	b := tc.browser()
	b.follow(b.login(tc, caseworker))

	res := b.get("/candidates?q=" + url.QueryEscape("tømrere"))
	if res.status != http.StatusOK {
		t.Fatalf("search: %d\n%s", res.status, res.body)
	}
	for _, want := range []string{`<h1>Kandidater</h1>`, `href="/candidates/` + carpenter + `"`, "Peter Tømrer", "Kaj Kbh",
		"Andet jobcenters kandidat", "Viser 2 kandidater.", `value="tømrere"`, "7115 Carpenters and joiners", `list="isco-occupations"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("q=tømrere lacks %q", want)
		}
	}
	// Another job centre's candidate is shown (searchable) but has no page of ours to link to.
	if strings.Contains(res.body, `href="/candidates/`+other+`"`) || strings.Contains(res.body, "Skjult Kbh") || strings.Contains(res.body, hidden) {
		t.Error("the search links another job centre's candidate, or shows its non-searchable CV")
	}
	// The picker's text "7212 ..." is read as its code.
	res = b.get("/candidates?occupation=" + url.QueryEscape("7212 Welders and flame cutters"))
	if !strings.Contains(res.body, "Ole Smed") || strings.Contains(res.body, "Peter Tømrer") || !strings.Contains(res.body, "Ikke søgbart – kræver samtykke") {
		t.Errorf("occupation=7212:\n%s", res.body)
	}
	res = b.get("/candidates?jobcenter=101")
	if !strings.Contains(res.body, "Kaj Kbh") || strings.Contains(res.body, "Peter Tømrer") || !strings.Contains(res.body, `<option value="101" selected>`) {
		t.Error("jobcenter=101")
	}
	res = b.get("/candidates?searchable=false")
	if !strings.Contains(res.body, "Ole Smed") || strings.Contains(res.body, "Kaj Kbh") {
		t.Error("searchable=false")
	}
}

func TestCandidateSearchPagesByCursorAndRestartsAStaleOne(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	for i := 0; i < 23; i++ {
		tc.candidate(caseworker, "Tømrer "+string(rune('A'+i)), true, "Tømrer", "7115", "")
	}
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	first := b.get("/candidates?q=t%C3%B8mrer")
	if !strings.Contains(first.body, "Viser 20 kandidater.") {
		t.Fatalf("first page:\n%s", first.body)
	}
	next := regexp.MustCompile(`href="(/candidates\?[^"]*cursor=[^"]+)"`).FindStringSubmatch(first.body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	second := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if !strings.Contains(second.body, "Viser 3 kandidater.") || !strings.Contains(second.body, "Første side") || strings.Contains(second.body, "Næste side") {
		t.Errorf("second page:\n%s", second.body)
	}
	stale := b.get("/candidates?q=smed&cursor=" + url.QueryEscape(strings.Split(strings.ReplaceAll(next[1], "&amp;", "&"), "cursor=")[1]))
	if stale.status != http.StatusOK || !strings.Contains(stale.body, "den første side vises") {
		t.Errorf("a cursor of another search: %d\n%s", stale.status, stale.body)
	}
}

func TestCandidateSearchRefusesBadFiltersAtTheirFieldsAndKeepsThem(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	res := b.get("/candidates?q=" + url.QueryEscape("og i til") + "&occupation=9999")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.status)
	}
	for _, want := range []string{`data-module="error-summary"`, `href="#field-q"`, `href="#field-occupation"`, `id="field-q-error"`,
		`Små ord som &#34;og&#34;`, `value="og i til"`, `value="9999"`, "Ret søgningen ovenfor"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("lacks %q", want)
		}
	}
}

func TestRegisterCandidateShowsEveryErrorAtItsFieldKeepsWhatWasTypedThenRegisters(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	form := b.get("/candidates/new")
	if form.status != http.StatusOK || !strings.Contains(form.body, `<h1>Opret kandidat</h1>`) || !strings.Contains(form.body, `<option value="da" selected>`) {
		t.Fatalf("form: %d\n%s", form.status, form.body)
	}
	bad := url.Values{"csrf_token": {form.csrf(t)}, "name": {""}, "email": {"ikke en adresse"}, "language": {"da"},
		"cv.headline": {""}, "cv.occupations": {"", "71 Building", "7115 Carpenters and joiners"}, "cv.experience": {"Tage\nVinduer"}}
	res := b.post("/candidates", bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	for _, want := range []string{`href="#field-name"`, `href="#field-email"`, `href="#field-searchable"`, `href="#field-cv.headline"`,
		`href="#field-cv.occupations.1"`, "Stilling 2: vælg en stilling fra listen", `value="ikke en adresse"`, `value="71 Building"`,
		`value="7115 Carpenters and joiners"`, ">Tage\nVinduer</textarea>", `id="field-cv.occupations.1" name="cv.occupations" value="71 Building" list="isco-unit-groups" autocomplete="off" aria-invalid="true"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	good := url.Values{"csrf_token": {form.csrf(t)}, "name": {"Anne Ny"}, "email": {"anne@example.dk"}, "language": {"en"}, "searchable": {"false"},
		"cv.headline": {"Tømrer og snedker"}, "cv.occupations": {"7115 Carpenters and joiners", "", "7522"}, "cv.skills": {"Kørekort B\n\nTruckcertifikat "}}
	res = b.post("/candidates", good)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/candidates/") {
		t.Fatalf("register: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	page := b.follow(res)
	for _, want := range []string{"<h1>Anne Ny</h1>", "Kandidaten er oprettet.", "Tømrer og snedker", "7115 Carpenters and joiners",
		"7522 Cabinet-makers and related workers", "<li>Truckcertifikat</li>", "Ikke søgbart – kræver samtykke", "Engelsk", "<title>Anne Ny – Kandidat – Jobordre</title>",
		"Kandidaten er ikke henvist til nogen jobordre endnu.", "Ingen arbejdsgiver har læst CV&#39;et endnu."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the new candidate's page lacks %q", want)
		}
	}
}

func TestEditCandidateChangesTheCVAndStateAndKeepsAFailedEdit(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	id := tc.candidate(caseworker, "Peter Tømrer", true, "Tømrer", "7115", "Tage")
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	form := b.get("/candidates/" + id + "/edit")
	for _, want := range []string{"<h1>Rediger Peter Tømrer</h1>", `value="Peter Tømrer"`, `value="7115 Carpenters and joiners"`,
		`name="active" value="true" checked`, `name="searchable" value="true" checked`, ">Kørekort B</textarea>", `action="/candidates/` + id + `"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the edit form lacks %q", want)
		}
	}
	v := url.Values{"csrf_token": {form.csrf(t)}, "name": {"Peter Tømrer"}, "email": {"peter@example.dk"}, "language": {"da"}, "searchable": {"true"},
		"active": {"false"}, "cv.headline": {strings.Repeat("x", 201)}, "cv.occupations": {"7115"}}
	res := b.post("/candidates/"+id, v)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Skriv en overskrift til CV&#39;et") || !strings.Contains(res.body, "<h1>Rediger Peter Tømrer</h1>") ||
		!strings.Contains(res.body, `name="active" value="false" checked`) {
		t.Fatalf("a too long headline: %d\n%s", res.status, res.body)
	}
	v.Set("cv.headline", "Tømrermester")
	res = b.post("/candidates/"+id, v)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/candidates/"+id {
		t.Fatalf("save: %d %s", res.status, res.header.Get("Location"))
	}
	page := b.follow(res)
	for _, want := range []string{"Ændringerne er gemt.", "Tømrermester", ">Ikke aktiv<"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after the edit the page lacks %q", want)
		}
	}
	if res := b.get("/candidates?q=t%C3%B8mrermester"); strings.Contains(res.body, "Peter Tømrer") {
		t.Error("an inactive candidate is found among the active ones")
	}
	if res := b.get("/candidates?q=t%C3%B8mrermester&active=false"); !strings.Contains(res.body, "Peter Tømrer") {
		t.Error("the inactive candidate is not found among the inactive ones")
	}
}

func TestCandidatePageShowsItsReferralsAndEveryEmployerReadOfTheCV(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	if err := tc.db.Create(&models.Company{CVR: "10103940", Name: "Byg & Tag ApS"}).Error; err != nil {
		t.Fatal(err)
	}
	o := tc.createOrder("Tømrer til tage")
	id := tc.candidate(caseworker, "Peter Tømrer", true, "Tømrer", "7115", "Tage")
	tc.api(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", caseworker, map[string]any{"candidate_id": id}, http.StatusCreated, nil)
	tc.api(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", employer, nil, http.StatusOK, nil) // the employer reads the CV
	b := tc.browser()
	b.follow(b.login(tc, caseworker))
	page := b.get("/candidates/" + id)
	for _, want := range []string{`<a href="/job-orders/` + o.ID + `">Tømrer til tage</a>`, "Byg &amp; Tag ApS", "Sendt til arbejdsgiveren",
		"Byg &amp; Tag ApS, CVR 10103940", "Bruger emp-1", `data-title="Tidspunkt"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the candidate's page lacks %q", want)
		}
	}
}

// createOrder creates an open order of employer 10103940 at Aarhus (751) through the API.
func (tc *testConsole) createOrder(title string) struct{ ID string } {
	tc.t.Helper()
	var o struct{ ID string }
	tc.api(http.MethodPost, "/api/v1/job-orders", caseworker, map[string]any{
		"company_cvr": "10103940", "company_name": "Byg & Tag ApS", "title": title, "description": "To tømrere.", "occupation_code": "7115", "positions": 1,
		"workplace": map[string]any{"address": "Søren Frichs Vej 38", "postal_code": "8000"},
	}, http.StatusCreated, &o)
	return o
}
