package health

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

type pinger struct {
	err   error
	calls atomic.Int64
}

func (p *pinger) Ping(context.Context) error { p.calls.Add(1); return p.err }

func TestCheckReusesTheUpstreamCheckForTheTTL(t *testing.T) {
	tests := []struct {
		name       string
		dbErr      error
		upErr      error
		wantStatus string
	}{
		{"all well", nil, nil, "ok"},
		{"upstream down", nil, errors.New("connection refused"), "degraded"},
		{"database down", errors.New("disk I/O error"), nil, "down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, up := &pinger{err: tt.dbErr}, &pinger{err: tt.upErr}
			clk := clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
			c := New(db, up, true, time.Minute, clk)
			var rep Report
			for range 3 {
				rep = c.Check(context.Background())
			}
			if rep.Status != tt.wantStatus || rep.Mode != "demo" || rep.Healthy() != (tt.dbErr == nil) {
				t.Errorf("report %+v", rep)
			}
			if tt.upErr != nil && rep.Upstream.Error != tt.upErr.Error() {
				t.Errorf("upstream error %q", rep.Upstream.Error)
			}
			if n := up.calls.Load(); n != 1 {
				t.Errorf("three probes within the TTL made %d upstream checks, want 1", n)
			}
			if n := db.calls.Load(); n != 3 {
				t.Errorf("the database was checked %d times, want every probe", n)
			}
			clk.Advance(time.Minute)
			c.Check(context.Background())
			if n := up.calls.Load(); n != 2 {
				t.Errorf("after the TTL: %d upstream checks, want 2", n)
			}
		})
	}
}

func TestRecheckIgnoresTheTTL(t *testing.T) {
	up := &pinger{}
	c := New(&pinger{}, up, false, time.Hour, clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)))
	c.Check(context.Background())
	up.err = errors.New("401 invalid credentials")
	st, _ := c.Recheck(context.Background())
	if st.OK || st.Error == "" || c.Last().OK {
		t.Errorf("recheck %+v, last %+v", st, c.Last())
	}
	if up.calls.Load() != 2 {
		t.Errorf("%d upstream checks", up.calls.Load())
	}
}

// TestObservedCallsCountAsChecks: the calls the dashboard makes anyway tell
// upstream's state between checks, in the order they happened, whatever
// the clock says; a slow answer tells nothing, and a failure is shown as
// trouble for the TTL.
func TestObservedCallsCountAsChecks(t *testing.T) {
	type step struct {
		observe     string        // an outcome to observe, "" for none
		took        time.Duration // how long the observed call took
		advance     time.Duration
		wantOK      bool
		wantError   string
		wantTrouble bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a failure degrades at once, a prompt answer restores", []step{
			{observe: "rate_limited", wantError: "rate limited (429) on agents.list", wantTrouble: true},
			{observe: "ok", took: time.Millisecond, wantOK: true},
		}},
		{"a slow answer tells nothing", []step{
			{observe: "transport", wantError: "no answer (unreachable or too slow) on agents.list", wantTrouble: true},
			{observe: "ok", took: 3 * time.Second, wantError: "no answer (unreachable or too slow) on agents.list", wantTrouble: true},
		}},
		{"not found is an answer", []step{
			{observe: "upstream", wantError: "a server error on agents.list", wantTrouble: true},
			{observe: "not_found", took: time.Millisecond, wantOK: true},
		}},
		{"trouble is shown for the TTL", []step{
			{observe: "malformed", wantError: "a malformed answer on agents.list", wantTrouble: true},
			{advance: 59 * time.Second, wantError: "a malformed answer on agents.list", wantTrouble: true},
			{advance: time.Second, wantError: "a malformed answer on agents.list"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := &pinger{}
			clk := clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
			c := New(&pinger{}, up, false, time.Minute, clk)
			if rep := c.Check(context.Background()); rep.Status != "ok" {
				t.Fatalf("first check %+v", rep)
			}
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				if s.observe != "" {
					c.Observe("agents.list", "GET", s.observe, s.took)
				}
				st := c.Last()
				if st.OK != s.wantOK || st.Error != s.wantError {
					t.Errorf("step %d: status %+v, want ok=%v error %q", i, st, s.wantOK, s.wantError)
				}
				if _, trouble := c.Trouble(); trouble != s.wantTrouble {
					t.Errorf("step %d: trouble %v, want %v", i, trouble, s.wantTrouble)
				}
			}
			if n := up.calls.Load(); n != 1 {
				t.Errorf("%d upstream checks, want only the first", n)
			}
		})
	}
}

// blockingPinger answers only when released.
type blockingPinger struct{ release chan struct{} }

func (p blockingPinger) Ping(ctx context.Context) error {
	select {
	case <-p.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestUpstreamWaitsOnlyUntilTheCutoff: a caller whose deadline nears gets
// "still running" and keeps its reserve; the check goes on.
func TestUpstreamWaitsOnlyUntilTheCutoff(t *testing.T) {
	up := blockingPinger{release: make(chan struct{})}
	c := New(&pinger{}, up, false, time.Minute, clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = api.WithReserve(ctx, time.Minute-20*time.Millisecond)
	rep := c.Check(ctx)
	if rep.Status != "degraded" || rep.Upstream.Error != "no answer yet: the check is still running" {
		t.Errorf("report %+v", rep)
	}
	if ctx.Err() != nil {
		t.Error("the probe returned only at its deadline, not at its cutoff")
	}
	if _, trouble := c.Trouble(); !trouble {
		t.Error("a caller that could not wait for the check shows no trouble")
	}
	// The check's own outcome follows, and is the latest word.
	close(up.release)
	deadline := time.Now().Add(10 * time.Second)
	for !c.Last().OK {
		if time.Now().After(deadline) {
			t.Fatalf("the check did not end: %+v", c.Last())
		}
		time.Sleep(time.Millisecond)
	}
}

// slowPinger answers after a pause.
type slowPinger struct{ pause time.Duration }

func (p slowPinger) Ping(ctx context.Context) error {
	t := time.NewTimer(p.pause)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestSlowCheckFails: a check answered after SlowAnswer is too slow for
// pages, so upstream is degraded, with how long it took.
func TestSlowCheckFails(t *testing.T) {
	c := New(&pinger{}, slowPinger{SlowAnswer + 50*time.Millisecond}, false, time.Minute, clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)))
	st := c.Upstream(context.Background())
	if st.OK || !strings.HasPrefix(st.Error, "upstream answered the check only after ") {
		t.Errorf("status %+v", st)
	}
}
