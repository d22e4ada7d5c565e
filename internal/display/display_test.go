package display

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0 s"},
		{-time.Second, "0 s"},
		{10 * time.Millisecond, "< 0.1 s"},
		{495 * time.Millisecond, "0.5 s"},
		{9998 * time.Millisecond, "10 s"},
		{9940 * time.Millisecond, "9.9 s"},
		{42 * time.Second, "42 s"},
		{3*time.Minute + 18*time.Second, "3 min 18 s"},
		{16*time.Minute + 3*time.Second, "16 min 03 s"},
		{59*time.Minute + 59600*time.Millisecond, "1 h 00 min"},
		{62 * time.Minute, "1 h 02 min"},
		{51 * time.Hour, "2 d 03 h"},
		// Rounding at each unit's edge, as the timeline's bars read.
		{17 * time.Millisecond, "< 0.1 s"},
		{42400 * time.Millisecond, "42 s"},
		{59600 * time.Millisecond, "1 min 00 s"},
		{3*time.Minute + 18131*time.Millisecond, "3 min 18 s"},
		{6*time.Minute + 35951*time.Millisecond, "6 min 36 s"},
		{time.Hour + 2*time.Minute + 10*time.Second, "1 h 02 min"},
		{26*time.Hour + 10*time.Minute, "1 d 02 h"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTimesInTheViewersZone(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	at := time.Date(2025, 8, 23, 10, 1, 2, 345e6, time.UTC)
	if got, want := Time(at, kolkata), "2025-08-23 15:31:02 IST"; got != want {
		t.Errorf("Time = %q, want %q", got, want)
	}
	if got, want := Clock(at, kolkata), "15:31:02"; got != want {
		t.Errorf("Clock = %q, want %q", got, want)
	}
	if got, want := ISO(at, kolkata), "2025-08-23T15:31:02.345+05:30"; got != want {
		t.Errorf("ISO = %q, want %q", got, want)
	}
	if got, want := Date(at, kolkata), "Sat 23 Aug 2025"; got != want {
		t.Errorf("Date = %q, want %q", got, want)
	}
	if got, want := Zone(at, kolkata), "Asia/Kolkata (UTC+05:30)"; got != want {
		t.Errorf("Zone = %q, want %q", got, want)
	}
	if got := Zone(at, nil); got != "UTC" {
		t.Errorf("Zone(nil) = %q", got)
	}
	for _, f := range []func(time.Time, *time.Location) string{Time, Clock, ISO, Date} {
		if got := f(time.Time{}, kolkata); got != "" {
			t.Errorf("zero time formatted as %q", got)
		}
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := Age(now.Add(-4*time.Minute-7*time.Second), now); got != "4 min 07 s ago" {
		t.Errorf("Age = %q", got)
	}
	if got := Age(now.Add(time.Minute), now); got != "just now" {
		t.Errorf("future Age = %q", got)
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		one  string
		many []string
		want string
	}{
		{0, "field", nil, "0 fields"}, {1, "field", nil, "1 field"}, {2, "field", nil, "2 fields"},
		{1, "entry", []string{"entries"}, "1 entry"}, {3, "entry", []string{"entries"}, "3 entries"},
	} {
		if got := Count(c.n, c.one, c.many...); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.one, got, c.want)
		}
	}
}

func TestShort(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	if got := Short(time.Date(2026, 11, 29, 22, 23, 50, 0, time.UTC), now, time.UTC); got != "29 Nov 22:23" {
		t.Errorf("this year: %q", got)
	}
	if got := Short(time.Date(2025, 11, 29, 22, 23, 50, 0, time.UTC), now, time.UTC); got != "29 Nov 2025" {
		t.Errorf("last year: %q", got)
	}
	if Short(time.Time{}, now, time.UTC) != "" {
		t.Error("zero time")
	}
}
