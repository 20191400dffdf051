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

	"jobordre/internal/auth"
	"jobordre/internal/companies"
	"jobordre/internal/referrals"
	"jobordre/web/i18n"
)

// A candidate's consents: the form that records one (/candidates/{id}/consents/new) and the
// withdrawal (/candidates/{id}/consents/{cid}/withdraw, a confirmation page and its post). The
// referral service decides what a consent must name and what a withdrawal takes back
// (internal/referrals, internal/consent); these pages only ask and show.

// Consent targets: what the consent names besides the employer.
const (
	consentForOrder     = "order"
	consentForWorkplace = "workplace"
)

// Consent methods and the personal data a consent covers, in the order the form offers them.
var (
	consentMethodChoices   = []string{"digital", "written", "oral"}
	consentCategoryChoices = []string{"cv", "contact_details"}
)

// consentRow is a consent as the candidate's page lists it.
type consentRow struct {
	referrals.Consent
	CompanyName string
	// OrderTitle is the title of the order the consent names ("" for a workplace, or an order
	// the caller can no longer read).
	OrderTitle string
	// WithdrawnOn is when it was withdrawn (zero while it holds).
	WithdrawnOn time.Time
}

// consentRows adds the employers' names and the orders' titles to a candidate's consents.
func (c *Console) consentRows(ctx context.Context, p auth.Principal, list []referrals.Consent) []consentRow {
	names := map[string]string{}
	out := make([]consentRow, 0, len(list))
	for _, k := range list {
		row := consentRow{Consent: k}
		if k.WithdrawnAt != nil {
			row.WithdrawnOn = *k.WithdrawnAt
		}
		if _, ok := names[k.EmployerCVR]; !ok {
			names[k.EmployerCVR] = c.companyName(ctx, p, k.EmployerCVR)
		}
		row.CompanyName = names[k.EmployerCVR]
		if k.JobOrderID != nil {
			if o, err := c.d.Orders.Readable(ctx, p, *k.JobOrderID); err == nil {
				row.OrderTitle = o.Title
			}
		}
		out = append(out, row)
	}
	return out
}

// companyName is a registered company's name, "" when the CVR is not registered (or unreadable).
func (c *Console) companyName(ctx context.Context, p auth.Principal, cvrNumber string) string {
	if c.d.Companies == nil || cvrNumber == "" {
		return ""
	}
	co, err := c.d.Companies.Get(ctx, p, cvrNumber)
	if err != nil {
		if !errors.Is(err, companies.ErrNotFound) {
			c.log.WarnContext(ctx, "read a company", "error", err)
		}
		return ""
	}
	return co.Name
}

// consentFormData is the form that records a consent.
type consentFormData struct {
	Candidate referrals.Candidate
	// CompanyName is the name of the employer whose CVR is typed, when it is registered.
	CompanyName string
	// Orders are the employer's orders the caller can name; Looked tells that a CVR was looked up.
	Orders     []Option
	Looked     bool
	Targets    []Option
	Categories []Option
	Methods    []Option
}

// newConsent shows the consent form. ?employer_cvr= (and ?job_order_id=, from an order's page)
// fill it in; the employer's orders are offered once its CVR is known.
func (c *Console) newConsent(gc *gin.Context) {
	q := gc.Request.URL.Query()
	form := NewForm(url.Values{})
	for _, k := range []string{"employer_cvr", "job_order_id"} {
		if v := q.Get(k); v != "" {
			form.Values.Set(k, v)
		}
	}
	if form.Value("job_order_id") != "" || form.Value("employer_cvr") == "" {
		form.Values.Set("target", consentForOrder)
	}
	form.Values["data_categories"] = consentCategoryChoices
	form.Values.Set("method", "digital")
	setDate(form, "given_at", time.Now().In(i18n.Zone).Format("2006-01-02"))
	c.consentForm(gc, http.StatusOK, form)
}

// consentForm renders the form for the candidate of the request's :id.
func (c *Console) consentForm(gc *gin.Context, status int, form *Form) {
	p, l := principal(gc), localizer(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	cand, err := c.d.Referrals.GetCandidate(ctx, p, gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := consentFormData{Candidate: cand}
	// With an order named and no CVR typed (a link from the order's page), the order says whose.
	if id := form.Value("job_order_id"); id != "" && form.Value("employer_cvr") == "" {
		if o, err := c.d.Orders.Readable(ctx, p, id); err == nil {
			form.Values.Set("employer_cvr", o.CompanyCVR)
		}
	}
	if cvrNumber := strings.TrimSpace(form.Value("employer_cvr")); cvrNumber != "" {
		d.Looked = true
		d.CompanyName = c.companyName(ctx, p, cvrNumber)
		list, err := c.d.Orders.EmployerOrders(ctx, p, cvrNumber)
		if err != nil {
			c.fail(gc, err)
			return
		}
		d.Orders = []Option{{Value: "", Label: l.Must("consents.order.choose")}}
		for _, o := range list {
			d.Orders = append(d.Orders, Option{Value: o.ID, Label: l.Must("consents.order.option", "title", o.Title, "date", l.Date(o.CreatedAt))})
		}
	}
	d.Targets = []Option{
		{Value: consentForOrder, Label: l.Must("consents.target.order"), Hint: l.Must("consents.target.order.hint")},
		{Value: consentForWorkplace, Label: l.Must("consents.target.workplace"), Hint: l.Must("consents.target.workplace.hint")},
	}
	for _, k := range consentCategoryChoices {
		d.Categories = append(d.Categories, Option{Value: k, Label: l.Must("consents.category." + k)})
	}
	for _, m := range consentMethodChoices {
		d.Methods = append(d.Methods, Option{Value: m, Label: l.Must("consents.method." + m)})
	}
	c.render(gc, status, Page{Template: "consent-form", Title: "consents.new.title", TitleArgs: []any{"name", cand.Name},
		Nav: navCandidates, Data: d, Form: form})
}

// addConsent records the consent and returns to the candidate's consents. The form's "find the
// employer's orders" button posts it too: then nothing is recorded and the form comes back with
// the orders to choose from.
func (c *Console) addConsent(gc *gin.Context) {
	l := localizer(gc)
	form := NewForm(postedForm(gc))
	if form.Value("action") == "lookup" {
		c.consentForm(gc, http.StatusOK, form)
		return
	}
	req := referrals.ConsentRequest{EmployerCVR: strings.TrimSpace(form.Value("employer_cvr")), Purpose: form.Value("purpose"),
		DataCategories: form.Values["data_categories"], Method: form.Value("method")}
	switch form.Value("target") {
	case consentForOrder:
		req.JobOrderID = form.Value("job_order_id")
	case consentForWorkplace:
		req.Workplace = &referrals.ConsentWorkplace{Address: form.Value("workplace.address"), PostalCode: form.Value("workplace.postal_code")}
	}
	if req.DataCategories == nil {
		req.DataCategories = []string{}
	}
	if v := dateValue(form, "given_at"); v != nil {
		at, err := time.ParseInLocation("2006-01-02", *v, i18n.Zone)
		if err != nil {
			form.Add("given_at", l.Must("consents.error.given_at_format"))
		} else {
			req.GivenAt = &at
		}
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	id := gc.Param("id")
	// A date the form could not read reaches the service as no date: refused, with the form's
	// own message at the field.
	_, err := c.d.Referrals.AddConsent(ctx, principal(gc), id, req)
	if err != nil {
		fields := map[string]string{"workplace": "target"}
		if form.Value("target") == "" {
			fields["job_order_id"] = "target" // neither chosen: the choice itself is missing
		}
		if !form.AddServiceErrors(l, "consents", err, fields) {
			c.fail(gc, err)
			return
		}
		c.consentForm(gc, http.StatusUnprocessableEntity, form)
		return
	}
	c.setFlash(gc, "flash.consent.added")
	gc.Redirect(http.StatusSeeOther, "/candidates/"+id+"#consents")
}

// withdrawData is the page that asks before a consent is withdrawn.
type withdrawData struct {
	Candidate referrals.Candidate
	Consent   consentRow
}

// confirmWithdrawConsent asks whether to withdraw the consent and says what that takes back.
func (c *Console) confirmWithdrawConsent(gc *gin.Context) {
	p := principal(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	cand, err := c.d.Referrals.GetCandidate(ctx, p, gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	list, err := c.d.Referrals.Consents(ctx, p, cand.ID)
	if err != nil {
		c.fail(gc, err)
		return
	}
	for _, row := range c.consentRows(ctx, p, list) {
		if row.ID == gc.Param("cid") {
			c.render(gc, http.StatusOK, Page{Template: "consent-withdraw", Title: "consents.withdraw.title", TitleArgs: []any{"name", cand.Name},
				Nav: navCandidates, Data: withdrawData{Candidate: cand, Consent: row}})
			return
		}
	}
	c.fail(gc, referrals.ErrConsentNotFound)
}

// withdrawConsent withdraws the consent (the service takes back what was sent under it) and
// returns to the candidate's consents.
func (c *Console) withdrawConsent(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	id := gc.Param("id")
	if _, err := c.d.Referrals.WithdrawConsent(ctx, principal(gc), id, gc.Param("cid")); err != nil {
		c.fail(gc, err)
		return
	}
	c.setFlash(gc, "flash.consent.withdrawn")
	gc.Redirect(http.StatusSeeOther, fmt.Sprintf("/candidates/%s#consents", id))
}
