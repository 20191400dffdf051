package app

import (
	"context"
	"log/slog"

	"gorm.io/gorm"

	"jobordre/api"
	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/config"
	"jobordre/internal/followups"
	"jobordre/internal/inbox"
	"jobordre/web"
	"jobordre/web/session"
)

// NewConsole builds the web console on the API's services and puts it on deps, so api.New
// serves both. tokens is the API's bearer-token verifier: with JOBORDRE_OIDC_CLIENT_ID set, the
// console's OIDC login checks access tokens with it, so a person gets the same principal in the
// console as in the API. Discovery at the identity provider must succeed within
// cfg.OIDCStartTimeout, or the process does not start.
func NewConsole(ctx context.Context, cfg config.Config, db *gorm.DB, deps *api.Deps, tokens auth.Verifier, log *slog.Logger) (*web.Console, error) {
	d := web.Deps{
		Orders:     deps.Orders,
		Referrals:  deps.Referrals,
		Candidates: deps.Candidates,
		Directory:  deps.Directory,
		Jobcenters: deps.Jobcenters,
		Companies:  deps.Companies,
		Reference:  deps.Reference,
		Inbox:      inbox.NewService(db, access.DBRelations{DB: db, Ref: deps.Reference}),
		KPIs:       deps.KPIs,
		FollowUps:  followups.NewService(db),
		Sessions:   session.NewStore(db, cfg.Console.SessionIdleTimeout, cfg.Console.SessionMaxAge),
		BaseURL:    cfg.PublicBaseURL,
		Logger:     log.With("component", "console"),
	}
	if cfg.Console.OIDCClientID != "" && cfg.OIDCIssuer != "" {
		octx, cancel := context.WithTimeout(ctx, cfg.OIDCStartTimeout)
		defer cancel()
		o, err := web.NewOIDCLogin(octx, web.OIDCLoginConfig{
			Issuer: cfg.OIDCIssuer, ClientID: cfg.Console.OIDCClientID, ClientSecret: cfg.Console.OIDCClientSecret,
			RedirectURL: cfg.PublicBaseURL + web.CallbackPath, Scopes: cfg.Console.OIDCScopes, Tokens: tokens,
		})
		if err != nil {
			return nil, err
		}
		d.OIDC = o
		log.Info("console login by OIDC", "issuer", cfg.OIDCIssuer, "client_id", cfg.Console.OIDCClientID)
	}
	c, err := web.New(d)
	if err != nil {
		return nil, err
	}
	deps.Pages = c
	return c, nil
}
