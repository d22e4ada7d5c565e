package clock

import (
	"testing"
	"time"
)

func TestManualMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)
	c := NewManual(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	if got := c.Advance(45 * time.Minute); !got.Equal(start.Add(45 * time.Minute)) {
		t.Fatalf("Advance = %v", got)
	}
	if got := c.Now(); got.Month() != time.February || got.Day() != 1 {
		t.Fatalf("after crossing midnight at a month end: %v", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Set did not pin the clock")
	}
}

func TestStartOfDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	tests := []struct {
		in   time.Time
		want time.Time
	}{
		{time.Date(2026, 11, 29, 23, 59, 59, 0, time.UTC), time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 30, 0, 30, 0, 0, berlin), time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := StartOfDay(tt.in); !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("StartOfDay(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRealClockIsTheWallClock(t *testing.T) {
	before := time.Now()
	got := Real().Now()
	if got.Before(before) || got.Sub(before) > time.Minute {
		t.Fatalf("Real().Now() = %v, wall clock %v", got, before)
	}
}
