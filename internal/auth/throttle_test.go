package auth

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

func openThrottleDB(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newTestThrottle(t *testing.T, cfg ThrottleConfig) (*Throttle, *clock.Manual) {
	t.Helper()
	clk := newFakeClock()
	return NewThrottle(openThrottleDB(t, filepath.Join(t.TempDir(), "d.db")), cfg, clk), clk
}

func mustWait(t *testing.T, th *Throttle, account, addr string) time.Duration {
	t.Helper()
	d, err := th.Check(context.Background(), account, addr)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fail(t *testing.T, th *Throttle, account, addr string, n int) {
	t.Helper()
	for range n {
		if err := th.Failure(context.Background(), account, addr); err != nil {
			t.Fatal(err)
		}
	}
}

// TestThrottleBackoffGrowsPerPair: free failures, then a wait that doubles
// with each failure up to the cap.
func TestThrottleBackoffGrowsPerPair(t *testing.T) {
	th, _ := newTestThrottle(t, ThrottleConfig{FreeFailures: 3, BaseDelay: time.Second, MaxDelay: 10 * time.Second})
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		fail(t, th, "alice", "192.0.2.1", 1)
		if got := mustWait(t, th, "ALICE", "192.0.2.1"); got != w {
			t.Errorf("after %d failures: wait %v, want %v", i+1, got, w)
		}
	}
	// Other pairs are untouched: the owner from elsewhere, and another
	// account from the same address.
	if got := mustWait(t, th, "alice", "198.51.100.7"); got != 0 {
		t.Errorf("alice from another address waits %v", got)
	}
	if got := mustWait(t, th, "bob", "192.0.2.1"); got != 0 {
		t.Errorf("bob from the attacker's address waits %v", got)
	}
}

func TestThrottleWaitRunsOutAndSuccessForgets(t *testing.T) {
	th, clk := newTestThrottle(t, ThrottleConfig{FreeFailures: 1, BaseDelay: time.Minute})
	fail(t, th, "alice", "a", 2)
	if got := mustWait(t, th, "alice", "a"); got != 2*time.Minute {
		t.Fatalf("wait %v", got)
	}
	clk.Advance(90 * time.Second)
	if got := mustWait(t, th, "alice", "a"); got != 30*time.Second {
		t.Errorf("wait after 90s: %v", got)
	}
	clk.Advance(30 * time.Second)
	if got := mustWait(t, th, "alice", "a"); got != 0 {
		t.Errorf("wait after it ran out: %v", got)
	}
	if err := th.Success(context.Background(), "alice", "a"); err != nil {
		t.Fatal(err)
	}
	fail(t, th, "alice", "a", 1)
	if got := mustWait(t, th, "alice", "a"); got != time.Minute {
		t.Errorf("after a success the count did not restart: %v", got)
	}
}

func TestThrottleForgetsOldFailures(t *testing.T) {
	th, clk := newTestThrottle(t, ThrottleConfig{FreeFailures: 2, BaseDelay: time.Second, Forget: time.Hour})
	fail(t, th, "alice", "a", 2)
	clk.Advance(time.Hour)
	fail(t, th, "alice", "a", 1)
	if got := mustWait(t, th, "alice", "a"); got != 0 {
		t.Errorf("failures older than Forget still count: %v", got)
	}
}

func TestThrottlePerAddressCap(t *testing.T) {
	th, clk := newTestThrottle(t, ThrottleConfig{FreeFailures: 100, PerAddress: 5, Window: 10 * time.Minute})
	for i := range 5 {
		fail(t, th, string(rune('a'+i))+"-user", "192.0.2.9", 1)
	}
	if got := mustWait(t, th, "anyone", "192.0.2.9"); got != 10*time.Minute {
		t.Errorf("spraying address waits %v, want the rest of the window", got)
	}
	if got := mustWait(t, th, "anyone", "192.0.2.10"); got != 0 {
		t.Errorf("another address waits %v", got)
	}
	clk.Advance(10 * time.Minute)
	if got := mustWait(t, th, "anyone", "192.0.2.9"); got != 0 {
		t.Errorf("after the window: %v", got)
	}
}

// TestThrottleSurvivesRestartAndUnlock: counts live in the database, and
// Unlock clears an account from every address.
func TestThrottleSurvivesRestartAndUnlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	clk := newFakeClock()
	cfg := ThrottleConfig{FreeFailures: 1, BaseDelay: time.Minute}
	first := NewThrottle(openThrottleDB(t, path), cfg, clk)
	fail(t, first, "admin", "a", 3)
	fail(t, first, "admin", "b", 3)
	fail(t, first, "bob", "a", 3)
	second := NewThrottle(openThrottleDB(t, path), cfg, clk)
	if got := mustWait(t, second, "admin", "a"); got != 4*time.Minute {
		t.Fatalf("after a restart: wait %v", got)
	}
	n, err := second.Unlock(context.Background(), "Admin")
	if err != nil || n != 2 {
		t.Fatalf("Unlock = %d, %v", n, err)
	}
	for _, addr := range []string{"a", "b"} {
		if got := mustWait(t, second, "admin", addr); got != 0 {
			t.Errorf("admin from %s waits %v after unlock", addr, got)
		}
	}
	if got := mustWait(t, second, "bob", "a"); got == 0 {
		t.Error("unlocking admin unlocked bob")
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th, _ := newTestThrottle(t, ThrottleConfig{FreeFailures: 50, PerAddress: 1000})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if err := th.Failure(context.Background(), "alice", "a"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	var n int
	if err := th.db.Read.QueryRow(`SELECT failures FROM login_failures WHERE account = 'alice'`).Scan(&n); err != nil || n != 40 {
		t.Errorf("failures = %d, %v; want 40", n, err)
	}
}
