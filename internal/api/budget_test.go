package api_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

// waitFor polls cond; budgets have no hooks, and polling Stats is what the
// settings page will do too.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBudgetRespectsRate(t *testing.T) {
	// 1200/min = one every 50ms, burst 1: five grants need at least 200ms.
	b := api.NewBudget(1200, api.WithBurst(1))
	start := time.Now()
	for range 5 {
		if err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 190*time.Millisecond {
		t.Errorf("5 grants in %v, want >= 200ms", elapsed)
	}
	s := b.Stats()
	if s.LimitPerMinute != 1200 || s.Burst != 1 || s.RequestsLastMinute != 5 || s.Waits < 3 {
		t.Errorf("stats = %+v", s)
	}
}

func TestBudgetDefaults(t *testing.T) {
	s := api.NewBudget(0).Stats()
	if s.LimitPerMinute != api.DefaultPerMinute || s.Burst < 1 || s.Burst > 5 {
		t.Errorf("stats = %+v", s)
	}
}

func TestBudgetServesInteractiveFirst(t *testing.T) {
	b := api.NewBudget(6000, api.WithBurst(1))
	// Hold everyone back while the queue forms, so arrival order is known.
	b.PauseUntil(time.Now().Add(300 * time.Millisecond))

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	start := func(name string, ctx context.Context) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Wait(ctx); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}()
	}
	bg := api.Background(context.Background())
	start("bg1", bg)
	waitFor(t, "bg1 queued", func() bool { return b.Stats().BackgroundWaiting == 1 })
	start("bg2", bg)
	waitFor(t, "bg2 queued", func() bool { return b.Stats().BackgroundWaiting == 2 })
	start("ui1", context.Background())
	waitFor(t, "ui1 queued", func() bool { return b.Stats().InteractiveWaiting == 1 })
	start("ui2", context.Background())
	waitFor(t, "ui2 queued", func() bool { return b.Stats().InteractiveWaiting == 2 })
	wg.Wait()

	want := []string{"ui1", "ui2", "bg1", "bg2"}
	if len(order) != len(want) {
		t.Fatalf("order = %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("grant order = %v, want %v", order, want)
		}
	}
}

func TestBudgetFailsFastPastDeadline(t *testing.T) {
	b := api.NewBudget(60, api.WithBurst(1)) // next token in ~1s
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := b.Wait(ctx)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, api.ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 50*time.Millisecond || apiErr.RetryAfter < 900*time.Millisecond || apiErr.RetryAfter > time.Second {
		t.Errorf("waited %v, RetryAfter %v", time.Since(start), apiErr.RetryAfter)
	}
	if err.Error() != "request budget exhausted; retry in 1s" {
		t.Errorf("banner = %q", err)
	}
	if s := b.Stats(); s.Rejected != 1 || s.InteractiveWaiting != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestBudgetCancelWhileWaiting(t *testing.T) {
	b := api.NewBudget(60, api.WithBurst(1))
	_ = b.Wait(context.Background())
	ctx, cancel := context.WithCancel(api.Background(context.Background()))
	done := make(chan error, 1)
	go func() { done <- b.Wait(ctx) }()
	waitFor(t, "waiter queued", func() bool { return b.Stats().BackgroundWaiting == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancel did not release the waiter")
	}
	if s := b.Stats(); s.BackgroundWaiting != 0 {
		t.Errorf("waiter left behind: %+v", s)
	}
}

func TestBudgetPauseHoldsEveryone(t *testing.T) {
	b := api.NewBudget(60000, api.WithBurst(10))
	b.PauseUntil(time.Now().Add(150 * time.Millisecond))
	b.PauseUntil(time.Now()) // a shorter pause never shortens the current one
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			if i%2 == 1 {
				ctx = api.Background(ctx)
			}
			if err := b.Wait(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if elapsed := time.Since(start); elapsed < 140*time.Millisecond {
		t.Errorf("granted after %v during a 150ms pause", elapsed)
	}
	if !b.Stats().PausedUntil.IsZero() {
		t.Error("pause still reported after it ended")
	}
}

func TestBudgetConcurrentUse(t *testing.T) {
	b := api.NewBudget(60000, api.WithBurst(5))
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			if i%3 == 0 {
				ctx = api.Background(ctx)
			}
			errs <- b.Wait(ctx)
			_ = b.Stats()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := b.Stats().RequestsLastMinute; got != 40 {
		t.Errorf("requests last minute = %d", got)
	}
}

func TestHistoryCountsEveryMinute(t *testing.T) {
	b := api.NewBudget(6000, api.WithBurst(100))
	for range 5 {
		if err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = b.Wait(ctx) // ends before it starts: not a rejection of a real wait
	b.PauseUntil(clock.Instant().Add(time.Millisecond))
	h := b.History(15)
	if len(h) != 15 {
		t.Fatalf("%d minutes", len(h))
	}
	last := h[len(h)-1]
	// A minute boundary may fall between the grants and History.
	total := last.Grants + h[len(h)-2].Grants
	if total != 5 || !(last.Paused || h[len(h)-2].Paused) {
		t.Errorf("last minutes %+v %+v", h[len(h)-2], last)
	}
	for i := 1; i < len(h); i++ {
		if h[i].Minute.Sub(h[i-1].Minute) != time.Minute {
			t.Fatalf("minutes not consecutive: %v then %v", h[i-1].Minute, h[i].Minute)
		}
	}
}
