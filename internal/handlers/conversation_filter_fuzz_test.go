package handlers

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/store"
)

// noUpstream is the cache's upstream for tests that only list the index.
type noUpstream struct{}

var errNoUpstream = errors.New("no upstream in this test")

func (noUpstream) SessionDetails(context.Context, string, *api.DateFilter) (*api.Conversation, error) {
	return nil, errNoUpstream
}
func (noUpstream) Conversation(context.Context, string) (*api.Conversation, error) {
	return nil, errNoUpstream
}
func (noUpstream) ListConversations(context.Context, api.ListConversationsParams) (*api.ConversationPage, error) {
	return nil, errNoUpstream
}

// FuzzParseListFilter: any query string parses without panicking; an
// accepted one gives a well-formed cache.Query (limit in range, known
// statuses, a date range that is not backwards), survives a round trip
// through the filter's own links, and runs against the real index.
func FuzzParseListFilter(f *testing.F) {
	for _, s := range []string{"", "status=OPEN&status=CLOSED&channel=voice&language=de", "from=2026-01-31&to=2026-01-31",
		"from=2026-02-01&to=2026-01-01", "text=refund+Customer&sort=wait&dir=asc", "limit=200", "limit=0", "after=abc",
		"queue=qu-1234-56&agent=u-1234-56&disposition=DROP-OFF", "text=%22%22%22*&sort=end", "from=9999-12-31", "status=open", "text=a%00b"} {
		f.Add(s)
	}
	db, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "list.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	idx, err := cache.New(db, noUpstream{}, cache.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(idx.Close)
	loc, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lf, cq, err := parseListFilter(q, loc)
		if err != nil {
			return
		}
		if cq.Limit < 0 || cq.Limit > convMaxLimit {
			t.Fatalf("%q: limit %d", raw, cq.Limit)
		}
		for _, s := range cq.Statuses {
			if !slices.Contains(convStatuses, s) {
				t.Fatalf("%q: status %q", raw, s)
			}
		}
		if !cq.From.IsZero() && !cq.To.IsZero() && !cq.From.Before(cq.To) {
			t.Fatalf("%q: from %v is not before to %v", raw, cq.From, cq.To)
		}
		lf2, cq2, err := parseListFilter(lf.values(), loc)
		if err != nil {
			t.Fatalf("%q: its own link %q is refused: %v", raw, lf.values().Encode(), err)
		}
		if lf2.values().Encode() != lf.values().Encode() || !cq2.From.Equal(cq.From) || !cq2.To.Equal(cq.To) || cq2.Text != cq.Text {
			t.Fatalf("%q: round trip changed the filter: %+v → %+v", raw, cq, cq2)
		}
		if _, err := idx.List(context.Background(), cq); err != nil {
			t.Fatalf("%q: the index refuses the query %+v: %v", raw, cq, err)
		}
	})
}
