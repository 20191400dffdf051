package kpi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"jobordre/internal/joborder"
	"jobordre/models"
)

// TestTheSkippedNotificationsAreExactlyTheOnesBuildIgnores keeps factTemplates and Build's
// reading of sent notifications in step: a template Build starts to read that is not in
// factTemplates would have its history entry skip the refresh, and the figures would drift.
func TestTheSkippedNotificationsAreExactlyTheOnesBuildIgnores(t *testing.T) {
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := created.Add(30 * 24 * time.Hour)
	src := Sources{Order: models.JobOrder{ID: "o1", ResponsibleJobcenter: "101", OccupationCode: "2512", Positions: 1,
		Status: models.StatusOpen, CreatedAt: created}}
	plain := Build(src, now)
	for _, tpl := range joborder.Templates {
		details, _ := json.Marshal(map[string]string{"template": tpl, "recipient_role": "coordinator"})
		e := models.JobOrderEvent{ID: 1, JobOrderID: "o1", Type: string(joborder.EventNotificationSent), At: created.Add(time.Hour), Details: string(details)}
		with := src
		with.Events = []models.JobOrderEvent{e}
		read := !reflect.DeepEqual(Build(with, now), plain)
		if skipped := changesNoFigure(&e); skipped == read {
			t.Errorf("template %s: Build reads it %v, but the refresh is skipped %v", tpl, read, skipped)
		}
	}
}
