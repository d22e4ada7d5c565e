package handlers_test

import (
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/live"
)

// streamLoad opens n floor streams of one signed-in client each and waits
// for their first event.
func streamLoad(t testing.TB, h *apptest.Harness, c *http.Client, n int) []*sseClient {
	t.Helper()
	out := make([]*sseClient, n)
	for i := range n {
		out[i] = openStream(t, h, c, "/live/events", "")
	}
	for i, s := range out {
		if ev := s.next(t); ev.Name != "floor" {
			t.Fatalf("stream %d: first event %s", i, ev.Name)
		}
	}
	return out
}

// awaitAll waits until every stream has the floor event with id.
func awaitAll(t testing.TB, streams []*sseClient, id string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, s := range streams {
		wg.Go(func() {
			for {
				ev := s.next(t)
				if ev.Name == "floor" && ev.ID == id {
					return
				}
			}
		})
	}
	wg.Wait()
}

func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// settle waits (bounded) until the goroutines are back to at most want.
func settle(t testing.TB, want int) int {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		if n := runtime.NumGoroutine(); n <= want {
			return n
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return runtime.NumGoroutine()
		}
	}
}

// TestLiveStreams200Clients opens 200 streams at once: goroutines and heap
// stay bounded while they are open, one new state reaches all of them, and
// both return to the idle level once they disconnect. The figures are in
// the README.
func TestLiveStreams200Clients(t *testing.T) {
	if testing.Short() {
		t.Skip("200 streams")
	}
	const n = 200
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	h.PollFloor()
	viewer := h.Login("viewer")
	h.Get(viewer, "/live").Body.Close() // warm the page's code paths
	idleG, idleHeap := runtime.NumGoroutine(), heapMiB()

	streams := streamLoad(t, h, viewer, n)
	openG, openHeap := runtime.NumGoroutine(), heapMiB()
	if got := h.App.Floor.Subscribers(); got != n {
		t.Fatalf("%d subscribers, want %d", got, n)
	}
	start := time.Now()
	h.PollFloor()
	published := time.Now()
	awaitAll(t, streams, h.App.Floor.Snapshot().ID)
	all := time.Now()

	for _, s := range streams {
		s.resp.Body.Close()
	}
	for _, s := range streams {
		<-s.done
	}
	viewer.CloseIdleConnections()
	afterG := settle(t, idleG+10)
	afterHeap := heapMiB()
	t.Logf("200 streams: goroutines idle %d, open %d (%.1f per stream, client side included), after %d; heap idle %.1f MiB, open %.1f MiB (%.0f KiB per stream), after %.1f MiB",
		idleG, openG, float64(openG-idleG)/n, afterG, idleHeap, openHeap, (openHeap-idleHeap)*1024/n, afterHeap)
	t.Logf("fan-out: poll and publish %s, then all 200 streams had the new state %s later", published.Sub(start).Round(time.Microsecond), all.Sub(published).Round(time.Microsecond))

	// Per stream: the server's handler and connection, the test's reader
	// and its transport; nothing grows with the number of states sent.
	if per := float64(openG-idleG) / n; per > 6 {
		t.Errorf("%.1f goroutines per stream", per)
	}
	if openHeap-idleHeap > 64 {
		t.Errorf("200 streams took %.1f MiB of heap", openHeap-idleHeap)
	}
	if afterG > idleG+10 {
		t.Errorf("goroutines after the streams closed: %d, idle was %d", afterG, idleG)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for h.App.Floor.Subscribers() != 0 {
		<-tick.C
	}
	if afterHeap > idleHeap+16 {
		t.Errorf("heap after the streams closed %.1f MiB, idle was %.1f MiB", afterHeap, idleHeap)
	}
}

// TestLiveUpstreamCallsOneVsFifty counts the upstream requests the
// simulator records for the same polls with one and with fifty open
// floors: the poller alone calls upstream, so they are equal.
func TestLiveUpstreamCallsOneVsFifty(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	viewer := h.Login("viewer")
	// One whole cycle of polls (the slow calls come every sixth) to warm
	// the caches the floor shares with the pages.
	cycle := func() int {
		h.Sim.ResetRequests()
		for range 6 {
			h.PollFloor()
		}
		return len(h.Sim.Requests())
	}
	cycle()
	first := openStream(t, h, viewer, "/live/events", "")
	first.next(t)
	one := cycle()
	streamLoad(t, h, viewer, 49)
	fifty := cycle()
	if one == 0 || one != fifty {
		t.Fatalf("upstream requests for six polls: %d with one open floor, %d with fifty", one, fifty)
	}
	// What that is a minute at the default limit (60 a minute, 80 % share).
	queues := len(h.App.Floor.Snapshot().Queues)
	var perMinute float64
	for c := range 6 {
		p := live.MakePlan(live.PlanInput{AllowancePerMinute: 48, Queues: queues, Cycle: c})
		perMinute += float64(p.Calls) / p.Interval.Minutes() / 6
	}
	t.Logf("six polls: %d upstream requests with 1 open floor, %d with 50; at the default budget that is about %.1f requests a minute either way", one, fifty, perMinute)
}

// BenchmarkLiveFanOut is one poll and its new state reaching every one of
// 200 open floors: the time from the start of the poll to the last stream
// having the event.
func BenchmarkLiveFanOut(b *testing.B) {
	h := apptest.New(b, apptest.Options{})
	h.LoadDirectory()
	h.PollFloor()
	viewer := h.Login("viewer")
	streams := streamLoad(b, h, viewer, 200)
	b.ResetTimer()
	for b.Loop() {
		h.PollFloor()
		awaitAll(b, streams, h.App.Floor.Snapshot().ID)
	}
}
