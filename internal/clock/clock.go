// Package clock is the dashboard's one source of the time of day. The
// composition root creates one Clock and hands it to everything that stamps,
// compares or ages a time; tests pin a Manual clock and move it forward
// instead of sleeping.
//
// Two kinds of time are kept apart. Domain time (when something happened,
// how old a copy is, when a token expires) comes from a Clock. Scheduling time
// (rate limiting, timers, deadlines, latency) is real elapsed time: it stays
// on the time package's timers and on Instant, Stopwatch and Until here,
// which testing/synctest fakes in tests. No other package reads the wall
// clock directly.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time of day.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Real is the wall clock.
func Real() Clock { return realClock{} }

// Manual is a clock that moves only when told to. It is safe for concurrent
// use.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a clock pinned at t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the pinned time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set pins the clock at t, which may be earlier than before.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t
}

// Advance moves the clock forward by d and returns the new time.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = m.t.Add(d)
	return m.t
}

// StartOfDay is midnight UTC of t's day: the demo simulator's anchor, so a
// restart on the same day rebuilds the same dataset.
func StartOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Instant is a real, monotonic instant for scheduling and rate limiting. It
// is never shown or stored: use a Clock for those.
func Instant() time.Time { return time.Now() }

// Stopwatch measures real elapsed time (monotonic), for latency figures.
// It is not a timestamp: use a Clock for those.
type Stopwatch struct{ start time.Time }

// StartStopwatch starts measuring.
func StartStopwatch() Stopwatch { return Stopwatch{start: time.Now()} }

// Elapsed is the real time since the stopwatch started.
func (s Stopwatch) Elapsed() time.Duration { return time.Since(s.start) }

// Until is the real time left before a deadline such as a context's.
func Until(deadline time.Time) time.Duration { return time.Until(deadline) }
