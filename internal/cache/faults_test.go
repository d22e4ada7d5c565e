package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/simulator"
)

// hangBound only catches hangs: a passing test never nears it.
const hangBound = 10 * time.Second

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, hangBound)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestColdLookupGivesUpAtTheCutoff: a lookup with no copy waits for
// upstream until its caller's cutoff, not its deadline, and the fetch goes
// on without it.
func TestColdLookupGivesUpAtTheCutoff(t *testing.T) {
	e := newEnv(t, 60, Options{FetchTimeout: 300 * time.Millisecond})
	conv := pick(t, e.sim, isClosed)
	e.sim.SetFaults(simulator.Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = api.WithReserve(ctx, time.Minute-50*time.Millisecond)
	_, err := e.cache.GetConversation(ctx, conv.ID)
	if !errors.Is(err, api.ErrTransport) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a transport error at the cutoff", err)
	}
	if ctx.Err() != nil {
		t.Error("the lookup returned only at the caller's deadline, not at its cutoff")
	}
}

// TestSyncRetriesAFailedRunSoon: after a failed run the sync tries again
// after RetryAfter, not a whole Interval later, and fills the index once
// upstream answers.
func TestSyncRetriesAFailedRunSoon(t *testing.T) {
	e := newEnv(t, 60, Options{})
	s := NewSyncer(e.cache, SyncOptions{Interval: time.Hour, RetryAfter: 10 * time.Millisecond, PageSize: 20})
	e.sim.SetFaults(simulator.Faults{ErrorRate: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "a failed run", func() bool { return s.Status().Error != "" })
	e.sim.SetFaults(simulator.Faults{})
	waitUntil(t, "the index filled by a retry", func() bool {
		st := s.Status()
		return st.Error == "" && st.BackfillDone && st.Indexed == 60
	})
}

func TestRetryWait(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, 10 * time.Second},
		{2, 20 * time.Second},
		{5, 160 * time.Second},
		{6, 5 * time.Minute},
		{60, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := retryWait(10*time.Second, 5*time.Minute, tt.failures); got != tt.want {
			t.Errorf("after %d failures: %v, want %v", tt.failures, got, tt.want)
		}
	}
}
