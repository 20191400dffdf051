package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/web/i18n"
	"jobordre/web/session"
)

// Context keys the console's middleware sets.
const (
	ctxSession   = "web.session"
	ctxLocalizer = "web.localizer"
	ctxPrincipal = "web.principal"
)

// Cookie and form names.
const (
	langCookie  = "jobordre-lang"
	flashCookie = "jobordre-flash"
	// CSRFField is the hidden field every form posts its session's CSRF token in.
	CSRFField = "csrf_token"
	// CSRFHeader carries the token on script requests (the session dialog's "stay logged in").
	CSRFHeader = "X-CSRF-Token"
)

// contentSecurityPolicy allows the console's own scripts, styles, fonts and images only: no
// inline script, no other origin, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// pageHeaders sets the headers of every page: pages hold personal data, so they are never
// cached, and they load nothing from elsewhere.
func (c *Console) pageHeaders(gc *gin.Context) {
	h := gc.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	h.Add("Vary", "Cookie")
}

// pages is the middleware of every console route: headers, session, language.
func (c *Console) pagesMiddleware(gc *gin.Context) {
	c.pageHeaders(gc)
	c.loadSession(gc)
	gc.Next()
}

// loadSession reads the session cookie and the language; an unknown or expired session is
// simply absent (the cookie is cleared). It notes an expiry so the login page can say why.
func (c *Console) loadSession(gc *gin.Context) {
	gc.Set(ctxLocalizer, c.cat.For(c.language(gc)))
	value, err := gc.Cookie(c.cookies.sessionName)
	if err != nil || value == "" {
		return
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	s, err := c.d.Sessions.Load(ctx, value)
	switch {
	case err == nil:
		gc.Set(ctxSession, s)
		if p, ok := s.Principal(); ok {
			gc.Set(ctxPrincipal, p)
		}
	case errors.Is(err, session.ErrExpired):
		c.clearSessionCookie(gc)
		gc.Set("web.expired", true)
	case errors.Is(err, session.ErrNoSession):
		c.clearSessionCookie(gc)
	default:
		c.log.ErrorContext(gc.Request.Context(), "load session", "error", err)
		_ = gc.Error(err)
		c.renderError(gc, http.StatusInternalServerError)
	}
}

// language is the cookie's language, else the browser's (Accept-Language), else Danish.
func (c *Console) language(gc *gin.Context) i18n.Lang {
	if v, err := gc.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(v); ok {
			return l
		}
	}
	return i18n.Negotiate(gc.GetHeader("Accept-Language"))
}

// csrf refuses a state-changing request that comes from another origin (Go's
// http.CrossOriginProtection: Sec-Fetch-Site, Origin) or lacks the session's CSRF token.
// Nothing is read or changed before both checks pass.
func (c *Console) csrf(gc *gin.Context) {
	switch gc.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		gc.Next()
		return
	}
	if err := c.cop.Check(gc.Request); err != nil {
		c.log.WarnContext(gc.Request.Context(), "refused a cross-origin form post", "route", gc.FullPath())
		c.renderError(gc, http.StatusForbidden)
		return
	}
	s := currentSession(gc)
	token := gc.GetHeader(CSRFHeader)
	if token == "" {
		token = gc.PostForm(CSRFField)
	}
	if s == nil || !s.CheckCSRF(token) {
		if s == nil {
			// No session (it expired): the form cannot be trusted; log in again.
			c.redirectToLogin(gc)
			return
		}
		c.log.WarnContext(gc.Request.Context(), "refused a form post without its CSRF token", "route", gc.FullPath())
		c.renderError(gc, http.StatusForbidden)
		return
	}
	gc.Next()
}

// requireLogin sends a request without a logged-in session to /login, which returns to the
// page afterwards; the logged-in person is registered in the directory as the API does.
func (c *Console) requireLogin(gc *gin.Context) {
	p, ok := principalOf(gc)
	if !ok {
		c.redirectToLogin(gc)
		return
	}
	if c.d.Directory != nil {
		if err := c.d.Directory.Register(gc.Request.Context(), p); err != nil {
			_ = gc.Error(err)
			c.renderError(gc, http.StatusInternalServerError)
			return
		}
	}
	gc.Next()
}

// notForEmployers answers an employer the 404 page on the job centres' own pages (the
// candidate register): to an employer they do not exist, as every job-centre page it may not
// open (issue #13: "the employer gets a 404 page for every job-centre page"). Other callers go
// on to the page, whose service decides.
func (c *Console) notForEmployers(gc *gin.Context) {
	if p, ok := principalOf(gc); ok && p.Role == auth.RoleEmployer {
		c.renderError(gc, http.StatusNotFound)
		gc.Abort()
		return
	}
	gc.Next()
}

func (c *Console) redirectToLogin(gc *gin.Context) {
	next := gc.Request.URL.RequestURI()
	if gc.Request.Method != http.MethodGet {
		next = "/"
		if ref := gc.Request.Referer(); ref != "" {
			if u, err := url.Parse(ref); err == nil && u.Host == gc.Request.Host {
				next = u.RequestURI()
			}
		}
	}
	target := "/login?next=" + url.QueryEscape(localPath(next))
	if gc.GetBool("web.expired") {
		target += "&expired=1"
	}
	gc.Redirect(http.StatusSeeOther, target)
	gc.Abort()
}

// currentSession is the request's session, or nil.
func currentSession(gc *gin.Context) *session.Session {
	if v, ok := gc.Get(ctxSession); ok {
		return v.(*session.Session)
	}
	return nil
}

// principalOf is the logged-in caller of a request.
func principalOf(gc *gin.Context) (auth.Principal, bool) {
	if v, ok := gc.Get(ctxPrincipal); ok {
		return v.(auth.Principal), true
	}
	return auth.Principal{}, false
}

// principal is the logged-in caller of a request behind requireLogin.
func principal(gc *gin.Context) auth.Principal {
	p, _ := principalOf(gc)
	return p
}

// localizer is the request's localizer.
func localizer(gc *gin.Context) *i18n.Localizer {
	return gc.MustGet(ctxLocalizer).(*i18n.Localizer)
}

// setSessionCookie gives the browser its session's cookie: HttpOnly, SameSite=Lax, Path=/, Secure
// (except on a local http dev stack), no Max-Age (the server decides when it ends).
func (c *Console) setSessionCookie(gc *gin.Context, value string) {
	http.SetCookie(gc.Writer, &http.Cookie{Name: c.cookies.sessionName, Value: value, Path: "/",
		HttpOnly: true, Secure: c.cookies.secure, SameSite: http.SameSiteLaxMode})
}

func (c *Console) clearSessionCookie(gc *gin.Context) {
	http.SetCookie(gc.Writer, &http.Cookie{Name: c.cookies.sessionName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.cookies.secure, SameSite: http.SameSiteLaxMode})
}

// setFlash shows a message (a key under "flash." in the catalogue) on the next page, the
// one a form post redirects to.
func (c *Console) setFlash(gc *gin.Context, key string) {
	http.SetCookie(gc.Writer, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: c.cookies.secure, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the flash message; only catalogue keys under "flash." are shown.
func (c *Console) takeFlash(gc *gin.Context, l *i18n.Localizer) string {
	key, err := gc.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(gc.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.cookies.secure, SameSite: http.SameSiteLaxMode})
	if !strings.HasPrefix(key, "flash.") {
		return ""
	}
	text, err := l.T(key)
	if err != nil {
		return ""
	}
	return text
}

func (c *Console) now() time.Time { return time.Now() }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
