//go:build !production

package web

import (
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/access"
	"jobordre/internal/auth"
)

// DevUser is one of the dev stack's example users, offered on its login page.
type DevUser struct {
	Principal auth.Principal
	// Token is a bearer token for the principal, as `jobordre token` prints it.
	Token string
}

// EnableDevLogin adds the dev stack's login: /login lists users to pick from, and POST /login
// accepts a form field "token" holding any bearer token verifier accepts (what `jobordre token`
// prints), logging in as its principal. Only `jobordre dev` calls it; the file is left out of
// -tags production builds, so the production binary has no such way in. Call it before Register.
func (c *Console) EnableDevLogin(users []DevUser, verifier auth.Verifier) {
	c.dev = &devTokenLogin{users: users, verifier: verifier}
}

type devTokenLogin struct {
	users    []DevUser
	verifier auth.Verifier
}

// devLoginData is the login page's dev section.
type devLoginData struct {
	Users []DevUser
}

// pageData offers the example users to browsers on this machine only, like the dev mailbox:
// the page would hand their tokens to anyone who can reach a dev stack on the network. The
// token field is offered to everyone; a token is its own proof.
func (d *devTokenLogin) pageData(gc *gin.Context) any {
	if !fromLoopback(gc.Request) {
		return devLoginData{}
	}
	return devLoginData{Users: d.users}
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (d *devTokenLogin) register(c *Console, r gin.IRoutes) {
	r.POST("/login", func(gc *gin.Context) { c.devLogin(gc, d) })
}

// devLogin logs in with a bearer token; a token the verifier refuses shows the form again with
// the reason at the field.
func (c *Console) devLogin(gc *gin.Context, d *devTokenLogin) {
	form := NewForm(gc.Request.PostForm)
	token := strings.TrimSpace(gc.PostForm("token"))
	l := localizer(gc)
	if token == "" {
		form.Add("token", l.Must("login.error.token_missing"))
		c.showLogin(gc, http.StatusUnprocessableEntity, form)
		return
	}
	p, err := d.verifier.Verify(token)
	if err != nil {
		form.Add("token", l.Must("login.error.token_invalid", "reason", err.Error()))
		c.showLogin(gc, http.StatusUnprocessableEntity, form)
		return
	}
	if !access.CanUseConsole(p) {
		form.Add("token", l.Must("login.error.system"))
		c.showLogin(gc, http.StatusUnprocessableEntity, form)
		return
	}
	c.completeLogin(gc, p, gc.PostForm("next"))
}
