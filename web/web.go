// Package web is jobordre's console: server-rendered HTML pages for caseworkers, managers and
// employers, served by the `api` process and by `jobordre dev` on the same Gin engine as the
// JSON API, at the API's paths without /api/v1 (/job-orders, /job-orders/{id}, ...).
//
// A page handler is like an API handler: decode the request, call a service (internal/orders,
// internal/referrals, ...), render a template. The services and internal/access decide what a
// caller may see and do; no page holds a business or visibility rule, and no page calls the
// JSON API over HTTP. docs/console.md explains how to add a page.
//
// Styling is Det Fælles Designsystem (DKFDS), vendored and embedded by web/assets; every text is
// in the message catalogue of web/i18n (Danish first, English available); every action is a
// plain form post that works without JavaScript, which htmx and the design system's script only
// make nicer. Sessions live in the database (web/session) behind an HttpOnly cookie; every
// state-changing request passes Go's cross-origin protection and carries the session's CSRF token.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/candidates"
	"jobordre/internal/companies"
	"jobordre/internal/directory"
	"jobordre/internal/followups"
	"jobordre/internal/inbox"
	"jobordre/internal/jobcenters"
	"jobordre/internal/kpi"
	"jobordre/internal/orders"
	"jobordre/internal/refdata"
	"jobordre/internal/referrals"
	"jobordre/web/assets"
	"jobordre/web/i18n"
	"jobordre/web/session"
)

// Deps are the console's dependencies: the same services the JSON API uses.
type Deps struct {
	Orders    *orders.Service
	Referrals *referrals.Service
	// Candidates searches candidates and suggests them for an order.
	Candidates *candidates.Service
	Directory  *directory.Directory
	Jobcenters *jobcenters.Service
	Companies  *companies.Service
	Reference  *refdata.Data
	Inbox      *inbox.Service
	// KPIs is the key figures behind the manager's dashboard (the API's /kpis).
	KPIs *kpi.Service
	// FollowUps is the manager's follow-up lists.
	FollowUps *followups.Service
	Sessions  *session.Store
	// OIDC logs people in with the identity provider (authorization code + PKCE); nil when the
	// console has no OIDC client configured.
	OIDC *OIDCLogin
	// BaseURL is the console's public base URL (JOBORDRE_PUBLIC_BASE_URL). Only an http URL on
	// the loopback interface (a local dev stack) relaxes the session cookie's Secure attribute.
	BaseURL string
	Logger  *slog.Logger
}

// Console is the set of pages.
type Console struct {
	d       Deps
	log     *slog.Logger
	assets  *assets.Set
	cat     *i18n.Catalogue
	pages   *templates
	cookies cookiePolicy
	cop     *http.CrossOriginProtection
	dev     devLogin // nil unless EnableDevLogin was called (jobordre dev only)
}

// devLogin is the dev stack's way in (web/devlogin.go, absent from -tags production builds).
type devLogin interface {
	// pageData is what the login page shows of it.
	pageData(c *gin.Context) any
	// register adds its routes.
	register(c *Console, r gin.IRoutes)
}

// New loads the console's assets, messages and templates; any of them failing to load is a
// build error and is returned.
func New(d Deps) (*Console, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Sessions == nil {
		return nil, errors.New("web: a session store is required")
	}
	set, err := assets.Load()
	if err != nil {
		return nil, err
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	c := &Console{d: d, log: d.Logger, assets: set, cat: cat, cookies: newCookiePolicy(d.BaseURL)}
	if c.pages, err = loadTemplates(c); err != nil {
		return nil, err
	}
	c.cop = http.NewCrossOriginProtection()
	c.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Rendered by the csrf middleware; this handler is not used (Check is called directly).
		w.WriteHeader(http.StatusForbidden)
	}))
	return c, nil
}

// cookiePolicy is how the console's cookies are set.
type cookiePolicy struct {
	secure bool
	// sessionName is __Host-jobordre-session (Secure, Path=/, no Domain) or, on a local http
	// dev stack, jobordre-session.
	sessionName string
}

// newCookiePolicy keeps cookies Secure unless the base URL is plain http on the loopback
// interface, where a browser would drop a Secure cookie of http://127.0.0.1 (docs/console.md).
func newCookiePolicy(baseURL string) cookiePolicy {
	if u, err := url.Parse(baseURL); err == nil && u.Scheme == "http" {
		h := u.Hostname()
		if h == "localhost" || (net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback()) {
			return cookiePolicy{secure: false, sessionName: "jobordre-session"}
		}
	}
	return cookiePolicy{secure: true, sessionName: "__Host-jobordre-session"}
}

// Register adds every page route to r (routes.go lists them).
func (c *Console) Register(r *gin.Engine) { c.routes(r) }

// NotFound renders the console's 404 page (the engine's NoRoute for page paths).
func (c *Console) NotFound(gc *gin.Context) {
	c.pageHeaders(gc)
	c.loadSession(gc)
	c.renderError(gc, http.StatusNotFound)
}

// MethodNotAllowed renders the console's 405 page.
func (c *Console) MethodNotAllowed(gc *gin.Context) {
	c.pageHeaders(gc)
	c.loadSession(gc)
	c.renderError(gc, http.StatusMethodNotAllowed)
}

// requestContext bounds a page's service calls.
func requestContext(gc *gin.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(gc.Request.Context(), 30*time.Second)
}

// localPath returns next when it is a path on this site ("/job-orders?status=open"), else "/":
// the login redirect never sends anyone to another site.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsAny(next, "\r\n\x00") || len(next) > 2000 {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
