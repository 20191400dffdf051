package policy

import (
	"fmt"
	"testing"
	"time"
)

// Reminders that waited for the delivery window are spread over its first hour by key, the same
// key always at the same second; a reminder due inside the window is not moved.
func TestSpreadDeliveryTimeSpreadsWhatWaitedOverTheWindowsFirstHour(t *testing.T) {
	cph := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, Copenhagen)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	inside := cph("2026-12-03 10:15") // a Thursday
	if got := SpreadDeliveryTime(inside, true, "order-1"); !got.Equal(inside) {
		t.Errorf("a reminder due inside the window is moved to %s", got)
	}
	saturday := cph("2026-12-05 11:00")
	if got := SpreadDeliveryTime(saturday, false, "order-1"); !got.Equal(saturday) {
		t.Errorf("without working days nothing waits, got %s", got)
	}
	monday := cph("2026-12-07 08:00")
	perMinute := map[int]int{}
	const n = 10000
	for i := range n {
		key := fmt.Sprintf("%08x-2c6f-4d1e-9b7a-%012d", i*7919, i)
		got := SpreadDeliveryTime(saturday, true, key)
		if got.Before(monday) || !got.Before(monday.Add(DeliverySpread)) {
			t.Fatalf("%s: delivered %s, outside Monday 08:00–09:00", key, got.In(Copenhagen))
		}
		if again := SpreadDeliveryTime(saturday, true, key); !again.Equal(got) {
			t.Fatalf("%s: %s, then %s", key, got, again)
		}
		if got.Nanosecond() != 0 {
			t.Fatalf("%s: not a whole second: %s", key, got)
		}
		perMinute[int(got.Sub(monday)/time.Minute)]++
	}
	// Every minute of the hour gets its share: none more than twice the even 1/60.
	if len(perMinute) != 60 {
		t.Errorf("%d of 60 minutes used", len(perMinute))
	}
	for m, c := range perMinute {
		if c > 2*n/60 {
			t.Errorf("minute %d holds %d of %d reminders", m, c, n)
		}
	}
}
