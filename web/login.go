package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/web/i18n"
)

// loginData is what the login page shows.
type loginData struct {
	Next      string
	Expired   bool
	LoggedOut bool
	// OIDC is set when the console can log in with the identity provider.
	OIDC bool
	// Dev is the dev stack's login section (example users, token field); nil outside `jobordre dev`.
	Dev any
	// NoMethod: neither OIDC nor the dev login is available.
	NoMethod bool
}

// loginPage shows the ways to log in. It gives the browser an anonymous session first, so the
// page's forms carry a CSRF token; someone already logged in goes straight on.
func (c *Console) loginPage(gc *gin.Context) {
	c.showLogin(gc, http.StatusOK, nil)
}

func (c *Console) showLogin(gc *gin.Context, status int, form *Form) {
	next := localPath(gc.Query("next"))
	if form != nil {
		next = localPath(form.Value("next"))
	}
	if _, ok := principalOf(gc); ok && form == nil {
		gc.Redirect(http.StatusSeeOther, next)
		return
	}
	if currentSession(gc) == nil {
		if !c.startAnonymous(gc) {
			return
		}
	}
	d := loginData{Next: next, Expired: gc.Query("expired") == "1", LoggedOut: gc.Query("logged_out") == "1", OIDC: c.d.OIDC != nil}
	if c.dev != nil {
		d.Dev = c.dev.pageData(gc)
	}
	d.NoMethod = !d.OIDC && d.Dev == nil
	c.render(gc, status, Page{Template: "login", Title: "login.title", Data: d, Form: form})
}

// startAnonymous gives the request a new anonymous session and its cookie.
func (c *Console) startAnonymous(gc *gin.Context) bool {
	ctx, cancel := requestContext(gc)
	defer cancel()
	s, value, err := c.d.Sessions.Start(ctx)
	if err != nil {
		_ = gc.Error(err)
		c.renderError(gc, http.StatusInternalServerError)
		return false
	}
	c.setSessionCookie(gc, value)
	gc.Set(ctxSession, s)
	return true
}

// completeLogin replaces the browser's session by a logged-in one for p (a new cookie value
// and CSRF token) and goes on to next.
func (c *Console) completeLogin(gc *gin.Context, p auth.Principal, next string) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	s, value, err := c.d.Sessions.Login(ctx, currentSession(gc), p)
	if err != nil {
		_ = gc.Error(err)
		c.renderError(gc, http.StatusInternalServerError)
		return
	}
	c.setSessionCookie(gc, value)
	gc.Set(ctxSession, s)
	c.log.InfoContext(ctx, "console login", "role", p.Role)
	gc.Redirect(http.StatusSeeOther, localPath(next))
}

// logout ends the session on the server (its cookie is worthless from now on) and clears it.
func (c *Console) logout(gc *gin.Context) {
	if s := currentSession(gc); s != nil {
		ctx, cancel := requestContext(gc)
		defer cancel()
		if err := c.d.Sessions.End(ctx, s); err != nil {
			_ = gc.Error(err)
			c.renderError(gc, http.StatusInternalServerError)
			return
		}
	}
	c.clearSessionCookie(gc)
	gc.Redirect(http.StatusSeeOther, "/login?logged_out=1")
}

// extendSession is the session dialog's "stay logged in": it moves the idle deadline and
// answers with the seconds left.
func (c *Console) extendSession(gc *gin.Context) {
	s := currentSession(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	if err := c.d.Sessions.Extend(ctx, s); err != nil {
		_ = gc.Error(err)
		gc.JSON(http.StatusInternalServerError, gin.H{"error": "could not extend the session"})
		return
	}
	gc.JSON(http.StatusOK, gin.H{"ends_in": int(s.ExpiresAt(c.d.Sessions.IdleTimeout()).Sub(c.now()).Seconds())})
}

// setLanguage remembers the chosen language for a year and returns to the page.
func (c *Console) setLanguage(gc *gin.Context) {
	l, ok := i18n.Parse(gc.Param("lang"))
	if !ok || string(l) != gc.Param("lang") {
		c.renderError(gc, http.StatusNotFound)
		return
	}
	http.SetCookie(gc.Writer, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: c.cookies.secure, SameSite: http.SameSiteLaxMode})
	gc.Redirect(http.StatusSeeOther, localPath(gc.Query("next")))
}

// accessibility is the published accessibility statement (tilgængelighedserklæring), public.
func (c *Console) accessibility(gc *gin.Context) {
	c.render(gc, http.StatusOK, Page{Template: "accessibility", Title: "a11y.title"})
}
