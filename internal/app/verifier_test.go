package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/auth/authtest"
	"jobordre/internal/config"
)

func TestAPIVerifierFollowsTheConfiguration(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := config.Defaults()
	if _, err := APIVerifier(context.Background(), cfg, log); err == nil ||
		!strings.Contains(err.Error(), "JOBORDRE_OIDC_ISSUER") || !strings.Contains(err.Error(), "JOBORDRE_JWT_SECRET") {
		t.Fatalf("no issuer and no secret must say how to fix it: %v", err)
	}

	cfg.JWTSecret = "a-secret-that-is-at-least-32-characters"
	v, err := APIVerifier(context.Background(), cfg, log)
	if _, ok := v.(*auth.HS256); err != nil || !ok {
		t.Fatalf("with a secret only: %T %v, want *auth.HS256", v, err)
	}

	idp := authtest.New(t)
	cfg.OIDCIssuer, cfg.OIDCAudience = idp.Issuer, authtest.Audience
	v, err = APIVerifier(context.Background(), cfg, log)
	if _, ok := v.(*auth.OIDC); err != nil || !ok {
		t.Fatalf("with an issuer (and a secret): %T %v, want *auth.OIDC", v, err)
	}
	tok := idp.RS256(t, idp.Claims("adm-1", auth.RoleAdmin, nil))
	if p, err := v.Verify(tok); err != nil || p.Subject != "adm-1" {
		t.Fatalf("OIDC token: %+v %v", p, err)
	}
	hs, _ := auth.NewHS256(cfg.JWTSecret, cfg.JWTIssuer, cfg.JWTAudience)
	devTok, _ := hs.Sign(auth.Principal{Subject: "adm-1", Role: auth.RoleAdmin}, time.Hour)
	if _, err := v.Verify(devTok); err == nil {
		t.Fatal("in OIDC mode an HS256 token must be refused")
	}

	// Skew 0 in the configuration means no leeway at all.
	cfg.OIDCClockSkew = 0
	v, err = APIVerifier(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	expired := idp.RS256(t, idp.Claims("adm-1", auth.RoleAdmin, map[string]any{"exp": time.Now().Add(-2 * time.Second).Unix()}))
	if _, err := v.Verify(expired); err == nil {
		t.Fatal("JOBORDRE_OIDC_CLOCK_SKEW=0s must allow no leeway")
	}

	idp.SetDown(true)
	cfg.OIDCStartTimeout = time.Second
	if _, err := APIVerifier(context.Background(), cfg, log); err == nil || !strings.Contains(err.Error(), "discovery") {
		t.Fatalf("an unreachable identity provider must stop the start: %v", err)
	}
}

func TestRateLimiterFollowsTheConfiguration(t *testing.T) {
	cfg := config.Defaults()
	if RateLimiter(cfg) == nil {
		t.Fatal("the default configuration limits")
	}
	cfg.RateLimitRPS = 0
	if RateLimiter(cfg) != nil {
		t.Fatal("JOBORDRE_RATE_LIMIT_RPS=0 disables the limit")
	}
	cfg.RateLimitRPS, cfg.RateLimitBurst = 20, 0
	if RateLimiter(cfg) != nil {
		t.Fatal("JOBORDRE_RATE_LIMIT_BURST=0 disables the limit")
	}
}
