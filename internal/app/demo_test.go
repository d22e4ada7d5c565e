package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/simulator"
)

// TestDemoRestartSameDayShowsTheSameData restarts a demo on the same data
// directory later the same day: every conversation and session id of the
// first run is listed again, unchanged, and the conversations that had ended
// by the first run gain no new snapshot version from the second run's sync.
func TestDemoRestartSameDayShowsTheSameData(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, PublicURL: "http://127.0.0.1:1", RateLimit: 100000}
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

	type seen struct {
		session, hash string
		versions      int
	}
	run := func(at time.Time) (map[string]seen, []simulator.ConversationInfo) {
		t.Helper()
		a, err := app.New(context.Background(), cfg, app.Options{
			Clock: clock.NewManual(at), AdminPassword: "correct horse battery",
			Simulator: simulator.Options{Conversations: 300, Agents: 12}, // anchor: the demo's default
		})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if got := a.Simulator.Anchor(); !got.Equal(day) {
			t.Fatalf("demo anchored at %v, want the start of the day %v", got, day)
		}
		if err := a.Sync.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		out := map[string]seen{}
		if err := a.Conversations.Each(context.Background(), cache.Query{}, func(r cache.Row) error {
			out[r.ID] = seen{session: r.SessionID}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for id, s := range out {
			res, err := a.Conversations.GetConversation(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if res.Conversation.Status.IsFinal() {
				snaps, err := a.Conversations.Snapshots(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				s.hash, s.versions = res.SHA256, len(snaps)
				out[id] = s
			}
		}
		return out, a.Simulator.Conversations()
	}

	first, firstSim := run(day.Add(9 * time.Hour))
	second, secondSim := run(day.Add(15 * time.Hour))
	if len(first) < 100 {
		t.Fatalf("the first run indexed only %d conversations", len(first))
	}
	for id, s := range first {
		again, ok := second[id]
		if !ok {
			t.Errorf("conversation %s of the first run is gone after the restart", id)
			continue
		}
		if again.session != s.session {
			t.Errorf("conversation %s: session %s, then %s", id, s.session, again.session)
		}
		if s.hash != "" && (again.hash != s.hash || again.versions != s.versions) {
			t.Errorf("final conversation %s changed across the restart: %d versions, then %d", id, s.versions, again.versions)
		}
	}
	ids := func(cs []simulator.ConversationInfo) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID+"/"+c.SessionID)
		}
		return out
	}
	later := ids(secondSim)
	for _, id := range ids(firstSim) {
		if !slices.Contains(later, id) {
			t.Errorf("the simulator lost %s across the restart", id)
		}
	}
}
