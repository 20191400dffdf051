package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobordre/internal/auth/authtest"
)

func newOIDC(t testing.TB, idp *authtest.IdP, mod ...func(*OIDCConfig)) *OIDC {
	t.Helper()
	cfg := OIDCConfig{Issuer: idp.Issuer, Audience: authtest.Audience, StartTimeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	v, err := NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rsaKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOIDCTokensMapToPrincipals(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp)
	cw := idp.RS256(t, idp.Claims("cw-1", RoleCaseworker, map[string]any{
		"jobcenter": "751", "name": "Ida Holm", "email": "ida@aarhus.dk", "phone_number": "+4587132000", "groups": []string{"ignored"},
	}))
	got, err := v.Verify(cw)
	want := Principal{Subject: "cw-1", Role: RoleCaseworker, Jobcenter: "751", Name: "Ida Holm", Email: "ida@aarhus.dk", Phone: "+4587132000"}
	if err != nil || got != want {
		t.Fatalf("RS256: got %+v, %v; want %+v", got, err, want)
	}
	emp := idp.ES256(t, idp.Claims("emp-1", RoleEmployer, map[string]any{"cvr": "10103940", "aud": []string{"other", authtest.Audience}}))
	got, err = v.Verify(emp)
	if err != nil || got != (Principal{Subject: "emp-1", Role: RoleEmployer, CVR: "10103940"}) {
		t.Fatalf("ES256 with aud array: got %+v, %v", got, err)
	}
	if n := idp.JWKSFetches(); n != 1 {
		t.Fatalf("the JWKS was fetched %d times; it must be fetched once at start and cached", n)
	}
}

// A case system authenticates with OAuth 2.0 client credentials: the identity provider issues the
// access token to the client itself (sub is its service account, azp/client_id the client), with
// the role and jobcenter claims its mappers add (docs/integration.md).
func TestOIDCClientCredentialsTokenMapsToASystemPrincipal(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp)
	tok := idp.RS256(t, idp.Claims("service-account-momentum-751", RoleSystem, map[string]any{
		"jobcenter": "751", "azp": "momentum-751", "client_id": "momentum-751", "scope": "jobordre",
	}))
	got, err := v.Verify(tok)
	want := Principal{Subject: "service-account-momentum-751", Role: RoleSystem, Jobcenter: "751"}
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	noJobcenter := idp.RS256(t, idp.Claims("service-account-momentum", RoleSystem, map[string]any{"azp": "momentum"}))
	if _, err := v.Verify(noJobcenter); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("a system token without a jobcenter claim: got %v, want ErrInvalidToken", err)
	}
}

func TestOIDCRefusesBadTokens(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp)
	now := time.Now()
	admin := func(extra map[string]any) jwt.MapClaims { return idp.Claims("adm-1", RoleAdmin, extra) }
	stranger := rsaKey(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&idp.RSA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&idp.RSA.PublicKey)})
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, admin(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noneKid := jwt.NewWithClaims(jwt.SigningMethodNone, admin(nil))
	noneKid.Header["kid"] = authtest.RSAKeyID
	noneWithKid, _ := noneKid.SignedString(jwt.UnsafeAllowNoneSignatureType)
	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	numberKid := jwt.NewWithClaims(jwt.SigningMethodRS256, admin(nil))
	numberKid.Header["kid"] = 42
	kidNumber, _ := numberKid.SignedString(idp.RSA)
	valid := idp.RS256(t, admin(nil))
	parts := strings.Split(valid, ".")

	for name, tok := range map[string]string{
		"expired beyond the skew":             idp.RS256(t, admin(map[string]any{"exp": now.Add(-2 * time.Minute).Unix()})),
		"not yet valid beyond the skew":       idp.RS256(t, admin(map[string]any{"nbf": now.Add(2 * time.Minute).Unix()})),
		"issued in the future":                idp.RS256(t, admin(map[string]any{"iat": now.Add(10 * time.Minute).Unix()})),
		"no exp":                              idp.RS256(t, admin(map[string]any{"exp": nil})),
		"wrong audience":                      idp.RS256(t, admin(map[string]any{"aud": "someone-else"})),
		"no audience":                         idp.RS256(t, admin(map[string]any{"aud": nil})),
		"wrong issuer":                        idp.RS256(t, admin(map[string]any{"iss": "https://evil.example"})),
		"issuer with a trailing slash":        idp.RS256(t, admin(map[string]any{"iss": idp.Issuer + "/"})),
		"unknown kid":                         authtest.Sign(t, jwt.SigningMethodRS256, "rsa-9", stranger, admin(nil)),
		"known kid, another key":              authtest.Sign(t, jwt.SigningMethodRS256, authtest.RSAKeyID, stranger, admin(nil)),
		"no kid, another key":                 authtest.Sign(t, jwt.SigningMethodRS256, "", stranger, admin(nil)),
		"EC kid, another EC key":              authtest.Sign(t, jwt.SigningMethodES256, authtest.ECKeyID, otherEC, admin(nil)),
		"ES256 naming the RSA key":            authtest.Sign(t, jwt.SigningMethodES256, authtest.RSAKeyID, idp.EC, admin(nil)),
		"EdDSA, key not published":            authtest.Sign(t, jwt.SigningMethodEdDSA, "", edKey, admin(nil)),
		"RS512 (key published for RS256)":     authtest.Sign(t, jwt.SigningMethodRS512, authtest.RSAKeyID, idp.RSA, admin(nil)),
		"alg none":                            none,
		"alg none naming a key":               noneWithKid,
		"HS256 with the public key PEM":       authtest.Sign(t, jwt.SigningMethodHS256, authtest.RSAKeyID, pubPEM, admin(nil)),
		"HS256 with the PKCS1 PEM, no kid":    authtest.Sign(t, jwt.SigningMethodHS256, "", pkcs1PEM, admin(nil)),
		"HS256 with the public key DER":       authtest.Sign(t, jwt.SigningMethodHS256, authtest.RSAKeyID, pubDER, admin(nil)),
		"HS256 with the modulus":              authtest.Sign(t, jwt.SigningMethodHS256, authtest.RSAKeyID, idp.RSA.PublicKey.N.Bytes(), admin(nil)),
		"employer without a CVR":              idp.RS256(t, idp.Claims("emp", RoleEmployer, nil)),
		"employer with a bad CVR":             idp.RS256(t, idp.Claims("emp", RoleEmployer, map[string]any{"cvr": "10103941"})),
		"caseworker without a jobcenter":      idp.RS256(t, idp.Claims("cw", RoleCaseworker, nil)),
		"unknown role":                        idp.RS256(t, idp.Claims("x", "superuser", nil)),
		"role as an array":                    idp.RS256(t, admin(map[string]any{"role": []string{"admin"}})),
		"no sub":                              idp.RS256(t, admin(map[string]any{"sub": nil})),
		"sub longer than the directory holds": idp.RS256(t, admin(map[string]any{"sub": strings.Repeat("s", MaxSubjectLength+1)})),
		"kid that is not a string":            kidNumber,
		"signature of another token":          parts[0] + "." + parts[1] + "." + strings.Split(idp.RS256(t, idp.Claims("adm-2", RoleAdmin, nil)), ".")[2],
		"payload swapped, signature kept":     parts[0] + "." + strings.Split(idp.RS256(t, admin(map[string]any{"sub": "adm-2"})), ".")[1] + "." + parts[2],
		"no signature":                        parts[0] + "." + parts[1] + ".",
		"two parts":                           parts[0] + "." + parts[1],
		"garbage":                             "x.y.z",
		"empty":                               "",
		"not base64":                          "!!!.???.***",
		"JSON array header":                   "W10." + parts[1] + "." + parts[2],
		"longer than the limit":               valid + strings.Repeat("A", MaxTokenLength),
		"padding added to the payload":        parts[0] + "." + parts[1] + "==." + parts[2],
		"whitespace inside":                   parts[0] + ". " + parts[1] + "." + parts[2],
		"valid token with trailing garbage":   valid + ".x",
	} {
		p, err := v.Verify(tok)
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: got %+v, %v; want ErrInvalidToken", name, p, err)
		}
	}
	if _, err := v.Verify(valid); err != nil {
		t.Fatalf("the untouched token must still pass: %v", err)
	}
}

func TestOIDCClockSkewIsBounded(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp) // default 60 s
	now := time.Now()
	for name, c := range map[string]jwt.MapClaims{
		"expired 30 s ago":         idp.Claims("a", RoleAdmin, map[string]any{"exp": now.Add(-30 * time.Second).Unix()}),
		"valid from 30 s from now": idp.Claims("a", RoleAdmin, map[string]any{"nbf": now.Add(30 * time.Second).Unix()}),
	} {
		if _, err := v.Verify(idp.RS256(t, c)); err != nil {
			t.Errorf("%s is within the 60 s skew: %v", name, err)
		}
	}
	strict := newOIDC(t, idp, func(c *OIDCConfig) { c.ClockSkew = -1 })
	if _, err := strict.Verify(idp.RS256(t, idp.Claims("a", RoleAdmin, map[string]any{"exp": now.Add(-2 * time.Second).Unix()}))); err == nil {
		t.Error("without skew a token expired 2 s ago must be refused")
	}
	wide := newOIDC(t, idp, func(c *OIDCConfig) { c.ClockSkew = 3 * time.Minute })
	if _, err := wide.Verify(idp.RS256(t, idp.Claims("a", RoleAdmin, map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}))); err != nil {
		t.Errorf("a 3 min skew accepts a token expired 2 min ago: %v", err)
	}
}

func TestOIDCFetchesRotatedKeysButNotForEveryUnknownKid(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp)
	clk := authtest.NewClock(time.Now())
	v.now = clk.Now
	claims := idp.Claims("adm-1", RoleAdmin, map[string]any{"exp": time.Now().Add(24 * time.Hour).Unix()})

	// Forged tokens naming unknown keys: one refresh, then nothing until jwksMinRefresh passed.
	clk.Advance(jwksMinRefresh)
	stranger := rsaKey(t)
	for i := range 20 {
		if _, err := v.Verify(authtest.Sign(t, jwt.SigningMethodRS256, "forged", stranger, claims)); err == nil {
			t.Fatalf("forged token %d accepted", i)
		}
	}
	if n := idp.JWKSFetches(); n != 2 {
		t.Fatalf("%d JWKS fetches after 20 forged tokens; want 2 (start + one refresh)", n)
	}

	// The provider rotates in a new key: it is picked up once the refresh interval has passed.
	rotated := rsaKey(t)
	idp.Publish("rsa-2", "RS256", &rotated.PublicKey)
	tok := authtest.Sign(t, jwt.SigningMethodRS256, "rsa-2", rotated, claims)
	if _, err := v.Verify(tok); err == nil {
		t.Fatal("the key was fetched less than the refresh interval ago; it must not be fetched again yet")
	}
	clk.Advance(jwksMinRefresh)
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("a token signed with the rotated-in key: %v", err)
	}
	if n := idp.JWKSFetches(); n != 3 {
		t.Fatalf("%d JWKS fetches, want 3", n)
	}
	// Known keys never cause a fetch.
	for range 10 {
		if _, err := v.Verify(idp.RS256(t, claims)); err != nil {
			t.Fatal(err)
		}
	}
	if n := idp.JWKSFetches(); n != 3 {
		t.Fatalf("%d JWKS fetches after tokens with known keys, want 3", n)
	}
}

func TestOIDCKeepsKnownKeysWhenTheProviderIsDown(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp)
	clk := authtest.NewClock(time.Now())
	v.now = clk.Now
	idp.SetDown(true)
	clk.Advance(jwksMaxAge + time.Minute)
	claims := idp.Claims("adm-1", RoleAdmin, map[string]any{"exp": time.Now().Add(3 * time.Hour).Unix()})
	for range 3 {
		if _, err := v.Verify(idp.RS256(t, claims)); err != nil {
			t.Fatalf("known key refused while the provider is down: %v", err)
		}
	}
}

func TestOIDCDropsWithdrawnKeysAfterTheMaxAge(t *testing.T) {
	idp := authtest.New(t)
	v := newOIDC(t, idp)
	clk := authtest.NewClock(time.Now())
	v.now = clk.Now
	claims := idp.Claims("adm-1", RoleAdmin, map[string]any{"exp": time.Now().Add(3 * time.Hour).Unix()})
	withdrawn := idp.RS256(t, claims)
	if _, err := v.Verify(withdrawn); err != nil {
		t.Fatal(err)
	}
	idp.Withdraw(authtest.RSAKeyID)
	fetches := idp.JWKSFetches()
	clk.Advance(jwksMaxAge + time.Second)
	// The first verification after the max age still uses the known keys and starts a refresh
	// in the background.
	_, _ = v.Verify(withdrawn)
	deadline := time.Now().Add(5 * time.Second)
	for len(v.keys.snapshot()) != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if idp.JWKSFetches() != fetches+1 {
		t.Fatalf("%d JWKS fetches, want %d", idp.JWKSFetches(), fetches+1)
	}
	if _, err := v.Verify(withdrawn); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("a token signed with a withdrawn key: %v", err)
	}
	if _, err := v.Verify(idp.ES256(t, claims)); err != nil {
		t.Fatalf("the key still published: %v", err)
	}
}

func TestOIDCStartFailsClearly(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(hanging.Close)
	down := authtest.New(t)
	down.SetDown(true)
	weakKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	onlyWeak := weakIdP(t, &weakKey.PublicKey)
	idp := authtest.New(t)

	for name, c := range map[string]struct {
		cfg  OIDCConfig
		want string
	}{
		"unreachable":         {OIDCConfig{Issuer: gone.URL, Audience: "a"}, "discovery at " + gone.URL},
		"answers 503":         {OIDCConfig{Issuer: down.Issuer, Audience: "a"}, "503"},
		"hangs":               {OIDCConfig{Issuer: hanging.URL, Audience: "a", StartTimeout: 300 * time.Millisecond}, "discovery"},
		"issuer mismatch":     {OIDCConfig{Issuer: idp.Issuer + "/", Audience: "a"}, "issuer did not match"},
		"no usable key":       {OIDCConfig{Issuer: onlyWeak, Audience: "a"}, "no usable signing key"},
		"no audience":         {OIDCConfig{Issuer: idp.Issuer}, "audience"},
		"symmetric algorithm": {OIDCConfig{Issuer: idp.Issuer, Audience: "a", Algorithms: []string{"RS256", "HS256"}}, `"HS256" is not allowed`},
		"none algorithm":      {OIDCConfig{Issuer: idp.Issuer, Audience: "a", Algorithms: []string{"none"}}, "not allowed"},
		"skew too large":      {OIDCConfig{Issuer: idp.Issuer, Audience: "a", ClockSkew: time.Hour}, "clock skew"},
	} {
		start := time.Now()
		_, err := NewOIDC(context.Background(), c.cfg)
		t.Logf("%s: %v", name, err)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: start took %s; the start timeout must bound it", name, took)
		}
	}
}

// weakIdP serves discovery and a JWKS holding only pub; it returns the issuer.
func weakIdP(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `","jwks_uri":"` + srv.URL + `/jwks"}`))
		case "/jwks":
			n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
			_, _ = w.Write([]byte(`{"keys":[{"kty":"RSA","kid":"weak","n":"` + n + `","e":"AQAB"},{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},{"kty":"RSA","kid":"broken","n":"!!"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
