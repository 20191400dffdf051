package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"jobordre/internal/auth"
	"jobordre/internal/companies"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/models"
	"jobordre/web/i18n"
)

// The new-order page (/job-orders/new): a caseworker creates an order on behalf of a company
// (an employer may use it for its own company). The order service validates the request, fills
// in the municipality of an unambiguous postal code and the responsible job centre, and decides
// who may create orders; the page offers the reference data's choices and shows the service's
// errors at their fields.

// kindOther is the form's choice for a request that is not an ordinary job order (wage subsidy,
// supported employment, ...): the service refuses it and the page says why.
const kindOther = "other"

// newOrderData is the new-order form.
type newOrderData struct {
	// Employer is set when an employer fills in the form (its own CVR, no CVR field).
	Employer bool
	// CompanyName is the name of the company whose CVR is typed, when one is known (registered,
	// or stored by a job centre: CompanyRegistered tells which); CompanyLooked tells that a CVR
	// was looked up. AskCompany asks job-centre staff for the name (and address) of a CVR
	// nothing is known about.
	CompanyName       string
	CompanyLooked     bool
	CompanyRegistered bool
	AskCompany        bool
	// Contacts are the choices of the order's contact person among the company's contact
	// persons (staff only), the first one "the main contact" or "none yet"; NoContactHint
	// says what leaving the choice and the new person's fields empty does.
	Contacts      []Option
	NoContactHint string
	// Municipality is the workplace's municipality when its postal code lies in exactly one;
	// Municipalities are the choices when it lies in several; PostalUnknown that the typed
	// postal code is not a Danish one.
	Municipality   string
	Municipalities []Option
	PostalUnknown  bool
	Jobcenters     []Option
	// SuggestedJobcenter is, on an employer's form, the name of the job centre serving the
	// workplace's postal code (orders.JobcenterForWorkplace), pre-selected until the employer
	// chooses another; "" before a postal code that settles it is typed.
	SuggestedJobcenter string
	// OptionalOpen opens the employer's group of optional fields: one of them holds an error.
	OptionalOpen bool
	Kinds        []Option
	Occupations  []Option
	Caseworkers  []string
}

// newOrder shows the form, filled in as the order service would complete an empty order.
// ?company_cvr= and ?workplace.postal_code= fill those fields (htmx asks for the company's name
// and the postal code's municipalities so).
func (c *Console) newOrder(gc *gin.Context) {
	p := principal(gc)
	def, err := c.d.Orders.CreateDefaults(p)
	if err != nil {
		c.fail(gc, err)
		return
	}
	form := NewForm(url.Values{})
	form.Values.Set("company_cvr", def.CompanyCVR)
	form.Values.Set("responsible_jobcenter", def.ResponsibleJobcenter)
	form.Values.Set("kind", def.Kind)
	form.Values.Set("positions", "1")
	form.Values.Set("idempotency_key", uuid.NewString())
	q := gc.Request.URL.Query()
	for _, k := range []string{"company_cvr", "workplace.postal_code"} {
		if v := q.Get(k); v != "" && !(k == "company_cvr" && p.Role == auth.RoleEmployer) {
			form.Values.Set(k, v)
		}
	}
	c.newOrderForm(gc, http.StatusOK, form)
}

// newOrderForm renders the form with the choices that fit what it holds.
func (c *Console) newOrderForm(gc *gin.Context, status int, form *Form) {
	p, l := principal(gc), localizer(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	d := newOrderData{Employer: p.Role == auth.RoleEmployer, Occupations: occupationChoices(c.d.Reference, l, false)}
	cvrNumber := strings.TrimSpace(form.Value("company_cvr"))
	if d.Employer {
		cvrNumber = p.CVR
	}
	if len(cvrNumber) == 8 {
		d.CompanyLooked = true
		if d.Employer {
			d.CompanyName = c.companyName(ctx, p, cvrNumber)
		} else if err := c.orderCompany(ctx, p, l, cvrNumber, &d); err != nil {
			c.fail(gc, err)
			return
		}
	}
	if pc, ok := c.d.Reference.PostalCode(strings.TrimSpace(form.Value("workplace.postal_code"))); ok {
		if len(pc.Municipalities) == 1 {
			d.Municipality = c.municipalityName(pc.Municipalities[0])
		} else {
			d.Municipalities = []Option{{Value: "", Label: l.Must("neworder.municipality.choose")}}
			for _, code := range pc.Municipalities {
				d.Municipalities = append(d.Municipalities, Option{Value: code, Label: c.municipalityName(code)})
			}
		}
	} else if form.Value("workplace.postal_code") != "" {
		d.PostalUnknown = true
	}
	anyKey := ""
	if d.Employer {
		anyKey = "neworder.jobcenter.from_workplace"
	}
	var err error
	if d.Jobcenters, err = c.jobcenterOptions(ctx, l, anyKey); err != nil {
		c.fail(gc, err)
		return
	}
	template := "neworder"
	if d.Employer {
		template = "neworder-employer"
		if err := c.suggestJobcenter(ctx, form, &d); err != nil {
			c.fail(gc, err)
			return
		}
		for _, f := range employerOptionalFields {
			d.OptionalOpen = d.OptionalOpen || form.Error(f) != ""
		}
	}
	d.Kinds = []Option{
		{Value: models.KindOrdinary, Label: l.Must("neworder.kind.ordinary"), Hint: l.Must("neworder.kind.ordinary.hint")},
		{Value: kindOther, Label: l.Must("neworder.kind.other"), Hint: l.Must("neworder.kind.other.hint")},
	}
	if p.IsJobcenterStaff() && c.d.Directory != nil {
		people, err := c.d.Directory.Caseworkers(ctx, p.Jobcenter)
		if err != nil {
			c.fail(gc, err)
			return
		}
		for _, cw := range people {
			if cw.Name != "" {
				d.Caseworkers = append(d.Caseworkers, cw.Name)
			}
		}
	}
	c.render(gc, status, Page{Template: template, Title: "neworder.title", Nav: navJobOrders, Data: d, Form: form})
}

// employerOptionalFields are the fields of the employer's form that STAR's guide does not ask
// for (the "Valgfrit" group); the service fills in what is left empty.
var employerOptionalFields = []string{"title", "occupation_code", "positions", "start_date", "application_deadline", "wished_coordinator"}

// suggestJobcenter pre-selects, on an employer's form, the job centre that serves the workplace
// (the order service's rule, the one Create applies when none is chosen). The hidden field
// jobcenter_suggested remembers the last suggestion, so a job centre the employer chose stays
// chosen when the postal code is looked up again, and one that was only suggested follows the
// new postal code.
func (c *Console) suggestJobcenter(ctx context.Context, form *Form, d *newOrderData) error {
	code, err := c.d.Orders.JobcenterForWorkplace(ctx, form.Value("workplace.postal_code"), form.Value("workplace.municipality_code"))
	if err != nil || code == "" {
		return err
	}
	if chosen := form.Value("responsible_jobcenter"); chosen == "" || chosen == form.Value("jobcenter_suggested") {
		form.Values.Set("responsible_jobcenter", code)
	}
	form.Values.Set("jobcenter_suggested", code)
	for _, o := range d.Jobcenters {
		if o.Value == code {
			d.SuggestedJobcenter = o.Label
		}
	}
	return nil
}

// orderCompany fills in what staff see of the typed CVR's company: its name, whether it has
// registered, the choice of its contact persons; the name fields when nothing is known of it.
func (c *Console) orderCompany(ctx context.Context, p auth.Principal, l *i18n.Localizer, cvrNumber string, d *newOrderData) error {
	d.NoContactHint = "neworder.contact.none.unregistered"
	none := Option{Value: "", Label: l.Must("neworder.contact.new_or_none")}
	if c.d.Companies == nil {
		return nil
	}
	co, err := c.d.Companies.Get(ctx, p, cvrNumber)
	switch {
	case errors.Is(err, companies.ErrNotFound):
		d.AskCompany = true
		return nil
	case err != nil:
		return err
	}
	d.CompanyName, d.CompanyRegistered = co.Name, co.Registered
	if co.Registered {
		d.NoContactHint = "neworder.contact.none.main"
		none.Label = l.Must("neworder.contact.new_or_main")
	}
	if len(co.Contacts) > 0 {
		d.Contacts = []Option{none}
		for _, k := range co.Contacts {
			label := k.Name
			if k.Email != "" {
				label += " (" + k.Email + ")"
			}
			if k.Main {
				label += " – " + l.Must("neworder.contact.main")
			}
			d.Contacts = append(d.Contacts, Option{Value: k.ID, Label: label})
		}
	}
	return nil
}

// municipalityName is a municipality's name ("Aarhus"), or its code when unknown.
func (c *Console) municipalityName(code string) string {
	if m, ok := c.d.Reference.Municipality(code); ok {
		return m.Name
	}
	return code
}

// createOrder creates the order and shows its page. The form's "find the company" button posts
// it too: then nothing is created and the form comes back with the company's name.
func (c *Console) createOrder(gc *gin.Context) {
	l := localizer(gc)
	form := NewForm(postedForm(gc))
	if form.Value("action") == "lookup" {
		c.newOrderForm(gc, http.StatusOK, form)
		return
	}
	req := orderRequest(l, form)
	ctx, cancel := requestContext(gc)
	defer cancel()
	res, err := c.d.Orders.Create(ctx, principal(gc), req, form.Value("idempotency_key"))
	var notStarted *orders.WorkflowNotStartedError
	switch {
	case err == nil:
		c.setFlash(gc, "flash.order.created")
		gc.Redirect(http.StatusSeeOther, "/job-orders/"+res.Order.ID)
		return
	case errors.As(err, &notStarted):
		// Stored, not lost: the worker starts its workflow shortly.
		c.setFlash(gc, "flash.order.created")
		gc.Redirect(http.StatusSeeOther, "/job-orders/"+notStarted.JobOrderID)
		return
	case errors.Is(err, orders.ErrNotJobOrder):
		form.Add("kind", l.Must("neworder.error.kind"))
	case errors.Is(err, orders.ErrIdempotencyKeyReused):
		// The form was sent before and made an order; what it holds now is a new one.
		form.Values.Set("idempotency_key", uuid.NewString())
		form.Add("title", l.Must("neworder.error.resent"))
	case !form.AddServiceErrors(l, "neworder", employerMessages(principal(gc), l, form, err), nil):
		c.fail(gc, err)
		return
	}
	c.newOrderForm(gc, http.StatusUnprocessableEntity, form)
}

// employerErrors are the messages of the employer's form that differ from the staff form's: the
// task rather than the job, and any job centre rather than the caller's own.
var employerErrors = map[string]string{
	"description":           "neworder.employer.error.description",
	"responsible_jobcenter": "neworder.employer.error.responsible_jobcenter",
}

// employerMessages puts the employer's own words on the fields whose staff message does not fit
// an employer (the first message of a field wins), and returns err for the rest.
func employerMessages(p auth.Principal, l *i18n.Localizer, form *Form, err error) error {
	var ve *problem.ValidationError
	if p.Role != auth.RoleEmployer || !errors.As(err, &ve) {
		return err
	}
	for _, f := range ve.Fields {
		if key, ok := employerErrors[f.Field]; ok {
			form.Add(f.Field, l.Must(key))
		}
	}
	return err
}

// orderRequest reads the new-order form. A number or date the form cannot read is left out of
// the request with the form's own message at its field (the service then names the rest).
func orderRequest(l *i18n.Localizer, form *Form) orders.CreateRequest {
	r := orders.CreateRequest{
		CompanyCVR: form.Value("company_cvr"), Title: form.Value("title"), Description: form.Value("description"),
		Workplace: orders.Workplace{Address: form.Value("workplace.address"), PostalCode: form.Value("workplace.postal_code"),
			MunicipalityCode: form.Value("workplace.municipality_code")},
		ResponsibleJobcenter: form.Value("responsible_jobcenter"), OccupationCode: occupationCode(form.Value("occupation_code")),
		Kind: form.Value("kind"), WishedCoordinator: form.Value("wished_coordinator"),
		StartDate: dateValue(form, "start_date"), ApplicationDeadline: dateValue(form, "application_deadline"),
		CompanyName: form.Value("company_name"), CompanyAddress: form.Value("company_address"), CompanyPostalCode: form.Value("company_postal_code"),
	}
	// The contact person: one of the company's (the select) or the person spoken to (the fields);
	// neither leaves it to the service (the company's main contact once there is one), and both
	// are refused by it at the choice.
	r.ContactPerson = &orders.ContactPersonRequest{ContactID: form.Value("contact_person.contact_id"),
		Name: form.Value("contact_person.name"), Email: form.Value("contact_person.email"), Phone: form.Value("contact_person.phone")}
	if s := strings.TrimSpace(form.Value("positions")); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			r.Positions = &n
		} else {
			// Sent on as 0, which the service refuses too: left out, an employer's order would
			// be created with one position (the default) although the form could not read it.
			form.Add("positions", l.Must("neworder.error.positions_format"))
			zero := 0
			r.Positions = &zero
		}
	}
	return r
}
