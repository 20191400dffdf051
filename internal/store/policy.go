package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
	return p, nil
}
