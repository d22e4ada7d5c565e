package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
)

// TestJunkAgentIDsNeverReachUpstream: ids that are not agent-shaped are
// refused before any upstream call.
func TestJunkAgentIDsNeverReachUpstream(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	before := len(h.Sim.Requests())
	for _, id := range []string{"junk1", "a-", "a-x", "A-12345-6789", "a-12345-67..", "a-1234%2F-56"} {
		resp := h.Get(c, "/agents/"+id)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("/agents/%s: %d", id, resp.StatusCode)
		}
	}
	if got := len(h.Sim.Requests()); got != before {
		t.Errorf("junk agent ids made %d upstream calls", got-before)
	}
}

// TestOneViewerCannotDrainTheBudget: each person may cause a few upstream
// calls a minute; past that they get a readable 429 with Retry-After,
// repeats of an unknown id cost nothing, and other people are unaffected.
func TestOneViewerCannotDrainTheBudget(t *testing.T) {
	h := apptest.New(t, apptest.Options{Tuning: app.Tuning{UserUpstreamPerMinute: 5}})
	viewer := h.Login("viewer")
	upstream := func() int { return len(h.UpstreamRequests(http.MethodGet, "")) }
	before := upstream()
	var last *http.Response
	for i := range 12 {
		last = h.Get(viewer, fmt.Sprintf("/agents/a-%08d-0000-0000-0000-000000000000", i))
		if i < 11 {
			last.Body.Close()
		}
	}
	doc := readDoc(t, last)
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("the 12th invented agent: %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
	if text := doc.Find("main").Text(); !strings.Contains(text, "share of the upstream rate limit") {
		t.Errorf("429 page does not explain: %q", strings.Join(strings.Fields(text), " "))
	}
	if got := upstream() - before; got > 5 {
		t.Errorf("one viewer caused %d upstream calls, want at most 5", got)
	}
	// The same unknown agent again costs no upstream call (remembered 404).
	before = upstream()
	h.Clock.Advance(15e9) // 15s: a little of the share is back
	for range 3 {
		h.Get(viewer, "/agents/a-00000000-0000-0000-0000-000000000000").Body.Close()
	}
	if got := upstream() - before; got != 0 {
		t.Errorf("repeats of a known-unknown agent made %d upstream calls", got)
	}
	// Someone else still gets through at once.
	conv := h.Conversation(apptest.ClosedWithAgent)
	if resp := h.Get(h.Login("lead"), "/conversations/"+conv.ID); resp.StatusCode != http.StatusOK {
		t.Errorf("another user after the viewer's burst: %d", resp.StatusCode)
	}
}
