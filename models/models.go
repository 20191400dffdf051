// Package models holds jobordre's persistent records: job orders, companies, job centres and the
// bookkeeping that makes commands idempotent. GORM maps them to PostgreSQL (production) or SQLite (dev).
package models

import "time"

// Order status values.
const (
	StatusOpen                = "open"
	StatusTemporarilyInactive = "temporarily_inactive"
	StatusClosed              = "closed"
)

// Sharing levels, from narrowest to widest; each level includes the ones before it.
const (
	SharingInternal   = "internal"
	SharingNeighbours = "neighbours"
	SharingCommunity  = "community"
	SharingNational   = "national"
)

// KindOrdinary is the only kind of request that is a job order.
const KindOrdinary = "ordinary"

// SharingLevels lists the sharing levels from narrowest to widest.
var SharingLevels = []string{SharingInternal, SharingNeighbours, SharingCommunity, SharingNational}

// SharingRank orders sharing levels; an unknown level ranks -1.
func SharingRank(level string) int {
	for i, l := range SharingLevels {
		if l == level {
			return i
		}
	}
	return -1
}

// Company is an employer known by its CVR number. A company registers itself (its first contact
// becomes the main contact); a job centre creating an order for a CVR that has not registered
// stores the company's name (and address) as a row of its own making, which the company takes
// over when it registers.
type Company struct {
	CVR          string `gorm:"primaryKey;size:8" json:"cvr"`
	Name         string `gorm:"size:200" json:"name"`
	IndustryCode string `gorm:"size:8" json:"industry_code,omitempty"`
	// Address and PostalCode are the company's address as a job centre gave it (optional).
	Address    string `gorm:"size:200;not null;default:''" json:"address,omitempty"`
	PostalCode string `gorm:"size:4;not null;default:''" json:"postal_code,omitempty"`
	// MainContactID is the contact person (hovedkontaktperson) with full edit rights; "" until
	// the company registers.
	MainContactID string `gorm:"size:200" json:"main_contact_id"`
	// CreatedByJobcenter is the job centre that stored the company before it registered; ""
	// for a company that registered itself first.
	CreatedByJobcenter string `gorm:"size:3;not null;default:''" json:"created_by_jobcenter,omitempty"`
	// TakenOverAt is when a company a job centre created registered and took the row over.
	TakenOverAt *time.Time `json:"taken_over_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Registered tells whether the company has registered itself (and so has a main contact); a
// company a job centre created is not registered until it takes the row over.
func (c *Company) Registered() bool { return c.CreatedByJobcenter == "" || c.TakenOverAt != nil }

// Jobcenter is a job centre; by default one per municipality with the municipality's code.
type Jobcenter struct {
	Code string `gorm:"primaryKey;size:3" json:"code"`
	Name string `gorm:"size:100;not null" json:"name"`
	// MailboxEmail is the job centre's shared address, used when no person can be addressed.
	MailboxEmail string    `gorm:"size:320" json:"mailbox_email,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// JobcenterMunicipality says which job centre serves a municipality (a merged job centre serves several).
type JobcenterMunicipality struct {
	MunicipalityCode string `gorm:"primaryKey;size:3"`
	JobcenterCode    string `gorm:"size:3;not null;index"`
}

// JobOrder is the database projection of one job order; its workflow is the source of truth for
// its live state (deadlines, timers), and activities keep Status, Sharing and CoordinatorID in step.
type JobOrder struct {
	ID                        string  `gorm:"primaryKey;size:36"`
	CompanyCVR                string  `gorm:"size:8;not null;index:idx_job_orders_company"`
	Title                     string  `gorm:"size:200;not null"`
	Description               string  `gorm:"type:text;not null"`
	WorkplaceAddress          string  `gorm:"size:200;not null"`
	WorkplacePostalCode       string  `gorm:"size:4;not null"`
	WorkplaceMunicipalityCode string  `gorm:"size:3;not null"`
	ResponsibleJobcenter      string  `gorm:"size:3;not null;index:idx_job_orders_jobcenter;index:idx_job_orders_list,priority:1"`
	OccupationCode            string  `gorm:"size:4;not null"`
	Positions                 int     `gorm:"not null"`
	StartDate                 *Date   `gorm:"size:10"`
	ApplicationDeadline       *Date   `gorm:"size:10"`
	Kind                      string  `gorm:"size:20;not null"`
	Status                    string  `gorm:"size:24;not null;index;index:idx_job_orders_list,priority:2"`
	Sharing                   string  `gorm:"size:12;not null;index"`
	CoordinatorID             *string `gorm:"size:200;index:idx_job_orders_coordinator"`
	CreatedBySubject          string  `gorm:"size:200;not null"`
	// ContactID is the employer's contact person for the order (a CompanyContact), when known.
	ContactID *string `gorm:"size:200"`
	// WishedCoordinator is the caseworker the employer asked for, shown to caseworkers.
	WishedCoordinator string `gorm:"size:200"`
	CloseReason       string `gorm:"size:40"`
	CreatedByRole     string `gorm:"size:20;not null"`
	// SourceSystem and ExternalID are the case system's key of an order it registered
	// (POST /api/v1/job-orders as a system client); both are NULL otherwise. The pair is unique,
	// so a registration sent twice finds its order instead of creating another.
	SourceSystem      *string    `gorm:"size:100;uniqueIndex:idx_job_orders_source_external,priority:1"`
	ExternalID        *string    `gorm:"size:200;uniqueIndex:idx_job_orders_source_external,priority:2"`
	WorkflowID        string     `gorm:"size:60;not null;uniqueIndex"`
	WorkflowStartedAt *time.Time `gorm:"index"`
	// SharedAt is when the order reached its current sharing level (ProjectState sets it when
	// the level changes): the inbox's "new to me" for the job centres it reaches.
	SharedAt *time.Time `gorm:"index:idx_job_orders_shared"`
	// idx_job_orders_list (job centre, status, created) serves the order list's pages.
	CreatedAt time.Time `gorm:"not null;index:idx_job_orders_created,sort:desc;index:idx_job_orders_list,priority:3,sort:desc"`
	UpdatedAt time.Time `gorm:"not null"`
}

// IdempotencyKey remembers which order a create request with an Idempotency-Key produced, so a
// retried request returns that order instead of creating a second one.
type IdempotencyKey struct {
	Subject     string    `gorm:"primaryKey;size:200"`
	Key         string    `gorm:"primaryKey;size:200"`
	RequestHash string    `gorm:"size:64;not null"`
	JobOrderID  string    `gorm:"size:36;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

// All lists every model the migration manages, in dependency order.
func All() []any {
	return []any{&Company{}, &Jobcenter{}, &JobcenterMunicipality{}, &JobOrder{}, &IdempotencyKey{},
		&Caseworker{}, &CompanyContact{}, &JobcenterPolicy{}, &OutboxMessage{}, &JobOrderEvent{}, &JobOrderNote{},
		&Candidate{}, &CandidateOccupation{}, &CandidateSearch{}, &Consent{}, &Referral{}, &CVAccess{}, &SecureLink{}, &RecruitmentCommunity{}, &CommunityMember{},
		&JobOrderFact{}, &KPIMonthly{}, &KPIMonthlyIndustry{}, &KPIMonthlyOccupation{}, &KPIMonthlyReferralHours{},
		&ReferenceDataset{}, &Upgrade{}, &RefMunicipality{}, &RefPostalCode{}, &RefMunicipalityNeighbour{}, &RefIndustry{}, &RefOccupation{},
		&WebSession{}, &FeedEvent{}, &FeedSequence{}, &JobOrderSeen{}, &InboxMark{}, &JobOrderDeadline{}, &WebhookSubscription{}, &WebhookDelivery{}, &FeedCursor{}, &Erasure{}}
}

// RecruitmentCommunity (rekrutteringsfællesskab) is an admin-maintained group of job centres that
// share orders at the community level.
type RecruitmentCommunity struct {
	ID        string    `gorm:"primaryKey;size:36" json:"id"`
	Name      string    `gorm:"size:200;not null;uniqueIndex" json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CommunityMember puts a job centre in a recruitment community.
type CommunityMember struct {
	CommunityID   string `gorm:"primaryKey;size:36"`
	JobcenterCode string `gorm:"primaryKey;size:3;index"`
}
