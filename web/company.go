package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/companies"
)

// The company page (/companies/{cvr}): the company profile and its contact persons, for the
// company's own people; job-centre staff and admins read it as GET /api/v1/companies/{cvr}
// lets them. Every rule is internal/companies': who reads it (Get: another company's employer
// gets the 404 page), who registers it (Register: one of its own people, for its own CVR), and
// that only the main contact (hovedkontaktperson) adds contact persons and hands the role on
// (AddContact, HandOver). The page shows a form only to whom the service would let use it.

// companyPageData is the company page.
type companyPageData struct {
	CVR     string
	Company companies.Company
	// Stored: the service knows the company (registered, or stored by a job centre); an
	// employer whose company is not known yet sees the register form only.
	Stored bool
	// Industry is the DB07 industry's title; Creator the name of the job centre that stored
	// the company before it registered.
	Industry, Creator string
	// Main is the main contact, nil while the company has none (not registered).
	Main *companies.Contact
	// Own: the caller is one of the company's own people. IsMain: the caller is its main
	// contact, who may add contacts and hand the role on. MayRegister: one of its own people and
	// the company has not registered itself.
	Own, IsMain, MayRegister bool
	// HandOverTo are the other contacts the main contact may hand the role to.
	HandOverTo []Option
}

// company shows the company page.
func (c *Console) company(gc *gin.Context) { c.renderCompany(gc, http.StatusOK, nil) }

// renderCompany reads the company as the caller may see it and renders its page; form holds
// what a refused post typed and its errors.
func (c *Console) renderCompany(gc *gin.Context, status int, form *Form) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, l := principal(gc), localizer(gc)
	cvrNumber := gc.Param("cvr")
	d := companyPageData{CVR: cvrNumber, Own: p.Role == auth.RoleEmployer && p.CVR == cvrNumber}
	co, err := c.d.Companies.Get(ctx, p, cvrNumber)
	switch {
	case err == nil:
		d.Stored, d.Company = true, co
	case errors.Is(err, companies.ErrNotFound) && d.Own:
		// Its own company, not known yet: the page offers to register it.
	default:
		c.fail(gc, err)
		return
	}
	if i, ok := c.d.Reference.Industry(co.IndustryCode); ok && co.IndustryCode != "" {
		d.Industry = i.Title
	}
	if co.CreatedByJobcenter != "" {
		d.Creator = co.CreatedByJobcenter
		if jc, err := c.d.Jobcenters.Get(ctx, co.CreatedByJobcenter); err == nil {
			d.Creator = jc.Name
		}
	}
	for i, k := range co.Contacts {
		if k.Main {
			d.Main = &co.Contacts[i]
		}
	}
	d.IsMain = d.Own && d.Main != nil && d.Main.ID == p.Subject
	d.MayRegister = d.Own && !co.Registered
	if d.IsMain {
		d.HandOverTo = []Option{{Value: "", Label: l.Must("company.handover.choose")}}
		for _, k := range co.Contacts {
			if !k.Main {
				d.HandOverTo = append(d.HandOverTo, Option{Value: k.ID, Label: k.Name + " (" + k.Email + ")"})
			}
		}
	}
	if form == nil {
		form = NewForm(url.Values{})
		if d.MayRegister {
			form.Values.Set("name", co.Name)
		}
	}
	title := co.Name
	if title == "" {
		title = "CVR " + cvrNumber
	}
	c.render(gc, status, Page{Template: "company", Title: "company.title", TitleArgs: []any{"name", title}, Nav: navCompany, Data: d, Form: form})
}

// registerCompany registers the caller's own company (companies.Register): the caller becomes
// its main contact, and a company a job centre stored is taken over.
func (c *Console) registerCompany(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, l := principal(gc), localizer(gc)
	form := NewForm(postedForm(gc))
	_, err := c.d.Companies.Register(ctx, p, companies.RegisterRequest{CVR: p.CVR, Name: form.Value("name"), IndustryCode: form.Value("industry_code")})
	switch {
	case err == nil:
		c.setFlash(gc, "flash.company.registered")
		gc.Redirect(http.StatusSeeOther, "/companies/"+p.CVR)
		return
	case errors.Is(err, companies.ErrRegistered):
		form.Add("name", l.Must("company.error.registered"))
		gc.Params = append(gc.Params, gin.Param{Key: "cvr", Value: p.CVR})
		c.renderCompany(gc, http.StatusConflict, form)
		return
	case !form.AddServiceErrors(l, "company", err, nil):
		c.fail(gc, err)
		return
	}
	gc.Params = append(gc.Params, gin.Param{Key: "cvr", Value: p.CVR})
	c.renderCompany(gc, http.StatusUnprocessableEntity, form)
}

// contactFields maps companies.AddContact's fields to the page's add-contact form.
var contactFields = map[string]string{"id": "contact.id", "name": "contact.name", "email": "contact.email", "phone": "contact.phone"}

// addCompanyContact adds a contact person (companies.AddContact: the main contact only).
func (c *Console) addCompanyContact(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	l := localizer(gc)
	form := NewForm(postedForm(gc))
	cvrNumber := gc.Param("cvr")
	_, err := c.d.Companies.AddContact(ctx, principal(gc), cvrNumber, companies.ContactRequest{
		ID: form.Value("contact.id"), Name: form.Value("contact.name"), Email: form.Value("contact.email"), Phone: form.Value("contact.phone")})
	switch {
	case err == nil:
		c.setFlash(gc, "flash.company.contact_added")
		gc.Redirect(http.StatusSeeOther, "/companies/"+cvrNumber+"#contacts")
		return
	case errors.Is(err, companies.ErrContactExists):
		form.Add("contact.id", l.Must("company.error.contact_exists"))
		c.renderCompany(gc, http.StatusConflict, form)
		return
	case !form.AddServiceErrors(l, "company", err, contactFields):
		c.fail(gc, err)
		return
	}
	c.renderCompany(gc, http.StatusUnprocessableEntity, form)
}

// handOverMainContact makes another contact the main contact (companies.HandOver: the main
// contact only); the caller becomes an ordinary contact and the page no longer offers the forms.
func (c *Console) handOverMainContact(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	l := localizer(gc)
	form := NewForm(postedForm(gc))
	cvrNumber := gc.Param("cvr")
	_, err := c.d.Companies.HandOver(ctx, principal(gc), cvrNumber, companies.MainContactRequest{ContactID: form.Value("contact_id")})
	switch {
	case err == nil:
		c.setFlash(gc, "flash.company.handed_over")
		gc.Redirect(http.StatusSeeOther, "/companies/"+cvrNumber+"#contacts")
		return
	case !form.AddServiceErrors(l, "company", err, nil):
		c.fail(gc, err)
		return
	}
	c.renderCompany(gc, http.StatusUnprocessableEntity, form)
}
