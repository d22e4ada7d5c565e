// Package health answers "is the dashboard working?" for /healthz: the
// database is checked on every probe, upstream at most once per TTL, since
// every upstream check is a real request that spends the shared per-minute
// budget.
package health

import (
	"context"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// Pinger checks that a dependency answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// DefaultUpstreamTTL is how long an upstream check is reused.
const DefaultUpstreamTTL = 60 * time.Second

// Status is one dependency's state.
type Status struct {
	OK        bool      `json:"ok"`
	Error     string    `json:"error,omitempty"`
	CheckedAt time.Time `json:"checkedAt,omitzero"`
}

// Report is the whole answer of /healthz.
type Report struct {
	Status   string `json:"status"` // ok; degraded (upstream down: the cache still serves); down
	Mode     string `json:"mode"`   // demo or live
	Database Status `json:"database"`
	Upstream Status `json:"upstream"`
}

// Healthy reports whether the dashboard can serve at all (its database
// answers); an unreachable upstream only degrades it.
func (r Report) Healthy() bool { return r.Database.OK }

// Checker checks the database and (cached) upstream.
type Checker struct {
	db, upstream Pinger
	demo         bool
	ttl          time.Duration
	clock        clock.Clock

	mu      sync.Mutex
	last    Status
	running chan struct{} // closed when the upstream check in flight finishes
}

// New returns a Checker; ttl ≤ 0 means DefaultUpstreamTTL.
func New(db, upstream Pinger, demo bool, ttl time.Duration, clk clock.Clock) *Checker {
	if ttl <= 0 {
		ttl = DefaultUpstreamTTL
	}
	return &Checker{db: db, upstream: upstream, demo: demo, ttl: ttl, clock: clk}
}

// Check probes the database and returns upstream's recent state, checking
// it when the last check is older than the TTL.
func (c *Checker) Check(ctx context.Context) Report {
	rep := Report{Status: "ok", Mode: "live"}
	if c.demo {
		rep.Mode = "demo"
	}
	if err := c.db.Ping(ctx); err != nil {
		rep.Database = Status{Error: err.Error(), CheckedAt: c.clock.Now()}
	} else {
		rep.Database = Status{OK: true, CheckedAt: c.clock.Now()}
	}
	rep.Upstream = c.Upstream(ctx)
	switch {
	case !rep.Database.OK:
		rep.Status = "down"
	case !rep.Upstream.OK:
		rep.Status = "degraded"
	}
	return rep
}

// Upstream returns a recent upstream check, checking when the last one is
// too old. Concurrent callers share one check.
func (c *Checker) Upstream(ctx context.Context) Status {
	c.mu.Lock()
	if !c.last.CheckedAt.IsZero() && c.clock.Now().Sub(c.last.CheckedAt) < c.ttl {
		res := c.last
		c.mu.Unlock()
		return res
	}
	wait := c.running
	if wait == nil {
		wait = make(chan struct{})
		c.running = wait
		go c.check(wait)
	}
	c.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
		return Status{Error: "check still running", CheckedAt: c.clock.Now()}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Recheck checks upstream now, whatever the age of the last check (the
// settings page's "Test" button).
func (c *Checker) Recheck(ctx context.Context) (Status, time.Duration) {
	sw := clock.StartStopwatch()
	err := c.upstream.Ping(ctx)
	res := Status{OK: err == nil, CheckedAt: c.clock.Now()}
	if err != nil {
		res.Error = err.Error()
	}
	c.mu.Lock()
	c.last = res
	c.mu.Unlock()
	return res, sw.Elapsed()
}

// Last returns the last upstream check without checking.
func (c *Checker) Last() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func (c *Checker) check(done chan struct{}) {
	// Detached from the caller so one impatient client does not cancel the
	// check for everyone; bounded on its own.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.upstream.Ping(ctx)
	res := Status{OK: err == nil, CheckedAt: c.clock.Now()}
	if err != nil {
		res.Error = err.Error()
	}
	c.mu.Lock()
	c.last = res
	c.running = nil
	c.mu.Unlock()
	close(done)
}
