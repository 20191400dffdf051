package models

import "time"

// WebSession is one browser's session with the console, behind an HttpOnly cookie. ID is the
// SHA-256 of the cookie's value, so the table never holds a value that would log anyone in. A
// session without a Subject is anonymous: it carries the CSRF token of the login form and a
// login in progress (OIDC state, nonce, PKCE verifier). Logging in replaces it with a new one.
type WebSession struct {
	ID        string `gorm:"primaryKey;size:64"`
	Subject   string `gorm:"size:200;not null;default:'';index"`
	Role      string `gorm:"size:20;not null;default:''"`
	CVR       string `gorm:"size:8;not null;default:''"`
	Jobcenter string `gorm:"size:3;not null;default:''"`
	Name      string `gorm:"size:200;not null;default:''"`
	Email     string `gorm:"size:320;not null;default:''"`
	Phone     string `gorm:"size:40;not null;default:''"`
	// CSRFToken is the session's token that every form posts back.
	CSRFToken string `gorm:"size:64;not null"`
	// LoginState, LoginNonce and LoginVerifier belong to an OIDC login in progress; ReturnTo is
	// the page to show after it.
	LoginState    string    `gorm:"size:64;not null;default:''"`
	LoginNonce    string    `gorm:"size:64;not null;default:''"`
	LoginVerifier string    `gorm:"size:128;not null;default:''"`
	ReturnTo      string    `gorm:"size:2000;not null;default:''"`
	CreatedAt     time.Time `gorm:"not null"`
	// LastSeenAt is the last request (written at most once a minute); the idle timeout counts from it.
	LastSeenAt time.Time `gorm:"not null"`
	// ExpiresAt is the absolute end of the session, whatever its activity.
	ExpiresAt time.Time `gorm:"not null;index"`
}
