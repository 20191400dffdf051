package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jobordre/internal/pgtest"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openBoth(t *testing.T) map[string]*gorm.DB {
	t.Helper()
	dbs := map[string]*gorm.DB{}
	for name, url := range map[string]string{"postgres": pgtest.NewDatabase(t), "sqlite": ""} {
		db, err := Open(context.Background(), url, t.TempDir(), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { _ = Close(db) })
		dbs[name] = db
	}
	return dbs
}

func TestMigrateIsIdempotentAndSeedsOneJobcentrePerMunicipality(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < 2; i++ {
				if err := Migrate(context.Background(), db); err != nil {
					t.Fatalf("migration %d: %v", i+1, err)
				}
			}
			var centres, links int64
			db.Model(&models.Jobcenter{}).Count(&centres)
			db.Model(&models.JobcenterMunicipality{}).Count(&links)
			if centres != 98 || links != 98 {
				t.Fatalf("job centres %d, municipality links %d", centres, links)
			}
			var aarhus models.Jobcenter
			if err := db.Take(&aarhus, "code = ?", "751").Error; err != nil || aarhus.Name != "Jobcenter Aarhus" {
				t.Fatalf("751: %+v %v", aarhus, err)
			}
		})
	}
}

func TestMigrateKeepsAMergedJobcentre(t *testing.T) {
	for name, db := range openBoth(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			// Læsø (825) served by Frederikshavn (813).
			if err := db.Model(&models.JobcenterMunicipality{}).Where("municipality_code = ?", "825").Update("jobcenter_code", "813").Error; err != nil {
				t.Fatal(err)
			}
			if err := Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			var link models.JobcenterMunicipality
			db.Take(&link, "municipality_code = ?", "825")
			if link.JobcenterCode != "813" {
				t.Fatalf("re-running the migration undid the merge: %+v", link)
			}
		})
	}
}

func TestDialectIsChosenByTheURL(t *testing.T) {
	for url, want := range map[string]Dialect{"": SQLite, "sqlite:/tmp/x.db": SQLite, "postgres://h/db": Postgres, "postgresql://h/db": Postgres} {
		if got, err := DialectOf(url); err != nil || got != want {
			t.Errorf("%q: %v %v", url, got, err)
		}
	}
	if _, err := DialectOf("mysql://user:secret@h/db"); err == nil {
		t.Fatal("mysql must be refused")
	} else if strings.Contains(err.Error(), "secret") {
		t.Fatalf("the error leaks the password: %v", err)
	}
}

func TestDevDefaultCreatesTheSQLiteFileInTheDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db, err := Open(context.Background(), "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	if _, err := os.Stat(SQLitePath(dir)); err != nil {
		t.Fatalf("no database file: %v", err)
	}
}
