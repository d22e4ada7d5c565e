package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/cache/cachetest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// benchServer is the whole dashboard (apptest: as `dashboard serve` builds
// it), its handler measured in process (server time, no network), with a
// signed-in lead's cookie.
type benchServer struct {
	*apptest.Harness
	cookie string
}

func newBenchServer(b *testing.B, opts apptest.Options) *benchServer {
	b.Helper()
	h := apptest.New(b, opts)
	s := &benchServer{Harness: h}
	for _, ck := range h.Login("lead").Jar.Cookies(mustURL(b, h.URL())) {
		s.cookie = ck.Name + "=" + ck.Value
	}
	if s.cookie == "" {
		b.Fatal("bench login: no session cookie")
	}
	return s
}

// serve answers one request in process with the app's handler.
func (s *benchServer) serve(w http.ResponseWriter, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Cookie", s.cookie)
	s.App.Handler.ServeHTTP(w, req)
}

// get serves one request and fails on anything but 200.
func (s *benchServer) get(b *testing.B, path string) int {
	rec := httptest.NewRecorder()
	s.serve(rec, path)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %.300s", path, rec.Code, rec.Body.String())
	}
	return rec.Body.Len()
}

// BenchmarkSessionPageCached is the audit view of a session already in the
// cache: session check, cache read, snapshot history, timeline, the audit
// entry written for the view, and the HTML.
func BenchmarkSessionPageCached(b *testing.B) {
	s := newBenchServer(b, apptest.Options{})
	conv := s.Conversation(func(c simulator.ConversationInfo) bool {
		return apptest.ClosedWithAgent(c) && len(c.TransferTypes) > 0
	})
	path := "/sessions/" + conv.SessionID
	s.get(b, path) // the one upstream call
	s.LoadDirectory()
	s.Sim.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.get(b, path)
	}
	b.StopTimer()
	if n := len(s.Sim.Requests()); n != 0 {
		b.Fatalf("cached views called upstream %d times", n)
	}
}

// BenchmarkSessionPageCachedTranscript500 is the cached audit view of a
// chat with a transcript of about 500 messages: every part of the case
// file from the store (its first 200 messages rendered, the rest paged),
// the timeline from every source with a tick per message, the audit
// entry, and the HTML.
func BenchmarkSessionPageCachedTranscript500(b *testing.B) {
	s := newBenchServer(b, apptest.Options{Simulator: simulator.Options{Conversations: 3000}})
	conv := s.Conversation(func(c simulator.ConversationInfo) bool {
		n := len(s.Sim.Transcript(c.SessionID))
		return apptest.ClosedWithAgent(c) && n >= 400 && n <= 700
	})
	path := "/sessions/" + conv.SessionID
	size := s.get(b, path) // the upstream calls
	s.LoadDirectory()
	s.Sim.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.get(b, path)
	}
	b.StopTimer()
	if n := len(s.Sim.Requests()); n != 0 {
		b.Fatalf("cached views called upstream %d times", n)
	}
	b.ReportMetric(float64(len(s.Sim.Transcript(conv.SessionID))), "messages")
	b.ReportMetric(float64(size), "bytes/page")
}

const benchRows = 1_000_000

// BenchmarkConversationList is one page of the list over a million indexed
// conversations, per filter.
func BenchmarkConversationList(b *testing.B) {
	s := newBenchServer(b, apptest.Options{DataDir: cachetest.Dir(b, benchRows)})
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
	s := newBenchServer(b, apptest.Options{DataDir: cachetest.Dir(b, benchRows)})
	to := cachetest.Newest.Truncate(24 * time.Hour) // midnight before the newest
	from := to.Add(-3 * 24 * time.Hour)
	n := 0
	if err := s.App.Conversations.Each(context.Background(), cache.Query{From: from, To: to}, func(cache.Row) error { n++; return nil }); err != nil {
		b.Fatal(err)
	}
	if n < 99999 || n > 100001 {
		b.Fatalf("three days hold %d rows", n)
	}
	path := "/conversations/export.csv?from=" + from.Format("2006-01-02") + "&to=" + to.Add(-time.Hour).Format("2006-01-02")
	b.ReportAllocs()
	for b.Loop() {
		rec := &countingRecorder{header: http.Header{}}
		s.serve(rec, path)
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
