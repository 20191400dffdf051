package models

import "time"

// KPIScopeNational is the scope of the national rows in the KPI aggregates; job centres use
// their own code (three digits), so it can never clash.
const KPIScopeNational = "DK"

// JobOrderFact is one order's contribution to the key figures, derived from its row, its
// history (job_order_events) and its referrals by internal/kpi whenever a history entry is
// written. The 0/1 columns are counters so that the aggregates and the edge-of-period queries
// are plain sums.
type JobOrderFact struct {
	JobOrderID string `gorm:"primaryKey;size:36"`
	// The indexes on Jobcenter, CreatedAt and SharingLateSince are created by kpi.EnsureIndexes
	// (covering indexes on PostgreSQL, which the model tags cannot express).
	Jobcenter string    `gorm:"size:3;not null"`
	CreatedAt time.Time `gorm:"not null"`
	// Month is the month of creation in Copenhagen time, YYYY-MM.
	Month string `gorm:"size:7;not null"`
	// IndustryGroup is the company's DB07 group (two digits) when first known; "" until then.
	IndustryGroup  string `gorm:"size:2;not null;default:''"`
	OccupationCode string `gorm:"size:4;not null"`
	MajorGroup     string `gorm:"size:1;not null"`
	Positions      int    `gorm:"not null"`
	Status         string `gorm:"size:24;not null"`
	CloseReason    string `gorm:"size:40;not null;default:''"`
	ClosedAt       *time.Time

	Filled            int `gorm:"not null;default:0"`
	WithCoordinator   int `gorm:"not null;default:0"`
	CoordinatorOnTime int `gorm:"not null;default:0"`
	CoordinatorLate   int `gorm:"not null;default:0"`
	ContactOnTime     int `gorm:"not null;default:0"`
	ContactLate       int `gorm:"not null;default:0"`
	WithReferral      int `gorm:"not null;default:0"`
	HiredReferred     int `gorm:"not null;default:0"`
	OverdueNoReferral int `gorm:"not null;default:0"`
	NudgedOpen        int `gorm:"not null;default:0"`

	FirstReferralAt *time.Time
	// ReferralHours is the whole hours from creation to the first CV sent (nil: none sent).
	ReferralHours *int
	// SharingPlan is the sharing the policy promised at creation, as JSON [{"level","due"}].
	SharingPlan string `gorm:"type:text;not null;default:'[]'"`
	// SharingLateSince is when the order fell behind its sharing plan (nil: it never did).
	SharingLateSince *time.Time
	UpdatedAt        time.Time `gorm:"not null"`
}

// KPIMonthly sums facts by scope (job centre or national), month of creation and ISCO-08 major group.
type KPIMonthly struct {
	Scope             string `gorm:"primaryKey;size:3"`
	Month             string `gorm:"primaryKey;size:7"`
	MajorGroup        string `gorm:"primaryKey;size:1"`
	Orders            int64  `gorm:"not null;default:0"`
	Positions         int64  `gorm:"not null;default:0"`
	Filled            int64  `gorm:"not null;default:0"`
	WithCoordinator   int64  `gorm:"not null;default:0"`
	CoordinatorOnTime int64  `gorm:"not null;default:0"`
	CoordinatorLate   int64  `gorm:"not null;default:0"`
	ContactOnTime     int64  `gorm:"not null;default:0"`
	ContactLate       int64  `gorm:"not null;default:0"`
	WithReferral      int64  `gorm:"not null;default:0"`
	HiredReferred     int64  `gorm:"not null;default:0"`
	OverdueNoReferral int64  `gorm:"not null;default:0"`
	NudgedOpen        int64  `gorm:"not null;default:0"`
}

// TableName keeps the table name readable.
func (KPIMonthly) TableName() string { return "kpi_monthly" }

// KPIMonthlyIndustry counts orders by scope, month and DB07 group.
type KPIMonthlyIndustry struct {
	Scope         string `gorm:"primaryKey;size:3"`
	Month         string `gorm:"primaryKey;size:7"`
	IndustryGroup string `gorm:"primaryKey;size:2"`
	Orders        int64  `gorm:"not null;default:0"`
}

// TableName keeps the table name readable.
func (KPIMonthlyIndustry) TableName() string { return "kpi_monthly_industries" }

// KPIMonthlyOccupation counts orders by scope, month and ISCO-08 unit group.
type KPIMonthlyOccupation struct {
	Scope          string `gorm:"primaryKey;size:3"`
	Month          string `gorm:"primaryKey;size:7"`
	OccupationCode string `gorm:"primaryKey;size:4"`
	Orders         int64  `gorm:"not null;default:0"`
}

// TableName keeps the table name readable.
func (KPIMonthlyOccupation) TableName() string { return "kpi_monthly_occupations" }

// KPIMonthlyReferralHours is a histogram of whole hours to the first referral by scope and month,
// from which the median is read exactly.
type KPIMonthlyReferralHours struct {
	Scope  string `gorm:"primaryKey;size:3"`
	Month  string `gorm:"primaryKey;size:7"`
	Hours  int    `gorm:"primaryKey"`
	Orders int64  `gorm:"not null;default:0"`
}

// TableName keeps the table name readable.
func (KPIMonthlyReferralHours) TableName() string { return "kpi_monthly_referral_hours" }
