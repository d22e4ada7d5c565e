package health

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

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
