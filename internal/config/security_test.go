package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSecurityDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCIssuer != "" || c.OIDCAudience != "" || c.OIDCClockSkew != 60*time.Second || c.OIDCStartTimeout != 10*time.Second ||
		c.OIDCAlgorithms != nil || c.RateLimitRPS != 20 || c.RateLimitBurst != 40 {
		t.Fatalf("security defaults: %+v", c)
	}
}

func TestOIDCAndRateLimitSettings(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"JOBORDRE_OIDC_ISSUER": "https://login.example.dk/realms/jobcenter", "JOBORDRE_OIDC_AUDIENCE": "jobordre-api",
		"JOBORDRE_OIDC_CLOCK_SKEW": "0s", "JOBORDRE_OIDC_ALGORITHMS": "RS256, ES256,", "JOBORDRE_OIDC_START_TIMEOUT": "3s",
		"JOBORDRE_RATE_LIMIT_RPS": "2.5", "JOBORDRE_RATE_LIMIT_BURST": "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCIssuer != "https://login.example.dk/realms/jobcenter" || c.OIDCAudience != "jobordre-api" || c.OIDCClockSkew != 0 ||
		!slices.Equal(c.OIDCAlgorithms, []string{"RS256", "ES256"}) || c.OIDCStartTimeout != 3*time.Second ||
		c.RateLimitRPS != 2.5 || c.RateLimitBurst != 0 {
		t.Fatalf("settings: %+v", c)
	}
	if _, err := FromEnv(env(map[string]string{"JOBORDRE_OIDC_ISSUER": "http://127.0.0.1:8081/idp", "JOBORDRE_OIDC_AUDIENCE": "a"})); err != nil {
		t.Fatalf("plain http on loopback is allowed for a local identity provider: %v", err)
	}
}

func TestBadSecuritySettingsAreRefused(t *testing.T) {
	for name, c := range map[string]struct {
		env  map[string]string
		want string
	}{
		"issuer without audience": {map[string]string{"JOBORDRE_OIDC_ISSUER": "https://idp.example"}, "JOBORDRE_OIDC_AUDIENCE: required"},
		"audience without issuer": {map[string]string{"JOBORDRE_OIDC_AUDIENCE": "a"}, "without JOBORDRE_OIDC_ISSUER"},
		"plain http issuer":       {map[string]string{"JOBORDRE_OIDC_ISSUER": "http://idp.example", "JOBORDRE_OIDC_AUDIENCE": "a"}, "must use https"},
		"relative issuer":         {map[string]string{"JOBORDRE_OIDC_ISSUER": "idp.example", "JOBORDRE_OIDC_AUDIENCE": "a"}, "JOBORDRE_OIDC_ISSUER"},
		"issuer with query":       {map[string]string{"JOBORDRE_OIDC_ISSUER": "https://idp.example/?x=1", "JOBORDRE_OIDC_AUDIENCE": "a"}, "JOBORDRE_OIDC_ISSUER"},
		"skew too large":          {map[string]string{"JOBORDRE_OIDC_CLOCK_SKEW": "1h"}, "JOBORDRE_OIDC_CLOCK_SKEW"},
		"negative skew":           {map[string]string{"JOBORDRE_OIDC_CLOCK_SKEW": "-1s"}, "JOBORDRE_OIDC_CLOCK_SKEW"},
		"rps not a number":        {map[string]string{"JOBORDRE_RATE_LIMIT_RPS": "fast"}, "JOBORDRE_RATE_LIMIT_RPS"},
		"negative rps":            {map[string]string{"JOBORDRE_RATE_LIMIT_RPS": "-1"}, "JOBORDRE_RATE_LIMIT_RPS"},
		"infinite rps":            {map[string]string{"JOBORDRE_RATE_LIMIT_RPS": "Inf"}, "JOBORDRE_RATE_LIMIT_RPS"},
		"fractional burst":        {map[string]string{"JOBORDRE_RATE_LIMIT_BURST": "1.5"}, "JOBORDRE_RATE_LIMIT_BURST"},
	} {
		_, err := FromEnv(env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}
