package policy

import (
	"testing"
	"time"
)

// Every reminder the workflow schedules goes through AddDuration and DeliveryTime; both run in
// workflow code on every wake-up, so they must stay cheap.
func BenchmarkAddDurationTenWorkingDays(b *testing.B) {
	start := time.Date(2027, 3, 24, 10, 0, 0, 0, Copenhagen) // across Easter
	d := MustParseDuration("P10D")
	for b.Loop() {
		_ = AddDuration(start, d, true)
	}
}

func BenchmarkDeliveryTimeFridayEvening(b *testing.B) {
	t := time.Date(2026, 12, 18, 18, 30, 0, 0, Copenhagen)
	for b.Loop() {
		_ = DeliveryTime(t, true)
	}
}
