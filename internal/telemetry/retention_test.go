package telemetry

import (
	"testing"
)

// The deletion workflow's counts reach the process's Prometheus registry by kind, under the name
// docs/privacy.md gives.
func TestRetentionCountsLandInTheRegistryByKind(t *testing.T) {
	m := NewMetrics()
	CountRetention(m.Temporal, "consents", 3)
	CountRetention(m.Temporal, "consents", 2)
	CountRetention(m.Temporal, "cv_access_log", 1)
	if err := m.Close(); err != nil { // flushes the SDK's scope into the registry
		t.Fatal(err)
	}
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "temporal_jobordre_retention_deleted_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "kind" {
					got[l.GetValue()] = s.GetCounter().GetValue()
				}
			}
		}
	}
	if got["consents"] != 5 || got["cv_access_log"] != 1 {
		names := []string{}
		for _, f := range families {
			names = append(names, f.GetName())
		}
		t.Fatalf("counts %v; families %v", got, names)
	}
}
