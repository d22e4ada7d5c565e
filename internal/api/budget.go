package api

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"golang.org/x/time/rate"
)

// DefaultPerMinute is upstream's documented limit: 60 requests per minute
// per account, across every contact-center API.
const DefaultPerMinute = 60

// defaultBurst is small so a cold start (cache warm-up, a dashboard opened in
// several tabs) cannot spend the whole minute in one go.
const defaultBurst = 3

type backgroundKey struct{}

// Background marks ctx as background work (polling, cache refresh). The
// budget serves interactive calls (the default) ahead of background ones.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx was marked with Background.
func IsBackground(ctx context.Context) bool {
	v, _ := ctx.Value(backgroundKey{}).(bool)
	return v
}

// BudgetOption configures a Budget.
type BudgetOption func(*Budget)

// WithBurst sets how many requests may be sent back to back after a quiet
// period (default 3). Values below 1 are ignored.
func WithBurst(n int) BudgetOption {
	return func(b *Budget) {
		if n >= 1 {
			b.burst = n
		}
	}
}

// Budget is the process-wide request allowance for one upstream account. Share
// one Budget between every Client that uses the same account (WithBudget).
//
// Waiters queue in two FIFO classes; only the head of the interactive queue,
// or when that is empty the head of the background queue, may take a token,
// so background work never takes a token an interactive caller is waiting for.
type Budget struct {
	perMinute int
	burst     int
	limiter   *rate.Limiter

	mu          sync.Mutex
	queues      [2][]*budgetWaiter // [interactive, background]
	changed     chan struct{}      // closed and replaced on every state change
	pausedUntil time.Time
	grants      []time.Time // grant times within the last minute, oldest first
	waits       uint64
	rejected    uint64
	history     [HistoryMinutes]MinuteUse // ring, indexed by minute number
}

// HistoryMinutes is how many minutes of use History keeps.
const HistoryMinutes = 60

// MinuteUse is what the budget did during one minute.
type MinuteUse struct {
	Minute   time.Time // start of the minute
	Grants   int       // requests sent
	Waits    int       // grants that had to wait
	Rejected int       // waits abandoned: deadline too close, caller gone
	Paused   bool      // an upstream 429 paused the budget during the minute
}

// useLocked returns the history slot for the minute of now, clearing it
// when it last held an older minute.
func (b *Budget) useLocked(now time.Time) *MinuteUse {
	m := now.Truncate(time.Minute)
	u := &b.history[(m.Unix()/60)%HistoryMinutes]
	if !u.Minute.Equal(m) {
		*u = MinuteUse{Minute: m}
	}
	return u
}

// History returns the use of each of the last n minutes (at most
// HistoryMinutes) up to now, oldest first; minutes without any activity are
// zero, not missing.
func (b *Budget) History(n int) []MinuteUse {
	n = min(max(n, 1), HistoryMinutes)
	b.mu.Lock()
	defer b.mu.Unlock()
	end := clock.Instant().Truncate(time.Minute)
	out := make([]MinuteUse, 0, n)
	for i := n - 1; i >= 0; i-- {
		m := end.Add(-time.Duration(i) * time.Minute)
		u := b.history[(m.Unix()/60)%HistoryMinutes]
		if !u.Minute.Equal(m) {
			u = MinuteUse{Minute: m}
		}
		out = append(out, u)
	}
	return out
}

// budgetWaiter identifies one queued caller by pointer. It must not be
// zero-sized: pointers to distinct zero-size values may compare equal.
type budgetWaiter struct{ background bool }

const (
	classInteractive = 0
	classBackground  = 1
)

// NewBudget returns a budget of perMinute requests per minute (values below 1
// mean DefaultPerMinute).
func NewBudget(perMinute int, opts ...BudgetOption) *Budget {
	if perMinute < 1 {
		perMinute = DefaultPerMinute
	}
	b := &Budget{perMinute: perMinute, burst: min(defaultBurst, perMinute), changed: make(chan struct{})}
	for _, o := range opts {
		if o != nil {
			o(b)
		}
	}
	b.limiter = rate.NewLimiter(rate.Limit(float64(perMinute)/60), b.burst)
	return b
}

// interval is the steady-state spacing between two requests.
func (b *Budget) interval() time.Duration {
	return time.Minute / time.Duration(b.perMinute)
}

// Wait blocks until one request may be sent. It fails fast with an
// ErrRateLimited *Error (RetryAfter set) when the expected wait exceeds the
// ctx deadline, and returns an *Error wrapping ctx.Err() if ctx ends first.
func (b *Budget) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &Error{Kind: ErrTransport, Err: err}
	}
	class := classInteractive
	if IsBackground(ctx) {
		class = classBackground
	}
	w := &budgetWaiter{background: class == classBackground}

	b.mu.Lock()
	b.queues[class] = append(b.queues[class], w)
	waited := false
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		now := clock.Instant()
		delay := b.delayLocked(now)
		isHead := b.headLocked() == w
		if isHead && delay <= 0 {
			b.limiter.AllowN(now, 1)
			b.removeLocked(w)
			b.grants = append(trimBefore(b.grants, now.Add(-time.Minute)), now)
			use := b.useLocked(now)
			use.Grants++
			if waited {
				b.waits++
				use.Waits++
			}
			b.notifyLocked()
			b.mu.Unlock()
			return nil
		}
		if !isHead {
			delay = max(delay, 0) + time.Duration(b.aheadLocked(w, class))*b.interval()
		}
		if dl, ok := ctx.Deadline(); ok && now.Add(delay).After(dl) {
			b.removeLocked(w)
			b.rejected++
			b.useLocked(now).Rejected++
			b.notifyLocked()
			b.mu.Unlock()
			return &Error{Kind: ErrRateLimited, RetryAfter: delay}
		}
		waited = true
		changed := b.changed
		b.mu.Unlock()

		var tick <-chan time.Time
		if isHead {
			// Only the head sleeps on a timer; everyone else waits to be
			// promoted, which always comes with a notify.
			if timer == nil {
				timer = time.NewTimer(delay)
			} else {
				timer.Reset(delay)
			}
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			b.mu.Lock()
			b.removeLocked(w)
			b.rejected++
			b.useLocked(clock.Instant()).Rejected++
			b.notifyLocked()
			b.mu.Unlock()
			if ctx.Err() == context.DeadlineExceeded {
				return &Error{Kind: ErrRateLimited, RetryAfter: delay, Err: ctx.Err()}
			}
			return &Error{Kind: ErrTransport, Err: ctx.Err()}
		case <-tick:
		case <-changed:
		}
		b.mu.Lock()
	}
}

// delayLocked is how long until the next token may be taken.
func (b *Budget) delayLocked(now time.Time) time.Duration {
	if now.Before(b.pausedUntil) {
		return b.pausedUntil.Sub(now)
	}
	tokens := b.limiter.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	d := time.Duration((1 - tokens) / float64(b.limiter.Limit()) * float64(time.Second))
	return max(d, time.Millisecond) // never spin on a rounding remainder
}

func (b *Budget) headLocked() *budgetWaiter {
	for _, q := range b.queues {
		if len(q) > 0 {
			return q[0]
		}
	}
	return nil
}

// aheadLocked counts the waiters that will be served before w.
func (b *Budget) aheadLocked(w *budgetWaiter, class int) int {
	n := slices.Index(b.queues[class], w)
	if class == classBackground {
		n += len(b.queues[classInteractive])
	}
	return max(n, 0)
}

func (b *Budget) removeLocked(w *budgetWaiter) {
	for i, q := range b.queues {
		if j := slices.Index(q, w); j >= 0 {
			b.queues[i] = slices.Delete(q, j, j+1)
			return
		}
	}
}

func (b *Budget) notifyLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// PauseUntil stops all grants until t, e.g. after upstream answered 429. A
// pause never shortens an existing one.
func (b *Budget) PauseUntil(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.useLocked(clock.Instant()).Paused = true
	if t.After(b.pausedUntil) {
		b.pausedUntil = t
		b.notifyLocked()
	}
}

// BudgetStats is a snapshot for the settings page and metrics.
type BudgetStats struct {
	LimitPerMinute     int
	Burst              int
	RequestsLastMinute int       // grants in the last 60 s
	Waits              uint64    // grants that had to wait
	Rejected           uint64    // waits abandoned: deadline too close or ctx ended
	PausedUntil        time.Time // zero unless an upstream 429 pause is in force
	InteractiveWaiting int
	BackgroundWaiting  int
}

// Stats returns a snapshot of the budget.
func (b *Budget) Stats() BudgetStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := clock.Instant()
	s := BudgetStats{
		LimitPerMinute:     b.perMinute,
		Burst:              b.burst,
		RequestsLastMinute: len(trimBefore(b.grants, now.Add(-time.Minute))),
		Waits:              b.waits,
		Rejected:           b.rejected,
		InteractiveWaiting: len(b.queues[classInteractive]),
		BackgroundWaiting:  len(b.queues[classBackground]),
	}
	if now.Before(b.pausedUntil) {
		s.PausedUntil = b.pausedUntil
	}
	return s
}

// trimBefore drops the leading times earlier than cutoff (ts is sorted).
func trimBefore(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(cutoff) {
		i++
	}
	return ts[i:]
}
