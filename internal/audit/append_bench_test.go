package audit

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// BenchmarkAppend is the audit write path as the audit view uses it: one
// entry with three refs per call, from 1, 8 and 32 goroutines appending at
// once. ns/op is per entry.
func BenchmarkAppend(b *testing.B) {
	for _, appenders := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "audit.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			l := New(db, clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)))
			rec := Record{
				Actor: "lead", ClientAddr: "10.0.0.7", Action: ActionSessionLookup, Target: "646af57bcc41e5bfbd5e1234",
				Refs:    []string{"c-3c04346-e522", "646af57bcc41e5bfbd5e1234", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
				Details: map[string]any{"source": "cache", "endpoint": "conversation", "fetchedAt": "2026-11-01T08:59:00Z", "masked": false},
			}
			var left atomic.Int64
			left.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for range appenders {
				wg.Go(func() {
					for left.Add(-1) >= 0 {
						if _, err := l.Append(context.Background(), rec); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
