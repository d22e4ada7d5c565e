package live

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

func TestTargetStore(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(at)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := audit.New(db, clk)
	ts := NewTargetStore(db, log, clk)
	got, err := ts.Load(ctx)
	if err != nil || got.Default != DefaultWaitTarget || got.For(queueA) != DefaultWaitTarget {
		t.Fatalf("empty store: %+v %v", got, err)
	}
	if err := ts.Set(ctx, "admin", "127.0.0.1", "", 2*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	if err := ts.Set(ctx, "admin", "127.0.0.1", queueA, 45*time.Second, false); err != nil {
		t.Fatal(err)
	}
	if err := ts.Set(ctx, "admin", "127.0.0.1", queueB, 0, false); err != nil {
		t.Fatal(err)
	}
	got, _ = ts.Load(ctx)
	if got.For(queueA) != 45*time.Second || got.For(queueB) != 0 || got.For("qu-other") != 2*time.Minute {
		t.Fatalf("targets %+v", got)
	}
	if err := ts.Set(ctx, "admin", "127.0.0.1", queueA, 0, true); err != nil {
		t.Fatal(err)
	}
	if got, _ = ts.Load(ctx); got.For(queueA) != 2*time.Minute {
		t.Fatalf("inherit: %+v", got)
	}
	for _, bad := range []struct {
		q string
		d time.Duration
	}{{"not-a-queue", time.Minute}, {queueA, -time.Second}, {queueA, 25 * time.Hour}} {
		if err := ts.Set(ctx, "admin", "", bad.q, bad.d, false); !errors.Is(err, ErrInvalidTarget) {
			t.Errorf("Set(%q, %s): %v", bad.q, bad.d, err)
		}
	}
	entries, _, err := log.Query(ctx, audit.Filter{Action: audit.ActionSettings, Limit: 10})
	if err != nil || len(entries) != 4 {
		t.Fatalf("%d audit entries (%v)", len(entries), err)
	}
}
