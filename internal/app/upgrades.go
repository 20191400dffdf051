package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"jobordre/models"
)

// upgradeNoDefaultSharing is the upgrade that tells the running orders of job centres without a
// policy of their own that the shipped defaults no longer share anything automatically (STAR's
// guide: since 17 March 2021 only a job centre's own choice shares an order nationally). Orders
// started under earlier versions carry the old defaults (neighbours after 3 working days,
// national after 10) in their workflow state; a policy fan-out gives them the job centre's
// policy as it is now. An order already shared stays shared: sharing never narrows by itself.
const upgradeNoDefaultSharing = "2026-12 no automatic sharing by default"

// upgradeDefaultSharing runs upgradeNoDefaultSharing once per database: fanOut (the policy
// fan-out of one job centre) for every job centre without a stored policy that has an order not
// closed, then the upgrade is recorded. On an error it is not recorded, and the next worker
// start tries again (a fan-out sent twice is harmless).
func upgradeDefaultSharing(ctx context.Context, db *gorm.DB, fanOut func(ctx context.Context, jobcenter string) error) (int, error) {
	db = db.WithContext(ctx)
	var done models.Upgrade
	err := db.Take(&done, "name = ?", upgradeNoDefaultSharing).Error
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, err
	}
	var codes []string
	if err := db.Model(&models.JobOrder{}).Distinct("responsible_jobcenter").
		Where("status <> ? AND responsible_jobcenter NOT IN (SELECT jobcenter FROM jobcenter_policies)", models.StatusClosed).
		Order("responsible_jobcenter").Pluck("responsible_jobcenter", &codes).Error; err != nil {
		return 0, err
	}
	for _, code := range codes {
		if err := fanOut(ctx, code); err != nil {
			return 0, fmt.Errorf("tell the orders of job centre %s: %w", code, err)
		}
	}
	return len(codes), db.Create(&models.Upgrade{Name: upgradeNoDefaultSharing, DoneAt: time.Now().UTC()}).Error
}

// runUpgrades carries out the one-off upgrades; a failure is logged and retried at the next start.
func runUpgrades(ctx context.Context, db *gorm.DB, fanOut func(ctx context.Context, jobcenter string) error, log *slog.Logger) {
	n, err := upgradeDefaultSharing(ctx, db, fanOut)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Warn("could not tell running orders that nothing is shared automatically any more; retried at the next start", "error", err)
	case n > 0:
		log.Info("told the running orders of job centres without a policy that nothing is shared automatically", "jobcenters", n)
	}
}
