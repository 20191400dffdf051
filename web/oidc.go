package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/web/session"
)

// OIDCLoginConfig configures the console's OpenID Connect login.
type OIDCLoginConfig struct {
	// Issuer is JOBORDRE_OIDC_ISSUER, the identity provider the API trusts.
	Issuer string
	// ClientID and ClientSecret identify the console to the identity provider; the secret may be
	// empty for a public client (PKCE protects the code either way).
	ClientID, ClientSecret string
	// RedirectURL is the callback, JOBORDRE_PUBLIC_BASE_URL + CallbackPath.
	RedirectURL string
	// Scopes are requested besides openid; empty means profile and email.
	Scopes []string
	// Tokens verifies the access token exactly as the API verifies bearer tokens, so a person
	// gets the same principal (role, job centre, CVR) in the console as their token has in the API.
	Tokens auth.Verifier
	// HTTPClient talks to the identity provider; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
}

// CallbackPath is where the identity provider sends the browser back.
const CallbackPath = "/login/callback"

// OIDCLogin is the authorization-code flow with PKCE against the identity provider.
type OIDCLogin struct {
	oauth    oauth2.Config
	idTokens *oidc.IDTokenVerifier
	tokens   auth.Verifier
	client   *http.Client
}

// NewOIDCLogin runs discovery on cfg.Issuer (bounded by ctx) and returns the login.
func NewOIDCLogin(ctx context.Context, cfg OIDCLoginConfig) (*OIDCLogin, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("web: the OIDC login needs an issuer, a client ID and a redirect URL")
	}
	if cfg.Tokens == nil {
		return nil, errors.New("web: the OIDC login needs the API's token verifier")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("web: OIDC discovery at %s: %w", cfg.Issuer, err)
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"profile", "email"}
	}
	return &OIDCLogin{
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, scopes...)},
		idTokens: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		tokens:   cfg.Tokens,
		client:   client,
	}, nil
}

// oidcStart begins a login: a fresh state, nonce and PKCE verifier are kept in the browser's
// (anonymous) session, and the browser goes to the identity provider.
func (c *Console) oidcStart(gc *gin.Context) {
	o := c.d.OIDC
	if o == nil {
		c.renderError(gc, http.StatusNotFound)
		return
	}
	if currentSession(gc) == nil || isLoggedIn(gc) {
		// A login always starts from an anonymous session of its own.
		if !c.startAnonymous(gc) {
			return
		}
	}
	state, err1 := session.NewSecret(32)
	nonce, err2 := session.NewSecret(32)
	if err := errors.Join(err1, err2); err != nil {
		_ = gc.Error(err)
		c.renderError(gc, http.StatusInternalServerError)
		return
	}
	verifier := oauth2.GenerateVerifier()
	ctx, cancel := requestContext(gc)
	defer cancel()
	if err := c.d.Sessions.BeginLogin(ctx, currentSession(gc), session.Login{State: state, Nonce: nonce, Verifier: verifier, ReturnTo: localPath(gc.Query("next"))}); err != nil {
		_ = gc.Error(err)
		c.renderError(gc, http.StatusInternalServerError)
		return
	}
	gc.Redirect(http.StatusSeeOther, o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
}

func isLoggedIn(gc *gin.Context) bool { _, ok := principalOf(gc); return ok }

// oidcCallback finishes a login: the state must be this browser's, the code is exchanged with
// the PKCE verifier, the ID token's signature, audience and nonce are checked, and the access
// token gives the principal as the API would; then the session is replaced by a logged-in one.
func (c *Console) oidcCallback(gc *gin.Context) {
	o := c.d.OIDC
	s := currentSession(gc)
	if o == nil {
		c.renderError(gc, http.StatusNotFound)
		return
	}
	var pending session.Login
	ok := false
	if s != nil {
		pending, ok = s.PendingLogin()
	}
	state := gc.Query("state")
	if !ok || state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(pending.State)) != 1 {
		c.log.WarnContext(gc.Request.Context(), "oidc callback without a matching login in progress")
		c.loginFailed(gc, "login.error.state")
		return
	}
	if e := gc.Query("error"); e != "" {
		c.log.InfoContext(gc.Request.Context(), "identity provider refused the login", "error", e)
		c.loginFailed(gc, "login.error.refused")
		return
	}
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, err := o.exchange(oidc.ClientContext(ctx, o.client), gc.Query("code"), pending)
	if err != nil {
		c.log.WarnContext(ctx, "oidc login failed", "error", err)
		c.loginFailed(gc, "login.error.failed")
		return
	}
	if !access.CanUseConsole(p) {
		c.loginFailed(gc, "login.error.system")
		return
	}
	c.completeLogin(gc, p, pending.ReturnTo)
}

// exchange trades the code for tokens and maps them to a principal.
func (o *OIDCLogin) exchange(ctx context.Context, code string, pending session.Login) (auth.Principal, error) {
	if code == "" {
		return auth.Principal{}, errors.New("no code in the callback")
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		return auth.Principal{}, fmt.Errorf("exchange the code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return auth.Principal{}, errors.New("the token response holds no id_token")
	}
	idt, err := o.idTokens.Verify(ctx, raw)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("verify the ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pending.Nonce)) != 1 {
		return auth.Principal{}, errors.New("the ID token's nonce is not this login's")
	}
	p, err := o.tokens.Verify(strings.TrimSpace(tok.AccessToken))
	if err != nil {
		return auth.Principal{}, fmt.Errorf("verify the access token: %w", err)
	}
	if p.Subject != idt.Subject {
		return auth.Principal{}, errors.New("the access token and the ID token name different subjects")
	}
	return p, nil
}

// loginFailed shows the login page with what went wrong.
func (c *Console) loginFailed(gc *gin.Context, key string) {
	f := NewForm(nil)
	f.Add("login", localizer(gc).Must(key))
	c.showLogin(gc, http.StatusBadRequest, f)
}

// SetOIDCRedirectURL changes the callback URL of o (tests, whose address is known only once
// the server listens).
func SetOIDCRedirectURL(o *OIDCLogin, u string) { o.oauth.RedirectURL = u }
