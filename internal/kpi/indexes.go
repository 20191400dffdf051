package kpi

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// factColumns are the columns the edge-of-period queries read from job_order_facts.
var factColumns = []string{"month", "major_group", "industry_group", "occupation_code", "positions", "filled", "with_coordinator",
	"coordinator_on_time", "coordinator_late", "contact_on_time", "contact_late", "with_referral", "hired_referred",
	"overdue_no_referral", "nudged_open", "referral_hours"}

// EnsureIndexes creates the indexes the key-figure queries rely on beyond what the model tags
// can say. On PostgreSQL the (jobcenter, created_at) and (created_at) indexes carry every column
// the edge-of-period queries read (INCLUDE), so those are index-only scans instead of one heap
// visit per order; on both dialects the late-sharing count reads a partial index holding only
// the orders that ever fell behind. Idempotent.
func EnsureIndexes(ctx context.Context, db *gorm.DB) error {
	stmts := []string{
		// The single-column index invited plans that visit every late order's row.
		`DROP INDEX IF EXISTS idx_facts_sharing_late`,
		`CREATE INDEX IF NOT EXISTS idx_facts_late_jobcenter ON job_order_facts (jobcenter, created_at, sharing_late_since) WHERE sharing_late_since IS NOT NULL`,
		`CREATE INDEX IF NOT EXISTS idx_facts_late_created ON job_order_facts (created_at, sharing_late_since) WHERE sharing_late_since IS NOT NULL`,
	}
	if db.Dialector.Name() == "postgres" {
		include := strings.Join(factColumns, ", ")
		stmts = append(stmts,
			`CREATE INDEX IF NOT EXISTS idx_facts_jobcenter_created ON job_order_facts (jobcenter, created_at) INCLUDE (`+include+`)`,
			`CREATE INDEX IF NOT EXISTS idx_facts_created ON job_order_facts (created_at) INCLUDE (`+include+`)`)
	} else {
		stmts = append(stmts,
			`CREATE INDEX IF NOT EXISTS idx_facts_jobcenter_created ON job_order_facts (jobcenter, created_at)`,
			`CREATE INDEX IF NOT EXISTS idx_facts_created ON job_order_facts (created_at)`)
	}
	for _, s := range stmts {
		if err := db.WithContext(ctx).Exec(s).Error; err != nil {
			return fmt.Errorf("key-figure index: %w", err)
		}
	}
	return nil
}
