package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// AsymmetricAlgorithms are the JWS algorithms an OIDC verifier can accept: public-key signatures
// only, so a key from the identity provider's JWKS can never be used as an HMAC secret.
var AsymmetricAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}

// OIDC defaults.
const (
	DefaultOIDCClockSkew    = 60 * time.Second
	DefaultOIDCStartTimeout = 10 * time.Second
	// MaxOIDCClockSkew bounds the configurable clock skew.
	MaxOIDCClockSkew = 5 * time.Minute
	// MaxTokenLength bounds the bearer tokens the OIDC verifier looks at, in bytes.
	MaxTokenLength = 16 << 10
	// jwksMinRefresh is the least time between two fetches of the JWKS caused by tokens naming an
	// unknown key: a stream of forged tokens cannot turn into a stream of requests to the
	// identity provider, and a rotated-in key is picked up within this time.
	jwksMinRefresh = 10 * time.Second
	// jwksMaxAge is how long fetched keys are trusted before they are fetched again (in the
	// background), so a key the identity provider withdrew stops being accepted.
	jwksMaxAge = time.Hour
	// maxJWKSBytes bounds the JWKS document read from the identity provider.
	maxJWKSBytes = 1 << 20
	// minRSABits is the smallest RSA key taken from the JWKS.
	minRSABits = 2048
)

// OIDCConfig sets up an OIDC verifier.
type OIDCConfig struct {
	// Issuer is the identity provider's issuer URL: discovery reads
	// Issuer + "/.well-known/openid-configuration", and tokens must carry it as iss.
	Issuer string
	// Audience must be one of the token's aud values.
	Audience string
	// Algorithms accepted; empty means AsymmetricAlgorithms. Only asymmetric ones are allowed.
	Algorithms []string
	// ClockSkew is the leeway on exp, nbf and iat; 0 means DefaultOIDCClockSkew. Use a negative
	// value for no leeway at all.
	ClockSkew time.Duration
	// StartTimeout bounds discovery and the first JWKS fetch; 0 means DefaultOIDCStartTimeout.
	StartTimeout time.Duration
	// HTTPClient talks to the identity provider; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Logger receives JWKS refresh failures (never tokens); nil discards them.
	Logger *slog.Logger
}

// OIDC verifies bearer tokens (JWTs) issued by an OpenID Connect identity provider, with keys
// from the provider's JWKS found by discovery.
type OIDC struct {
	issuer   string
	audience string
	algs     []string
	skew     time.Duration
	keys     *jwks
	now      func() time.Time
}

// NewOIDC runs OIDC discovery on cfg.Issuer and fetches its JWKS, both within cfg.StartTimeout;
// it fails when the identity provider cannot be reached or offers no usable signing key.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("oidc: no issuer")
	}
	if cfg.Audience == "" {
		return nil, errors.New("oidc: an audience is required with the issuer")
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = AsymmetricAlgorithms
	}
	for _, a := range algs {
		if !slices.Contains(AsymmetricAlgorithms, a) {
			return nil, fmt.Errorf("oidc: algorithm %q is not allowed; use asymmetric ones: %s", a, strings.Join(AsymmetricAlgorithms, ", "))
		}
	}
	skew := cfg.ClockSkew
	switch {
	case skew == 0:
		skew = DefaultOIDCClockSkew
	case skew < 0:
		skew = 0
	case skew > MaxOIDCClockSkew:
		return nil, fmt.Errorf("oidc: clock skew %s is more than %s", skew, MaxOIDCClockSkew)
	}
	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = DefaultOIDCStartTimeout
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery at %s/.well-known/openid-configuration failed (is JOBORDRE_OIDC_ISSUER right and the identity provider reachable?): %w",
			strings.TrimSuffix(cfg.Issuer, "/"), err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := provider.Claims(&meta); err != nil || meta.JWKSURI == "" {
		return nil, fmt.Errorf("oidc: the discovery document of %s names no jwks_uri", cfg.Issuer)
	}
	if err := sameSchemeURL(cfg.Issuer, meta.JWKSURI); err != nil {
		return nil, fmt.Errorf("oidc: jwks_uri %q: %w", meta.JWKSURI, err)
	}
	o := &OIDC{issuer: cfg.Issuer, audience: cfg.Audience, algs: algs, skew: skew, now: time.Now}
	o.keys = &jwks{url: meta.JWKSURI, client: client, log: log, now: func() time.Time { return o.now() },
		minRefresh: jwksMinRefresh, maxAge: jwksMaxAge}
	if err := o.keys.refresh(ctx); err != nil {
		return nil, fmt.Errorf("oidc: JWKS of %s: %w", cfg.Issuer, err)
	}
	if len(o.keys.snapshot()) == 0 {
		return nil, fmt.Errorf("oidc: the JWKS at %s holds no usable signing key (RSA ≥ %d bits, EC P-256/384/521 or Ed25519)", meta.JWKSURI, minRSABits)
	}
	return o, nil
}

// sameSchemeURL refuses a JWKS URL that is not absolute or downgrades an https issuer to http.
func sameSchemeURL(issuer, jwksURI string) error {
	iu, err1 := url.Parse(issuer)
	ju, err2 := url.Parse(jwksURI)
	if err1 != nil || err2 != nil || ju.Host == "" || (ju.Scheme != "https" && ju.Scheme != "http") {
		return errors.New("not an absolute http(s) URL")
	}
	if iu.Scheme == "https" && ju.Scheme != "https" {
		return errors.New("the issuer is https but its JWKS is not")
	}
	return nil
}

// Verify checks the token's signature against the identity provider's keys with an allowed
// asymmetric algorithm, then iss, aud, exp (required), nbf and iat within the clock skew, then that
// the claims fit the role.
func (o *OIDC) Verify(token string) (Principal, error) {
	if len(token) > MaxTokenLength {
		return Principal{}, fmt.Errorf("%w: the token is longer than %d bytes", ErrInvalidToken, MaxTokenLength)
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, o.keyFor,
		jwt.WithValidMethods(o.algs),
		jwt.WithIssuer(o.issuer),
		jwt.WithAudience(o.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(o.skew),
		jwt.WithTimeFunc(func() time.Time { return o.now() }),
	)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	p := Principal{Subject: c.Subject, Role: c.Role, CVR: c.CVR, Jobcenter: c.Jobcenter, Name: c.Name, Email: c.Email, Phone: c.Phone}
	if err := p.Validate(); err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return p, nil
}

// keyFor returns the public keys that may have signed the token: the JWKS key its kid names (or,
// without a kid, every key), restricted to keys of the type its alg needs.
func (o *OIDC) keyFor(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	kid, _ := t.Header["kid"].(string)
	if _, hasKid := t.Header["kid"]; hasKid && kid == "" {
		return nil, errors.New("the kid header is not a non-empty string")
	}
	keys := o.keys.lookup(kid, alg)
	if len(keys) == 0 {
		if kid == "" {
			return nil, fmt.Errorf("no key of the identity provider fits alg %s", alg)
		}
		return nil, fmt.Errorf("the key the token names (kid) is not a %s key of the identity provider", alg)
	}
	if len(keys) == 1 {
		return keys[0], nil
	}
	set := jwt.VerificationKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k)
	}
	return set, nil
}

// jwks caches the identity provider's public signing keys.
type jwks struct {
	url        string
	client     *http.Client
	log        *slog.Logger
	now        func() time.Time
	minRefresh time.Duration
	maxAge     time.Duration

	fetch sync.Mutex // one fetch at a time

	mu          sync.Mutex // guards the fields below
	keys        []publicKey
	fetchedAt   time.Time // last successful fetch
	attemptedAt time.Time // last fetch, successful or not
}

// publicKey is a usable signing key of the JWKS: its kid, its alg (empty: any that fits the key).
type publicKey struct {
	kid, alg string
	key      crypto.PublicKey
}

func (k *jwks) snapshot() []publicKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys
}

// lookup finds the keys for kid and alg. An unknown kid makes it fetch the JWKS again (at most
// once per minRefresh); keys older than maxAge are fetched again in the background.
func (k *jwks) lookup(kid, alg string) []crypto.PublicKey {
	k.mu.Lock()
	now := k.now()
	refreshStale := now.Sub(k.fetchedAt) > k.maxAge && now.Sub(k.attemptedAt) >= k.minRefresh
	keys := k.keys
	k.mu.Unlock()
	if refreshStale {
		go k.refreshIfDue(true)
	}
	found := matching(keys, kid, alg)
	if len(found) == 0 && kid != "" && k.refreshIfDue(false) {
		found = matching(k.snapshot(), kid, alg)
	}
	return found
}

// refreshIfDue fetches the JWKS unless a fetch was attempted less than minRefresh ago; it tells
// whether it fetched. In the background it gives up at once when another fetch is running.
func (k *jwks) refreshIfDue(background bool) bool {
	if background {
		if !k.fetch.TryLock() {
			return false
		}
	} else {
		k.fetch.Lock()
	}
	defer k.fetch.Unlock()
	k.mu.Lock()
	due := k.now().Sub(k.attemptedAt) >= k.minRefresh
	k.mu.Unlock()
	if !due {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := k.load(ctx); err != nil {
		k.log.Warn("oidc: could not refresh the identity provider's JWKS; keeping the keys already known", "jwks_uri", k.url, "error", err)
	}
	return true
}

// refresh fetches the JWKS now (start-up).
func (k *jwks) refresh(ctx context.Context) error {
	k.fetch.Lock()
	defer k.fetch.Unlock()
	return k.load(ctx)
}

// load fetches and parses the JWKS; k.fetch is held. Keys that are not usable public signing
// keys are skipped.
func (k *jwks) load(ctx context.Context) error {
	k.mu.Lock()
	k.attemptedAt = k.now()
	k.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := k.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", k.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxJWKSBytes {
		return fmt.Errorf("GET %s: the JWKS is larger than %d bytes", k.url, maxJWKSBytes)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return fmt.Errorf("GET %s: not a JWKS: %v", k.url, err)
	}
	var keys []publicKey
	for i, raw := range set.Keys {
		pk, err := parseJWK(raw)
		if err != nil {
			k.log.Warn("oidc: skipping a key of the identity provider's JWKS", "jwks_uri", k.url, "index", i, "reason", err.Error())
			continue
		}
		keys = append(keys, pk)
	}
	k.mu.Lock()
	k.keys, k.fetchedAt = keys, k.now()
	k.mu.Unlock()
	return nil
}

// parseJWK reads one JWK; only public signature keys of a usable type and size are kept.
func parseJWK(raw json.RawMessage) (publicKey, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return publicKey{}, err
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return publicKey{}, fmt.Errorf("key %q is for %q, not signatures", jwk.KeyID, jwk.Use)
	}
	if !jwk.IsPublic() {
		jwk = jwk.Public()
	}
	if !jwk.Valid() {
		return publicKey{}, fmt.Errorf("key %q is not a public key", jwk.KeyID)
	}
	switch key := jwk.Key.(type) {
	case *rsa.PublicKey:
		if key.N.BitLen() < minRSABits {
			return publicKey{}, fmt.Errorf("RSA key %q has %d bits, fewer than %d", jwk.KeyID, key.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return publicKey{}, fmt.Errorf("key %q has unsupported type %T", jwk.KeyID, jwk.Key)
	}
	return publicKey{kid: jwk.KeyID, alg: jwk.Algorithm, key: jwk.Key}, nil
}

// matching returns the keys that kid names (every key when kid is empty) whose type fits alg.
func matching(keys []publicKey, kid, alg string) []crypto.PublicKey {
	var out []crypto.PublicKey
	for _, k := range keys {
		if kid != "" && k.kid != kid {
			continue
		}
		if k.alg != "" && k.alg != alg {
			continue
		}
		if fits(k.key, alg) {
			out = append(out, k.key)
		}
	}
	return out
}

// fits tells whether key is of the type (and curve) alg signs with.
func fits(key crypto.PublicKey, alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		_, ok := key.(*rsa.PublicKey)
		return ok
	case "ES256", "ES384", "ES512":
		k, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		curve := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		return k.Curve == curve
	case "EdDSA":
		_, ok := key.(ed25519.PublicKey)
		return ok
	}
	return false
}
