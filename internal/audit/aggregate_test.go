package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

type aggregated struct {
	Aggregated bool             `json:"aggregated"`
	Count      int64            `json:"count"`
	FirstAt    int64            `json:"firstAt"`
	LastAt     int64            `json:"lastAt"`
	Statuses   map[string]int64 `json:"statuses"`
	Reasons    map[string]int64 `json:"reasons"`
	Routes     map[string]int64 `json:"routes"`
}

func detailsOf(t *testing.T, e Entry) aggregated {
	t.Helper()
	var d aggregated
	if err := json.Unmarshal(e.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAggregatorCountsRefusalsPerSource notes floods of refusals: each
// address and actor gets one entry per flush with the count, statuses,
// reasons, routes and a few of the targets asked for; addresses beyond the
// limit are counted together.
func TestAggregatorCountsRefusalsPerSource(t *testing.T) {
	type want struct {
		addr, actor string
		count       int64
		statuses    map[string]int64
		targets     int
	}
	tests := []struct {
		name       string
		maxSources int
		notes      func(a *Aggregator)
		want       []want // in address, actor order
	}{
		{"one flooding address", 0, func(a *Aggregator) {
			for i := range 60000 {
				a.Note(Refusal{ClientAddr: "203.0.113.9", Action: ActionAPICall, Target: fmt.Sprintf("s-%d", i), Route: "GET /api/v1/sessions/{sessionId}", Status: 401, Reason: "Send a token"})
			}
		}, []want{{"203.0.113.9", "anonymous", 60000, map[string]int64{"401": 60000}, maxAggregateTargets}}},
		{"addresses and actors apart", 0, func(a *Aggregator) {
			for range 3 {
				a.Note(Refusal{ClientAddr: "10.0.0.1", Action: ActionAPICall, Status: 401})
				a.Note(Refusal{ClientAddr: "10.0.0.2", Action: ActionAPICall, Status: 503})
				a.Note(Refusal{Actor: "token:lead", ClientAddr: "10.0.0.1", Action: ActionAPICall, Status: 401, Target: "s-1"})
			}
		}, []want{
			{"10.0.0.1", "anonymous", 3, map[string]int64{"401": 3}, 0},
			{"10.0.0.1", "token:lead", 3, map[string]int64{"401": 3}, 1},
			{"10.0.0.2", "anonymous", 3, map[string]int64{"503": 3}, 0},
		}},
		{"beyond the address limit", 2, func(a *Aggregator) {
			for i := range 10 {
				a.Note(Refusal{ClientAddr: fmt.Sprintf("10.0.0.%d", i), Action: ActionAPICall, Status: 401})
			}
		}, []want{
			{OtherSources, "anonymous", 8, map[string]int64{"401": 8}, 0},
			{"10.0.0.0", "anonymous", 1, map[string]int64{"401": 1}, 0},
			{"10.0.0.1", "anonymous", 1, map[string]int64{"401": 1}, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := newLog(t)
			clk := clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
			a := NewAggregator(l, clk, AggregatorOptions{MaxSources: tt.maxSources})
			tt.notes(a)
			if got, _, _ := l.Query(context.Background(), Filter{}); len(got) != 0 {
				t.Fatalf("%d entries before the flush", len(got))
			}
			if err := a.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, _, err := l.Query(context.Background(), Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				e := got[len(got)-1-i] // oldest first
				d := detailsOf(t, e)
				if e.ClientAddr != w.addr || e.Actor != w.actor || e.Action != ActionAPICall || !d.Aggregated || d.Count != w.count ||
					fmt.Sprint(d.Statuses) != fmt.Sprint(w.statuses) || len(e.Refs) != w.targets || d.FirstAt != store.Millis(clk.Now()) {
					t.Errorf("entry %d: %+v %s, want %+v", i, e, e.Details, w)
				}
			}
			// Nothing new: the next flush writes nothing.
			if err := a.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if again, _, _ := l.Query(context.Background(), Filter{}); len(again) != len(got) {
				t.Errorf("an empty flush wrote %d entries", len(again)-len(got))
			}
		})
	}
}

// TestAggregatorKeepsCountsAFailedFlushCouldNotWrite: with the disk full
// the counts stay, and the next flush writes them with what came since.
func TestAggregatorKeepsCountsAFailedFlushCouldNotWrite(t *testing.T) {
	fault := &Fault{}
	l, _ := newLog(t, WithFault(fault))
	a := NewAggregator(l, nil, AggregatorOptions{})
	for range 5 {
		a.Note(Refusal{ClientAddr: "10.0.0.1", Action: ActionAPICall, Status: 401})
	}
	fault.Fail(nil)
	if err := a.Flush(context.Background()); !errors.Is(err, ErrSimulatedFull) {
		t.Fatalf("flush on a full disk: %v", err)
	}
	a.Note(Refusal{ClientAddr: "10.0.0.1", Action: ActionAPICall, Status: 403})
	fault.Heal()
	if err := a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _, _ := l.Query(context.Background(), Filter{})
	if len(got) != 1 {
		t.Fatalf("%d entries", len(got))
	}
	if d := detailsOf(t, got[0]); d.Count != 6 || d.Statuses["401"] != 5 || d.Statuses["403"] != 1 {
		t.Errorf("details %s", got[0].Details)
	}
}

// TestAggregatorRunFlushesEveryInterval runs the flush loop on synctest's
// fake clock: one entry per interval with refusals in it.
func TestAggregatorRunFlushesEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
		if err != nil {
			t.Fatal(err)
		}
		l := New(db, clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)))
		a := NewAggregator(l, nil, AggregatorOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); a.Run(ctx) }()
		count := func() int {
			got, _, err := l.Query(context.Background(), Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		}
		a.Note(Refusal{ClientAddr: "10.0.0.1", Action: ActionAPICall, Status: 401})
		time.Sleep(DefaultAggregateInterval - time.Second)
		synctest.Wait()
		if n := count(); n != 0 {
			t.Errorf("%d entries before the minute is up", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := count(); n != 1 {
			t.Errorf("%d entries after a minute, want 1", n)
		}
		time.Sleep(DefaultAggregateInterval) // a quiet minute writes nothing
		synctest.Wait()
		a.Note(Refusal{ClientAddr: "10.0.0.1", Action: ActionAPICall, Status: 401})
		time.Sleep(DefaultAggregateInterval)
		synctest.Wait()
		if n := count(); n != 2 {
			t.Errorf("%d entries after three minutes, want 2", n)
		}
		cancel()
		<-done
		l.Close()
		db.Close()
	})
}
