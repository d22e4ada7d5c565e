package simulator

import (
	"sync"
	"time"
)

// rateLimiter enforces N requests per rolling minute per account, like
// upstream's contact-center API limit.
type rateLimiter struct {
	limit  int // ≤ 0: unlimited
	mu     sync.Mutex
	recent map[string][]time.Time // accepted request times, oldest first
}

func newRateLimiter(limit int) *rateLimiter {
	return &rateLimiter{limit: limit, recent: map[string][]time.Time{}}
}

// allow records a request at now and reports whether it is within the limit;
// when it is not, retryAfter is the whole seconds until a slot frees up.
func (l *rateLimiter) allow(account string, now time.Time) (ok bool, retryAfter int) {
	if l.limit <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	window := now.Add(-time.Minute)
	times := l.recent[account]
	drop := 0
	for drop < len(times) && !times[drop].After(window) {
		drop++
	}
	times = times[drop:]
	if len(times) >= l.limit {
		l.recent[account] = times
		wait := times[0].Add(time.Minute).Sub(now)
		secs := int((wait + time.Second - 1) / time.Second)
		return false, max(secs, 1)
	}
	l.recent[account] = append(times, now)
	return true, 0
}
