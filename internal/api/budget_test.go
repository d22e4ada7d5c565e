package api_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// Every test here runs in a synctest bubble: time.Now, timers and sleeps are
// fake, so minutes and hours of budget pass in microseconds, and
// synctest.Wait says when every waiter is blocked.

// maxInWindow is the largest number of times in any window of length w
// (a time at exactly start+w belongs to the next window).
func maxInWindow(ts []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func TestBudgetNeverExceedsRollingMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A token bucket of 60/min with a burst of 3 grants 62 in one
		// rolling minute; upstream counts every rolling minute.
		b := api.NewBudget(60, api.WithShare(100))
		var grants []time.Time
		for range 200 {
			if err := b.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			grants = append(grants, time.Now())
		}
		if got := maxInWindow(grants, time.Minute+api.DefaultWindowMargin); got > 60 {
			t.Errorf("%d grants in one rolling minute (+margin), upstream allows 60", got)
		}
	})
}

func TestBudgetDefaults(t *testing.T) {
	tests := []struct {
		name       string
		budget     func() *api.Budget
		want       api.BudgetStats
		wantWindow time.Duration // hourly limit's window; 0: none
	}{
		{"ccai", func() *api.Budget { return api.NewBudget(0) },
			api.BudgetStats{Family: api.BudgetCCAI, LimitPerMinute: 60, SharePercent: 80, AllowancePerMinute: 48, CurrentSharePercent: 80, Burst: 3}, 0},
		{"bot", func() *api.Budget {
			return api.NewBudget(api.BotPerMinute, api.WithPerHour(api.BotPerHour), api.WithFamily(api.BudgetBot))
		}, api.BudgetStats{Family: api.BudgetBot, LimitPerMinute: 60, LimitPerHour: 1800, SharePercent: 80, AllowancePerMinute: 48,
			AllowancePerHour: 1440, CurrentSharePercent: 80, Burst: 3}, time.Hour},
		{"share clamped", func() *api.Budget { return api.NewBudget(60, api.WithShare(3)) },
			api.BudgetStats{Family: api.BudgetCCAI, LimitPerMinute: 60, SharePercent: 10, AllowancePerMinute: 6, CurrentSharePercent: 10, Burst: 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				if got := tt.budget().Stats(); got != tt.want {
					t.Errorf("stats = %+v\nwant    %+v", got, tt.want)
				}
			})
		})
	}
}

// grant is one grant seen by a contention test.
type grant struct {
	at, asked  time.Time
	background bool
}

// contend runs interactive callers (each asking every 20–60 s of fake time)
// and greedy background callers against b for d, and returns every grant
// in order.
func contend(t *testing.T, b *api.Budget, interactive, background int, d time.Duration) []grant {
	t.Helper()
	var mu sync.Mutex
	var grants []grant
	// Cancelled rather than timed out: a deadline would have the budget
	// refuse the last waits early.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(d, cancel)
	var wg sync.WaitGroup
	for i := range interactive + background {
		bg := i >= interactive
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		wg.Go(func() {
			wctx := ctx
			if bg {
				wctx = api.Background(ctx)
			}
			for ctx.Err() == nil {
				if !bg {
					time.Sleep(20*time.Second + time.Duration(rng.Int64N(int64(40*time.Second))))
				}
				asked := time.Now()
				if err := b.Wait(wctx); err != nil {
					if ctx.Err() == nil {
						t.Errorf("wait: %v", err)
					}
					return
				}
				mu.Lock()
				grants = append(grants, grant{at: time.Now(), asked: asked, background: bg})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return grants
}

func TestBudgetUnderContention(t *testing.T) {
	tests := []struct {
		name                  string
		budget                func() *api.Budget
		interactive, bg       int
		run                   time.Duration
		perMinute, perHour    int // our share of upstream's limits
		maxP95                time.Duration
		wantBackgroundAtLeast int
	}{
		{"ccai", func() *api.Budget { return api.NewBudget(60) }, 12, 8, 30 * time.Minute, 48, 0, 500 * time.Millisecond, 600},
		{"bot", func() *api.Budget {
			return api.NewBudget(api.BotPerMinute, api.WithPerHour(api.BotPerHour), api.WithFamily(api.BudgetBot))
		}, 4, 8, 3 * time.Hour, 48, 1440, 500 * time.Millisecond, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := tt.budget()
				grants := contend(t, b, tt.interactive, tt.bg, tt.run)
				var all []time.Time
				var waits []time.Duration
				bgCount := 0
				for _, g := range grants {
					all = append(all, g.at)
					if g.background {
						bgCount++
						continue
					}
					waits = append(waits, g.at.Sub(g.asked))
					// Background grants made after this caller asked.
					behind := 0
					for _, o := range grants {
						if o.background && o.at.After(g.asked) && o.at.Before(g.at) {
							behind++
						}
					}
					if behind > 1 {
						t.Errorf("an interactive caller waited behind %d background grants", behind)
					}
				}
				// Never more than the burst (3) within one steady interval.
				if got := maxInWindow(all, (time.Minute+api.DefaultWindowMargin)/time.Duration(tt.perMinute)); got > 3 {
					t.Errorf("%d grants within one steady interval", got)
				}
				if got := maxInWindow(all, time.Minute); got > tt.perMinute {
					t.Errorf("%d grants in a rolling minute, share is %d", got, tt.perMinute)
				}
				if tt.perHour > 0 {
					if got := maxInWindow(all, time.Hour); got > tt.perHour {
						t.Errorf("%d grants in a rolling hour, share is %d", got, tt.perHour)
					}
				}
				slices.Sort(waits)
				p95 := waits[len(waits)*95/100]
				if p95 > tt.maxP95 || waits[len(waits)-1] > 2*time.Second {
					t.Errorf("interactive p95 wait %v, max %v; want at most %v and 2s", p95, waits[len(waits)-1], tt.maxP95)
				}
				if bgCount < tt.wantBackgroundAtLeast {
					t.Errorf("background got only %d grants", bgCount)
				}
				t.Logf("%d grants (%d background); interactive waits p50 %v p95 %v max %v", len(grants), bgCount,
					waits[len(waits)/2], p95, waits[len(waits)-1])
			})
		})
	}
}

func TestBudgetServesInteractiveFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := api.NewBudget(6000, api.WithBurst(1))
		// Hold everyone back while the queue forms, so arrival order is known.
		b.PauseUntil(time.Now().Add(time.Second))
		var mu sync.Mutex
		var order []string
		var wg sync.WaitGroup
		start := func(name string, ctx context.Context) {
			wg.Go(func() {
				if err := b.Wait(ctx); err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				mu.Lock()
				order = append(order, name)
				mu.Unlock()
			})
			synctest.Wait()
		}
		bg := api.Background(context.Background())
		start("bg1", bg)
		start("bg2", bg)
		start("ui1", context.Background())
		start("ui2", context.Background())
		if s := b.Stats(); s.InteractiveWaiting != 2 || s.BackgroundWaiting != 2 {
			t.Fatalf("waiting = %+v", s)
		}
		wg.Wait()
		if fmt.Sprint(order) != "[ui1 ui2 bg1 bg2]" {
			t.Fatalf("grant order = %v", order)
		}
	})
}

func TestBudgetDeadlines(t *testing.T) {
	tests := []struct {
		name      string
		deadline  time.Duration
		wantErr   bool
		wantAfter time.Duration // when the call returns
	}{
		{"deadline inside the pause: refused at once", 5 * time.Second, true, 0},
		{"deadline after the pause: granted when it ends", 40 * time.Second, false, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := api.NewBudget(60)
				b.Throttled(time.Now().Add(30 * time.Second))
				start := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
				defer cancel()
				err := b.Wait(ctx)
				if took := time.Since(start); took != tt.wantAfter {
					t.Errorf("returned after %v, want %v", took, tt.wantAfter)
				}
				var apiErr *api.Error
				if !tt.wantErr {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				if !errors.As(err, &apiErr) || !errors.Is(err, api.ErrRateLimited) || apiErr.RetryAfter != 30*time.Second {
					t.Fatalf("err = %v (%+v)", err, apiErr)
				}
				if err.Error() != "request budget exhausted; retry in 30s" {
					t.Errorf("banner = %q", err)
				}
				if s := b.Stats(); s.Rejected != 1 || s.InteractiveWaiting != 0 {
					t.Errorf("stats = %+v", s)
				}
			})
		})
	}

	// A caller already waiting when a pause begins that outlasts its
	// deadline is refused when the pause begins, not at its deadline.
	synctest.Test(t, func(t *testing.T) {
		b := api.NewBudget(60, api.WithBurst(1))
		_ = b.Wait(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- b.Wait(ctx) }()
		synctest.Wait() // queued behind the spacing
		b.Throttled(time.Now().Add(time.Minute))
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, api.ErrRateLimited) || time.Since(start) != 0 {
				t.Errorf("err = %v after %v", err, time.Since(start))
			}
		default:
			t.Fatal("the waiter stalls although the pause outlasts its deadline")
		}
	})
}

func TestBudgetCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := api.NewBudget(60, api.WithBurst(1))
		_ = b.Wait(context.Background())
		ctx, cancel := context.WithCancel(api.Background(context.Background()))
		done := make(chan error, 1)
		go func() { done <- b.Wait(ctx) }()
		synctest.Wait()
		if s := b.Stats(); s.BackgroundWaiting != 1 {
			t.Fatalf("stats = %+v", s)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) || !errors.Is(err, api.ErrTransport) {
			t.Errorf("err = %v", err)
		}
		if s := b.Stats(); s.BackgroundWaiting != 0 || s.Rejected != 1 {
			t.Errorf("after cancel: %+v", s)
		}
	})
}

// A 429 while the dashboard stayed within its share halves the share (once
// per window), the grants follow the cut, and every quiet minute gives one
// request a minute back until the configured share is reached again.
func TestBudgetAIMD(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := api.NewBudget(60) // 48 a minute
		for range 10 {
			_ = b.Wait(context.Background())
		}
		b.Throttled(time.Now().Add(5 * time.Second))
		b.Throttled(time.Now().Add(5 * time.Second)) // the same burst of answers: no second cut
		s := b.Stats()
		if s.AllowancePerMinute != 24 || s.CurrentSharePercent != 40 || s.SharePercent != 80 || s.RateLimited != 2 ||
			s.ShareReason == "" || s.ShareCutAt.IsZero() || s.PausedUntil.IsZero() {
			t.Fatalf("after a 429: %+v", s)
		}
		t.Logf("reason: %s", s.ShareReason)

		// Two minutes of greedy use: never more than the cut share.
		var grants []time.Time
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		for b.Wait(ctx) == nil {
			grants = append(grants, time.Now())
		}
		cancel()
		if got := maxInWindow(grants, time.Minute); got > 26 { // 24, +1 recovered per quiet minute
			t.Errorf("%d grants in a minute after the cut to 24", got)
		}

		// Further 429s a window apart halve it down to the floor (10 %),
		// each after a quiet minute that gave one back.
		for _, want := range []int{13, 7, 6} { // halves of 27, 14 and 8: the last is below the floor
			time.Sleep(time.Minute + api.DefaultWindowMargin)
			b.Throttled(time.Now())
			if got := b.Stats().AllowancePerMinute; got != want {
				t.Errorf("allowance %d, want %d", got, want)
			}
		}
		h := b.History(10)
		if last := h[len(h)-1]; last.RateLimited != 1 || last.Allowance != 6 || !last.Paused {
			t.Errorf("history %+v", last)
		}

		// Recovery: +1 per quiet minute.
		time.Sleep(10 * time.Minute)
		if got := b.Stats().AllowancePerMinute; got != 16 {
			t.Errorf("after 10 quiet minutes: %d, want 16", got)
		}
		time.Sleep(time.Hour)
		if s := b.Stats(); s.AllowancePerMinute != 48 || s.ShareReason != "" || !s.ShareCutAt.IsZero() {
			t.Errorf("recovered: %+v", s)
		}
	})
}

func TestBudgetEstimate(t *testing.T) {
	tests := []struct {
		name     string
		budget   func() *api.Budget
		n        int
		min, max time.Duration
	}{
		// Background paces 44 a minute (4 of the 48 kept for lookups).
		{"bulk move of 40 at 48/min", func() *api.Budget { return api.NewBudget(60) }, 40, 50 * time.Second, 56 * time.Second},
		{"one request now", func() *api.Budget { return api.NewBudget(60) }, 1, 0, 0},
		{"past the minute's background headroom", func() *api.Budget { return api.NewBudget(60) }, 100, 2 * time.Minute, 3 * time.Minute},
		{"bot: past the hour", func() *api.Budget {
			return api.NewBudget(api.BotPerMinute, api.WithPerHour(api.BotPerHour), api.WithFamily(api.BudgetBot))
		}, 1500, time.Hour, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				if got := tt.budget().Estimate(tt.n); got < tt.min || got > tt.max {
					t.Errorf("Estimate(%d) = %v, want %v…%v", tt.n, got, tt.min, tt.max)
				}
			})
		})
	}
}

func TestHistoryCountsEveryMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := api.NewBudget(6000, api.WithBurst(100))
		for range 5 {
			_ = b.Wait(context.Background())
		}
		_ = b.Wait(api.Background(context.Background()))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = b.Wait(ctx) // ends before it starts: not a rejection of a real wait
		time.Sleep(time.Minute)
		b.Throttled(time.Now().Add(time.Millisecond))
		h := b.History(15)
		if len(h) != 15 {
			t.Fatalf("%d minutes", len(h))
		}
		prev, last := h[len(h)-2], h[len(h)-1]
		if prev.Grants != 6 || prev.Background != 1 || prev.Rejected != 0 || prev.Allowance != 4800 ||
			last.Grants != 0 || last.RateLimited != 1 || !last.Paused || last.Allowance != 2400 {
			t.Errorf("last minutes %+v %+v", prev, last)
		}
		for i := 1; i < len(h); i++ {
			if h[i].Minute.Sub(h[i-1].Minute) != time.Minute {
				t.Fatalf("minutes not consecutive: %v then %v", h[i-1].Minute, h[i].Minute)
			}
		}
		if s := b.Stats(); s.RequestsLastHour != 6 || s.RequestsLastMinute != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

// BenchmarkBudgetContention measures grants while GOMAXPROCS×4
// goroutines, a third of them background, compete for one budget: with a
// limit so high that only the budget's own cost shows, and with one that
// makes every caller queue (1,000 grants a second, no burst).
func BenchmarkBudgetContention(b *testing.B) {
	for _, bc := range []struct {
		name   string
		budget func() *api.Budget
	}{
		{"unlimited", func() *api.Budget { return api.NewBudget(1<<30, api.WithBurst(1<<20), api.WithShare(100)) }},
		{"queueing", func() *api.Budget { return api.NewBudget(60_000, api.WithBurst(1), api.WithShare(100)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			budget := bc.budget()
			b.SetParallelism(4)
			var mu sync.Mutex
			i := 0
			b.RunParallel(func(pb *testing.PB) {
				mu.Lock()
				ctx := context.Background()
				if i%3 == 2 {
					ctx = api.Background(ctx)
				}
				i++
				mu.Unlock()
				for pb.Next() {
					if err := budget.Wait(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
