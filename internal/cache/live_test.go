package cache

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/simulator"
)

// Live records handed to Ingest are stored and indexed with their waiting
// time; sort=wait puts the waiting first, the longest waiting first;
// unchanged records are confirmed fresh; OnChange hears of new versions
// only; Settle stops the wait of a conversation that left the live list.
func TestIngestWaitingAndSettle(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var changed []string
	e := newEnv(t, 60, Options{OnChange: func(ids []string) {
		mu.Lock()
		defer mu.Unlock()
		changed = append(changed, ids...)
	}})
	ctx := context.Background()
	s := NewSyncer(e.cache, SyncOptions{PageSize: 100})
	if err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := e.client.ListConversations(ctx, api.ListConversationsParams{Limit: 100, Statuses: []string{"OPEN", "ACTIVE", "IDLE", "OVERDUE"}})
	if err != nil {
		t.Fatal(err)
	}
	var waiting []*api.Conversation
	for _, c := range page.Results {
		if !c.WaitingSince().IsZero() {
			waiting = append(waiting, c)
		}
	}
	if len(waiting) < 2 {
		t.Fatalf("%d waiting conversations; the simulator guarantees two", len(waiting))
	}
	mu.Lock()
	changed = nil
	mu.Unlock()
	e.clock.Advance(time.Minute)
	if err := e.cache.Ingest(ctx, page.Results); err != nil {
		t.Fatal(err)
	}
	if len(changed) != 0 {
		t.Fatalf("unchanged records reported as changed: %v", changed)
	}
	// Confirmed current: a lookup is served from the cache.
	e.sim.ResetRequests()
	if r, err := e.cache.GetConversation(ctx, waiting[0].ID); err != nil || r.Source != SourceCache {
		t.Fatalf("lookup after ingest: %v %v", r.Source, err)
	}
	got, err := e.cache.List(ctx, Query{Statuses: []string{"OPEN"}, Sort: SortWait})
	if err != nil {
		t.Fatal(err)
	}
	var since []time.Time
	for _, r := range got.Rows {
		if !r.WaitingSince.IsZero() {
			since = append(since, r.WaitingSince)
		}
	}
	if len(since) < 2 || !slices.IsSortedFunc(since, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Fatalf("waiting rows by wait: %v", since)
	}
	if len(got.Rows) > 0 && got.Rows[0].WaitingSince.IsZero() {
		t.Fatal("a waiting conversation does not come first by wait")
	}

	// It is taken: the new version is stored and reported.
	agent := pickAgentFor(t, e.sim, waiting[0].ID)
	if err := e.sim.AssignNow(waiting[0].ID, agent); err != nil {
		t.Fatal(err)
	}
	now, err := e.client.Conversation(ctx, waiting[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cache.Ingest(ctx, []*api.Conversation{now}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{waiting[0].ID}) {
		t.Fatalf("changed %v", changed)
	}
	rows, _ := e.cache.Rows(ctx, []string{waiting[0].ID, waiting[1].ID})
	if !rows[waiting[0].ID].WaitingSince.IsZero() || rows[waiting[1].ID].WaitingSince.IsZero() {
		t.Fatalf("rows %+v", rows)
	}
	if err := e.cache.Settle(ctx, []string{waiting[1].ID}); err != nil {
		t.Fatal(err)
	}
	rows, _ = e.cache.Rows(ctx, []string{waiting[1].ID})
	if !rows[waiting[1].ID].WaitingSince.IsZero() {
		t.Fatal("a settled conversation still waits")
	}
}

func pickAgentFor(t *testing.T, sim *simulator.Simulator, convID string) string {
	t.Helper()
	var queue string
	for _, c := range sim.Conversations() {
		if c.ID == convID {
			queue = c.QueueID
		}
	}
	for _, a := range sim.Agents() {
		if a.OnlineStatus != "OFFLINE" && slices.Contains(a.QueueIDs, queue) {
			return a.ID
		}
	}
	t.Fatal("no agent for the conversation's queue")
	return ""
}

func TestWaitKey(t *testing.T) {
	if k := WaitKey(5000, 0); k != 5000 {
		t.Fatalf("finished wait key %d", k)
	}
	older, newer := WaitKey(0, 1_700_000_000_000), WaitKey(0, 1_700_000_060_000)
	if !(older > newer && newer > 24*3600*1000*365) {
		t.Fatalf("waiting keys %d %d", older, newer)
	}
}
