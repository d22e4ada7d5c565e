package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

func newTestThrottle(cfg ThrottleConfig) (*Throttle, *clock.Manual) {
	clk := newFakeClock()
	return NewThrottle(cfg, clk), clk
}

func TestThrottlePerAccount(t *testing.T) {
	th, clk := newTestThrottle(ThrottleConfig{})
	for i := range 4 {
		// Different addresses: only the account limit (5) applies.
		th.Failure("Alice", fmt.Sprintf("10.0.0.%d", i))
		if _, ok := th.Check("alice", "10.9.9.9"); !ok {
			t.Fatalf("locked after %d failures, want 5", i+1)
		}
	}
	th.Failure("ALICE", "10.0.0.4")
	retry, ok := th.Check("alice", "10.9.9.9")
	if ok || retry != 15*time.Minute {
		t.Fatalf("after 5 failures Check = %v, %v; want 15m lockout", retry, ok)
	}
	if _, ok := th.Check("bob", "10.9.9.9"); !ok {
		t.Error("another account is locked too")
	}
	clk.Advance(10 * time.Minute)
	if retry, ok := th.Check("alice", ""); ok || retry != 5*time.Minute {
		t.Errorf("10m later Check = %v, %v; want 5m left", retry, ok)
	}
	// Failures while locked do not extend the lockout.
	th.Failure("alice", "")
	clk.Advance(5 * time.Minute)
	if _, ok := th.Check("alice", ""); !ok {
		t.Error("still locked after the lockout expired")
	}
	// And the count starts over.
	for range 4 {
		th.Failure("alice", "")
	}
	if _, ok := th.Check("alice", ""); !ok {
		t.Error("locked again before 5 new failures")
	}
}

func TestThrottleWindowSlides(t *testing.T) {
	th, clk := newTestThrottle(ThrottleConfig{PerAccount: 3, Window: 10 * time.Minute})
	th.Failure("alice", "")
	clk.Advance(6 * time.Minute)
	th.Failure("alice", "")
	clk.Advance(6 * time.Minute) // first failure now outside the window
	th.Failure("alice", "")
	if _, ok := th.Check("alice", ""); !ok {
		t.Fatal("locked although only 2 failures are within the window")
	}
	th.Failure("alice", "")
	if _, ok := th.Check("alice", ""); ok {
		t.Error("not locked after 3 failures within the window")
	}
}

func TestThrottlePerAddress(t *testing.T) {
	th, clk := newTestThrottle(ThrottleConfig{})
	const addr = "192.0.2.7"
	for i := range 19 {
		th.Failure(fmt.Sprintf("user%d", i), addr)
	}
	if _, ok := th.Check("someone", addr); !ok {
		t.Fatal("address locked after 19 failures, want 20")
	}
	th.Failure("user19", addr)
	if retry, ok := th.Check("someone", addr); ok || retry != 15*time.Minute {
		t.Fatalf("after 20 failures Check = %v, %v", retry, ok)
	}
	if _, ok := th.Check("someone", "192.0.2.8"); !ok {
		t.Error("another address is locked too")
	}
	// A success from the address clears the account, not the address.
	th.Success("someone", addr)
	if _, ok := th.Check("someone", addr); ok {
		t.Error("Success cleared the address lockout")
	}
	clk.Advance(15 * time.Minute)
	if _, ok := th.Check("someone", addr); !ok {
		t.Error("address still locked after the lockout")
	}
}

func TestThrottleSuccessClearsAccount(t *testing.T) {
	th, _ := newTestThrottle(ThrottleConfig{})
	for range 4 {
		th.Failure("alice", "")
	}
	th.Success("ALICE", "")
	for range 4 {
		th.Failure("alice", "")
	}
	if _, ok := th.Check("alice", ""); !ok {
		t.Error("failures before Success still counted")
	}
}

func TestThrottleRetryAfterIsLongerOfBoth(t *testing.T) {
	th, clk := newTestThrottle(ThrottleConfig{PerAccount: 1, PerAddress: 1, Lockout: 10 * time.Minute})
	th.Failure("alice", "")
	clk.Advance(4 * time.Minute)
	th.Failure("", "192.0.2.1")
	if retry, ok := th.Check("alice", "192.0.2.1"); ok || retry != 10*time.Minute {
		t.Errorf("Check = %v, %v; want the address's 10m", retry, ok)
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	th, clk := newTestThrottle(ThrottleConfig{PerAccount: 2, PerAddress: 1000, MaxEntries: 10})
	th.Failure("victim", "")
	th.Failure("victim", "") // locked
	for i := range 100 {
		th.Failure(fmt.Sprintf("spray%d", i), "192.0.2.1")
		clk.Advance(time.Second)
	}
	if n := len(th.accounts); n > 10 {
		t.Errorf("%d accounts tracked, cap is 10", n)
	}
	if _, ok := th.Check("victim", ""); ok {
		t.Error("active lockout was evicted in favour of one-off failures")
	}
	// Once everything is stale a sweep empties the maps.
	clk.Advance(time.Hour)
	th.Failure("late", "192.0.2.2")
	if len(th.accounts) != 1 || len(th.addrs) != 1 {
		t.Errorf("after sweep: %d accounts, %d addrs; want 1 and 1", len(th.accounts), len(th.addrs))
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(ThrottleConfig{}, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				acct := fmt.Sprintf("u%d", i%7)
				addr := fmt.Sprintf("10.0.%d.%d", g, i%5)
				th.Check(acct, addr)
				th.Failure(acct, addr)
				if i%11 == 0 && acct != "u1" {
					th.Success(acct, addr)
				}
			}
		})
	}
	wg.Wait()
	if _, ok := th.Check("u1", ""); ok {
		t.Error("u1 not locked after many failures")
	}
}
