package store

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"jobordre/internal/pgtest"
	"jobordre/internal/refdata"
	"jobordre/models"
)

// wantDatasetRows is how many rows each dataset's embedded files hold (data/SOURCES.md).
var wantDatasetRows = map[string]int{
	refdata.DatasetMunicipalities: 98,
	refdata.DatasetPostalCodes:    1432,
	refdata.DatasetNeighbours:     186,
	refdata.DatasetIndustries:     21 + 88 + 736,
	refdata.DatasetOccupations:    619,
}

func TestMigrateLoadsTheReferenceDataOnceWithItsVersions(t *testing.T) {
	versions := refdata.Default().Versions()
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			first := datasetRows(t, db)
			if len(first) != len(wantDatasetRows) {
				t.Fatalf("datasets: %+v", first)
			}
			for _, ds := range first {
				if ds.Version != versions[ds.Name] || ds.Rows != wantDatasetRows[ds.Name] || ds.Source == "" || ds.LoadedAt.IsZero() {
					t.Errorf("%s: %+v, want version %s and %d rows", ds.Name, ds, versions[ds.Name], wantDatasetRows[ds.Name])
				}
			}
			assertEmbeddedRows(t, db)
			var regions int64
			if err := db.Model(&models.RefMunicipality{}).Distinct("region_code").Count(&regions).Error; err != nil || regions != 5 {
				t.Fatalf("regions: %d %v", regions, err)
			}
			var aarhus []models.RefPostalCode
			db.Where("postal_code = ?", "8600").Order("municipality_code").Find(&aarhus)
			if len(aarhus) != 3 || aarhus[0].MunicipalityCode != "740" || aarhus[0].City != "Silkeborg" {
				t.Fatalf("8600: %+v", aarhus)
			}

			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			assertSameDatasets(t, first, datasetRows(t, db))
			assertEmbeddedRows(t, db)

			// On a loaded database the reference step is one query.
			var statements atomic.Int64
			if err := loadReference(db.Session(&gorm.Session{Logger: countingLogger{&statements}}), refdata.Default()); err != nil {
				t.Fatal(err)
			}
			if n := statements.Load(); n != 1 {
				t.Fatalf("an up-to-date database took %d statements, want 1", n)
			}
		})
	}
}

func TestMigrateReplacesAnOlderReferenceVersion(t *testing.T) {
	versions := refdata.Default().Versions()
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			before := datasetRows(t, db)
			// An older release's data: other versions, rows the new data lacks, rows since removed.
			must(t, db.Model(&models.ReferenceDataset{}).Where("name <> ?", refdata.DatasetNeighbours).Update("version", "old").Error)
			must(t, db.Where("region_code = ?", "1084").Delete(&models.RefMunicipality{}).Error)
			must(t, db.Where("postal_code LIKE ?", "8%").Delete(&models.RefPostalCode{}).Error)
			must(t, db.Create(&models.RefPostalCode{PostalCode: "0960", MunicipalityCode: "101", City: "Udland"}).Error)
			must(t, db.Model(&models.RefOccupation{}).Where("code = ?", "2512").Update("title_en", "Programmers").Error)
			must(t, db.Where("level = ?", "subclass").Delete(&models.RefIndustry{}).Error)
			// A dataset whose version is current is not touched, even if its rows were edited.
			must(t, db.Where("code_a = ? AND code_b = ?", "101", "147").Delete(&models.RefMunicipalityNeighbour{}).Error)

			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			after := datasetRows(t, db)
			for i, ds := range after {
				if ds.Version != versions[ds.Name] || ds.Rows != wantDatasetRows[ds.Name] {
					t.Errorf("%s: %+v", ds.Name, ds)
				}
				reloaded := !ds.LoadedAt.Equal(before[i].LoadedAt)
				if reloaded != (ds.Name != refdata.DatasetNeighbours) {
					t.Errorf("%s: loaded at %v, before %v", ds.Name, ds.LoadedAt, before[i].LoadedAt)
				}
			}
			var n int64
			db.Model(&models.RefMunicipalityNeighbour{}).Count(&n)
			if n != 185 {
				t.Fatalf("neighbours of a current version were reloaded: %d rows", n)
			}

			// Once its version differs too, the dataset comes back whole.
			must(t, db.Model(&models.ReferenceDataset{}).Where("name = ?", refdata.DatasetNeighbours).Update("version", "old").Error)
			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			assertEmbeddedRows(t, db)
		})
	}
}

func TestConcurrentMigrationsLoadTheReferenceDataOnce(t *testing.T) {
	urls := map[string]string{
		"postgres": pgtest.NewDatabase(t),
		"sqlite":   "sqlite:" + filepath.Join(t.TempDir(), "concurrent.db"),
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var dbs []*gorm.DB
			for i := 0; i < 2; i++ {
				db, err := Open(ctx, url, t.TempDir(), nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = Close(db) })
				dbs = append(dbs, db)
			}
			if err := Migrate(ctx, dbs[0]); err != nil {
				t.Fatal(err)
			}
			must(t, dbs[0].Model(&models.ReferenceDataset{}).Where("1 = 1").Update("version", "old").Error)
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func(db *gorm.DB) {
					defer wg.Done()
					errs <- Migrate(ctx, db)
				}(dbs[i%2])
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			assertEmbeddedRows(t, dbs[1])
			for _, ds := range datasetRows(t, dbs[1]) {
				if ds.Rows != wantDatasetRows[ds.Name] {
					t.Errorf("%s: %+v", ds.Name, ds)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func datasetRows(t *testing.T, db *gorm.DB) []models.ReferenceDataset {
	t.Helper()
	var rows []models.ReferenceDataset
	must(t, db.Order("name").Find(&rows).Error)
	return rows
}

func assertSameDatasets(t *testing.T, a, b []models.ReferenceDataset) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d datasets, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Version != b[i].Version || a[i].Rows != b[i].Rows || !a[i].LoadedAt.Equal(b[i].LoadedAt) {
			t.Errorf("re-running the migration changed %+v into %+v", a[i], b[i])
		}
	}
}

// assertEmbeddedRows compares every ref_ table with the CSV files it is loaded from.
func assertEmbeddedRows(t *testing.T, db *gorm.DB) {
	t.Helper()
	var munis []models.RefMunicipality
	for _, r := range readData(t, "municipalities.csv") {
		munis = append(munis, models.RefMunicipality{Code: r[0], Name: r[1], RegionCode: r[2], RegionName: r[3]})
	}
	assertTable(t, db, munis, func(m models.RefMunicipality) string { return m.Code })

	var postal []models.RefPostalCode
	for _, r := range readData(t, "postal_codes.csv") {
		postal = append(postal, models.RefPostalCode{PostalCode: r[0], City: r[1], MunicipalityCode: r[2]})
	}
	assertTable(t, db, postal, func(p models.RefPostalCode) string { return p.PostalCode + "/" + p.MunicipalityCode })

	var pairs []models.RefMunicipalityNeighbour
	for _, r := range readData(t, "municipality_neighbours.csv") {
		pairs = append(pairs, models.RefMunicipalityNeighbour{CodeA: r[0], CodeB: r[1]})
	}
	assertTable(t, db, pairs, func(p models.RefMunicipalityNeighbour) string { return p.CodeA + "/" + p.CodeB })

	var industries []models.RefIndustry
	for _, r := range readData(t, "db07_sections.csv") {
		industries = append(industries, models.RefIndustry{Code: r[0], Level: "section", Title: r[1]})
	}
	for _, r := range readData(t, "db07_groups.csv") {
		industries = append(industries, models.RefIndustry{Code: r[0], Level: "group", Title: r[1], Parent: r[2]})
	}
	for _, r := range readData(t, "db07_subclasses.csv") {
		industries = append(industries, models.RefIndustry{Code: r[0], Level: "subclass", Title: r[1], Parent: r[2]})
	}
	assertTable(t, db, industries, func(i models.RefIndustry) string { return i.Code })

	var occupations []models.RefOccupation
	for _, r := range readData(t, "isco08.csv") {
		level, err := strconv.Atoi(r[1])
		must(t, err)
		occupations = append(occupations, models.RefOccupation{Code: r[0], Level: level, TitleEN: r[2], TitleDA: r[3], ParentCode: r[4]})
	}
	assertTable(t, db, occupations, func(o models.RefOccupation) string { return o.Code })
}

func assertTable[T any](t *testing.T, db *gorm.DB, want []T, key func(T) string) {
	t.Helper()
	var got []T
	must(t, db.Find(&got).Error)
	for _, s := range [][]T{got, want} {
		sort.Slice(s, func(i, j int) bool { return key(s[i]) < key(s[j]) })
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%T: the table (%d rows) differs from the embedded file (%d rows)", want, len(got), len(want))
	}
}

// readData reads one of internal/refdata's CSV files without its header.
func readData(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "refdata", "data", name))
	must(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	must(t, err)
	return rows[1:]
}

// countingLogger counts the statements GORM runs.
type countingLogger struct{ n *atomic.Int64 }

func (l countingLogger) LogMode(logger.LogLevel) logger.Interface      { return l }
func (l countingLogger) Info(context.Context, string, ...interface{})  {}
func (l countingLogger) Warn(context.Context, string, ...interface{})  {}
func (l countingLogger) Error(context.Context, string, ...interface{}) {}
func (l countingLogger) Trace(context.Context, time.Time, func() (string, int64), error) {
	l.n.Add(1)
}
