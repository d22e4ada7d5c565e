package handlers

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/metrics"
	"github.com/teamlead/dashboard/internal/store"
)

// adminHarness is the harness with issue 6's optional dependencies wired:
// real API tokens (their own SQLite file), a real rate budget, a metrics
// registry, and fakes for issue 3's cache and export builder.
type adminHarness struct {
	*harness
	tokens   *apitoken.Service
	clock    *testClock
	budget   *api.Budget
	registry *metrics.Metrics
	cacheAdm *fakeCache
	exporter *fakeExporter
}

// testClock is a settable clock for token expiry.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestTokens is a token service over its own SQLite file.
func newTestTokens(t *testing.T, now ...func() time.Time) *apitoken.Service {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "tokens.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := apitoken.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now
	if len(now) > 0 {
		clock = now[0]
	}
	s, err := apitoken.New(db, key, clock)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newAdminHarness(t *testing.T, opts harnessOptions) *adminHarness {
	t.Helper()
	a := &adminHarness{
		clock:    &testClock{t: time.Now()},
		budget:   api.NewBudget(100000),
		registry: metrics.New(),
		cacheAdm: &fakeCache{stats: CacheStats{Hits: 30, Misses: 10, Entries: 12, Snapshots: 20, Bytes: 3 << 20, MaxBytes: 512 << 20, Indexed: 50}},
		exporter: &fakeExporter{},
	}
	a.tokens = newTestTokens(t, a.clock.now)
	next := opts.deps
	opts.deps = func(d *Deps) {
		d.Tokens, d.Budget, d.Metrics, d.CacheAdmin, d.Exporter = a.tokens, a.budget, a.registry, a.cacheAdm, a.exporter
		if next != nil {
			next(d)
		}
	}
	a.harness = newHarness(t, opts)
	return a
}

// fakeCache stands in for issue 3's cache.
type fakeCache struct {
	mu     sync.Mutex
	stats  CacheStats
	purges int
}

func (f *fakeCache) Stats(context.Context) (CacheStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats, nil
}

func (f *fakeCache) SyncStatus() CacheSyncStatus {
	return CacheSyncStatus{LastEnd: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Detail: "backfill done"}
}

func (f *fakeCache) Purge(context.Context) (CachePurgeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.purges++
	f.stats.Entries, f.stats.Bytes = 0, 1024
	return CachePurgeResult{Removed: 12, Kept: 2, FreedBytes: 3 << 20}, nil
}

// fakeExporter stands in for issue 3's export builder.
const (
	exportSession      = "646af57bcc41e5bfbd5e1234"
	exportConversation = "c-3c04346-0001"
	missingSession     = "646af57bcc41e5bfbd5e9999"
)

type fakeExporter struct{}

func (fakeExporter) ExportSession(_ context.Context, id string) (any, error) {
	if id == missingSession {
		return nil, &api.Error{Kind: api.ErrNotFound, Endpoint: "conversations.session", Status: 404, Messages: []string{"no such session"}}
	}
	return map[string]any{"sessionId": id, "conversationId": exportConversation, "kind": "session"}, nil
}

func (fakeExporter) ExportConversation(_ context.Context, id string) (any, error) {
	return map[string]any{"sessionId": exportSession, "conversationId": id, "kind": "conversation"}, nil
}

// bearerGet calls the token API with a token (no cookies).
func (h *harness) bearerGet(path, token string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// issueToken issues a token through the admin page and returns it.
func (a *adminHarness) issueToken(admin *http.Client, owner string, days int) string {
	a.t.Helper()
	resp := a.postForm(admin, "/admin/tokens", url.Values{"owner": {owner}, "label": {"test"}, "days": {itoa(days)}})
	doc := readDoc(a.t, resp)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("issue token: %d %s", resp.StatusCode, doc.Find("[data-testid=banner]").Text())
	}
	tok := doc.Find("[data-testid=new-token-value]").Text()
	if tok == "" {
		a.t.Fatal("the new token is not shown")
	}
	return tok
}

func itoa(n int) string { return strconv.Itoa(n) }
