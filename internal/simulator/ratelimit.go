package simulator

import (
	"sync"
	"time"
)

// rateWindow is one rolling cap: at most limit requests in any span.
type rateWindow struct {
	limit int // ≤ 0: no cap
	span  time.Duration
}

// rateLimiter enforces rolling caps per key: the contact-center limit (N
// per rolling minute per account) and the bot family's pair (per minute and
// per hour per bot), checked together. A refused request is not counted.
type rateLimiter struct {
	windows []rateWindow // the longest span last
	longest time.Duration
	mu      sync.Mutex
	recent  map[string][]time.Time // accepted request times, oldest first
}

func newRateLimiter(limit int) *rateLimiter {
	return newWindowLimiter(rateWindow{limit: limit, span: time.Minute})
}

func newWindowLimiter(windows ...rateWindow) *rateLimiter {
	l := &rateLimiter{recent: map[string][]time.Time{}}
	for _, w := range windows {
		if w.limit > 0 {
			l.windows = append(l.windows, w)
			l.longest = max(l.longest, w.span)
		}
	}
	return l
}

// allow records a request at now and reports whether it is within every
// cap; when it is not, retryAfter is the whole seconds until the binding
// caps all have a free slot.
func (l *rateLimiter) allow(key string, now time.Time) (ok bool, retryAfter int) {
	if len(l.windows) == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	times := l.recent[key]
	drop := 0
	for drop < len(times) && !times[drop].After(now.Add(-l.longest)) {
		drop++
	}
	times = times[drop:]
	l.recent[key] = times
	var wait time.Duration
	for _, w := range l.windows {
		// times[first:] are the requests inside this window.
		first := len(times)
		for first > 0 && times[first-1].After(now.Add(-w.span)) {
			first--
		}
		if n := len(times) - first; n >= w.limit {
			// A slot frees when the request limit places from the end leaves.
			leaves := times[len(times)-w.limit].Add(w.span)
			wait = max(wait, leaves.Sub(now))
		}
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return false, max(secs, 1)
	}
	l.recent[key] = append(times, now)
	return true, 0
}
