package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"jobordre/internal/store"
	"jobordre/models"
)

// Running orders of job centres without a policy are told once that nothing is shared
// automatically any more; job centres with a policy, or without running orders, are left alone.
func TestRunningOrdersOfJobCentresWithoutAPolicyAreToldOnceThatNothingIsSharedAutomatically(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "up.db"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(db) })
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, o := range []struct{ jc, status string }{{"751", models.StatusOpen}, {"101", models.StatusOpen}, {"101", models.StatusTemporarilyInactive}, {"147", models.StatusClosed}} {
		id := "00000000-0000-4000-8000-00000000000" + string(rune('1'+i))
		if err := db.Create(&models.JobOrder{ID: id, CompanyCVR: "10103940", Title: "t", Description: "d", WorkplaceAddress: "a", WorkplacePostalCode: "8000",
			WorkplaceMunicipalityCode: o.jc, ResponsibleJobcenter: o.jc, OccupationCode: "7115", Positions: 1, Kind: models.KindOrdinary, Status: o.status,
			Sharing: models.SharingInternal, CreatedBySubject: "cw", CreatedByRole: "caseworker", WorkflowID: "job-order/" + id, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Create(&models.JobcenterPolicy{Jobcenter: "751", Document: `{}`, UpdatedBy: "mgr", UpdatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	var told []string
	fanOut := func(_ context.Context, jc string) error { told = append(told, jc); return nil }
	if n, err := upgradeDefaultSharing(ctx, db, fanOut); err != nil || n != 1 || len(told) != 1 || told[0] != "101" {
		t.Fatalf("first run: %d %v, told %v; want only 101", n, err, told)
	}
	if n, err := upgradeDefaultSharing(ctx, db, fanOut); err != nil || n != 0 || len(told) != 1 {
		t.Fatalf("second run: %d %v, told %v; want nothing", n, err, told)
	}
}
