package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/simulator"
)

func TestClosedConversationIsServedFromCacheForever(t *testing.T) {
	e := newEnv(t, 60, Options{})
	ctx := context.Background()
	conv := pick(t, e.sim, isClosed)

	first, err := e.cache.GetConversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Source != SourceLive || first.Conversation.ID != conv.ID || first.SHA256 != Hash(first.Raw) || first.SessionID != conv.SessionID {
		t.Fatalf("first fetch: %+v", first)
	}
	e.clock.Advance(365 * 24 * time.Hour)
	again, err := e.cache.GetConversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Source != SourceCache || string(again.Raw) != string(first.Raw) || again.Age != 365*24*time.Hour {
		t.Fatalf("second fetch: source %s age %s", again.Source, again.Age)
	}
	// The session id finds the same cached copy without asking upstream.
	bySession, err := e.cache.GetSession(ctx, conv.SessionID)
	if err != nil || bySession.Source != SourceCache || bySession.ConversationID != conv.ID {
		t.Fatalf("by session: %+v, %v", bySession.Source, err)
	}
	if n := len(e.sim.Requests()); n != 1 {
		t.Errorf("upstream calls %d, want 1", n)
	}
	st, err := e.cache.Stats(ctx)
	if err != nil || st.Hits != 2 || st.Misses != 1 || st.Entries != 1 || st.Bytes != int64(len(first.Raw)) {
		t.Errorf("stats %+v, %v", st, err)
	}
}

func TestLiveConversationIsRevalidatedInTheBackground(t *testing.T) {
	e := newEnv(t, 300, Options{LiveTTL: 10 * time.Second})
	ctx := context.Background()
	conv := pick(t, e.sim, isLive)

	if r, err := e.cache.GetConversation(ctx, conv.ID); err != nil || r.Source != SourceLive {
		t.Fatalf("first: %v %v", r.Source, err)
	}
	e.clock.Advance(5 * time.Second)
	if r, _ := e.cache.GetConversation(ctx, conv.ID); r.Source != SourceCache {
		t.Fatalf("within the TTL: %s", r.Source)
	}
	e.clock.Advance(6 * time.Second)
	stale, err := e.cache.GetConversation(ctx, conv.ID)
	if err != nil || stale.Source != SourceStale || !stale.Refreshing || stale.RefreshError != nil || stale.Age != 11*time.Second {
		t.Fatalf("after the TTL: %+v %v", stale, err)
	}
	waitIdle(t, e.cache)
	fresh, err := e.cache.GetConversation(ctx, conv.ID)
	if err != nil || fresh.Source != SourceCache || fresh.Age != 0 {
		t.Fatalf("after the refresh: %s age %s %v", fresh.Source, fresh.Age, err)
	}
	if n := len(e.sim.Requests()); n != 2 {
		t.Errorf("upstream calls %d, want 2", n)
	}
}

func TestUpstreamDownServesTheLastCopyWithTheReason(t *testing.T) {
	e := newEnv(t, 300, Options{LiveTTL: 10 * time.Second, RetryAfterFailure: time.Minute})
	ctx := context.Background()
	conv := pick(t, e.sim, isLive)
	if _, err := e.cache.GetSession(ctx, conv.SessionID); err != nil {
		t.Fatal(err)
	}
	e.srv.Close() // upstream unreachable
	e.clock.Advance(2 * time.Minute)

	r, err := e.cache.GetSession(ctx, conv.SessionID)
	if err != nil || r.Source != SourceStale || !r.Refreshing {
		t.Fatalf("first stale serve: %+v %v", r, err)
	}
	waitIdle(t, e.cache)
	r, err = e.cache.GetSession(ctx, conv.SessionID)
	if err != nil || r.Source != SourceStale || r.Age != 2*time.Minute {
		t.Fatalf("stale serve: %+v %v", r, err)
	}
	if !errors.Is(r.RefreshError, api.ErrTransport) {
		t.Errorf("refresh error %v, want a transport error", r.RefreshError)
	}
	// Within RetryAfterFailure no new refresh is attempted.
	if r.Refreshing {
		t.Error("a refresh was retried at once after a failure")
	}
	if st, _ := e.cache.Stats(ctx); st.UpstreamErrors != 1 || st.StaleServes != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestErrorsWithoutACopy(t *testing.T) {
	const unknownSession = "0123456789abcdef01234567"
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(e *env) *Cache
		want  error
	}{
		{"not found", func(e *env) *Cache { return e.cache }, api.ErrNotFound},
		{"rate limited", func(e *env) *Cache {
			e.sim.SetFaults(simulator.Faults{RateLimitRate: 1})
			return e.cache
		}, api.ErrRateLimited},
		{"upstream error", func(e *env) *Cache {
			e.sim.SetFaults(simulator.Faults{ErrorRate: 1})
			return e.cache
		}, api.ErrUpstream},
		{"unreachable", func(e *env) *Cache { e.srv.Close(); return e.cache }, api.ErrTransport},
		{"unauthorized", func(e *env) *Cache {
			c := e.sim.Credentials()
			bad, err := api.New(e.srv.URL, api.Credentials{BotID: c.BotID, AccountID: c.AccountID, OrgID: c.OrgID, ClientID: c.ClientID, ClientSecret: "wrong"},
				api.WithRetries(0, time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			cc, err := New(e.db, bad, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(cc.Close)
			return cc
		}, api.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 20, Options{})
			c := tt.setup(e)
			_, err := c.GetSession(ctx, unknownSession)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Error() == "" {
				t.Errorf("error %v is not a banner-ready *api.Error", err)
			}
		})
	}
}

func TestConcurrentColdLookupsMakeOneUpstreamCall(t *testing.T) {
	e := newEnv(t, 60, Options{})
	conv := pick(t, e.sim, isClosed)
	// A little latency makes every caller arrive while the call is in flight.
	e.sim.SetFaults(simulator.Faults{Latency: 50 * time.Millisecond})
	var wg sync.WaitGroup
	results := make([]Result, 100)
	errs := make([]error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.cache.GetSession(context.Background(), conv.SessionID)
		}()
	}
	wg.Wait()
	for i := range 100 {
		if errs[i] != nil || results[i].ConversationID != conv.ID {
			t.Fatalf("caller %d: %v %+v", i, errs[i], results[i].ConversationID)
		}
	}
	if n := len(e.sim.Requests()); n != 1 {
		t.Fatalf("100 concurrent cold lookups made %d upstream calls, want 1", n)
	}
}

func TestCallerGivingUpDoesNotFailOthers(t *testing.T) {
	e := newEnv(t, 60, Options{})
	conv := pick(t, e.sim, isClosed)
	e.sim.SetFaults(simulator.Faults{Latency: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.cache.GetConversation(context.Background(), conv.ID)
		done <- err
	}()
	if _, err := e.cache.GetConversation(ctx, conv.ID); err == nil {
		t.Error("the impatient caller should time out")
	}
	if err := <-done; err != nil {
		t.Fatalf("the patient caller failed: %v", err)
	}
}

const convTemplate = `{"_id":"c-test-1","botSessionId":"aaaaaaaaaaaaaaaaaaaaaaaa","status":%q,"conversationType":"livechat","language":"en",
"startTime":"2025-08-25T10:00:00.000Z",%s"participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-25T10:00:00.000Z","agentId":"u-1","name":"Ann Agent","status":"ACTIVE","assignedAt":"2025-08-25T10:00:05.000Z","startTimeStamp":"2025-08-25T10:00:09.000Z"%s}],
"transferDetails":[%s],"notes":[%s],"summary":["Billing question"],"userInfo":{"firstName":"Test","lastName":"User","email":"test.user@test.com","phoneNumber":"5551234"},
"dispositions":{"status":%q,"dispositionSets":[]}}`

func TestSnapshotHistoryRecordsEachVersion(t *testing.T) {
	up := newScripted()
	clk := newClock()
	c, err := New(openDB(t), up, Options{Clock: clk, LiveTTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := context.Background()
	const sid = "aaaaaaaaaaaaaaaaaaaaaaaa"

	up.set("c-test-1", sid, fmt.Sprintf(convTemplate, "ACTIVE", "", "", "", "", ""))
	if _, err := c.GetConversation(ctx, "c-test-1"); err != nil {
		t.Fatal(err)
	}
	// Same content again: no new version.
	clk.Advance(2 * time.Second)
	if _, err := c.GetConversation(ctx, "c-test-1"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, c)
	// Closed, with a transfer, a note and a disposition.
	clk.Advance(2 * time.Second)
	up.set("c-test-1", sid, fmt.Sprintf(convTemplate, "CLOSED", `"endTime":"2025-08-25T10:09:00.000Z",`, `,"endTimeStamp":"2025-08-25T10:09:00.000Z"`,
		`{"transferredType":"QUEUE","transferredTo":[{"id":"qu-2","name":"Support","type":"QUEUE"}],"transferredAt":"2025-08-25T10:05:00.000Z"}`,
		`{"_id":"n1","note":"called back","author":{"firstName":"Ann","lastName":"Agent","userId":"u-1"}}`, "Resolved"))
	if r, _ := c.GetConversation(ctx, "c-test-1"); r.Source != SourceStale {
		t.Fatalf("expected a stale serve, got %s", r.Source)
	}
	waitIdle(t, c)
	r, err := c.GetConversation(ctx, "c-test-1")
	if err != nil || r.Conversation.Status != "CLOSED" {
		t.Fatalf("after refresh: %v %v", r.Source, err)
	}

	snaps, err := c.Snapshots(ctx, "c-test-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 {
		t.Fatalf("%d snapshots, want 2", len(snaps))
	}
	newest, oldest := snaps[0], snaps[1]
	if newest.Status != "CLOSED" || oldest.Status != "ACTIVE" || !oldest.First || newest.SHA256 != r.SHA256 {
		t.Fatalf("snapshots %+v", snaps)
	}
	if !oldest.LastSeen.After(oldest.FirstSeen) {
		t.Errorf("the unchanged refetch should extend the first version's last-seen time: %+v", oldest)
	}
	changes := strings.Join(newest.Changes, "\n")
	for _, want := range []string{"status ACTIVE → CLOSED", "1 transfer added: QUEUE to Support", "notes 0 → 1", "disposition none → Resolved", "end time none → 2025-08-25T10:09:00Z", "participant Ann Agent: ended"} {
		if !strings.Contains(changes, want) {
			t.Errorf("changes lack %q:\n%s", want, changes)
		}
	}
}

func TestEvictionNeverDropsAuditReferencedSnapshots(t *testing.T) {
	e := newEnv(t, 60, Options{})
	ctx := context.Background()
	convs := e.sim.Conversations()[:6]
	var hashes []string
	for _, cv := range convs {
		r, err := e.cache.GetConversation(ctx, cv.ID)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, r.SHA256)
	}
	// Reference two snapshots from the audit log, then evict.
	log := audit.New(e.db, nil)
	for _, h := range hashes[4:] {
		if _, err := log.Append(ctx, audit.Record{Actor: "lead", Action: audit.ActionSessionLookup, Refs: []string{"sha256:" + h}}); err != nil {
			t.Fatal(err)
		}
	}
	e.cache.opts.MaxBytes = 1 // every body is over budget
	if _, err := e.cache.Evict(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := e.cache.Stats(ctx)
	if st.Entries != 2 || st.Snapshots != 2 {
		t.Fatalf("after eviction: %+v; want only the 2 referenced versions", st)
	}
	for i, h := range hashes[4:] {
		snaps, err := e.cache.Snapshots(ctx, convs[4+i].ID)
		if err != nil || len(snaps) != 1 || snaps[0].SHA256 != h {
			t.Errorf("referenced snapshot %s gone: %+v %v", h, snaps, err)
		}
	}
	// Purge drops everything else but keeps them too.
	res, err := e.cache.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != 2 || res.Removed != 0 { // eviction already dropped the rest
		t.Errorf("purge result %+v", res)
	}
	if st, _ := e.cache.Stats(ctx); st.Snapshots != 2 {
		t.Errorf("purge dropped referenced snapshots: %+v", st)
	}
}

func TestEvictionKeepsRecentlyUsedEntries(t *testing.T) {
	e := newEnv(t, 60, Options{})
	ctx := context.Background()
	convs := e.sim.Conversations()[:5]
	var sizes int64
	for _, cv := range convs {
		r, err := e.cache.GetConversation(ctx, cv.ID)
		if err != nil {
			t.Fatal(err)
		}
		sizes += int64(len(r.Raw))
		e.clock.Advance(2 * time.Minute)
	}
	// Use the oldest again, then shrink the bound to about half.
	if _, err := e.cache.GetConversation(ctx, convs[0].ID); err != nil {
		t.Fatal(err)
	}
	e.cache.opts.MaxBytes = sizes / 2
	if _, err := e.cache.Evict(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := e.cache.load(ctx, conversationKey(convs[0].ID)); !ok {
		t.Error("the most recently used entry was evicted")
	}
	if _, ok, _ := e.cache.load(ctx, conversationKey(convs[1].ID)); ok {
		t.Error("the least recently used entry survived")
	}
	if st, _ := e.cache.Stats(ctx); st.Bytes > sizes/2 {
		t.Errorf("still %d bytes over a bound of %d", st.Bytes, sizes/2)
	}
}
