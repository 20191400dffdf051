package models

import "time"

// Candidate is a jobseeker a job centre may refer; the CV is always read as it is now, never
// copied into a referral.
type Candidate struct {
	ID            string    `gorm:"primaryKey;size:36"`
	Name          string    `gorm:"size:200;not null"`
	Email         string    `gorm:"size:320;not null"`
	HomeJobcenter string    `gorm:"size:3;not null;index"`
	Searchable    bool      `gorm:"not null"` // the CV is searchable on Jobnet
	Active        bool      `gorm:"not null;index"`
	CV            string    `gorm:"type:text;not null"` // JSON: headline, occupations, experience, education, skills
	Language      string    `gorm:"size:2;not null;default:da"`
	CreatedBy     string    `gorm:"size:200;not null"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// CandidateOccupation is one ISCO-08 unit group of a candidate's CV, kept beside the CV's JSON
// so occupation filters and suggestions run on an index (internal/cvindex maintains it). It
// repeats the candidate's state the searches filter and sort on, so they read the index in order
// and stop after a page.
type CandidateOccupation struct {
	CandidateID string `gorm:"primaryKey;size:36"`
	Code        string `gorm:"primaryKey;size:4"`
	// MinorGroup is the code's first three digits (the ISCO-08 minor group); FirstInMinor marks
	// the CV's first code in that minor group, so a minor-group scan sees each candidate once.
	MinorGroup    string    `gorm:"size:3;not null"`
	FirstInMinor  bool      `gorm:"not null"`
	HomeJobcenter string    `gorm:"size:3;not null"`
	Searchable    bool      `gorm:"not null"`
	Active        bool      `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// CandidateSearch is the part of a candidate the searches filter and sort on, one row per
// candidate (internal/cvindex maintains it). On PostgreSQL it also holds the CV's tsvector
// (column search_vector, added by cvindex.EnsureSchema; GORM does not know the type).
type CandidateSearch struct {
	CandidateID   string    `gorm:"primaryKey;size:36"`
	HomeJobcenter string    `gorm:"size:3;not null"`
	Searchable    bool      `gorm:"not null"`
	Active        bool      `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// TableName keeps the table name singular like the index it is.
func (CandidateSearch) TableName() string { return "candidate_search" }

// Consent is a candidate's specific consent to share a non-searchable CV with one employer:
// for one order of that employer, or for the orders at one workplace of it (internal/consent).
type Consent struct {
	ID          string  `gorm:"primaryKey;size:36"`
	CandidateID string  `gorm:"size:36;not null;index"`
	EmployerCVR string  `gorm:"size:8;not null"`
	JobOrderID  *string `gorm:"size:36"`
	// Workplace is the workplace's address as recorded (the street address; older consents may
	// hold free text); WorkplacePostalCode its postal code; WorkplaceKey the normalized pair the
	// order's workplace is compared with (consent.WorkplaceKey).
	Workplace           string    `gorm:"size:200"`
	WorkplacePostalCode string    `gorm:"size:4;not null;default:''"`
	WorkplaceKey        string    `gorm:"size:210;not null;default:''"`
	Purpose             string    `gorm:"size:500;not null"`
	DataCategories      string    `gorm:"type:text;not null"` // JSON list
	GivenAt             time.Time `gorm:"not null"`
	Method              string    `gorm:"size:20;not null"`
	WithdrawnAt         *time.Time
	RecordedBy          string    `gorm:"size:200;not null"`
	CreatedAt           time.Time `gorm:"not null"`
}

// Referral statuses.
const (
	ReferralPendingApproval = "pending_approval"
	ReferralSent            = "sent"
	ReferralRejected        = "rejected"
	ReferralWithdrawn       = "withdrawn"
	ReferralHired           = "hired"
)

// WithdrawnConsent is a referral's WithdrawnReason when the consent it relied on was withdrawn.
const WithdrawnConsent = "consent_withdrawn"

// Referral is a candidate proposed to or sent to an order's employer. A candidate is referred
// to an order at most once: (job_order_id, candidate_id) is unique.
type Referral struct {
	ID          string `gorm:"primaryKey;size:36"`
	JobOrderID  string `gorm:"size:36;not null;uniqueIndex:idx_referral_order_candidate;index"`
	CandidateID string `gorm:"size:36;not null;uniqueIndex:idx_referral_order_candidate;index"`
	Status      string `gorm:"size:20;not null"`
	// WithdrawnReason says why a withdrawn referral was withdrawn: "" (by a job centre) or
	// consent_withdrawn (the consent it relied on was withdrawn).
	WithdrawnReason     string  `gorm:"size:40;not null;default:''"`
	Channel             string  `gorm:"size:20;not null"`
	Note                string  `gorm:"type:text;not null;default:''"` // job-centre internal
	ProposedBy          string  `gorm:"size:200;not null"`
	ProposedByJobcenter string  `gorm:"size:3;not null"`
	ConsentID           *string `gorm:"size:36"`
	DecidedBy           string  `gorm:"size:200"`
	DecidedAt           *time.Time
	RejectReason        string `gorm:"type:text"`
	SentAt              *time.Time
	// SignalledAt is when the order's workflow was told the referral was sent (nil: not yet).
	SignalledAt      *time.Time
	EmployerArchived bool   `gorm:"not null;default:false"`
	EmployerNote     string `gorm:"type:text;not null;default:''"` // never shown to job centres
	// AnonymisedAt is when the deletion workflow unlinked the referral from its candidate
	// (CandidateID became the referral's own ID) and cleared its free text after the order's
	// retention period (internal/retention); the row stays so the key figures still add up.
	AnonymisedAt *time.Time
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

// CVAccess records that an employer read a candidate's CV through the API.
type CVAccess struct {
	ID          uint64    `gorm:"primaryKey;autoIncrement"`
	CandidateID string    `gorm:"size:36;not null;index"`
	JobOrderID  string    `gorm:"size:36;not null"`
	ReaderID    string    `gorm:"size:200;not null"`
	ReaderCVR   string    `gorm:"size:8;not null"`
	At          time.Time `gorm:"not null"`
}

// SecureLink is the secure_link channel's link for one referral: the employer's contact opens
// /secure-links/{token}, asks for a one-time code sent to RecipientEmail, and reads the CV after
// entering it. The token is random and only reaches the recipient's mailbox; the mail is
// rendered from this row when it is delivered, which is why the token (and the current code,
// while it is valid) are stored as they are.
type SecureLink struct {
	ID         string `gorm:"primaryKey;size:36"`
	Token      string `gorm:"size:64;not null;uniqueIndex"`
	JobOrderID string `gorm:"size:36;not null;index"`
	ReferralID string `gorm:"size:36;not null;uniqueIndex"`
	// RecipientID is the contact person the link was sent to; RecipientEmail the address both
	// the link and every code go to (the contact's address when the referral was sent).
	RecipientID    string    `gorm:"size:200;not null"`
	RecipientEmail string    `gorm:"size:320;not null"`
	Language       string    `gorm:"size:2;not null;default:da"`
	ExpiresAt      time.Time `gorm:"not null"`
	// Code is the current one-time code ("" when none is valid), until CodeExpiresAt;
	// CodeAttempts counts wrong guesses at it.
	Code          string `gorm:"size:6;not null;default:''"`
	CodeExpiresAt *time.Time
	CodeAttempts  int `gorm:"not null;default:0"`
	// CodesSent counts the codes sent since CodeWindowStart (the rate limit's window);
	// CodesTotal every code ever sent (it keys each code's mail).
	CodesSent       int `gorm:"not null;default:0"`
	CodeWindowStart *time.Time
	CodesTotal      int       `gorm:"not null;default:0"`
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}
