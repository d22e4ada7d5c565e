// Package health answers "is the dashboard working?" for /healthz: the
// database is checked on every probe, upstream at most once per TTL, since
// every upstream check is a real request that spends the shared per-minute
// budget. Between checks the upstream calls the dashboard makes anyway
// count as checks (Observe): a failed call degrades upstream's status at
// once, and a prompt answer restores it, without spending a request.
package health

import (
	"context"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

// Pinger checks that a dependency answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// DefaultUpstreamTTL is how long an upstream check is reused.
const DefaultUpstreamTTL = 60 * time.Second

// SlowAnswer is how long an upstream answer may take and still count as
// upstream working: an observed call that took longer neither degrades the
// status nor restores it (it may have waited out the rate budget), and a
// check that took longer fails as too slow for pages.
const SlowAnswer = 2 * time.Second

// checkEndpoint names the upstream check in reasons.
const checkEndpoint = "the upstream check"

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
	seq     uint64 // orders what is known of upstream; the clock may stand still
	last    Status // the latest check
	lastSeq uint64
	failed  observed // the latest failed call
	okAt    observed // the latest prompt answer

	running    chan struct{} // closed when the upstream check in flight finishes
	runningSeq uint64        // that check's place in the order
}

// observed is one upstream call Observe was told about.
type observed struct {
	seq      uint64
	at       time.Time
	outcome  string
	endpoint string
}

// New returns a Checker; ttl ≤ 0 means DefaultUpstreamTTL.
func New(db, upstream Pinger, demo bool, ttl time.Duration, clk clock.Clock) *Checker {
	if ttl <= 0 {
		ttl = DefaultUpstreamTTL
	}
	return &Checker{db: db, upstream: upstream, demo: demo, ttl: ttl, clock: clk}
}

// Observe is told about every upstream call (it is an api.Observer): a
// failure that is upstream's (no answer, a server error, a malformed body,
// a 429 or the budget's pause after one, refused credentials) marks
// upstream as failing; an answer within SlowAnswer, as working.
func (c *Checker) Observe(endpoint, _, outcome string, d time.Duration) {
	switch outcome {
	case "transport", "upstream", "malformed", "rate_limited", "unauthorized":
	default:
		if d >= SlowAnswer {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	o := observed{seq: c.seq, at: c.clock.Now(), outcome: outcome, endpoint: endpoint}
	if o.failure() {
		c.failed = o
	} else {
		c.okAt = o
	}
}

func (o observed) failure() bool {
	switch o.outcome {
	case "transport", "upstream", "malformed", "rate_limited", "unauthorized":
		return true
	}
	return false
}

// reason says in words what the failed call met.
func (o observed) reason() string {
	what := map[string]string{
		"transport":    "no answer (unreachable or too slow)",
		"upstream":     "a server error",
		"malformed":    "a malformed answer",
		"rate_limited": "rate limited (429)",
		"unauthorized": "the credentials refused",
	}[o.outcome]
	return what + " on " + o.endpoint
}

// statusLocked is upstream's state as last learned: from the latest of
// the last check, the latest failed call and the latest prompt answer (a
// check's outcome replaces a failure of its own place in the order).
func (c *Checker) statusLocked() Status {
	switch {
	case c.failed.seq > c.lastSeq && c.failed.seq > c.okAt.seq:
		return Status{Error: c.failed.reason(), CheckedAt: c.failed.at}
	case c.okAt.seq > c.lastSeq && c.okAt.seq > c.failed.seq:
		return Status{OK: true, CheckedAt: c.okAt.at}
	}
	return c.last
}

// Check probes the database and returns upstream's recent state, checking
// it when what is known is older than the TTL.
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

// Upstream returns upstream's recent state, checking when what is known
// (a check, or the calls observed since) is older than the TTL. Concurrent
// callers share one check, and wait for it until their cutoff (api.Bound).
func (c *Checker) Upstream(ctx context.Context) Status {
	c.mu.Lock()
	if st := c.statusLocked(); !st.CheckedAt.IsZero() && c.clock.Now().Sub(st.CheckedAt) < c.ttl {
		c.mu.Unlock()
		return st
	}
	wait := c.running
	if wait == nil {
		wait = make(chan struct{})
		c.running = wait
		c.seq++
		c.runningSeq = c.seq
		go c.check(wait, c.seq, c.clock.Now())
	}
	seq := c.runningSeq
	c.mu.Unlock()
	bounded, cancel := api.Bound(ctx)
	defer cancel()
	select {
	case <-wait:
	case <-bounded.Done():
		// Upstream has not answered within the caller's time: that is
		// what it is like for pages now, until the check's own outcome
		// (of the same place in the order) replaces it.
		c.mu.Lock()
		if seq > c.lastSeq && seq > c.failed.seq {
			c.failed = observed{seq: seq, at: c.clock.Now(), outcome: "transport", endpoint: checkEndpoint}
		}
		c.mu.Unlock()
		return Status{Error: "no answer yet: the check is still running", CheckedAt: c.clock.Now()}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.statusLocked()
}

// Recheck checks upstream now, whatever the age of the last check (the
// settings page's "Test" button).
func (c *Checker) Recheck(ctx context.Context) (Status, time.Duration) {
	c.mu.Lock()
	c.seq++
	seq, at := c.seq, c.clock.Now()
	c.mu.Unlock()
	sw := clock.StartStopwatch()
	err := c.upstream.Ping(ctx)
	res := Status{OK: err == nil, CheckedAt: at}
	if err != nil {
		res.Error = err.Error()
	}
	c.mu.Lock()
	c.recordLocked(res, seq)
	c.mu.Unlock()
	return res, sw.Elapsed()
}

// Last returns upstream's state as last learned, without checking.
func (c *Checker) Last() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.statusLocked()
}

// Trouble returns upstream's state when it is failing and learned within
// the TTL: what every page says in a banner. An older failure is not
// shown; the next call or check tells again.
func (c *Checker) Trouble() (Status, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.statusLocked()
	if st.OK || st.CheckedAt.IsZero() || c.clock.Now().Sub(st.CheckedAt) >= c.ttl {
		return Status{}, false
	}
	return st, true
}

// recordLocked keeps a check's outcome. A check tells how upstream was
// when it was sent: it is ordered and dated by its start (seq, and st's
// CheckedAt), so a slow one that ends after newer calls does not hide them.
func (c *Checker) recordLocked(st Status, seq uint64) {
	if seq > c.lastSeq {
		c.last, c.lastSeq = st, seq
	}
}

func (c *Checker) check(done chan struct{}, seq uint64, at time.Time) {
	// Detached from the caller so one impatient client does not cancel the
	// check for everyone; bounded on its own.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sw := clock.StartStopwatch()
	err := c.upstream.Ping(ctx)
	took := sw.Elapsed()
	res := Status{OK: err == nil, CheckedAt: at}
	switch {
	case err != nil:
		res.Error = err.Error()
	case took >= SlowAnswer:
		res.OK, res.Error = false, "upstream answered the check only after "+took.Round(100*time.Millisecond).String()
	}
	c.mu.Lock()
	c.recordLocked(res, seq)
	c.running = nil
	c.mu.Unlock()
	close(done)
}
