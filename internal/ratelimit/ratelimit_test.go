package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestBurstThenRefusedWithTheWaitForTheNextToken(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 2, Burst: 3, Now: clk.Now})
	for i := range 3 {
		if ok, _ := l.Allow("cw-1"); !ok {
			t.Fatalf("request %d of the burst was refused", i+1)
		}
	}
	ok, wait := l.Allow("cw-1")
	if ok {
		t.Fatal("the request after the burst must be refused")
	}
	if wait != 500*time.Millisecond {
		t.Fatalf("wait %v, want 500ms (one token at 2/s)", wait)
	}
	if s := RetryAfterSeconds(wait); s != 1 {
		t.Fatalf("Retry-After %d, want 1 (rounded up)", s)
	}
	// A refused request takes no token: the wait stays the same at the same instant.
	if _, again := l.Allow("cw-1"); again != wait {
		t.Fatalf("second refusal wait %v, want %v", again, wait)
	}
}

func TestOtherKeysAreUnaffected(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 1, Burst: 1, Now: clk.Now})
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("first request of a refused")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("second request of a allowed")
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("b must have its own bucket")
	}
}

func TestBucketsRefillAsTimePasses(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 10, Burst: 5, Now: clk.Now})
	for range 5 {
		l.Allow("k")
	}
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("empty bucket allowed a request")
	}
	clk.Advance(100 * time.Millisecond) // one token at 10/s
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("a token must be back after 100ms")
	}
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("only one token came back")
	}
	clk.Advance(time.Hour)
	for i := range 5 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatalf("after an hour the bucket must be full; request %d refused", i+1)
		}
	}
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("the bucket never holds more than the burst")
	}
}

func TestLongWaitsAreRoundedUpToWholeSeconds(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 0.4, Burst: 1, Now: clk.Now}) // a token every 2.5 s
	l.Allow("k")
	ok, wait := l.Allow("k")
	if ok || wait != 2500*time.Millisecond || RetryAfterSeconds(wait) != 3 {
		t.Fatalf("ok=%v wait=%v Retry-After=%d, want refused, 2.5s, 3", ok, wait, RetryAfterSeconds(wait))
	}
	clk.Advance(2 * time.Second)
	if _, wait := l.Allow("k"); wait != 500*time.Millisecond {
		t.Fatalf("wait after 2s %v, want 500ms", wait)
	}
}

func TestIdleBucketsAreDropped(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 20, Burst: 40, Now: clk.Now}) // full again after 2 s
	for i := range 1000 {
		l.Allow(fmt.Sprintf("user-%d", i))
	}
	if n := l.Len(); n != 1000 {
		t.Fatalf("%d buckets, want 1000", n)
	}
	clk.Advance(time.Second)
	l.Allow("user-0") // used again: kept
	clk.Advance(1500 * time.Millisecond)
	l.Allow("late")
	if n := l.Len(); n != 2 {
		t.Fatalf("%d buckets after the others were idle for 2.5 s, want 2 (user-0 and late)", n)
	}
}

func TestTheNumberOfBucketsIsCapped(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 1, Burst: 1, MaxKeys: 100, Now: clk.Now})
	for i := range 10_000 {
		l.Allow(fmt.Sprintf("user-%d", i))
		if n := l.Len(); n > 100 {
			t.Fatalf("%d buckets, the cap is 100", n)
		}
	}
	// The most recent keys are the ones kept: user-9999 is still limited.
	if ok, _ := l.Allow("user-9999"); ok {
		t.Fatal("the most recently used bucket must be kept")
	}
}

func TestZeroDisables(t *testing.T) {
	for _, c := range []Config{{RPS: 0, Burst: 40}, {RPS: 20, Burst: 0}, {RPS: -1, Burst: 1}} {
		if l := New(c); l != nil {
			t.Errorf("%+v must give no limiter", c)
		}
	}
	var off *Limiter
	if ok, _ := off.Allow("k"); !ok || off.Len() != 0 {
		t.Fatal("a nil limiter allows everything")
	}
}

func TestConcurrentUseGrantsExactlyTheBurst(t *testing.T) {
	clk := newClock()
	l := New(Config{RPS: 1, Burst: 50, MaxKeys: 1000, Now: clk.Now})
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if ok, _ := l.Allow("shared"); ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
				l.Allow(fmt.Sprintf("g%d-%d", g, i%4))
			}
		}()
	}
	wg.Wait()
	if granted != 50 {
		t.Fatalf("%d requests granted from one bucket of 50 at a frozen clock", granted)
	}
}
