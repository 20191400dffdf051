package store

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jobordre/internal/refdata"
	"jobordre/models"
)

// refLockKey is the PostgreSQL advisory lock taken while the reference data is loaded, so that
// two processes migrating at once load it one after the other ("jobref" in ASCII).
const refLockKey int64 = 0x6a6f62726566

// refBatchSize keeps every INSERT far below PostgreSQL's 65535 and SQLite's 32766 bind parameters
// (the widest ref_ table has 5 columns).
const refBatchSize = 250

// loadReference brings the ref_* tables to the embedded reference data: a dataset whose version in
// reference_datasets equals the embedded one is left alone (one query in all when nothing changed);
// the others are replaced, all in one transaction.
func loadReference(db *gorm.DB, ref *refdata.Data) error {
	stale, err := staleDatasets(db, ref.Datasets())
	if err != nil {
		return fmt.Errorf("read reference data versions: %w", err)
	}
	if len(stale) == 0 {
		return nil
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", refLockKey).Error; err != nil {
				return fmt.Errorf("lock reference data: %w", err)
			}
		}
		// Another process may have loaded the data while this one waited for the lock (SQLite:
		// for the write transaction).
		stale, err := staleDatasets(tx, stale)
		if err != nil {
			return fmt.Errorf("read reference data versions: %w", err)
		}
		now := tx.NowFunc()
		for _, ds := range stale {
			n, err := replaceDataset(tx, ref, ds.Name)
			if err != nil {
				return fmt.Errorf("load reference dataset %s: %w", ds.Name, err)
			}
			row := models.ReferenceDataset{Name: ds.Name, Version: ds.Version, Source: ds.Source, Rows: n, LoadedAt: now}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, UpdateAll: true}).Create(&row).Error; err != nil {
				return fmt.Errorf("record reference dataset %s: %w", ds.Name, err)
			}
		}
		return nil
	})
}

// staleDatasets returns those of want whose stored version differs from theirs or is missing.
func staleDatasets(db *gorm.DB, want []refdata.Dataset) ([]refdata.Dataset, error) {
	var have []models.ReferenceDataset
	if err := db.Select("name", "version").Find(&have).Error; err != nil {
		return nil, err
	}
	stored := make(map[string]string, len(have))
	for _, h := range have {
		stored[h.Name] = h.Version
	}
	var stale []refdata.Dataset
	for _, ds := range want {
		if stored[ds.Name] != ds.Version {
			stale = append(stale, ds)
		}
	}
	return stale, nil
}

// replaceDataset deletes a dataset's rows and inserts the embedded ones; it returns how many.
func replaceDataset(tx *gorm.DB, ref *refdata.Data, name string) (int, error) {
	switch name {
	case refdata.DatasetMunicipalities:
		var rows []models.RefMunicipality
		for _, m := range ref.Municipalities() {
			rows = append(rows, models.RefMunicipality{Code: m.Code, Name: m.Name, RegionCode: m.RegionCode, RegionName: m.RegionName})
		}
		return replaceRows(tx, rows)
	case refdata.DatasetPostalCodes:
		var rows []models.RefPostalCode
		for _, p := range ref.AllPostalCodes() {
			for _, m := range p.Municipalities {
				rows = append(rows, models.RefPostalCode{PostalCode: p.Code, MunicipalityCode: m, City: p.City})
			}
		}
		return replaceRows(tx, rows)
	case refdata.DatasetNeighbours:
		var rows []models.RefMunicipalityNeighbour
		for _, p := range ref.NeighbourPairs() {
			rows = append(rows, models.RefMunicipalityNeighbour{CodeA: p[0], CodeB: p[1]})
		}
		return replaceRows(tx, rows)
	case refdata.DatasetIndustries:
		var rows []models.RefIndustry
		for _, i := range ref.AllIndustries() {
			parent := i.Section
			if i.Level == "subclass" {
				parent = i.Group
			}
			rows = append(rows, models.RefIndustry{Code: i.Code, Level: i.Level, Title: i.Title, Parent: parent})
		}
		return replaceRows(tx, rows)
	case refdata.DatasetOccupations:
		var rows []models.RefOccupation
		for _, o := range ref.AllOccupations() {
			rows = append(rows, models.RefOccupation{Code: o.Code, Level: o.Level, TitleEN: o.TitleEN, TitleDA: o.TitleDA, ParentCode: o.ParentCode})
		}
		return replaceRows(tx, rows)
	default:
		return 0, fmt.Errorf("no table for reference dataset %q", name)
	}
}

// replaceRows empties rows' table and inserts rows in batches.
func replaceRows[T any](tx *gorm.DB, rows []T) (int, error) {
	if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(new(T)).Error; err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if err := tx.CreateInBatches(rows, refBatchSize).Error; err != nil {
		return 0, err
	}
	return len(rows), nil
}
