package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/candidates"
	"jobordre/internal/problem"
	"jobordre/internal/referrals"
	"jobordre/web/i18n"
)

// The candidate pages: search (/candidates), register (/candidates/new), the candidate
// (/candidates/{id}) and its edit form (/candidates/{id}/edit). The candidate search service
// (internal/candidates) decides whom a caller finds; the referral service (internal/referrals)
// owns candidates, their consents, referrals and CV access log, and answers "not found" for a
// candidate of another job centre.

// CandidateCard is a candidate as a list shows it (templates/partials/candidates.html,
// "candidate-card"): the search hit with its occupations' titles and its job centre's name.
// The order page's "refer a candidate" form shows its hits with the same partial.
type CandidateCard struct {
	candidates.Hit
	Occupations   []string
	JobcenterName string
}

// candidateCards turns search hits into cards in the page's language.
func (c *Console) candidateCards(ctx context.Context, l *i18n.Localizer, hits []candidates.Hit) []CandidateCard {
	names := c.jobcenterNames(ctx)
	out := make([]CandidateCard, 0, len(hits))
	for _, h := range hits {
		card := CandidateCard{Hit: h, JobcenterName: names[h.HomeJobcenter]}
		if card.JobcenterName == "" {
			card.JobcenterName = h.HomeJobcenter
		}
		for _, code := range h.CV.Occupations {
			card.Occupations = append(card.Occupations, occupationLabel(c.d.Reference, l, code))
		}
		out = append(out, card)
	}
	return out
}

// jobcenterNames maps every job centre's code to its name ({} if they cannot be read: the
// pages then show codes).
func (c *Console) jobcenterNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	if c.d.Jobcenters == nil {
		return out
	}
	list, err := c.d.Jobcenters.List(ctx)
	if err != nil {
		c.log.WarnContext(ctx, "list job centres", "error", err)
		return out
	}
	for _, jc := range list {
		out[jc.Code] = jc.Name
	}
	return out
}

// jobcenterOptions are every job centre as a select's choices, first a choice "" labelled anyKey
// (none when anyKey is "").
func (c *Console) jobcenterOptions(ctx context.Context, l *i18n.Localizer, anyKey string) ([]Option, error) {
	list, err := c.d.Jobcenters.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Option
	if anyKey != "" {
		out = append(out, Option{Value: "", Label: l.Must(anyKey)})
	}
	for _, jc := range list {
		out = append(out, Option{Value: jc.Code, Label: jc.Name})
	}
	return out, nil
}

// candidateSearchData is the search page.
type candidateSearchData struct {
	Cards []CandidateCard
	// Failed: the search was refused (the form says why); there are no results.
	Failed bool
	// Restarted: the page link was stale (another search's cursor), so the first page is shown.
	Restarted bool
	// Next is the link to the next page ("" on the last); First the link back to the first
	// page (set on every page after it).
	Next, First string
	// The filters' choices.
	Jobcenters, Searchables, Actives []Option
	Occupations                      []Option
}

// candidates is the candidate search: free text in Danish over the CV, occupation, job centre,
// searchable and active, a page at a time. The filters are the query string, so every search
// is a link and the form works without JavaScript (htmx only swaps the results in place).
func (c *Console) candidates(gc *gin.Context) {
	p, l := principal(gc), localizer(gc)
	q := gc.Request.URL.Query()
	form := NewForm(q)
	if _, set := q["active"]; !set {
		form.Values.Set("active", "true")
	}
	f := candidates.Filter{Query: q.Get("q"), Occupation: occupationCode(q.Get("occupation")), Jobcenter: q.Get("jobcenter"),
		Searchable: boolChoice(q.Get("searchable")), Active: boolChoice(form.Value("active")), Cursor: q.Get("cursor")}
	ctx, cancel := requestContext(gc)
	defer cancel()
	d := candidateSearchData{}
	page, err := c.d.Candidates.Search(ctx, p, f)
	if errors.Is(err, candidates.ErrBadCursor) {
		f.Cursor, d.Restarted = "", true
		page, err = c.d.Candidates.Search(ctx, p, f)
	}
	status := http.StatusOK
	if err != nil {
		if !form.AddServiceErrors(l, "candidates", err, nil) {
			c.fail(gc, err)
			return
		}
		status, d.Failed = http.StatusUnprocessableEntity, true
	}
	d.Cards = c.candidateCards(ctx, l, page.Items)
	if page.NextCursor != "" {
		d.Next = searchLink(q, page.NextCursor)
	}
	if f.Cursor != "" {
		d.First = searchLink(q, "")
	}
	if d.Jobcenters, err = c.jobcenterOptions(ctx, l, "candidates.jobcenter.any"); err != nil {
		c.fail(gc, err)
		return
	}
	d.Searchables = []Option{{Value: "", Label: l.Must("candidates.searchable.any")}, {Value: "true", Label: l.Must("candidates.searchable.true")}, {Value: "false", Label: l.Must("candidates.searchable.false")}}
	d.Actives = []Option{{Value: "true", Label: l.Must("candidates.active.true")}, {Value: "false", Label: l.Must("candidates.active.false")}}
	d.Occupations = occupationChoices(c.d.Reference, l, true)
	c.render(gc, status, Page{Template: "candidates", Title: "candidates.title", Nav: navCandidates, Data: d, Form: form})
}

// searchLink is the search page with the same filters at another page (cursor "" is the first).
func searchLink(q url.Values, cursor string) string {
	v := url.Values{}
	for _, k := range []string{"q", "occupation", "jobcenter", "searchable", "active"} {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if len(v) == 0 {
		return "/candidates"
	}
	return "/candidates?" + v.Encode()
}

// boolChoice reads a yes/no choice: "true", "false", or anything else for "no choice".
func boolChoice(s string) *bool {
	switch s {
	case "true":
		t := true
		return &t
	case "false":
		f := false
		return &f
	}
	return nil
}

// candidateFormData is the form that registers or edits a candidate.
type candidateFormData struct {
	// ID is the candidate being edited ("" when registering one).
	ID          string
	Name        string
	Occupations []Option
	Searchables []Option
	Actives     []Option
	Languages   []Option
}

// Edit tells whether the form edits a stored candidate.
func (d candidateFormData) Edit() bool { return d.ID != "" }

// Action is where the form posts.
func (d candidateFormData) Action() string {
	if d.Edit() {
		return "/candidates/" + d.ID
	}
	return "/candidates"
}

func (c *Console) candidateForm(gc *gin.Context, status int, d candidateFormData, form *Form) {
	l := localizer(gc)
	d.Occupations = occupationChoices(c.d.Reference, l, false)
	d.Searchables = []Option{{Value: "true", Label: l.Must("candidates.form.searchable.true")}, {Value: "false", Label: l.Must("candidates.form.searchable.false")}}
	d.Actives = []Option{{Value: "true", Label: l.Must("candidates.form.active.true")}, {Value: "false", Label: l.Must("candidates.form.active.false")}}
	d.Languages = []Option{{Value: "da", Label: "Dansk"}, {Value: "en", Label: "English"}}
	title := "candidates.new.title"
	if d.Edit() {
		title = "candidates.edit.title"
	}
	c.render(gc, status, Page{Template: "candidate-form", Title: title, Nav: navCandidates, Data: d, Form: form})
}

// newCandidate is the form that registers a candidate of the caller's job centre.
func (c *Console) newCandidate(gc *gin.Context) {
	def, err := c.d.Referrals.CandidateDefaults(principal(gc))
	if err != nil {
		c.fail(gc, err)
		return
	}
	c.candidateForm(gc, http.StatusOK, candidateFormData{}, candidateValues(localizer(gc), c, def))
}

// candidateValues fills a form with a stored (or default) candidate.
func candidateValues(l *i18n.Localizer, c *Console, cand referrals.Candidate) *Form {
	f := NewForm(url.Values{})
	f.Values.Set("name", cand.Name)
	f.Values.Set("email", cand.Email)
	f.Values.Set("language", cand.Language)
	f.Values.Set("active", fmt.Sprint(cand.Active))
	if cand.ID != "" {
		f.Values.Set("searchable", fmt.Sprint(cand.Searchable))
	}
	f.Values.Set("cv.headline", cand.CV.Headline)
	f.Values.Set("cv.experience", cand.CV.Experience)
	f.Values.Set("cv.education", cand.CV.Education)
	f.Values.Set("cv.skills", strings.Join(cand.CV.Skills, "\n"))
	for _, code := range cand.CV.Occupations {
		f.Values.Add("cv.occupations", occupationLabel(c.d.Reference, l, code))
	}
	return f
}

// candidateRequest reads the candidate form. It also returns which form row each occupation
// the request names came from (empty rows are left out), so the service's errors about
// "cv.occupations[i]" land at the right field.
func candidateRequest(form *Form, edit bool) (referrals.CandidateRequest, []int) {
	str := func(name string) *string { v := form.Value(name); return &v }
	cv := referrals.CV{Headline: form.Value("cv.headline"), Experience: form.Value("cv.experience"), Education: form.Value("cv.education"),
		Occupations: []string{}, Skills: []string{}}
	var rows []int
	for i, typed := range form.Values["cv.occupations"] {
		if code := occupationCode(typed); code != "" {
			cv.Occupations = append(cv.Occupations, code)
			rows = append(rows, i)
		}
	}
	for _, line := range strings.Split(form.Value("cv.skills"), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			cv.Skills = append(cv.Skills, s)
		}
	}
	r := referrals.CandidateRequest{Name: str("name"), Email: str("email"), Language: str("language"), CV: &cv,
		Searchable: boolChoice(form.Value("searchable"))}
	if edit {
		r.Active = boolChoice(form.Value("active"))
	}
	return r, rows
}

// addCandidateErrors shows a candidate service's validation error at the form's fields.
func addCandidateErrors(l *i18n.Localizer, form *Form, err error, rows []int) bool {
	var ve *problem.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			var i int
			if _, scan := fmt.Sscanf(fe.Field, "cv.occupations[%d]", &i); scan == nil && i < len(rows) {
				form.Add(fmt.Sprintf("cv.occupations.%d", rows[i]), l.Must("candidates.error.occupation", "n", rows[i]+1))
			}
		}
	}
	return form.AddServiceErrors(l, "candidates", err, nil)
}

// createCandidate registers the candidate and shows its page.
func (c *Console) createCandidate(gc *gin.Context) {
	l := localizer(gc)
	form := NewForm(postedForm(gc))
	req, rows := candidateRequest(form, false)
	ctx, cancel := requestContext(gc)
	defer cancel()
	cand, err := c.d.Referrals.CreateCandidate(ctx, principal(gc), req)
	if err != nil {
		if !addCandidateErrors(l, form, err, rows) {
			c.fail(gc, err)
			return
		}
		c.candidateForm(gc, http.StatusUnprocessableEntity, candidateFormData{}, form)
		return
	}
	c.setFlash(gc, "flash.candidate.created")
	gc.Redirect(http.StatusSeeOther, "/candidates/"+cand.ID)
}

// editCandidate is the form that changes a candidate's details, CV and state.
func (c *Console) editCandidate(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	cand, err := c.d.Referrals.GetCandidate(ctx, principal(gc), gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	c.candidateForm(gc, http.StatusOK, candidateFormData{ID: cand.ID, Name: cand.Name}, candidateValues(localizer(gc), c, cand))
}

// updateCandidate saves the edit form and shows the candidate's page.
func (c *Console) updateCandidate(gc *gin.Context) {
	l := localizer(gc)
	form := NewForm(postedForm(gc))
	req, rows := candidateRequest(form, true)
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, id := principal(gc), gc.Param("id")
	cand, err := c.d.Referrals.UpdateCandidate(ctx, p, id, req)
	if err != nil {
		if !addCandidateErrors(l, form, err, rows) {
			c.fail(gc, err)
			return
		}
		stored, gerr := c.d.Referrals.GetCandidate(ctx, p, id)
		if gerr != nil {
			c.fail(gc, gerr)
			return
		}
		c.candidateForm(gc, http.StatusUnprocessableEntity, candidateFormData{ID: stored.ID, Name: stored.Name}, form)
		return
	}
	c.setFlash(gc, "flash.candidate.saved")
	gc.Redirect(http.StatusSeeOther, "/candidates/"+cand.ID)
}

// postedForm is a form post's fields (without the CSRF token, which the middleware checked).
func postedForm(gc *gin.Context) url.Values {
	_ = gc.Request.ParseForm()
	v := url.Values{}
	for k, vals := range gc.Request.PostForm {
		if k != CSRFField {
			v[k] = vals
		}
	}
	return v
}

// candidateData is the candidate's page.
type candidateData struct {
	Candidate     referrals.Candidate
	JobcenterName string
	Occupations   []string
	Consents      []consentRow
	Referrals     []candidateReferralRow
	Access        []accessRow
}

// candidateReferralRow is one referral of the candidate; When is when it was sent, or proposed.
type candidateReferralRow struct {
	referrals.CandidateReferral
	When time.Time
}

// accessRow is one employer read of the CV, with the order it was read under.
type accessRow struct {
	referrals.AccessEntry
	OrderTitle, CompanyName string
}

// candidate is the candidate's page: the CV and its state, the consents, every referral and
// the log of each time an employer read the CV.
func (c *Console) candidate(gc *gin.Context) {
	p, l := principal(gc), localizer(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	id := gc.Param("id")
	cand, err := c.d.Referrals.GetCandidate(ctx, p, id)
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := candidateData{Candidate: cand, JobcenterName: c.jobcenterName(gc, cand.HomeJobcenter)}
	for _, code := range cand.CV.Occupations {
		d.Occupations = append(d.Occupations, occupationLabel(c.d.Reference, l, code))
	}
	consents, err := c.d.Referrals.Consents(ctx, p, id)
	if err != nil {
		c.fail(gc, err)
		return
	}
	d.Consents = c.consentRows(ctx, p, consents)
	refs, err := c.d.Referrals.CandidateReferrals(ctx, p, id)
	if err != nil {
		c.fail(gc, err)
		return
	}
	for _, r := range refs {
		row := candidateReferralRow{CandidateReferral: r, When: r.CreatedAt}
		if r.SentAt != nil {
			row.When = *r.SentAt
		}
		d.Referrals = append(d.Referrals, row)
	}
	log, err := c.d.Referrals.AccessLog(ctx, p, id)
	if err != nil {
		c.fail(gc, err)
		return
	}
	byOrder := map[string]referrals.CandidateReferral{}
	for _, r := range refs {
		byOrder[r.JobOrderID] = r
	}
	for _, e := range log {
		r := byOrder[e.JobOrderID]
		d.Access = append(d.Access, accessRow{AccessEntry: e, OrderTitle: r.OrderTitle, CompanyName: r.CompanyName})
	}
	c.render(gc, http.StatusOK, Page{Template: "candidate", Title: "candidates.page.title", TitleArgs: []any{"name", cand.Name}, Nav: navCandidates, Data: d})
}
