package auth

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobordre/internal/auth/authtest"
)

// tokenSeeds are edge inputs every token fuzz target starts from.
var tokenSeeds = []string{
	"", ".", "..", "...", "x.y.z", "a.b", "e30.e30.", "e30.e30.e30", "W10.W10.W10",
	"eyJhbGciOiJub25lIn0.e30.",                                                // {"alg":"none"}.{}.
	"eyJhbGciOiJIUzI1NiJ9.bnVsbA.", "eyJhbGciOiJSUzI1NiIsImtpZCI6e319.e30.AA", // kid as an object
	strings.Repeat("A", 100) + "." + strings.Repeat("B", 100) + "." + strings.Repeat("C", 100),
}

// FuzzHS256Verify feeds arbitrary strings to the HS256 verifier: it must never panic, every
// refusal must be ErrInvalidToken, and whatever it accepts must carry a valid HS256 signature
// made with the secret and claims that fit the role.
func FuzzHS256Verify(f *testing.F) {
	h, err := NewHS256(secret, "jobordre", "jobordre-api")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	for _, p := range []Principal{
		{Subject: "cw-1", Role: RoleCaseworker, Jobcenter: "751", Name: "Ida", Email: "ida@aarhus.dk"},
		{Subject: "emp-1", Role: RoleEmployer, CVR: "10103940"},
		{Subject: "adm-1", Role: RoleAdmin},
	} {
		tok, err := h.Sign(p, time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
		expired, _ := h.Sign(p, -time.Hour)
		f.Add(expired)
	}
	other, _ := NewHS256("another-secret-that-is-at-least-32-chars", "jobordre", "jobordre-api")
	foreign, _ := other.Sign(Principal{Subject: "adm-1", Role: RoleAdmin}, time.Hour)
	f.Add(foreign)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"sub": "adm-1", "role": "admin", "iss": "jobordre", "aud": "jobordre-api", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	f.Add(none)

	f.Fuzz(func(t *testing.T, token string) {
		p, err := h.Verify(token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("refusal %v is not ErrInvalidToken", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted a principal that does not fit its role: %+v: %v", p, err)
		}
		if _, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()); err != nil {
			t.Fatalf("accepted a token whose HS256 signature does not check out: %v", err)
		}
	})
}

// FuzzOIDCVerify feeds arbitrary strings to the OIDC verifier, backed by a local identity
// provider: it must never panic, every refusal must be ErrInvalidToken, and whatever it accepts
// must carry a signature by one of the provider's published keys with an asymmetric algorithm.
func FuzzOIDCVerify(f *testing.F) {
	idp := authtest.New(f)
	v := newOIDC(f, idp)
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	claims := func(sub, role string, extra map[string]any) jwt.MapClaims {
		return idp.Claims(sub, role, extra)
	}
	f.Add(idp.RS256(f, claims("cw-1", RoleCaseworker, map[string]any{"jobcenter": "751", "name": "Ida", "email": "ida@aarhus.dk"})))
	f.Add(idp.ES256(f, claims("emp-1", RoleEmployer, map[string]any{"cvr": "10103940"})))
	f.Add(idp.RS256(f, claims("adm-1", RoleAdmin, map[string]any{"aud": []string{"x", authtest.Audience}})))
	f.Add(idp.RS256(f, claims("adm-1", RoleAdmin, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})))
	f.Add(idp.RS256(f, claims("emp-1", RoleEmployer, nil)))
	f.Add(authtest.Sign(f, jwt.SigningMethodRS256, "", idp.RSA, claims("adm-1", RoleAdmin, nil)))
	der, _ := x509.MarshalPKIXPublicKey(&idp.RSA.PublicKey)
	f.Add(authtest.Sign(f, jwt.SigningMethodHS256, authtest.RSAKeyID,
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), claims("adm-1", RoleAdmin, nil)))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims("adm-1", RoleAdmin, nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	f.Add(none)

	published := idp.PublicKeys()
	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("refusal %v is not ErrInvalidToken", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted a principal that does not fit its role: %+v: %v", p, err)
		}
		keys := jwt.VerificationKeySet{}
		for _, k := range published {
			keys.Keys = append(keys.Keys, k)
		}
		if _, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return keys, nil },
			jwt.WithValidMethods(AsymmetricAlgorithms), jwt.WithoutClaimsValidation()); err != nil {
			t.Fatalf("accepted a token no published key signed: %v", err)
		}
	})
}
