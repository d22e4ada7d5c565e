package handlers

import (
	"context"
	"net/http"
	"sync"
	"time"
)

const defaultUpstreamCheckTTL = 60 * time.Second

// healthCache remembers the last upstream check for a while: every check is
// a real upstream request that spends the shared per-minute budget.
type healthCache struct {
	pinger Pinger
	ttl    time.Duration
	now    func() time.Time

	mu      sync.Mutex
	last    upstreamHealth
	running chan struct{} // closed when the check in flight finishes
}

type upstreamHealth struct {
	OK        bool      `json:"ok"`
	Error     string    `json:"error,omitempty"`
	CheckedAt time.Time `json:"checkedAt"`
}

func newHealthCache(p Pinger, ttl time.Duration, now func() time.Time) *healthCache {
	return &healthCache{pinger: p, ttl: ttl, now: now}
}

// Get returns a recent result, checking upstream when the last one is too
// old. Concurrent callers share one check.
func (c *healthCache) Get(ctx context.Context) upstreamHealth {
	c.mu.Lock()
	if !c.last.CheckedAt.IsZero() && c.now().Sub(c.last.CheckedAt) < c.ttl {
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
		return upstreamHealth{Error: "check still running", CheckedAt: c.now()}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Peek returns the last result without checking.
func (c *healthCache) Peek() upstreamHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func (c *healthCache) check(done chan struct{}) {
	// Detached from the caller so one impatient client does not cancel the
	// check for everyone; bounded on its own.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.pinger.Ping(ctx)
	res := upstreamHealth{OK: err == nil, CheckedAt: c.now()}
	if err != nil {
		res.Error = err.Error()
	}
	c.mu.Lock()
	c.last = res
	c.running = nil
	c.mu.Unlock()
	close(done)
}

type healthReport struct {
	Status   string         `json:"status"` // ok, degraded (upstream down: cache still serves), down
	Mode     string         `json:"mode"`
	Database dbHealth       `json:"database"`
	Upstream upstreamHealth `json:"upstream"`
}

type dbHealth struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// healthShow answers GET /healthz for load balancers and monitoring. It
// never needs a login and never reveals credentials.
func (h *Handler) healthShow(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	rep := healthReport{Status: "ok", Mode: "live"}
	if h.info.Demo {
		rep.Mode = "demo"
	}
	if err := h.database.Ping(ctx); err != nil {
		rep.Database = dbHealth{Error: err.Error()}
	} else {
		rep.Database.OK = true
	}
	rep.Upstream = h.upstream.Get(ctx)
	status := http.StatusOK
	switch {
	case !rep.Database.OK:
		rep.Status, status = "down", http.StatusServiceUnavailable
	case !rep.Upstream.OK:
		rep.Status = "degraded"
	}
	h.writeJSON(w, status, rep)
}
