package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/cache/cachetest"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/store"
	"github.com/teamlead/dashboard/web/static"
)

// benchServer is the handler stack over db and the simulator, measured in
// process (server time, no network), with a signed-in lead's cookie.
type benchServer struct {
	h      http.Handler
	cookie string
	sim    *simulator.Simulator
	cache  *cache.Cache
}

func newBenchServer(b *testing.B, db *store.DB) *benchServer {
	b.Helper()
	ctx := context.Background()
	users := auth.NewUsers(db, auth.WithHashCost(bcrypt.MinCost))
	if _, err := users.Create(ctx, "bench", testPassword, auth.RoleLead); err != nil && !errors.Is(err, auth.ErrUserExists) {
		b.Fatal(err)
	}
	hashKey, blockKey, err := auth.LoadOrCreateKeys(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	simEnv := simtest.Start(b, simulator.Options{Seed: 7, Conversations: 50, Agents: 8})
	sim, client := simEnv.Sim, simEnv.Client
	cc, err := cache.New(db, client, cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cc.Close)
	hd, err := newHandler(Deps{
		Users: users, Sessions: auth.NewSessions(hashKey, blockKey, auth.SessionConfig{}, time.Now),
		Throttle: auth.NewThrottle(auth.ThrottleConfig{}, time.Now), Database: db, Upstream: client,
		Audit: audit.New(db, time.Now), Static: static.Files, Conversations: cc,
	})
	if err != nil {
		b.Fatal(err)
	}
	s := &benchServer{h: hd.routes(), sim: sim, cache: cc}
	form := url.Values{"username": {"bench"}, "password": {testPassword}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		s.cookie = ck.Name + "=" + ck.Value
	}
	if rec.Code != http.StatusSeeOther || s.cookie == "" {
		b.Fatalf("bench login: %d", rec.Code)
	}
	return s
}

// get serves one request and fails on anything but 200.
func (s *benchServer) get(b *testing.B, path string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Cookie", s.cookie)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %.300s", path, rec.Code, rec.Body.String())
	}
	return rec.Body.Len()
}

// BenchmarkSessionPageCached is the audit view of a session already in the
// cache: session check, cache read, snapshot history, timeline, the audit
// entry written for the view, and the HTML.
func BenchmarkSessionPageCached(b *testing.B) {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s := newBenchServer(b, db)
	var sid string
	for _, c := range s.sim.Conversations() {
		if c.Status == "CLOSED" && len(c.TransferTypes) > 0 {
			sid = c.SessionID
			break
		}
	}
	path := "/sessions/" + sid
	s.get(b, path) // the one upstream call
	if _, err := s.cache.RefreshAgents(context.Background()); err != nil {
		b.Fatal(err)
	}
	s.sim.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.get(b, path)
	}
	b.StopTimer()
	if n := len(s.sim.Requests()); n != 0 {
		b.Fatalf("cached views called upstream %d times", n)
	}
}

const benchRows = 1_000_000

// BenchmarkConversationList is one page of the list over a million indexed
// conversations, per filter.
func BenchmarkConversationList(b *testing.B) {
	s := newBenchServer(b, cachetest.Open(b, benchRows))
	day := cachetest.Newest.Add(-10 * 24 * time.Hour).Format("2006-01-02")
	// A cursor deep into the index (row 500000 of 1M, newest first).
	deepStart := cachetest.Newest.Add(-cachetest.Spacing * (benchRows - 500000)).UnixMilli()
	deep := cache.Cursor{Value: deepStart, N: deepStart << 10}
	for _, bc := range []struct{ name, query string }{
		{"none", ""},
		{"status", "status=OPEN"},
		{"channel+language", "channel=voice&language=de"},
		{"queue", "queue=" + cachetest.Queue(3)},
		{"agent", "agent=" + cachetest.Agent(17)},
		{"disposition", "disposition=DROP-OFF"},
		{"day", "from=" + day + "&to=" + day},
		{"text", "text=refund"},
		{"text-two-words", "text=escalated+billing"},
		{"text-rare", "text=Customer+123457"},
		{"text-none", "text=zzzzzz"},
		{"text-day", "text=delivery&from=" + day + "&to=" + day},
		{"text-sort-wait", "text=refund&sort=wait"},
		{"text-deep-page", "text=refund&after=" + deep.String()},
		{"sort-wait", "sort=wait"},
		{"sort-end-asc+status", "sort=end&dir=asc&status=CLOSED"},
		{"all-filters", "from=" + day + "&to=" + day + "&status=CLOSED&channel=voice&queue=" + cachetest.Queue(2) + "&text=delivery"},
		{"deep-page", "after=" + deep.String()},
		{"no-match", "channel=fax"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path := "/conversations?" + bc.query
			b.ReportAllocs()
			for b.Loop() {
				s.get(b, path)
			}
		})
	}
}

// BenchmarkConversationCSV100k streams 100,000 rows (three days of the
// million, a filter a team lead would use) as CSV.
func BenchmarkConversationCSV100k(b *testing.B) {
	s := newBenchServer(b, cachetest.Open(b, benchRows))
	to := cachetest.Newest.Truncate(24 * time.Hour) // midnight before the newest
	from := to.Add(-3 * 24 * time.Hour)
	n := 0
	if err := s.cache.Each(context.Background(), cache.Query{From: from, To: to}, func(cache.Row) error { n++; return nil }); err != nil {
		b.Fatal(err)
	}
	if n < 99999 || n > 100001 {
		b.Fatalf("three days hold %d rows", n)
	}
	path := "/conversations/export.csv?from=" + from.Format("2006-01-02") + "&to=" + to.Add(-time.Hour).Format("2006-01-02")
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Cookie", s.cookie)
		rec := &countingRecorder{header: http.Header{}}
		s.h.ServeHTTP(rec, req)
		if rec.code != 0 && rec.code != http.StatusOK {
			b.Fatalf("csv: %d", rec.code)
		}
		b.SetBytes(rec.n)
	}
	b.ReportMetric(float64(n), "rows/op")
}

// countingRecorder discards the body, counting it, so the benchmark measures
// the server and not a growing buffer.
type countingRecorder struct {
	header http.Header
	code   int
	n      int64
}

func (r *countingRecorder) Header() http.Header  { return r.header }
func (r *countingRecorder) WriteHeader(code int) { r.code = code }
func (r *countingRecorder) Flush()               {}
func (r *countingRecorder) Write(p []byte) (int, error) {
	r.n += int64(len(p))
	return io.Discard.Write(p)
}
