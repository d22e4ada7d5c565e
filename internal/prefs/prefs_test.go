package prefs

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

func TestPrefsRoundTrip(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Write.Exec(`INSERT INTO users (id, username, password_hash, role, created_at, updated_at) VALUES (1, 'ann', 'x', 'lead', 0, 0), (2, 'bob', 'x', 'lead', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	s := New(db, clk)
	p, err := s.Get(ctx, 1)
	if err != nil || p.Theme != ThemeSystem || len(p.List("conversations").Columns) != 0 {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	if err := s.SetTheme(ctx, 1, ThemeDark); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTheme(ctx, 1, "neon"); err == nil {
		t.Error("an unknown theme was stored")
	}
	allowed := []string{"start", "session", "status", "queues"}
	if err := s.SetList(ctx, 1, "conversations", List{Columns: []string{"queues", "start", "bogus"}, Density: DensityComfortable}, allowed); err != nil {
		t.Fatal(err)
	}
	if err := s.SetList(ctx, 1, "agents", List{Columns: []string{"bogus"}, Density: DensityCompact}, allowed); err == nil {
		t.Error("a list with no known column was stored")
	}
	p, err = s.Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	l := p.List("conversations")
	if p.Theme != ThemeDark || !slices.Equal(l.Columns, []string{"start", "queues"}) || l.Density != DensityComfortable {
		t.Errorf("stored %+v", p)
	}
	if other, _ := s.Get(ctx, 2); other.Theme != ThemeSystem || len(other.Lists) != 0 {
		t.Errorf("another user's preferences leaked: %+v", other)
	}
}
