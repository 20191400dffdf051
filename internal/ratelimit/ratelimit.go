// Package ratelimit keeps one token bucket per key (the API uses the authenticated principal's
// subject) with bounded memory: buckets that have been idle long enough to be full again are
// dropped, and the number of buckets is capped.
package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys caps the number of buckets kept when Config.MaxKeys is 0.
const DefaultMaxKeys = 10_000

// Config sets the limiter up.
type Config struct {
	// RPS is the sustained rate each key may make requests at (tokens added per second).
	RPS float64
	// Burst is the bucket size: how many requests a key may make at once after being idle.
	Burst int
	// MaxKeys caps the buckets kept; when full, the least recently used bucket is dropped (that
	// key starts again with a full bucket). 0 means DefaultMaxKeys.
	MaxKeys int
	// Now is the clock; nil means time.Now. Tests inject one.
	Now func() time.Time
}

// Limiter is a set of token buckets, one per key; safe for concurrent use. A nil *Limiter allows
// everything.
type Limiter struct {
	rps     rate.Limit
	burst   int
	maxKeys int
	// idle is how long a bucket takes to fill up from empty: a bucket unused for that long is
	// indistinguishable from a new one, so dropping it loses nothing.
	idle time.Duration
	now  func() time.Time

	mu    sync.Mutex
	byKey map[string]*list.Element // of *bucket
	lru   *list.List               // front: most recently used
}

type bucket struct {
	key      string
	limiter  *rate.Limiter
	lastSeen time.Time
}

// New returns a limiter, or nil (no limit) when RPS or Burst is not positive.
func New(c Config) *Limiter {
	if !(c.RPS > 0) || c.Burst <= 0 || math.IsInf(c.RPS, 0) {
		return nil
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = DefaultMaxKeys
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	idle := time.Duration(math.Ceil(float64(c.Burst) / c.RPS * float64(time.Second)))
	return &Limiter{
		rps: rate.Limit(c.RPS), burst: c.Burst, maxKeys: c.MaxKeys, idle: idle, now: c.Now,
		byKey: make(map[string]*list.Element), lru: list.New(),
	}
}

// Allow takes one token from key's bucket. When the bucket is empty it returns false and how long
// until a token is available.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evictIdle(now)
	b := l.bucket(key, now)
	if b.limiter.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - b.limiter.TokensAt(now)
	wait := time.Duration(math.Ceil(missing / float64(l.rps) * float64(time.Second)))
	if wait <= 0 {
		wait = time.Nanosecond
	}
	return false, wait
}

// Len tells how many buckets are kept.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byKey)
}

// bucket returns key's bucket, making it most recently used, creating it (and dropping the least
// recently used one when at the cap) if needed. l.mu is held.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	if e, ok := l.byKey[key]; ok {
		b := e.Value.(*bucket)
		b.lastSeen = now
		l.lru.MoveToFront(e)
		return b
	}
	for len(l.byKey) >= l.maxKeys {
		l.remove(l.lru.Back())
	}
	b := &bucket{key: key, limiter: rate.NewLimiter(l.rps, l.burst), lastSeen: now}
	l.byKey[key] = l.lru.PushFront(b)
	return b
}

// evictIdle drops, from the least recently used end, every bucket idle long enough to be full
// again. Each call removes only what is due, so the cost is amortised over the calls. l.mu is held.
func (l *Limiter) evictIdle(now time.Time) {
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		if now.Sub(e.Value.(*bucket).lastSeen) < l.idle {
			return
		}
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.byKey, e.Value.(*bucket).key)
	l.lru.Remove(e)
}

// RetryAfterSeconds renders a wait as the whole number of seconds of a Retry-After header:
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		return 1
	}
	return s
}
