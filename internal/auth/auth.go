// Package auth turns bearer tokens into principals: who is calling, in which role, for which
// company (CVR) or job centre.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"jobordre/internal/cvr"
)

// Roles a principal can have.
const (
	RoleEmployer   = "employer"
	RoleCaseworker = "caseworker"
	RoleManager    = "manager"
	RoleAdmin      = "admin"
	// RoleSystem is a machine client: a job centre's case system (KMD Momentum, Fasit, Viregos)
	// with an OAuth 2.0 client-credentials token. It acts as its job centre (the jobcenter
	// claim) on that job centre's orders and has no console login.
	RoleSystem = "system"
)

// Roles lists every role.
var Roles = []string{RoleEmployer, RoleCaseworker, RoleManager, RoleAdmin, RoleSystem}

// Principal is the authenticated caller.
type Principal struct {
	Subject   string `json:"sub"`
	Role      string `json:"role"`
	CVR       string `json:"cvr,omitempty"`
	Jobcenter string `json:"jobcenter,omitempty"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	// Phone is the OIDC phone_number claim: the directory gives it to employers as the
	// coordinator's phone number.
	Phone string `json:"phone_number,omitempty"`
}

// IsJobcenterStaff tells whether the principal works at a job centre (caseworker or manager).
func (p Principal) IsJobcenterStaff() bool {
	return p.Role == RoleCaseworker || p.Role == RoleManager
}

// ActsForJobcenter tells whether the principal has a job centre's rights on that job centre's
// orders: its staff, and its case system (RoleSystem). What only a person does (candidates and
// their CVs, referrals, the inbox, deciding proposals) stays with IsJobcenterStaff.
func (p Principal) ActsForJobcenter() bool {
	return p.IsJobcenterStaff() || p.Role == RoleSystem
}

var (
	jobcenterPattern = regexp.MustCompile(`^[0-9]{3}$`)
)

// Bounds on the identity claims, in characters: the directory stores them (caseworkers and
// employer contacts), so a token whose claims it could not store is refused instead of failing
// every request.
const (
	MaxSubjectLength = 200
	MaxNameLength    = 200
	MaxEmailLength   = 320
	MaxPhoneLength   = 40
)

// Validate checks that the principal's claims fit its role and can be stored.
func (p Principal) Validate() error {
	if strings.TrimSpace(p.Subject) == "" {
		return errors.New("token has no sub")
	}
	for _, c := range []struct {
		claim, value string
		max          int
	}{{"sub", p.Subject, MaxSubjectLength}, {"name", p.Name, MaxNameLength}, {"email", p.Email, MaxEmailLength}, {"phone_number", p.Phone, MaxPhoneLength}} {
		if n := utf8.RuneCountInString(c.value); n > c.max {
			return fmt.Errorf("the %s claim is longer than %d characters", c.claim, c.max)
		}
		if strings.ContainsRune(c.value, 0) {
			return fmt.Errorf("the %s claim holds a NUL character", c.claim)
		}
	}
	switch p.Role {
	case RoleEmployer:
		if !cvr.Valid(p.CVR) {
			return errors.New("an employer token needs a cvr claim with a valid 8-digit CVR number")
		}
	case RoleCaseworker, RoleManager:
		if !jobcenterPattern.MatchString(p.Jobcenter) {
			return errors.New("a caseworker or manager token needs a 3-digit jobcenter claim")
		}
	case RoleSystem:
		if !jobcenterPattern.MatchString(p.Jobcenter) {
			return errors.New("a system token needs a 3-digit jobcenter claim: the job centre whose orders the system keeps")
		}
		if p.CVR != "" {
			return errors.New("a system token has no cvr claim: it acts for a job centre, not a company")
		}
		if p.Subject == "system" {
			return errors.New(`a system token's sub cannot be "system": the histories use that for the service's own steps`)
		}
	case RoleAdmin:
	default:
		return fmt.Errorf("role %q is not one of %s", p.Role, strings.Join(Roles, ", "))
	}
	return nil
}

// Verifier checks a bearer token and returns its principal.
type Verifier interface {
	Verify(token string) (Principal, error)
}

// ErrInvalidToken wraps every reason a token is refused.
var ErrInvalidToken = errors.New("invalid token")

type claims struct {
	jwt.RegisteredClaims
	Role      string `json:"role"`
	CVR       string `json:"cvr,omitempty"`
	Jobcenter string `json:"jobcenter,omitempty"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone_number,omitempty"`
}

// HS256 signs and verifies tokens with a shared secret: local development and `jobordre token`.
type HS256 struct {
	secret   []byte
	issuer   string
	audience string
	now      func() time.Time
}

// NewHS256 returns an HS256 signer/verifier; the secret must be at least 32 bytes.
func NewHS256(secret, issuer, audience string) (*HS256, error) {
	if len(secret) < 32 {
		return nil, errors.New("the JWT secret must be at least 32 characters")
	}
	return &HS256{secret: []byte(secret), issuer: issuer, audience: audience, now: time.Now}, nil
}

// Sign issues a token for p that expires after ttl.
func (h *HS256) Sign(p Principal, ttl time.Duration) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	now := h.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   p.Subject,
			Issuer:    h.issuer,
			Audience:  jwt.ClaimStrings{h.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: p.Role, CVR: p.CVR, Jobcenter: p.Jobcenter, Name: p.Name, Email: p.Email, Phone: p.Phone,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(h.secret)
}

// Verify checks signature, algorithm, issuer, audience, expiry and not-before, then the claims.
func (h *HS256) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return h.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(h.issuer),
		jwt.WithAudience(h.audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(h.now),
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

// SecretFile is where `dev` keeps its generated secret inside the data dir.
func SecretFile(dataDir string) string { return filepath.Join(dataDir, "jwt-secret") }

// LoadSecret reads the secret kept in dataDir.
func LoadSecret(dataDir string) (string, error) {
	b, err := os.ReadFile(SecretFile(dataDir))
	if err != nil {
		return "", fmt.Errorf("no JOBORDRE_JWT_SECRET set and no dev secret in %s (start `jobordre dev` once, or set JOBORDRE_JWT_SECRET): %w", dataDir, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// LoadOrCreateSecret returns the secret kept in dataDir, generating and saving one (mode 0600) if there is none.
func LoadOrCreateSecret(dataDir string) (string, error) {
	if s, err := LoadSecret(dataDir); err == nil && s != "" {
		return s, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	s := hex.EncodeToString(b)
	if err := os.WriteFile(SecretFile(dataDir), []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("save dev secret: %w", err)
	}
	return s, nil
}
