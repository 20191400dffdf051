// Package authtest is a local OpenID Connect identity provider for tests: it serves discovery
// and a JWKS from an httptest server, signs tokens with its RSA and EC keys, and runs the
// authorization-code flow with PKCE for registered clients (code.go).
package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Key IDs of the provider's own keys.
const (
	RSAKeyID = "rsa-1"
	ECKeyID  = "ec-1"
)

// Audience is the audience the provider's default claims carry.
const Audience = "jobordre-api"

// IdP is the identity provider.
type IdP struct {
	Server *httptest.Server
	// Issuer is the server's URL, the iss of its tokens.
	Issuer string
	RSA    *rsa.PrivateKey
	EC     *ecdsa.PrivateKey

	mu          sync.Mutex
	flow        codeFlow
	published   []jose.JSONWebKey
	jwksFetches atomic.Int64
	down        atomic.Bool
}

// New starts a provider publishing its RSA (RS256) and EC (ES256) keys; it stops at t.Cleanup.
func New(t testing.TB) *IdP {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &IdP{RSA: rsaKey, EC: ecKey, flow: codeFlow{clients: map[string]client{}, codes: map[string]grant{}}}
	p.Publish(RSAKeyID, "RS256", &rsaKey.PublicKey)
	p.Publish(ECKeyID, "ES256", &ecKey.PublicKey)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                p.Issuer,
			"jwks_uri":                              p.Issuer + "/jwks",
			"authorization_endpoint":                p.Issuer + "/authorize",
			"token_endpoint":                        p.Issuer + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		p.jwksFetches.Add(1)
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		p.mu.Lock()
		set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), p.published...)}
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_ = json.NewEncoder(w).Encode(set)
	})
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	p.Issuer = p.Server.URL
	t.Cleanup(p.Server.Close)
	return p
}

// Publish adds a public key to the JWKS (alg may be empty).
func (p *IdP) Publish(kid, alg string, pub crypto.PublicKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published = append(p.published, jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"})
}

// Withdraw removes a key from the JWKS.
func (p *IdP) Withdraw(kid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.published[:0]
	for _, k := range p.published {
		if k.KeyID != kid {
			kept = append(kept, k)
		}
	}
	p.published = kept
}

// SetDown makes discovery and the JWKS answer 503 (or work again).
func (p *IdP) SetDown(down bool) { p.down.Store(down) }

// JWKSFetches counts the requests for the JWKS so far.
func (p *IdP) JWKSFetches() int { return int(p.jwksFetches.Load()) }

// Claims returns valid claims for sub with role, valid for an hour from now, with extra set on top
// (a nil value in extra removes the claim).
func (p *IdP) Claims(sub, role string, extra map[string]any) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"iss": p.Issuer, "aud": Audience, "sub": sub, "role": role,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// Sign signs claims with method and key, naming kid in the header when it is not empty.
func Sign(t testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RS256 signs claims with the provider's RSA key.
func (p *IdP) RS256(t testing.TB, claims jwt.Claims) string {
	return Sign(t, jwt.SigningMethodRS256, RSAKeyID, p.RSA, claims)
}

// ES256 signs claims with the provider's EC key.
func (p *IdP) ES256(t testing.TB, claims jwt.Claims) string {
	return Sign(t, jwt.SigningMethodES256, ECKeyID, p.EC, claims)
}

// PublicKeys returns the keys published now, for checking a signature independently.
func (p *IdP) PublicKeys() []crypto.PublicKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]crypto.PublicKey, 0, len(p.published))
	for _, k := range p.published {
		out = append(out, k.Key)
	}
	return out
}
