package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/referrals"
)

// secureLinkPage is the page behind a secure_link referral's mailed link (/secure-links/{token}):
// no account, a one-time code sent to the address the link was mailed to, then the CVs. Every
// rule (expiry, codes, guesses, the access log) is the referral service's.
type secureLinkPage struct {
	Token string
	referrals.SecureLinkPage
	// Expired: the link's time is up; the page offers nothing.
	Expired bool
	// CodeJustSent: a code was mailed by this request.
	CodeJustSent bool
	// Opened: the code was right; CVs are what the link shows now (none when the referral was
	// withdrawn or the candidate's CV is no longer shared).
	Opened bool
	CVs    []referrals.SecureLinkCV
	// RetryAt is when the next code may be asked for, after too many.
	RetryAt *time.Time
}

// registerSecureLinks adds the secure link's page; it is public (the link and the code are the
// proof), its forms carry the anonymous session's CSRF token.
func (c *Console) registerSecureLinks(r gin.IRoutes) {
	r.GET("/secure-links/:token", c.secureLink)
	r.POST("/secure-links/:token/code", c.secureLinkCode)
	r.POST("/secure-links/:token", c.openSecureLink)
}

// loadSecureLink reads the link's page; ok is false when an answer was written (unknown link).
func (c *Console) loadSecureLink(gc *gin.Context) (*secureLinkPage, bool) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	token := gc.Param("token")
	info, err := c.d.Referrals.SecureLink(ctx, token)
	switch {
	case errors.Is(err, referrals.ErrSecureLinkNotFound):
		c.renderError(gc, http.StatusNotFound)
		return nil, false
	case errors.Is(err, referrals.ErrSecureLinkExpired):
		return &secureLinkPage{Token: token, SecureLinkPage: info, Expired: true}, true
	case err != nil:
		c.fail(gc, err)
		return nil, false
	}
	return &secureLinkPage{Token: token, SecureLinkPage: info}, true
}

func (c *Console) showSecureLink(gc *gin.Context, status int, d *secureLinkPage, form *Form) {
	if d.Expired && status < 400 {
		status = http.StatusGone
	}
	// The page's forms post the CSRF token of a session: a reader without one gets an
	// anonymous session, as on the login page.
	if currentSession(gc) == nil && !c.startAnonymous(gc) {
		return
	}
	c.render(gc, status, Page{Template: "securelink", Title: "securelink.title", Data: d, Form: form})
}

// secureLink shows the page: ask for a code, then enter it. Opening it sends nothing (mail
// scanners open links too).
func (c *Console) secureLink(gc *gin.Context) {
	if d, ok := c.loadSecureLink(gc); ok {
		c.showSecureLink(gc, http.StatusOK, d, nil)
	}
}

// secureLinkCode mails a new one-time code to the link's address.
func (c *Console) secureLinkCode(gc *gin.Context) {
	d, ok := c.loadSecureLink(gc)
	if !ok {
		return
	}
	if d.Expired {
		c.showSecureLink(gc, http.StatusGone, d, nil)
		return
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	l := localizer(gc)
	err := c.d.Referrals.SendSecureLinkCode(ctx, d.Token)
	var tooMany *referrals.TooManyCodesError
	switch {
	case errors.As(err, &tooMany):
		d.RetryAt = &tooMany.RetryAt
		form := NewForm(gc.Request.PostForm)
		form.Add("send_code", l.Must("securelink.error.too_many", "time", l.DateTime(tooMany.RetryAt)))
		c.showSecureLink(gc, http.StatusTooManyRequests, d, form)
		return
	case errors.Is(err, referrals.ErrSecureLinkExpired):
		d.Expired = true
		c.showSecureLink(gc, http.StatusGone, d, nil)
		return
	case err != nil:
		c.fail(gc, err)
		return
	}
	d.CodeSent, d.CodeJustSent = true, true
	c.showSecureLink(gc, http.StatusOK, d, nil)
}

// openSecureLink checks the code and shows the CVs; a wrong or void code shows the form again
// with the error summary.
func (c *Console) openSecureLink(gc *gin.Context) {
	d, ok := c.loadSecureLink(gc)
	if !ok {
		return
	}
	if d.Expired {
		c.showSecureLink(gc, http.StatusGone, d, nil)
		return
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	l := localizer(gc)
	form := NewForm(gc.Request.PostForm)
	cvs, err := c.d.Referrals.OpenSecureLink(ctx, d.Token, gc.PostForm("code"))
	switch {
	case errors.Is(err, referrals.ErrCodeWrong):
		form.Add("code", l.Must("securelink.error.code_wrong"))
	case errors.Is(err, referrals.ErrCodeExpired):
		form.Add("code", l.Must("securelink.error.code_expired"))
	case errors.Is(err, referrals.ErrSecureLinkExpired):
		d.Expired = true
		c.showSecureLink(gc, http.StatusGone, d, nil)
		return
	case err != nil:
		c.fail(gc, err)
		return
	}
	if form.HasErrors() {
		c.showSecureLink(gc, http.StatusUnprocessableEntity, d, form)
		return
	}
	d.Opened, d.CVs = true, cvs
	// The CVs are personal data: no cache keeps them.
	gc.Header("Cache-Control", "no-store")
	c.showSecureLink(gc, http.StatusOK, d, nil)
}
