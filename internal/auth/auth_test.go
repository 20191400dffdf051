package auth

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const secret = "a-test-secret-that-is-at-least-32-chars"

func signer(t *testing.T) *HS256 {
	t.Helper()
	h, err := NewHS256(secret, "jobordre", "jobordre-api")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSignedTokenVerifiesToTheSamePrincipal(t *testing.T) {
	h := signer(t)
	p := Principal{Subject: "cw-1", Role: RoleCaseworker, Jobcenter: "751", Name: "Ida", Email: "ida@aarhus.dk", Phone: "+45 87 13 20 00"}
	tok, err := h.Sign(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Verify(tok)
	if err != nil || got != p {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestSystemTokenCarriesItsJobcenterAndActsForIt(t *testing.T) {
	h := signer(t)
	p := Principal{Subject: "momentum-751", Role: RoleSystem, Jobcenter: "751", Name: "KMD Momentum"}
	tok, err := h.Sign(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Verify(tok)
	if err != nil || got != p {
		t.Fatalf("got %+v, %v", got, err)
	}
	if !got.ActsForJobcenter() || got.IsJobcenterStaff() {
		t.Fatalf("a system acts for its job centre but is not staff: ActsForJobcenter=%v IsJobcenterStaff=%v", got.ActsForJobcenter(), got.IsJobcenterStaff())
	}
	for _, other := range []Principal{{Role: RoleEmployer}, {Role: RoleAdmin}} {
		if other.ActsForJobcenter() {
			t.Errorf("%s must not act for a job centre", other.Role)
		}
	}
}

func TestTokensAreRefusedWhenExpiredForeignOrUnsigned(t *testing.T) {
	h := signer(t)
	p := Principal{Subject: "e", Role: RoleEmployer, CVR: "10103940"}
	expired, _ := h.Sign(p, -time.Hour)
	other, _ := NewHS256("another-secret-that-is-at-least-32-chars", "jobordre", "jobordre-api")
	foreign, _ := other.Sign(p, time.Hour)
	wrongIss, _ := NewHS256(secret, "someone", "jobordre-api")
	iss, _ := wrongIss.Sign(p, time.Hour)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"sub": "e", "role": "employer", "cvr": "10103940", "iss": "jobordre", "aud": "jobordre-api",
		"exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "e", "role": "employer", "cvr": "10103940", "iss": "jobordre", "aud": "jobordre-api",
	}).SignedString([]byte(secret))
	for name, tok := range map[string]string{"expired": expired, "foreign key": foreign, "wrong issuer": iss, "alg none": none, "no exp": noExp, "garbage": "x.y.z"} {
		if _, err := h.Verify(tok); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: got %v, want ErrInvalidToken", name, err)
		}
	}
}

func TestClaimsMustFitTheRole(t *testing.T) {
	for _, p := range []Principal{
		{Subject: "", Role: RoleAdmin},
		{Subject: "e", Role: RoleEmployer},
		{Subject: "e", Role: RoleEmployer, CVR: "123"},
		{Subject: "c", Role: RoleCaseworker},
		{Subject: "m", Role: RoleManager, Jobcenter: "7510"},
		{Subject: "x", Role: "superuser"},
		{Subject: strings.Repeat("s", MaxSubjectLength+1), Role: RoleAdmin},
		{Subject: "a", Role: RoleAdmin, Name: strings.Repeat("æ", MaxNameLength+1)},
		{Subject: "a", Role: RoleAdmin, Email: strings.Repeat("e", MaxEmailLength+1)},
		{Subject: "a\x00b", Role: RoleAdmin},
		{Subject: "a", Role: RoleAdmin, Name: "Ida\x00"},
		{Subject: "a", Role: RoleAdmin, Phone: strings.Repeat("1", MaxPhoneLength+1)},
		{Subject: "momentum", Role: RoleSystem},
		{Subject: "momentum", Role: RoleSystem, Jobcenter: "75"},
		{Subject: "momentum", Role: RoleSystem, Jobcenter: "751", CVR: "10103940"},
		{Subject: "system", Role: RoleSystem, Jobcenter: "751"},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v must be refused", p)
		}
		if _, err := signer(t).Sign(p, time.Hour); err == nil {
			t.Errorf("signing %+v must fail", p)
		}
	}
}

func TestShortSecretsAreRefused(t *testing.T) {
	if _, err := NewHS256("short", "i", "a"); err == nil {
		t.Fatal("a short secret must be refused")
	}
}

func TestDevSecretIsCreatedOnceAndKeptPrivate(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadSecret(dir); err == nil || !strings.Contains(err.Error(), "JOBORDRE_JWT_SECRET") {
		t.Fatalf("missing secret must say how to fix it: %v", err)
	}
	s1, err := LoadOrCreateSecret(dir)
	if err != nil || len(s1) < 32 {
		t.Fatalf("%q %v", s1, err)
	}
	s2, _ := LoadOrCreateSecret(dir)
	if s1 != s2 {
		t.Fatal("the secret must survive restarts")
	}
	fi, err := os.Stat(SecretFile(dir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v %v", fi.Mode(), err)
	}
}
