package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/web/assets"
	"jobordre/web/i18n"
)

//go:embed templates
var templateFiles embed.FS

// templates holds one parsed set per page: the layout and partials plus the page's own file.
type templates struct {
	pages map[string]*template.Template
}

// loadTemplates parses templates/layout.html and templates/partials/*.html once, then each
// templates/pages/<name>.html into its own copy, so every page can define "main" and "title".
func loadTemplates(c *Console) (*templates, error) {
	funcs := template.FuncMap{
		// asset is the fingerprinted URL of an embedded asset, e.g. {{asset "static/console.css"}}.
		"asset": c.assets.URL,
		// icon is a design-system icon from the sprite, hidden from assistive technology.
		"icon": func(name string) (template.HTML, error) {
			u, err := c.assets.URL(assets.DKFDSIcons)
			if err != nil {
				return "", err
			}
			return template.HTML(`<svg class="icon-svg" focusable="false" aria-hidden="true"><use href="` +
				template.HTMLEscapeString(u) + "#" + template.HTMLEscapeString(name) + `"></use></svg>`), nil
		},
		// int64int turns a count from a service (int64) into the int that .Number and .N take.
		"int64int": func(n int64) int { return int(n) },
		// join writes a list of codes as one field holds them: "751, 746".
		"join": func(v []string) string { return strings.Join(v, ", ") },
		// inc is n+1, for numbering rows from 1 ("Trin 1").
		"inc": func(n int) int { return n + 1 },
		// list bundles values for a partial that needs more than one: {{template "x" (list $ .)}}.
		"list": func(v ...any) []any { return v },
		// sprite is the icon sprite's URL (for <use href> with a name chosen in the template).
		"sprite": func() (string, error) { return c.assets.URL(assets.DKFDSIcons) },
	}
	base, err := template.New("base").Option("missingkey=error").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, file := range names {
		set, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := set.ParseFS(templateFiles, file); err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(path.Base(file), ".html")] = set
	}
	return t, nil
}

// Page is what a handler renders: a template of templates/pages/ with its data.
type Page struct {
	// Template is the page's file in templates/pages/, without .html.
	Template string
	// Title is the message key of the page's title (the <title> and, usually, its <h1>).
	Title string
	// TitleArgs fill the title's placeholders as name, value pairs ("title", order.Title).
	TitleArgs []any
	// Nav names the main-menu item to mark as current (navInbox, ...); "" marks none.
	Nav string
	// Data is the page's own data, reachable in the template as .Data.
	Data any
	// Form is a posted form with what was typed and its errors, when the page shows one.
	Form *Form
}

// View is what every template executes with: the page, the localizer (so {{.T "key"}} and
// {{$.T "key"}} translate), and what the layout needs.
type View struct {
	*i18n.Localizer
	Page
	// User is the logged-in person; nil on public pages without a session.
	User *User
	// CSRF is the session's token; every form posts it back as csrf_token (the "csrf" partial).
	CSRF string
	// Path is the current request's path and query (the language links return to it).
	Path string
	// Flash is a translated message about the last action (a redirect after a form post).
	Flash string
	// Status is the HTTP status of the answer.
	Status int
	// SessionEndsIn and SessionWarnBefore drive the design system's session-timeout dialog (seconds).
	SessionEndsIn, SessionWarnBefore int
	// RequestID is quoted on error pages.
	RequestID string
}

// PageTitle is the page's <title>: its title, marked as an error while its form shows errors
// (so a screen reader hears at once that the post did not go through).
func (v *View) PageTitle() (string, error) {
	t, err := v.T(v.Title, v.TitleArgs...)
	if err != nil || !v.Form.HasErrors() {
		return t, err
	}
	return v.T("form.errors.title", "title", t)
}

// StyleSheet is the design system's style sheet for the user: the virk.dk theme for an employer,
// as Danish business self-service looks, and the plain DKFDS theme for job-centre staff and for
// public pages without a session.
func (v *View) StyleSheet() string {
	if v.User.Is(auth.RoleEmployer) {
		return assets.DKFDSVirkCSS
	}
	return assets.DKFDSCSS
}

// User is the logged-in person as the layout shows them.
type User struct {
	auth.Principal
	// JobcenterName is the name of the person's job centre, if they work at one.
	JobcenterName string
}

// Is tells whether the user has the role (for menus; the services decide what they may do).
func (u *User) Is(role string) bool { return u != nil && u.Role == role }

// LangLinks are the other languages' links for the language switcher.
func (v *View) LangLinks() []LangLink {
	var out []LangLink
	for _, l := range i18n.Langs {
		out = append(out, LangLink{Lang: string(l), Name: languageNames[l], Current: l == v.Lang,
			Href: "/lang/" + string(l) + "?next=" + urlQueryEscape(v.Path)})
	}
	return out
}

// LangLink is one entry of the language switcher.
type LangLink struct {
	Lang, Name, Href string
	Current          bool
}

// Language names are written in their own language, so they are not in the catalogue.
var languageNames = map[i18n.Lang]string{i18n.Danish: "Dansk", i18n.English: "English"}

// Field is a form field of the page's form: {{template "input" ($.Field "title" "orders.field.title")}}.
func (v *View) Field(name, labelKey string) FieldView {
	f := FieldView{View: v, Name: name, ID: "field-" + name, LabelKey: labelKey}
	if v.Form != nil {
		f.Value = v.Form.Value(name)
		f.Error = v.Form.Error(name)
	}
	return f
}

// render executes a page into a buffer and writes it with status: a template that fails gives a
// clean error page instead of half a page.
func (c *Console) render(gc *gin.Context, status int, p Page) {
	v := c.view(gc, p)
	v.Status = status
	var buf bytes.Buffer
	if err := c.execute(&buf, v); err != nil {
		c.log.ErrorContext(gc.Request.Context(), "render page", "template", p.Template, "error", err, "request_id", v.RequestID)
		_ = gc.Error(err)
		if p.Template == "error" {
			gc.String(http.StatusInternalServerError, "internal error; request %s", v.RequestID)
			return
		}
		c.renderError(gc, http.StatusInternalServerError)
		return
	}
	gc.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (c *Console) execute(buf *bytes.Buffer, v *View) error {
	set, ok := c.pages.pages[v.Template]
	if !ok {
		return fmt.Errorf("web: no page template %q", v.Template)
	}
	return set.ExecuteTemplate(buf, "layout", v)
}

// renderError renders the error page for status (404, 403, 405, 500).
func (c *Console) renderError(gc *gin.Context, status int) {
	key := map[int]string{
		http.StatusNotFound: "error.notfound", http.StatusForbidden: "error.forbidden",
		http.StatusMethodNotAllowed: "error.method", http.StatusBadRequest: "error.badrequest",
	}[status]
	if key == "" {
		key = "error.internal"
	}
	c.render(gc, status, Page{Template: "error", Title: key + ".title", Data: errorData{Key: key}})
	gc.Abort()
}

type errorData struct{ Key string }

// view assembles the View of a request.
func (c *Console) view(gc *gin.Context, p Page) *View {
	v := &View{Localizer: localizer(gc), Page: p, Path: gc.Request.URL.RequestURI(), RequestID: gc.GetString("request_id")}
	if s := currentSession(gc); s != nil {
		v.CSRF = s.CSRFToken()
		if pr, ok := s.Principal(); ok {
			v.User = &User{Principal: pr, JobcenterName: c.jobcenterName(gc, pr.Jobcenter)}
			ends := int(s.ExpiresAt(c.d.Sessions.IdleTimeout()).Sub(c.now()).Seconds())
			v.SessionEndsIn = max(ends, 0)
			v.SessionWarnBefore = warnBefore(c.d.Sessions.IdleTimeout())
		}
	}
	v.Flash = c.takeFlash(gc, v.Localizer)
	return v
}

// warnBefore is how long before the session ends its dialog opens: five minutes, or a third of
// a shorter idle timeout.
func warnBefore(idle interface{ Seconds() float64 }) int {
	s := int(idle.Seconds())
	return min(300, s/3)
}

func (c *Console) jobcenterName(gc *gin.Context, code string) string {
	if code == "" || c.d.Jobcenters == nil {
		return ""
	}
	jc, err := c.d.Jobcenters.Get(gc.Request.Context(), code)
	if err != nil {
		return code
	}
	return jc.Name
}
