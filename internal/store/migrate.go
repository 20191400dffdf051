package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/consent"
	"jobordre/internal/cvindex"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// Migrate creates or updates the schema, loads the embedded reference data into the ref_* tables
// when the database holds another version of it, and seeds the default job centres. It is
// idempotent: every process runs it at start unless JOBORDRE_AUTO_MIGRATE=false. The key
// figures' own indexes are added by app.Migrate, which calls this.
func Migrate(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	if err := db.AutoMigrate(models.All()...); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	if err := backfillOutboxReasons(db); err != nil {
		return err
	}
	if err := backfillSharedAt(db); err != nil {
		return err
	}
	if err := cvindex.EnsureSchema(ctx, db); err != nil {
		return err
	}
	if err := consent.Backfill(ctx, db); err != nil {
		return err
	}
	ref := refdata.Default()
	if err := loadReference(db, ref); err != nil {
		return err
	}
	return seedJobcenters(db, ref)
}

// seedJobcenters gives every municipality its own job centre unless an admin has already
// assigned it (a merged job centre); existing rows are never overwritten.
func seedJobcenters(db *gorm.DB, ref *refdata.Data) error {
	var centres []models.Jobcenter
	var links []models.JobcenterMunicipality
	for _, m := range ref.Municipalities() {
		centres = append(centres, models.Jobcenter{Code: m.Code, Name: "Jobcenter " + m.Name})
		links = append(links, models.JobcenterMunicipality{MunicipalityCode: m.Code, JobcenterCode: m.Code})
	}
	return db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.JobcenterMunicipality{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			// Already seeded: merges made since then must survive a re-run.
			return nil
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&centres).Error; err != nil {
			return fmt.Errorf("seed job centres: %w", err)
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&links).Error; err != nil {
			return fmt.Errorf("seed job centre municipalities: %w", err)
		}
		return nil
	})
}
