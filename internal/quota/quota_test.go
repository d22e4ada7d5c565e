package quota

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

func TestLimiter(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
	l := New(6, clk) // one call every 10 s, 6 at once
	alice, bob := WithUser(context.Background(), "alice"), WithUser(context.Background(), "bob")
	for i := range 6 {
		if err := l.Allow(alice); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	err := l.Allow(alice)
	var ex *ExceededError
	if !errors.As(err, &ex) || !errors.Is(err, ErrExceeded) || ex.User != "alice" || ex.RetryAfter != 10*time.Second {
		t.Fatalf("7th call: %v", err)
	}
	if err := l.Allow(bob); err != nil {
		t.Errorf("bob is limited by alice's calls: %v", err)
	}
	for range 100 {
		if err := l.Allow(context.Background()); err != nil {
			t.Fatalf("a call without a user was limited: %v", err)
		}
	}
	clk.Advance(10 * time.Second)
	if err := l.Allow(alice); err != nil {
		t.Errorf("after 10 s: %v", err)
	}
	if err := l.Allow(alice); err == nil {
		t.Error("refused calls refilled the bucket")
	}
}
