package live

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

var at = time.Date(2026, 1, 31, 14, 7, 0, 0, time.UTC)

func newFloor(t *testing.T, up *fakeUpstream, clk clock.Clock, opts Options) (*Floor, *fakeStore) {
	t.Helper()
	st := &fakeStore{}
	dir := &fakeDirectory{snap: directoryWith(api.Queue{ID: queueA, Name: "Support", IsActive: true}, api.Queue{ID: queueB, Name: "Billing", IsActive: true})}
	opts.Clock = clk
	f, err := New(up, dir, st, fakeBudget{allowance: 48}, fixedTargets{Default: 3 * time.Minute}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f, st
}

// A conversation that entered its queue four minutes ago shows a
// four-minute wait; after the clock moves and the poller runs, every
// subscriber is signalled exactly once and reads the new wait.
func TestWaitAndFanOutOncePerPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewManual(at)
		up := newFakeUpstream()
		up.set(conv(convSpec{id: "c-wait0001-0000-4000-8000-000000000001", queue: queueA, queueName: "Support", queued: at.Add(-4 * time.Minute)}))
		f, _ := newFloor(t, up, clk, Options{})
		if err := f.Poll(t.Context()); err != nil {
			t.Fatal(err)
		}
		s := f.Snapshot()
		if len(s.Waiting) != 1 || s.Waiting[0].Wait(clk.Now()) != 4*time.Minute {
			t.Fatalf("waiting: %+v", s.Waiting)
		}
		if q := s.Queues[1]; q.ID != queueA || q.Waiting != 1 || !q.LongestSince.Equal(at.Add(-4*time.Minute)) {
			t.Fatalf("queue: %+v", q)
		}

		const clients = 25
		var mu sync.Mutex
		got := make([]int, clients)
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for i := range clients {
			sub, err := f.Subscribe(Topic{})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				defer sub.Close()
				for {
					select {
					case <-ctx.Done():
						return
					case <-sub.C:
						mu.Lock()
						got[i]++
						mu.Unlock()
					}
				}
			})
		}
		clk.Advance(time.Minute)
		if err := f.Poll(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		cancel()
		wg.Wait()
		for i, n := range got {
			if n != 1 {
				t.Errorf("client %d got %d signals for one poll, want 1", i, n)
			}
		}
		if w := f.Snapshot().Waiting[0].Wait(clk.Now()); w != 5*time.Minute {
			t.Errorf("wait after a minute: %s", w)
		}
	})
}

// A reader that never reads holds one pending signal and nothing more; the
// floor never waits for it and the others keep receiving.
func TestStalledSubscriberNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := newFakeUpstream()
		f, _ := newFloor(t, up, clock.NewManual(at), Options{})
		stalled, _ := f.Subscribe(Topic{})
		defer stalled.Close()
		live, _ := f.Subscribe(Topic{})
		defer live.Close()
		for i := range 100 {
			if err := f.Poll(t.Context()); err != nil {
				t.Fatal(err)
			}
			select {
			case <-live.C:
			default:
				t.Fatalf("poll %d: the reading subscriber was not signalled", i)
			}
		}
		if n := len(stalled.C); n != 1 {
			t.Fatalf("stalled subscriber holds %d signals, want 1", n)
		}
	})
}

// Upstream down: the last figures stay, with the error and the time of the
// failed attempt; the next success clears it.
func TestPollFailureKeepsLastState(t *testing.T) {
	clk := clock.NewManual(at)
	up := newFakeUpstream()
	up.set(conv(convSpec{id: "c-wait0001-0000-4000-8000-000000000001", queue: queueA, queued: at.Add(-time.Minute)}))
	f, _ := newFloor(t, up, clk, Options{})
	if err := f.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	down := &api.Error{Kind: api.ErrTransport, Err: errors.New("connection refused")}
	up.fail(down)
	clk.Advance(30 * time.Second)
	if err := f.Poll(t.Context()); err == nil {
		t.Fatal("no error while upstream is down")
	}
	s := f.Snapshot()
	if s.Err == nil || len(s.Waiting) != 1 || !s.UpdatedAt.Equal(at) || !s.CheckedAt.Equal(at.Add(30*time.Second)) {
		t.Fatalf("after a failure: err=%v waiting=%d updated=%s checked=%s", s.Err, len(s.Waiting), s.UpdatedAt, s.CheckedAt)
	}
	if !s.Stale(clk.Now().Add(time.Minute)) {
		t.Error("a minute later the state should read as stale")
	}
	up.fail(nil)
	if err := f.Poll(t.Context()); err != nil || f.Snapshot().Err != nil {
		t.Fatalf("recovery: %v %v", err, f.Snapshot().Err)
	}
}

// The change topic hears only about changes of the live conversations;
// a conversation topic only about its conversation.
func TestTopics(t *testing.T) {
	clk := clock.NewManual(at)
	up := newFakeUpstream()
	one := conv(convSpec{id: "c-wait0001-0000-4000-8000-000000000001", queue: queueA, queued: at.Add(-time.Minute)})
	up.set(one)
	f, st := newFloor(t, up, clk, Options{})
	changes, _ := f.Subscribe(Topic{Changes: true})
	defer changes.Close()
	mine, _ := f.Subscribe(Topic{Conversation: one.ID})
	defer mine.Close()
	other, _ := f.Subscribe(Topic{Conversation: "c-other"})
	defer other.Close()
	if err := f.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(changes.C) != 1 {
		t.Fatal("the first poll is a change")
	}
	<-changes.C
	if err := f.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(changes.C) != 0 {
		t.Fatal("a poll that changed nothing signalled the change topic")
	}
	f.ConversationChanged(one.ID)
	if len(mine.C) != 1 || len(other.C) != 0 {
		t.Fatalf("conversation topics: mine %d, other %d", len(mine.C), len(other.C))
	}
	// It ends: the change topic hears of it, the index is told, and the
	// conversation someone watches is re-read first.
	up.set()
	if err := f.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(changes.C) != 1 {
		t.Fatal("an ended conversation is a change")
	}
	if len(st.settled) != 1 || st.settled[0] != one.ID || len(st.refresh) != 1 || st.refresh[0] != one.ID {
		t.Fatalf("settled %v, refreshed %v", st.settled, st.refresh)
	}
	if v, ok := f.ConversationVersion(one.ID); !ok || v != 1 {
		t.Fatalf("conversation version %d %v", v, ok)
	}
}

// Run polls only while someone watches, and as often with fifty
// subscribers as with one.
func TestRunCostsTheSameForOneAndFifty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := newFakeUpstream()
		up.set(conv(convSpec{id: "c-wait0001-0000-4000-8000-000000000001", queue: queueA, queued: at.Add(-time.Minute)}))
		f, _ := newFloor(t, up, clock.NewManual(at), Options{MinInterval: 10 * time.Second})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); f.Run(ctx) }()

		time.Sleep(time.Hour)
		synctest.Wait()
		if n := up.total(); n != 0 {
			t.Fatalf("%d calls while nobody watched", n)
		}
		measure := func(subscribers int) int {
			var subs []*Subscription
			for range subscribers {
				s, err := f.Subscribe(Topic{})
				if err != nil {
					t.Fatal(err)
				}
				subs = append(subs, s)
			}
			synctest.Wait()
			before := up.total()
			time.Sleep(10 * time.Minute)
			synctest.Wait()
			n := up.total() - before
			for _, s := range subs {
				s.Close()
			}
			time.Sleep(time.Hour) // idle again
			synctest.Wait()
			return n
		}
		one, fifty := measure(1), measure(50)
		if one == 0 || one != fifty {
			t.Fatalf("upstream calls in 10 minutes: %d with one subscriber, %d with fifty", one, fifty)
		}
		// 48 a minute, less a tenth, half of it: 22 a minute for the floor.
		if perMinute := float64(one) / 10; perMinute > 22.5 {
			t.Fatalf("%.1f calls a minute, over the floor's share", perMinute)
		}
		cancel()
		<-done
	})
}
