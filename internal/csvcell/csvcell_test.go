package csvcell

import (
	"testing"
	"time"
)

func TestText(t *testing.T) {
	tests := map[string]string{
		"":                         "",
		"Anna":                     "Anna",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1 555":                   "'+1 555",
		"-2":                       "'-2",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tx":                      "'\tx",
		"a=b":                      "a=b",
	}
	for in, want := range tests {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	if Time(time.Time{}, time.UTC) != "" {
		t.Error("zero time should be empty")
	}
	ist := time.FixedZone("IST", 5*3600+1800)
	got := Time(time.Date(2025, 8, 23, 6, 23, 45, 100e6, time.UTC), ist)
	if got != "2025-08-23T11:53:45.100+05:30" {
		t.Errorf("Time = %q", got)
	}
}
