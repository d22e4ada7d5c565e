package handlers

import (
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// budgetHistoryMinutes is how many minutes of rate budget use the settings
// page shows.
const budgetHistoryMinutes = 15

// budgetSample is the rate budget as seen during one minute.
type budgetSample struct {
	Minute   time.Time // start of the minute, UTC
	Requests int       // most grants in a trailing 60 s seen during the minute
	Waits    uint64    // grants that had to wait, during the minute
	Rejected uint64    // waits abandoned, during the minute
	Limit    int
	// waitsTotal and rejectedTotal are the budget's running totals at the
	// last sample, to turn them into per-minute numbers.
	waitsTotal, rejectedTotal uint64
}

// budgetRing keeps the last few per-minute samples. It is fed lazily from
// requests (and page views), not by a timer, so the handler starts no
// goroutine; a minute without any dashboard request has no sample, which
// the page shows as a gap.
type budgetRing struct {
	mu      sync.Mutex
	size    int
	samples []budgetSample // oldest first
}

func newBudgetRing(size int) *budgetRing { return &budgetRing{size: size} }

// sample records the budget's state at now.
func (b *budgetRing) sample(now time.Time, st api.BudgetStats) {
	minute := now.UTC().Truncate(time.Minute)
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.samples)
	if n > 0 && b.samples[n-1].Minute.Equal(minute) {
		last := &b.samples[n-1]
		last.Requests = max(last.Requests, st.RequestsLastMinute)
		last.Waits += delta(st.Waits, last.waitsTotal)
		last.Rejected += delta(st.Rejected, last.rejectedTotal)
		last.waitsTotal, last.rejectedTotal, last.Limit = st.Waits, st.Rejected, st.LimitPerMinute
		return
	}
	s := budgetSample{Minute: minute, Requests: st.RequestsLastMinute, Limit: st.LimitPerMinute,
		waitsTotal: st.Waits, rejectedTotal: st.Rejected}
	if n > 0 {
		prev := b.samples[n-1]
		s.Waits, s.Rejected = delta(st.Waits, prev.waitsTotal), delta(st.Rejected, prev.rejectedTotal)
	}
	b.samples = append(b.samples, s)
	if len(b.samples) > b.size {
		b.samples = append(b.samples[:0], b.samples[len(b.samples)-b.size:]...)
	}
}

// last returns one entry per minute for the size minutes up to now, oldest
// first; ok is false for minutes without a sample.
func (b *budgetRing) last(now time.Time) (out []budgetSample, ok []bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	end := now.UTC().Truncate(time.Minute)
	byMinute := make(map[time.Time]budgetSample, len(b.samples))
	for _, s := range b.samples {
		byMinute[s.Minute] = s
	}
	for i := b.size - 1; i >= 0; i-- {
		m := end.Add(-time.Duration(i) * time.Minute)
		s, found := byMinute[m]
		if !found {
			s = budgetSample{Minute: m}
		}
		out, ok = append(out, s), append(ok, found)
	}
	return out, ok
}

// delta is cur-prev for a running total, treating a reset as a fresh start.
func delta(cur, prev uint64) uint64 {
	if cur < prev {
		return cur
	}
	return cur - prev
}
