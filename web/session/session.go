// Package session keeps the console's server-side sessions in the database, behind an HttpOnly
// cookie. A session has an idle timeout (counted from the last request) and an absolute
// lifetime; logging in replaces the session with a new one (new cookie value, new CSRF token),
// and logging out deletes it, so a copied cookie stops working at once.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/models"
)

// Defaults for the session lifetimes.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 10 * time.Hour
	// touchEvery bounds how often a request writes LastSeenAt: the idle clock is accurate to it.
	touchEvery = time.Minute
	// anonymousMaxAge bounds a session that never logs in (a login form left open).
	anonymousMaxAge = time.Hour
)

// Session is one browser's session.
type Session struct {
	row models.WebSession
}

// Principal is who is logged in; ok is false for an anonymous session.
func (s *Session) Principal() (auth.Principal, bool) {
	r := s.row
	if r.Subject == "" {
		return auth.Principal{}, false
	}
	return auth.Principal{Subject: r.Subject, Role: r.Role, CVR: r.CVR, Jobcenter: r.Jobcenter, Name: r.Name, Email: r.Email, Phone: r.Phone}, true
}

// CSRFToken is the token every form of this session posts back.
func (s *Session) CSRFToken() string { return s.row.CSRFToken }

// CheckCSRF tells whether token is this session's CSRF token (in constant time).
func (s *Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.row.CSRFToken)) == 1
}

// Login is an OIDC login in progress.
type Login struct {
	State, Nonce, Verifier, ReturnTo string
}

// PendingLogin is the login this anonymous session started, if any.
func (s *Session) PendingLogin() (Login, bool) {
	r := s.row
	return Login{State: r.LoginState, Nonce: r.LoginNonce, Verifier: r.LoginVerifier, ReturnTo: r.ReturnTo}, r.LoginState != ""
}

// ExpiresAt is when the session ends unless a request comes first: the idle deadline or the
// absolute end, whichever is sooner.
func (s *Session) ExpiresAt(idle time.Duration) time.Time {
	end := s.row.LastSeenAt.Add(idle)
	if s.row.ExpiresAt.Before(end) {
		return s.row.ExpiresAt
	}
	return end
}

// Store reads and writes sessions.
type Store struct {
	db     *gorm.DB
	idle   time.Duration
	maxAge time.Duration
	now    func() time.Time
}

// NewStore returns a store with the given idle timeout and absolute lifetime (0: the defaults).
func NewStore(db *gorm.DB, idle, maxAge time.Duration) *Store {
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return &Store{db: db, idle: idle, maxAge: maxAge, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the store's clock (tests).
func (st *Store) SetClock(now func() time.Time) { st.now = now }

// IdleTimeout is how long a session lives without a request.
func (st *Store) IdleTimeout() time.Duration { return st.idle }

// ErrNoSession is returned for a cookie value that names no live session.
var ErrNoSession = errors.New("no such session")

// ErrExpired is returned for a session that ended by timeout; it is deleted.
var ErrExpired = errors.New("the session has expired")

// hashID is the stored ID of a cookie value.
func hashID(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Start creates an anonymous session and returns it with the value for its cookie.
func (st *Store) Start(ctx context.Context) (*Session, string, error) {
	return st.create(ctx, auth.Principal{}, st.now().Add(anonymousMaxAge))
}

// Login replaces old (which may be nil) by a new session for p: a new cookie value and a new
// CSRF token, so a session ID known before the login is worthless after it.
func (st *Store) Login(ctx context.Context, old *Session, p auth.Principal) (*Session, string, error) {
	if err := p.Validate(); err != nil {
		return nil, "", err
	}
	if old != nil {
		if err := st.End(ctx, old); err != nil {
			return nil, "", err
		}
	}
	return st.create(ctx, p, st.now().Add(st.maxAge))
}

func (st *Store) create(ctx context.Context, p auth.Principal, expires time.Time) (*Session, string, error) {
	value, err := random(32)
	if err != nil {
		return nil, "", err
	}
	csrf, err := random(32)
	if err != nil {
		return nil, "", err
	}
	now := st.now()
	row := models.WebSession{
		ID: hashID(value), Subject: p.Subject, Role: p.Role, CVR: p.CVR, Jobcenter: p.Jobcenter, Name: p.Name, Email: p.Email, Phone: p.Phone,
		CSRFToken: csrf, CreatedAt: now, LastSeenAt: now, ExpiresAt: expires,
	}
	db := st.db.WithContext(ctx)
	// Sessions that ended by themselves are swept as new ones begin (bounded, so a start never waits long).
	if err := db.Where("id IN (?)", db.Model(&models.WebSession{}).Select("id").
		Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-st.idle)).Limit(100)).
		Delete(&models.WebSession{}).Error; err != nil {
		return nil, "", fmt.Errorf("sweep sessions: %w", err)
	}
	if err := db.Create(&row).Error; err != nil {
		return nil, "", fmt.Errorf("create session: %w", err)
	}
	return &Session{row: row}, value, nil
}

// Load returns the live session of a cookie value: ErrNoSession when there is none, ErrExpired
// (and the session is deleted) when it timed out. A request more than a minute after the last
// recorded one moves the idle deadline.
func (st *Store) Load(ctx context.Context, value string) (*Session, error) {
	if value == "" || len(value) > 100 {
		return nil, ErrNoSession
	}
	db := st.db.WithContext(ctx)
	var row models.WebSession
	err := db.Take(&row, "id = ?", hashID(value)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	now := st.now()
	if !now.Before(row.ExpiresAt) || !now.Before(row.LastSeenAt.Add(st.idle)) {
		if err := db.Delete(&models.WebSession{}, "id = ?", row.ID).Error; err != nil {
			return nil, err
		}
		return nil, ErrExpired
	}
	s := &Session{row: row}
	if now.Sub(row.LastSeenAt) >= touchEvery {
		if err := st.touch(ctx, s, now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Extend moves the idle deadline to now + the idle timeout (the "stay logged in" button).
func (st *Store) Extend(ctx context.Context, s *Session) error { return st.touch(ctx, s, st.now()) }

func (st *Store) touch(ctx context.Context, s *Session, now time.Time) error {
	if err := st.db.WithContext(ctx).Model(&models.WebSession{}).Where("id = ?", s.row.ID).
		Update("last_seen_at", now).Error; err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	s.row.LastSeenAt = now
	return nil
}

// BeginLogin records an OIDC login in progress on an anonymous session.
func (st *Store) BeginLogin(ctx context.Context, s *Session, l Login) error {
	if err := st.db.WithContext(ctx).Model(&models.WebSession{}).Where("id = ?", s.row.ID).Updates(map[string]any{
		"login_state": l.State, "login_nonce": l.Nonce, "login_verifier": l.Verifier, "return_to": l.ReturnTo,
	}).Error; err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	s.row.LoginState, s.row.LoginNonce, s.row.LoginVerifier, s.row.ReturnTo = l.State, l.Nonce, l.Verifier, l.ReturnTo
	return nil
}

// End deletes the session (logout).
func (st *Store) End(ctx context.Context, s *Session) error {
	if err := st.db.WithContext(ctx).Delete(&models.WebSession{}, "id = ?", s.row.ID).Error; err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// NewSecret returns a random URL-safe string of n random bytes (OIDC state and nonce).
func NewSecret(n int) (string, error) { return random(n) }
