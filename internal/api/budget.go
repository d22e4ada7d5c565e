package api

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// Upstream's documented limits.
const (
	// DefaultPerMinute is the contact-center (CCAI) limit: 60 requests per
	// minute per account, across every contact-center and analytics API.
	DefaultPerMinute = 60
	// BotPerMinute and BotPerHour are the bot family's limits: 60 a minute
	// and 1,800 an hour per bot, both rolling.
	BotPerMinute = 60
	BotPerHour   = 1800
)

// Budget tuning defaults.
const (
	// DefaultShare is the percentage of upstream's limit one dashboard takes
	// when nothing says otherwise: other integrations share the account.
	DefaultShare = 80
	// MinShare is the lowest share a Budget is configured with or cut to.
	MinShare = 10
	// DefaultWindowMargin lengthens the rolling windows the budget counts
	// in, so a request that reaches upstream later than it was granted
	// still falls in the window upstream counts it in.
	DefaultWindowMargin = 2 * time.Second
	// defaultBurst: at most three grants within any steady interval, so a
	// page needing two or three calls is served at once, even right after
	// a background grant, while nothing bursts at upstream.
	defaultBurst = 3
)

// Budget families: which of upstream's rate buckets a Budget stands for.
const (
	BudgetCCAI = "ccai" // contact center and analytics
	BudgetBot  = "bot"  // bot ("automation") APIs
)

type backgroundKey struct{}

// Background marks ctx as background work (polling, cache refresh, bulk
// moves). The budget serves interactive calls (the default) first.
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

// WithBurst sets how many requests may be granted back to back (default
// 3): at most n within any one steady interval. Values below 1 are ignored.
func WithBurst(n int) BudgetOption {
	return func(b *Budget) {
		if n >= 1 {
			b.burst = n
		}
	}
}

// WithShare sets the percentage of upstream's limit this budget may use
// (default DefaultShare; clamped to MinShare…100).
func WithShare(percent int) BudgetOption {
	return func(b *Budget) { b.share = min(max(percent, MinShare), 100) }
}

// WithPerHour adds a rolling-hour limit (upstream's, before the share), as
// the bot family has. Values below 1 mean none.
func WithPerHour(n int) BudgetOption {
	return func(b *Budget) { b.perHour = max(n, 0) }
}

// WithFamily names the bucket the budget stands for (BudgetCCAI, BudgetBot)
// in Stats and errors.
func WithFamily(name string) BudgetOption {
	return func(b *Budget) { b.family = name }
}

// WithWindowMargin sets how much longer than a minute (and an hour) the
// windows are that grants are counted in (default DefaultWindowMargin).
func WithWindowMargin(d time.Duration) BudgetOption {
	return func(b *Budget) {
		if d >= 0 {
			b.margin = d
		}
	}
}

// Budget is the process-wide request allowance for one upstream rate bucket
// (a family: contact center and analytics share one, the bot APIs have
// their own). Share one Budget between every Client that uses the bucket.
//
// A grant needs, at that moment:
//   - no pause from an upstream 429 in force;
//   - fewer grants than the allowance in the rolling minute before it (and,
//     with WithPerHour, in the rolling hour), both windows lengthened by a
//     margin;
//   - at most burst grants within any steady interval (the minute window
//     over the allowance); for background callers, a gap since the
//     previous grant that spreads their part of each window evenly over it;
//   - for background callers, headroom: the windows keep a reserve free for
//     interactive callers, and no interactive caller is waiting.
//
// The allowance is the configured share of upstream's limit, cut in half
// when upstream answers 429 while this budget stayed within it (others use
// the same account), and raised again by one request a minute for every
// minute without a 429.
type Budget struct {
	family    string
	perMinute int // upstream's limit
	perHour   int // upstream's hourly limit; 0: none
	share     int // configured percent
	burst     int
	margin    time.Duration

	mu          sync.Mutex
	queues      [2][]*budgetWaiter // [interactive, background], FIFO
	changed     chan struct{}      // closed and replaced on every state change
	pausedUntil time.Time
	grants      []time.Time // grant times within the longest window, oldest first
	last        time.Time   // the latest grant
	allowance   int         // current per-minute allowance
	quietSince  time.Time   // allowance recovery counts whole minutes from here
	cutAt       time.Time   // the latest AIMD cut
	reason      string      // why allowance is below the configured share
	waits       uint64
	rejected    uint64
	limited     uint64
	history     [HistoryMinutes]MinuteUse // ring, indexed by minute number
}

// HistoryMinutes is how many minutes of use History keeps.
const HistoryMinutes = 60

// MinuteUse is what the budget did during one minute.
type MinuteUse struct {
	Minute      time.Time // start of the minute
	Grants      int       // requests sent
	Background  int       // of which background
	Waits       int       // grants that had to wait
	Rejected    int       // waits abandoned: deadline too close, caller gone
	RateLimited int       // upstream 429 answers
	Paused      bool      // an upstream 429 paused the budget during the minute
	Allowance   int       // the per-minute allowance at the end of the minute (0: no activity)
}

type budgetWaiter struct {
	background bool // also keeps the struct non-zero-sized: waiters are compared by pointer
}

const (
	classInteractive = 0
	classBackground  = 1
)

// NewBudget returns a budget for an upstream bucket of perMinute requests a
// minute (values below 1 mean DefaultPerMinute), of which it uses its share.
func NewBudget(perMinute int, opts ...BudgetOption) *Budget {
	if perMinute < 1 {
		perMinute = DefaultPerMinute
	}
	b := &Budget{
		family: BudgetCCAI, perMinute: perMinute, share: DefaultShare, burst: defaultBurst,
		margin: DefaultWindowMargin, changed: make(chan struct{}),
	}
	for _, o := range opts {
		if o != nil {
			o(b)
		}
	}
	b.allowance = b.maxAllowance()
	b.quietSince = clock.Instant()
	return b
}

// Family is the bucket's name (BudgetCCAI, BudgetBot, or WithFamily's).
func (b *Budget) Family() string { return b.family }

// maxAllowance is the configured share of the minute limit, at least one.
func (b *Budget) maxAllowance() int { return max(1, b.perMinute*b.share/100) }

// minAllowance is the floor an AIMD cut stops at: MinShare of the limit.
func (b *Budget) minAllowance() int {
	return min(b.maxAllowance(), max(1, (b.perMinute*MinShare+99)/100))
}

func (b *Budget) minuteWindow() time.Duration { return time.Minute + b.margin }
func (b *Budget) hourWindow() time.Duration   { return time.Hour + b.margin }

// hourAllowanceLocked scales the hourly limit like the minute allowance.
func (b *Budget) hourAllowanceLocked() int {
	if b.perHour == 0 {
		return 0
	}
	return max(1, b.perHour*b.allowance/b.perMinute)
}

// interval is the steady spacing: the minute window over the allowance.
func (b *Budget) intervalLocked() time.Duration {
	return b.minuteWindow() / time.Duration(b.allowance)
}

// reserve is how many grants of a window background work leaves free for
// interactive callers: a tenth of the allowance, at least one, never all.
func reserve(allowance int) int {
	return min(max(1, allowance/10), allowance-1)
}

// limits are the rules one class is granted under.
type limits struct {
	gap            time.Duration // since the previous grant
	burst          int           // grants allowed within any window of burstW
	burstW         time.Duration
	minute, hour   int // allowed grants in the windows; hour 0: no hourly window
	minuteW, hourW time.Duration
}

func (b *Budget) limitsLocked(background bool) limits {
	interval := b.intervalLocked()
	l := limits{
		burst: b.burst, burstW: interval,
		minute: b.allowance, hour: b.hourAllowanceLocked(), minuteW: b.minuteWindow(), hourW: b.hourWindow(),
	}
	if background {
		// Background work is paced to fit its part of each window
		// evenly, so it never runs a window dry and then leaves
		// interactive callers waiting for it to roll.
		l.minute -= reserve(l.minute)
		l.gap = l.minuteW / time.Duration(max(l.minute, 1))
		if l.hour > 0 {
			l.hour -= reserve(l.hour)
			l.gap = max(l.gap, l.hourW/time.Duration(max(l.hour, 1)))
		}
	}
	return l
}

// delayIn is how long until a window of length w ending then holds fewer
// than limit of the grants ts (sorted).
func delayIn(ts []time.Time, now time.Time, w time.Duration, limit int) time.Duration {
	cutoff := now.Add(-w)
	start := sort.Search(len(ts), func(i int) bool { return ts[i].After(cutoff) })
	n := len(ts) - start
	if n < limit {
		return 0
	}
	if limit <= 0 {
		return w // nothing may be granted at this allowance; re-check after a window
	}
	// The grant that has to leave the window for the next one to fit.
	return ts[start+n-limit].Add(w).Sub(now)
}

// delayLocked is how long until a caller of the class may be granted,
// ignoring the queue.
func (b *Budget) delayLocked(now time.Time, background bool) time.Duration {
	return b.delayWith(b.grants, b.last, now, b.limitsLocked(background))
}

func (b *Budget) delayWith(ts []time.Time, last, now time.Time, l limits) time.Duration {
	d := max(b.pausedUntil.Sub(now), 0)
	if !last.IsZero() && l.gap > 0 {
		d = max(d, last.Add(l.gap).Sub(now))
	}
	d = max(d, delayIn(ts, now, l.burstW, l.burst))
	d = max(d, delayIn(ts, now, l.minuteW, l.minute))
	if l.hour > 0 {
		d = max(d, delayIn(ts, now, l.hourW, l.hour))
	}
	return d
}

// simulateLocked returns how long from now until the n-th of n successive
// grants of the class could be made, if nothing else were granted.
func (b *Budget) simulateLocked(now time.Time, n int, background bool) time.Duration {
	if n <= 0 {
		return 0
	}
	l := b.limitsLocked(background)
	if n == 1 {
		return b.delayWith(b.grants, b.last, now, l)
	}
	ts := slices.Clone(b.grants)
	last, t := b.last, now
	for range n {
		t = t.Add(b.delayWith(ts, last, t, l))
		ts = append(ts, t)
		last = t
	}
	return t.Sub(now)
}

// Estimate is how long n requests at background priority would take at the
// current allowance, from now until the last of them is granted, if nothing
// else used the budget meanwhile: what a bulk move of n conversations costs.
func (b *Budget) Estimate(n int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := clock.Instant()
	b.recoverLocked(now)
	return b.simulateLocked(now, n, true)
}

// useLocked returns the history slot for the minute of now, clearing it
// when it last held an older minute.
func (b *Budget) useLocked(now time.Time) *MinuteUse {
	m := now.Truncate(time.Minute)
	u := &b.history[(m.Unix()/60)%HistoryMinutes]
	if !u.Minute.Equal(m) {
		*u = MinuteUse{Minute: m}
	}
	u.Allowance = b.allowance
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

// Wait blocks until one request may be sent. It fails fast with an
// ErrRateLimited *Error (RetryAfter set) when the wait cannot end before
// the ctx deadline, and returns an *Error wrapping ctx.Err() if ctx ends
// first.
func (b *Budget) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &Error{Kind: ErrTransport, Err: err}
	}
	background := IsBackground(ctx)
	class := classInteractive
	if background {
		class = classBackground
	}
	w := &budgetWaiter{background: background}
	deadline, hasDeadline := ctx.Deadline()

	b.mu.Lock()
	now := clock.Instant()
	b.recoverLocked(now)
	if hasDeadline {
		// Everyone queued ahead is served first.
		if est := b.simulateLocked(now, b.aheadLocked(class)+1, background); now.Add(est).After(deadline) {
			return b.rejectLocked(now, est)
		}
	}
	b.queues[class] = append(b.queues[class], w)
	waited := false
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		now = clock.Instant()
		b.recoverLocked(now)
		delay := b.delayLocked(now, background)
		isHead := b.headLocked() == w
		if isHead && delay <= 0 {
			b.grantLocked(w, now, background, waited)
			b.mu.Unlock()
			return nil
		}
		if hasDeadline && now.Add(max(delay, 0)).After(deadline) {
			b.removeLocked(w)
			b.notifyLocked()
			return b.rejectLocked(now, delay)
		}
		waited = true
		changed := b.changed
		b.mu.Unlock()

		var tick <-chan time.Time
		if isHead {
			// Only the head sleeps on a timer; everyone else waits for a
			// change, which every grant, arrival and departure makes.
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
			now = clock.Instant()
			b.rejected++
			b.useLocked(now).Rejected++
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

// rejectLocked records a wait given up because the deadline is too close,
// unlocks, and returns the error.
func (b *Budget) rejectLocked(now time.Time, wait time.Duration) error {
	b.rejected++
	b.useLocked(now).Rejected++
	b.mu.Unlock()
	return &Error{Kind: ErrRateLimited, RetryAfter: max(wait, time.Millisecond)}
}

func (b *Budget) grantLocked(w *budgetWaiter, now time.Time, background, waited bool) {
	b.removeLocked(w)
	b.grants = append(b.trimmedLocked(now), now)
	b.last = now
	use := b.useLocked(now)
	use.Grants++
	if background {
		use.Background++
	}
	if waited {
		b.waits++
		use.Waits++
	}
	b.notifyLocked()
}

// trimmedLocked drops grants older than the longest window, compacting the
// slice now and then so it does not grow without bound.
func (b *Budget) trimmedLocked(now time.Time) []time.Time {
	w := b.minuteWindow()
	if b.perHour > 0 {
		w = b.hourWindow()
	}
	cutoff := now.Add(-w)
	i := sort.Search(len(b.grants), func(i int) bool { return b.grants[i].After(cutoff) })
	ts := b.grants[i:]
	if i > 0 && cap(ts) > 2*len(ts)+64 {
		ts = slices.Clone(ts)
	}
	return ts
}

func (b *Budget) headLocked() *budgetWaiter {
	for _, q := range b.queues {
		if len(q) > 0 {
			return q[0]
		}
	}
	return nil
}

// aheadLocked counts the waiters that are served before a new one of class.
func (b *Budget) aheadLocked(class int) int {
	n := len(b.queues[class])
	if class == classBackground {
		n += len(b.queues[classInteractive])
	}
	return n
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

// recoverLocked raises a cut allowance by one for every whole minute
// without a 429 since the last change.
func (b *Budget) recoverLocked(now time.Time) {
	top := b.maxAllowance()
	if b.allowance >= top {
		b.quietSince = now
		return
	}
	steps := int(now.Sub(b.quietSince) / time.Minute)
	if steps <= 0 {
		return
	}
	b.allowance = min(top, b.allowance+steps)
	b.quietSince = b.quietSince.Add(time.Duration(steps) * time.Minute)
	if b.allowance == top {
		b.reason = ""
		b.quietSince = now
	}
	b.notifyLocked()
}

// PauseUntil stops all grants until t. A pause never shortens an existing
// one.
func (b *Budget) PauseUntil(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pauseLocked(clock.Instant(), t)
}

func (b *Budget) pauseLocked(now, t time.Time) {
	b.useLocked(now).Paused = true
	if t.After(b.pausedUntil) {
		b.pausedUntil = t
		b.notifyLocked()
	}
}

// Throttled records an upstream 429 whose Retry-After ends at until: it
// pauses every caller until then, and when this budget had stayed within
// its allowance (so others use the same account) it halves the allowance,
// at most once a window, down to MinShare of the limit.
func (b *Budget) Throttled(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := clock.Instant()
	b.recoverLocked(now)
	b.limited++
	b.useLocked(now).RateLimited++
	b.pauseLocked(now, until)
	b.quietSince = now
	used := len(b.grants) - sort.Search(len(b.grants), func(i int) bool { return b.grants[i].After(now.Add(-b.minuteWindow())) })
	if used > b.maxAllowance() {
		return // more than our share went out: the pause is the answer
	}
	if !b.cutAt.IsZero() && now.Sub(b.cutAt) < b.minuteWindow() {
		return // answers to requests granted before the last cut
	}
	before := b.allowance
	b.allowance = max(b.minAllowance(), b.allowance/2)
	b.cutAt = now
	if b.allowance < before {
		b.reason = fmt.Sprintf("upstream answered 429 while this dashboard had sent %d of its %d requests in the last minute: other integrations use the same limit", used, before)
	}
	b.useLocked(now)
	b.notifyLocked()
}

// BudgetStats is a snapshot for the settings page and metrics.
type BudgetStats struct {
	Family              string
	LimitPerMinute      int // upstream's
	LimitPerHour        int // upstream's; 0: no hourly limit
	SharePercent        int // the configured share
	AllowancePerMinute  int // what this dashboard may use now
	AllowancePerHour    int // 0: no hourly limit
	CurrentSharePercent int // AllowancePerMinute of LimitPerMinute
	// ShareReason says why the allowance is below the configured share
	// (empty when it is not); ShareCutAt is when it was last cut.
	ShareReason        string
	ShareCutAt         time.Time
	Burst              int
	RequestsLastMinute int // grants in the last 60 s
	RequestsLastHour   int // grants in the last hour (by whole minutes without an hourly limit)
	Waits              uint64
	Rejected           uint64    // waits abandoned: deadline too close or ctx ended
	RateLimited        uint64    // upstream 429 answers
	PausedUntil        time.Time // zero unless an upstream 429 pause is in force
	InteractiveWaiting int
	BackgroundWaiting  int
}

// Stats returns a snapshot of the budget.
func (b *Budget) Stats() BudgetStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := clock.Instant()
	b.recoverLocked(now)
	count := func(w time.Duration) int {
		cutoff := now.Add(-w)
		return len(b.grants) - sort.Search(len(b.grants), func(i int) bool { return b.grants[i].After(cutoff) })
	}
	s := BudgetStats{
		Family:              b.family,
		LimitPerMinute:      b.perMinute,
		LimitPerHour:        b.perHour,
		SharePercent:        b.share,
		AllowancePerMinute:  b.allowance,
		AllowancePerHour:    b.hourAllowanceLocked(),
		CurrentSharePercent: b.allowance * 100 / b.perMinute,
		ShareReason:         b.reason,
		Burst:               b.burst,
		RequestsLastMinute:  count(time.Minute),
		Waits:               b.waits,
		Rejected:            b.rejected,
		RateLimited:         b.limited,
		InteractiveWaiting:  len(b.queues[classInteractive]),
		BackgroundWaiting:   len(b.queues[classBackground]),
	}
	if b.perHour > 0 {
		s.RequestsLastHour = count(time.Hour)
	} else {
		// Grants are kept for a minute only; the history counts the hour.
		hour := now.Add(-time.Hour)
		for _, u := range b.history {
			if u.Minute.After(hour) {
				s.RequestsLastHour += u.Grants
			}
		}
	}
	if b.reason != "" {
		s.ShareCutAt = b.cutAt
	}
	if now.Before(b.pausedUntil) {
		s.PausedUntil = b.pausedUntil
	}
	return s
}
