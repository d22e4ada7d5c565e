package audit

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// Defaults for AggregatorOptions.
const (
	DefaultAggregateInterval = time.Minute
	DefaultAggregateSources  = 10000
)

// maxAggregateTargets bounds the distinct targets an aggregated entry
// names, and maxTargetLen each one: both come from whoever sends the
// requests.
const (
	maxAggregateTargets = 5
	maxTargetLen        = 128
)

// OtherSources is the client address of the aggregated entry that counts
// the refusals from addresses beyond AggregatorOptions.MaxSources.
const OtherSources = "*"

// Appender writes audit entries (*Log).
type Appender interface {
	Append(ctx context.Context, rec Record) (Entry, error)
}

// AggregatorOptions tune an Aggregator; zero values pick the defaults.
type AggregatorOptions struct {
	// Interval is how often Run writes the counts: one entry per source
	// address (and actor) per interval.
	Interval time.Duration
	// MaxSources bounds the addresses counted apart within one interval;
	// refusals from further addresses are counted together under
	// OtherSources, so a flood from many addresses cannot exhaust memory.
	MaxSources int
	Logger     *slog.Logger
}

// Aggregator turns refusals of unauthenticated requests, which anyone can
// send by the thousand, into one audit entry per source address and actor
// per interval, with a count, instead of one entry each: the audit log
// stays readable and its disk cannot be filled from outside, and still no
// refusal goes unrecorded. Note counts; Flush (from Run every interval,
// and on shutdown) writes.
type Aggregator struct {
	out   Appender
	clock clock.Clock
	opts  AggregatorOptions

	mu      sync.Mutex
	buckets map[aggregateKey]*aggregate
	sources int // distinct addresses counted apart in buckets
}

type aggregateKey struct{ addr, actor, action string }

// aggregate is what one key's refusals add up to.
type aggregate struct {
	count       int64
	first, last time.Time
	statuses    map[string]int64
	reasons     map[string]int64
	routes      map[string]int64
	targets     []string
}

// NewAggregator returns an Aggregator writing to out.
func NewAggregator(out Appender, clk clock.Clock, o AggregatorOptions) *Aggregator {
	if o.Interval <= 0 {
		o.Interval = DefaultAggregateInterval
	}
	if o.MaxSources <= 0 {
		o.MaxSources = DefaultAggregateSources
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if clk == nil {
		clk = clock.Real()
	}
	return &Aggregator{out: out, clock: clk, opts: o, buckets: map[aggregateKey]*aggregate{}}
}

// Refusal is one refused request.
type Refusal struct {
	Actor      string // "anonymous", or whom the presented credential names
	ClientAddr string
	Action     string // e.g. ActionAPICall
	Target     string // what was asked for, as sent
	Route      string // the route pattern
	Status     int    // the HTTP status answered
	Reason     string // why it was refused, from a fixed set of messages
}

// Note counts one refusal.
func (a *Aggregator) Note(r Refusal) {
	if r.Actor == "" {
		r.Actor = "anonymous"
	}
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	k := aggregateKey{addr: r.ClientAddr, actor: r.Actor, action: r.Action}
	b := a.buckets[k]
	if b == nil {
		if a.sources >= a.opts.MaxSources {
			k.addr = OtherSources
			b = a.buckets[k]
		}
		if b == nil {
			b = &aggregate{first: now, statuses: map[string]int64{}, reasons: map[string]int64{}, routes: map[string]int64{}}
			a.buckets[k] = b
			if k.addr != OtherSources {
				a.sources++
			}
		}
	}
	b.count++
	b.last = now
	b.statuses[strconv.Itoa(r.Status)]++
	if r.Reason != "" {
		b.reasons[r.Reason]++
	}
	if r.Route != "" {
		b.routes[r.Route]++
	}
	if t := truncate(r.Target, maxTargetLen); t != "" && len(b.targets) < maxAggregateTargets && !slices.Contains(b.targets, t) {
		b.targets = append(b.targets, t)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Flush writes one entry per address, actor and action noted since the
// last flush. Counts whose entry could not be written are kept for the
// next flush, so a full disk delays them rather than losing them.
func (a *Aggregator) Flush(ctx context.Context) error {
	a.mu.Lock()
	buckets := a.buckets
	a.buckets, a.sources = map[aggregateKey]*aggregate{}, 0
	a.mu.Unlock()

	keys := slices.SortedFunc(maps.Keys(buckets), func(x, y aggregateKey) int {
		return cmp.Or(cmp.Compare(x.addr, y.addr), cmp.Compare(x.actor, y.actor), cmp.Compare(x.action, y.action))
	})
	var errs []error
	for _, k := range keys {
		b := buckets[k]
		_, err := a.out.Append(ctx, Record{
			Actor: k.actor, ClientAddr: k.addr, Action: k.action, Refs: b.targets,
			Details: map[string]any{
				"aggregated": true,
				"count":      b.count,
				"firstAt":    store.Millis(b.first),
				"lastAt":     store.Millis(b.last),
				"statuses":   b.statuses,
				"reasons":    b.reasons,
				"routes":     b.routes,
			},
		})
		if err != nil {
			errs = append(errs, err)
			a.merge(k, b)
		}
	}
	if err := errors.Join(errs...); err != nil {
		a.opts.Logger.Error("audit: aggregated refusals not written; kept for the next flush", "err", err)
		return err
	}
	return nil
}

// merge puts back counts that could not be written.
func (a *Aggregator) merge(k aggregateKey, old *aggregate) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.buckets[k]
	if b == nil {
		a.buckets[k] = old
		if k.addr != OtherSources {
			a.sources++
		}
		return
	}
	b.count += old.count
	b.first = old.first
	for _, m := range []struct{ dst, src map[string]int64 }{{b.statuses, old.statuses}, {b.reasons, old.reasons}, {b.routes, old.routes}} {
		for k, v := range m.src {
			m.dst[k] += v
		}
	}
	for _, t := range old.targets {
		if len(b.targets) < maxAggregateTargets && !slices.Contains(b.targets, t) {
			b.targets = append(b.targets, t)
		}
	}
}

// Run flushes every interval until ctx ends. The last counts are written
// by a Flush at shutdown.
func (a *Aggregator) Run(ctx context.Context) {
	t := time.NewTicker(a.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = a.Flush(context.WithoutCancel(ctx))
		}
	}
}
