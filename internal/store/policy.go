package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/policy"
	"jobordre/models"
)

// LoadPolicy returns a job centre's stored policy, or the shipped defaults when it has set none.
func LoadPolicy(ctx context.Context, db *gorm.DB, jobcenter string) (policy.Policy, error) {
	var row models.JobcenterPolicy
	err := db.WithContext(ctx).Take(&row, "jobcenter = ?", jobcenter).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return policy.Defaults(), nil
	}
	if err != nil {
		return policy.Policy{}, err
	}
	var p policy.Policy
	if err := json.Unmarshal([]byte(row.Document), &p); err != nil {
		return policy.Policy{}, fmt.Errorf("stored policy of job centre %s is unreadable: %w", jobcenter, err)
	}
	// Documents stored before retention periods existed have none: they mean the national defaults.
	p.Retention = p.RetentionOrDefault()
	return p, nil
}

// PolicyRecipients is the job centre's orders a policy change is sent to: every order that is not
// closed, and closed ones for a year (they can still be reopened within their window). The
// fan-out (activities.SignalOpenOrders) signals them and the policy editor counts them for its
// progress, so both mean the same orders.
func PolicyRecipients(db *gorm.DB, jobcenter string, now time.Time) *gorm.DB {
	return db.Model(&models.JobOrder{}).Where("responsible_jobcenter = ? AND (status <> ? OR updated_at > ?)",
		jobcenter, models.StatusClosed, now.AddDate(-1, 0, 0))
}
