// Package dbtest gives tests the application database as the processes have it: opened by
// store.Open, wired with the key-figure upkeep and migrated the way internal/app does it, on a
// fresh PostgreSQL database (internal/pgtest) or a SQLite file.
package dbtest

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"jobordre/internal/kpi"
	"jobordre/internal/pgtest"
	"jobordre/internal/store"
)

// Open opens the database at url (empty: a new SQLite file), wires and migrates it like
// app.OpenDatabase, and closes it when the test ends.
func Open(t testing.TB, url string) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, t.TempDir(), nil)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { _ = store.Close(db) })
	// What app.WireDatabase and app.Migrate do; app itself sits above the packages under test.
	if err := kpi.Register(db, store.LoadPolicy); err != nil {
		t.Fatalf("dbtest: wire key figures: %v", err)
	}
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	if err := kpi.EnsureIndexes(ctx, db); err != nil {
		t.Fatalf("dbtest: key-figure indexes: %v", err)
	}
	return db
}

// Postgres returns a fresh, migrated PostgreSQL database. The package's TestMain must run
// pgtest.Main, which stops the throwaway server afterwards.
func Postgres(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, pgtest.NewDatabase(t))
}

// SQLite returns a fresh, migrated SQLite database (the dev default).
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, "")
}
