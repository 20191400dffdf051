package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/directory"
	"jobordre/internal/jobcenters"
	"jobordre/internal/problem"
	"jobordre/models"
)

// The job centre's staff page (/jobcenters/{code}/caseworkers): its caseworkers and managers
// with name, e-mail and phone, a form that adds one ahead of their first login, and the shared
// mailbox. Admins also maintain the job centre's mailbox and municipalities (a merge) and the
// recruitment communities here. Who may do what is the directory's and the job-centre service's.

type staffData struct {
	Jobcenter   jobcenters.Jobcenter
	Staff       []models.Caseworker
	Admin       bool
	Communities []jobcenters.Community
	Roles       []Option
	Languages   []Option
}

// staff is GET /jobcenters/{code}/caseworkers.
func (c *Console) staff(gc *gin.Context) {
	c.staffPage(gc, http.StatusOK, NewForm(url.Values{}))
}

func (c *Console) staffPage(gc *gin.Context, status int, form *Form) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code, l := principal(gc), gc.Param("code"), localizer(gc)
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	jc, err := c.d.Jobcenters.Get(ctx, code)
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := staffData{Jobcenter: jc, Admin: p.Role == auth.RoleAdmin}
	if d.Staff, err = c.d.Directory.Caseworkers(ctx, code); err != nil {
		c.fail(gc, err)
		return
	}
	if d.Admin {
		if d.Communities, err = c.d.Jobcenters.Communities(ctx); err != nil {
			c.fail(gc, err)
			return
		}
	}
	for _, r := range []string{auth.RoleCaseworker, auth.RoleManager} {
		key := "role." + r
		d.Roles = append(d.Roles, Option{Value: r, Label: l.Must(key)})
	}
	d.Languages = []Option{{Value: "da", Label: "Dansk"}, {Value: "en", Label: "English"}}
	c.render(gc, status, Page{Template: "caseworkers", Title: "staff.title", TitleArgs: []any{"jobcenter", jc.Name}, Nav: navStaff, Data: d, Form: form})
}

// addStaff is POST /jobcenters/{code}/caseworkers: a caseworker or manager added ahead of
// their first login (the ID is their login's subject).
func (c *Console) addStaff(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code := principal(gc), gc.Param("code")
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	form := NewForm(postedForm(gc))
	_, err := c.d.Directory.AddCaseworker(ctx, code, directory.AddCaseworkerRequest{ID: form.Value("id"), Name: form.Value("name"),
		Email: form.Value("email"), Phone: form.Value("phone"), Role: form.Value("role"), Language: form.Value("language")})
	c.afterStaffPost(gc, form, err, "staff", nil, "flash.staff.added")
}

// removeStaffData is the confirmation page of removing a person who has left.
type removeStaffData struct {
	Jobcenter jobcenters.Jobcenter
	Person    models.Caseworker
}

// confirmRemoveStaff is GET /jobcenters/{code}/caseworkers/{id}/remove: what removing the person
// does, and the button. An unknown or removed person, or another job centre's, is the 404 page.
func (c *Console) confirmRemoveStaff(gc *gin.Context) {
	c.removeStaffPage(gc, http.StatusOK, NewForm(url.Values{}))
}

func (c *Console) removeStaffPage(gc *gin.Context, status int, form *Form) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code := principal(gc), gc.Param("code")
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	person, err := c.d.Directory.Caseworker(ctx, gc.Param("id"))
	if errors.Is(err, directory.ErrUnknownCaseworker) || (err == nil && (person.Jobcenter != code || person.RemovedAt != nil)) {
		err = directory.ErrCaseworkerNotFound
	}
	if err != nil {
		c.failManagerPage(gc, err)
		return
	}
	jc, err := c.d.Jobcenters.Get(ctx, code)
	if err != nil {
		c.fail(gc, err)
		return
	}
	c.render(gc, status, Page{Template: "caseworker-remove", Title: "staff.remove.title", TitleArgs: []any{"name", displayName(person)},
		Nav: navStaff, Data: removeStaffData{Jobcenter: jc, Person: *person}, Form: form})
}

// removeStaff is POST /jobcenters/{code}/caseworkers/{id}/remove: the directory removes the
// person (as DELETE /api/v1/jobcenters/{code}/caseworkers/{id}). While they coordinate open
// orders the confirmation page shows the refusal in the error summary.
func (c *Console) removeStaff(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code, l := principal(gc), gc.Param("code"), localizer(gc)
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	err := c.d.Directory.RemoveCaseworker(ctx, code, gc.Param("id"))
	var coordinates *directory.CoordinatorError
	switch {
	case err == nil:
		c.setFlash(gc, "flash.staff.removed")
		gc.Redirect(http.StatusSeeOther, "/jobcenters/"+code+"/caseworkers")
	case errors.As(err, &coordinates):
		form := NewForm(postedForm(gc))
		form.Add("confirm", l.Must("staff.remove.error.coordinator", "orders", coordinates.Orders))
		c.removeStaffPage(gc, http.StatusConflict, form)
	default:
		c.failManagerPage(gc, err)
	}
}

// displayName is how a page names a person: their name, else their e-mail, else their ID.
func displayName(p *models.Caseworker) string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Email != "":
		return p.Email
	}
	return p.ID
}

// setMailbox is POST /jobcenters/{code}/mailbox (admins): the job centre's shared mailbox.
func (c *Console) setMailbox(gc *gin.Context) {
	form := NewForm(postedForm(gc))
	addr := form.Value("mailbox_email")
	c.updateJobcenter(gc, form, jobcenters.UpdateRequest{MailboxEmail: &addr}, "flash.staff.mailbox")
}

// setMunicipalities is POST /jobcenters/{code}/municipalities (admins): the municipalities the
// job centre serves; naming another job centre's merges it into this one.
func (c *Console) setMunicipalities(gc *gin.Context) {
	form := NewForm(postedForm(gc))
	codes := splitCodes(form.Value("municipalities"))
	c.updateJobcenter(gc, form, jobcenters.UpdateRequest{Municipalities: &codes}, "flash.staff.municipalities")
}

func (c *Console) updateJobcenter(gc *gin.Context, form *Form, r jobcenters.UpdateRequest, flash string) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code := principal(gc), gc.Param("code")
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	_, err := c.d.Jobcenters.Update(ctx, p, code, r)
	fields := map[string]string{}
	for i := range 200 {
		fields["municipalities["+strconv.Itoa(i)+"]"] = "municipalities"
	}
	c.afterStaffPost(gc, form, err, "staff", fields, flash)
}

// saveCommunity is POST /jobcenters/{code}/communities (new) and .../communities/{cid} (admins).
func (c *Console) saveCommunity(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code, id := principal(gc), gc.Param("code"), gc.Param("cid")
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	form := NewForm(postedForm(gc))
	prefix := "community_new"
	if id != "" {
		prefix = "community_" + id
	}
	_, err := c.d.Jobcenters.SaveCommunity(ctx, p, id, jobcenters.CommunityRequest{Name: form.Value(prefix + ".name"), Members: splitCodes(form.Value(prefix + ".members"))})
	fields := map[string]string{"name": prefix + ".name", "members": prefix + ".members"}
	for i := range 200 {
		fields["members["+strconv.Itoa(i)+"]"] = prefix + ".members"
	}
	c.afterStaffPost(gc, form, err, "community", fields, "flash.staff.community")
}

// deleteCommunity is POST /jobcenters/{code}/communities/{cid}/delete (admins).
func (c *Console) deleteCommunity(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code := principal(gc), gc.Param("code")
	if err := c.d.Directory.AuthorizeStaff(ctx, p, code, true); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	err := c.d.Jobcenters.DeleteCommunity(ctx, p, gc.Param("cid"))
	c.afterStaffPost(gc, NewForm(postedForm(gc)), err, "community", nil, "flash.staff.community_deleted")
}

// afterStaffPost redirects to the page with a flash, shows a validation error at its field, or
// fails the page (a forbidden action is the 404 page, as for everything of the manager's).
func (c *Console) afterStaffPost(gc *gin.Context, form *Form, err error, formName string, fields map[string]string, flash string) {
	if err == nil {
		c.setFlash(gc, flash)
		gc.Redirect(http.StatusSeeOther, "/jobcenters/"+gc.Param("code")+"/caseworkers")
		return
	}
	// A conflict about a field (an ID of another job centre, a name in use) is shown at it too.
	var refusal *problem.Error
	if errors.As(err, &refusal) && errors.Is(err, problem.ErrConflict) && len(refusal.Fields) > 0 {
		err = problem.Invalid(refusal.Fields...)
	}
	l := localizer(gc)
	shown := false
	switch formName { // each form's messages are <form>.error.<field> in the catalogue
	case "staff":
		shown = form.AddServiceErrors(l, "staff", err, fields)
	case "community":
		shown = form.AddServiceErrors(l, "community", err, fields)
	}
	if !shown {
		c.failManagerPage(gc, err)
		return
	}
	c.staffPage(gc, http.StatusUnprocessableEntity, form)
}

// splitCodes reads a list of codes typed with commas or spaces: "751, 746 710".
func splitCodes(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' }) {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}
