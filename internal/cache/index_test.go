package cache

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

func syncedEnv(t *testing.T, conversations int) (*env, *Syncer) {
	t.Helper()
	e := newEnv(t, conversations, Options{})
	s := NewSyncer(e.cache, SyncOptions{PageSize: 50})
	if err := s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e, s
}

func TestSyncIsIncremental(t *testing.T) {
	t.Parallel()
	e, s := syncedEnv(t, 120)
	st := s.Status()
	if st.Indexed != 120 || st.Pages != 3 || st.Rows != 120 || !st.BackfillDone || st.Running || st.Error != "" || st.LastEnd.IsZero() {
		t.Fatalf("first run: %+v", st)
	}
	if got := e.cache.SyncStatus(); got.Indexed != 120 {
		t.Errorf("cache.SyncStatus %+v", got)
	}
	e.sim.ResetRequests()
	if err := s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	st = s.Status()
	// One list page shows nothing changed; the live ones are re-checked.
	var lists, singles int
	for _, r := range e.sim.Requests() {
		if strings.HasSuffix(r.Path, "/conversations") {
			lists++
		} else {
			singles++
		}
	}
	if lists != 1 || st.Pages != 1 || st.Rows != 0 {
		t.Errorf("second run: %d list calls, status %+v", lists, st)
	}
	if singles != st.Rechecked || singles > 20 {
		t.Errorf("rechecked %d, single fetches %d", st.Rechecked, singles)
	}
	// The sync filled the cache too: a lookup needs no upstream call.
	e.sim.ResetRequests()
	conv := pick(t, e.sim, isClosed)
	r, err := e.cache.GetSession(context.Background(), conv.SessionID)
	if err != nil || r.Source != SourceCache || r.Endpoint != EndpointConversation || len(e.sim.Requests()) != 0 {
		t.Errorf("lookup after sync: %v %v, %d calls", r.Source, err, len(e.sim.Requests()))
	}
	// The status survives a restart.
	if got := NewSyncer(e.cache, SyncOptions{}).Status(); !got.BackfillDone || got.LastEnd.IsZero() {
		t.Errorf("restored status %+v", got)
	}
}

func TestSyncResumesAnInterruptedBackfill(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 100, Options{})
	// Pretend an earlier pass indexed the newest 50 and stopped.
	if _, err := e.db.Write.Exec(`UPDATE conv_sync_state SET backfill_skip = 50`); err != nil {
		t.Fatal(err)
	}
	s := NewSyncer(e.cache, SyncOptions{PageSize: 25})
	if err := s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Indexed != 100 || !st.BackfillDone {
		t.Fatalf("status %+v", st)
	}
}

func allIDs(t *testing.T, c *Cache, q Query) []string {
	t.Helper()
	var ids []string
	q.Limit = 1000
	if err := c.Each(context.Background(), q, func(r Row) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	e, _ := syncedEnv(t, 150)
	ctx := context.Background()
	convs := e.sim.Conversations()
	count := func(ok func(i int) bool) int {
		n := 0
		for i := range convs {
			if ok(i) {
				n++
			}
		}
		return n
	}
	first := convs[0]
	day := first.StartTime.Truncate(24 * time.Hour)
	tests := []struct {
		name string
		q    Query
		want int
	}{
		{"all", Query{}, len(convs)},
		{"status", Query{Statuses: []string{"CLOSED"}}, count(func(i int) bool { return convs[i].Status == "CLOSED" })},
		{"two statuses", Query{Statuses: []string{"OPEN", "ACTIVE"}}, count(func(i int) bool { return convs[i].Status == "OPEN" || convs[i].Status == "ACTIVE" })},
		{"channel", Query{Channel: "voice"}, count(func(i int) bool { return convs[i].Channel == "voice" })},
		{"language", Query{Language: "de"}, count(func(i int) bool { return convs[i].Language == "de" })},
		{"queue", Query{Queue: first.QueueIDs[0]}, count(func(i int) bool { return slices.Contains(convs[i].QueueIDs, first.QueueIDs[0]) })},
		{"date range", Query{From: day, To: day.Add(24 * time.Hour)}, count(func(i int) bool {
			return !convs[i].StartTime.Before(day) && convs[i].StartTime.Before(day.Add(24*time.Hour))
		})},
		{"nothing", Query{Channel: "fax"}, 0},
	}
	if len(first.AgentUserIDs) > 0 {
		a := first.AgentUserIDs[0]
		tests = append(tests, struct {
			name string
			q    Query
			want int
		}{"agent", Query{Agent: a}, count(func(i int) bool { return slices.Contains(convs[i].AgentUserIDs, a) })})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(allIDs(t, e.cache, tt.q)); got != tt.want {
				t.Errorf("%d rows, want %d", got, tt.want)
			}
		})
	}
	facets, err := e.cache.Facets(ctx)
	if err != nil || len(facets[FacetQueue]) == 0 || len(facets[FacetStatus]) == 0 || len(facets[FacetAgent]) == 0 {
		t.Errorf("facets %v %v", facets, err)
	}
}

func TestFullTextSearch(t *testing.T) {
	t.Parallel()
	e, _ := syncedEnv(t, 100)
	ctx := context.Background()
	// Pick a customer with a plain last name and an email from the data
	// itself (some generated customers are anonymous or hostile strings).
	var conv *api.Conversation
	for _, c := range e.sim.Conversations() {
		r, err := e.cache.GetConversation(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		ln := r.Conversation.UserInfo.LastName
		if len(ln) >= 4 && r.Conversation.UserInfo.Email != "" && strings.IndexFunc(ln, func(r rune) bool { return r > 'z' || r < 'A' }) < 0 {
			conv = r.Conversation
			break
		}
	}
	if conv == nil {
		t.Fatal("no conversation with a plain customer last name in the dataset")
	}
	last := conv.UserInfo.LastName
	ids := allIDs(t, e.cache, Query{Text: strings.ToLower(last)})
	if !slices.Contains(ids, conv.ID) {
		t.Errorf("search by customer %q misses %s (%d hits)", last, conv.ID, len(ids))
	}
	if ids := allIDs(t, e.cache, Query{Text: conv.UserInfo.Email}); !slices.Contains(ids, conv.ID) {
		t.Errorf("search by email %q misses it", conv.UserInfo.Email)
	}
	// Prefixes match, and every word must match.
	if len(last) > 3 {
		if ids := allIDs(t, e.cache, Query{Text: last[:3]}); !slices.Contains(ids, conv.ID) {
			t.Errorf("prefix %q misses it", last[:3])
		}
	}
	// Pages of a search (which walks the full-text index) add up to the
	// whole result, in order.
	for _, asc := range []bool{false, true} {
		q := Query{Text: last[:1], Asc: asc, Limit: 3}
		want := allIDs(t, e.cache, q)
		var got []string
		for {
			p, err := e.cache.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Rows {
				got = append(got, r.ID)
			}
			if p.Next == nil {
				break
			}
			q.After = p.Next
		}
		if len(want) < 4 || !slices.Equal(got, want) {
			t.Errorf("asc=%v: paged %d, all %d", asc, len(got), len(want))
		}
	}
	if ids := allIDs(t, e.cache, Query{Text: last + " zzzzqqq"}); len(ids) != 0 {
		t.Errorf("an unmatched second word still found %d", len(ids))
	}
	// Input that would be FTS syntax is harmless.
	for _, q := range []string{`"`, `AND OR NOT`, `a*b(c)`, `-`, `col:val`, `NEAR(a b)`, "<script>alert(1)</script>"} {
		if _, err := e.cache.List(ctx, Query{Text: q}); err != nil {
			t.Errorf("text %q: %v", q, err)
		}
	}
}

func TestFTSQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"alice":             `"alice"*`,
		`  Alice  "Smith" `: `"Alice" "Smith"*`,
		"-":                 "",
		"a.b@c.com refund":  `"a.b@c.com" "refund"*`,
	} {
		if got := FTSQuery(in); got != want {
			t.Errorf("FTSQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

// insertRow adds an index row directly, for pagination tests.
func insertRow(t *testing.T, db *sql.DB, id string, startMS, waitMS int64) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO conv_index (id, status, start_ms, wait_ms) VALUES (?, 'CLOSED', ?, ?)`, id, startMS, waitMS); err != nil {
		t.Fatal(err)
	}
}

func TestKeysetPaginationIsStable(t *testing.T) {
	for _, tt := range []struct {
		name string
		sort string
		asc  bool
	}{{"start desc", SortStart, false}, {"start asc", SortStart, true}, {"wait desc", SortWait, false}, {"end asc", SortEnd, true}} {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			c, err := New(db, newScripted(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			// 40 rows with many ties in every sort column.
			for i := range 40 {
				insertRow(t, db.Write, "c-"+string(rune('A'+i)), int64(1000+i/4), int64(i%3))
			}
			q := Query{Sort: tt.sort, Asc: tt.asc, Limit: 7}
			want := allIDs(t, c, q)
			var got []string
			for page := 0; ; page++ {
				p, err := c.List(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range p.Rows {
					got = append(got, r.ID)
				}
				if page == 1 {
					// New rows arriving between pages (newer, older, tied)
					// must not shift what the next pages show.
					insertRow(t, db.Write, "c-new1", 5000, 9)
					insertRow(t, db.Write, "c-new2", 1, 0)
					insertRow(t, db.Write, "c-new3", 1005, 1)
				}
				if p.Next == nil {
					break
				}
				cur, err := ParseCursor(p.Next.String())
				if err != nil || cur != *p.Next {
					t.Fatalf("cursor round trip %v: %v", p.Next, err)
				}
				q.After = &cur
			}
			// Every original row exactly once, in the original order.
			var orig []string
			seen := map[string]int{}
			for _, id := range got {
				seen[id]++
				if !strings.HasPrefix(id, "c-new") {
					orig = append(orig, id)
				}
			}
			for id, n := range seen {
				if n > 1 {
					t.Errorf("%s shown %d times", id, n)
				}
			}
			if !slices.Equal(orig, want) {
				t.Errorf("pages\n%v\nwant\n%v", orig, want)
			}
		})
	}
}

func TestParseCursorRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "x", "1_", "_1", "1_-2", "a_b", "1_2_3"} {
		if _, err := ParseCursor(s); err == nil {
			t.Errorf("ParseCursor(%q) accepted", s)
		}
	}
}

func TestOverview(t *testing.T) {
	t.Parallel()
	e, _ := syncedEnv(t, 150)
	convs := e.sim.Conversations()
	// Yesterday: a full day of closed conversations with waits.
	day := convs[0].StartTime.Truncate(24 * time.Hour).Add(-24 * time.Hour)
	ov, err := e.cache.Overview(context.Background(), day, day.Add(24*time.Hour), 5)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, c := range convs {
		if !c.StartTime.Before(day) && c.StartTime.Before(day.Add(24*time.Hour)) {
			want++
		}
	}
	var sum int64
	for _, k := range ov.ByStatus {
		sum += k.N
	}
	if ov.Total != want || sum != want || len(ov.ByQueue) == 0 || len(ov.LongestWaits) == 0 || len(ov.LongestWaits) > 5 {
		t.Fatalf("overview %+v, want total %d", ov, want)
	}
	for i := 1; i < len(ov.LongestWaits); i++ {
		if ov.LongestWaits[i].Wait > ov.LongestWaits[i-1].Wait {
			t.Error("longest waits not in order")
		}
	}
	if ov.ByQueue[0].Label == ov.ByQueue[0].Key {
		t.Errorf("queue label not resolved: %+v", ov.ByQueue[0])
	}
}

// TestPreviousPageAndCount walks forward three pages, then back with each
// page's Prev cursor, and sees the same pages; Count counts every match.
func TestPreviousPageAndCount(t *testing.T) {
	for _, tt := range []struct {
		name string
		sort string
		asc  bool
	}{{"start desc", SortStart, false}, {"wait desc", SortWait, false}, {"end asc", SortEnd, true}} {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			c, err := New(db, newScripted(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 30 {
				insertRow(t, db.Write, "c-"+string(rune('A'+i)), int64(1000+i/4), int64(i%3))
			}
			ctx := context.Background()
			if n, capped, err := c.Count(ctx, Query{Sort: tt.sort}); err != nil || n != 30 || capped {
				t.Fatalf("Count = %d, %v, %v; want 30", n, capped, err)
			}
			q := Query{Sort: tt.sort, Asc: tt.asc, Limit: 7}
			var pages []Page
			for {
				p, err := c.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, p)
				if p.Next == nil {
					break
				}
				q.After, q.Before = p.Next, nil
			}
			if pages[0].Prev != nil {
				t.Error("the first page has a previous page")
			}
			for i := len(pages) - 1; i > 0; i-- {
				q.After, q.Before = nil, pages[i].Prev
				back, err := c.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := ids(back.Rows), ids(pages[i-1].Rows); !slices.Equal(got, want) {
					t.Errorf("page %d back: %v, want %v", i-1, got, want)
				}
				if (back.Prev == nil) != (i-1 == 0) {
					t.Errorf("page %d back: prev %v", i-1, back.Prev)
				}
			}
		})
	}
}

func ids(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}
