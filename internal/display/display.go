// Package display is how every screen writes times and durations for
// people: one format for a moment, one for a span, in the viewer's zone.
// It is pure; handlers, components and exports all call it.
package display

import (
	"fmt"
	"time"
)

// TimeLayout is how a moment reads on every screen, in the viewer's zone.
const TimeLayout = "2006-01-02 15:04:05 MST"

// Time formats t in loc, or "" for the zero time.
func Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orUTC(loc)).Format(TimeLayout)
}

// Clock is the time of day alone, for axes and tight table cells.
func Clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orUTC(loc)).Format("15:04:05")
}

// ISO is the machine-readable form behind a displayed time (datetime
// attributes, hover text), with milliseconds and the zone's offset.
func ISO(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orUTC(loc)).Format("2006-01-02T15:04:05.000Z07:00")
}

// Date is a day as people say it: "Sat 23 Aug 2025".
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orUTC(loc)).Format("Mon 2 Jan 2006")
}

// Zone names loc with its offset at t, e.g. "Asia/Kolkata (UTC+05:30)";
// time.Local has no useful name of its own, so its abbreviation stands in.
func Zone(t time.Time, loc *time.Location) string {
	loc = orUTC(loc)
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	abbr, off := t.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	offset := fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	name := loc.String()
	switch {
	case name == "UTC" && off == 0:
		return "UTC"
	case name == "Local" || name == "":
		name = abbr
	}
	return name + " (" + offset + ")"
}

// Duration formats a span for people: "0.5 s", "9.9 s", "42 s",
// "3 min 18 s", "1 h 02 min", "2 d 03 h". Each form rounds to its unit;
// zero and negative spans read "0 s".
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 s"
	case d < 50*time.Millisecond:
		return "< 0.1 s"
	}
	if r := d.Round(100 * time.Millisecond); r < 10*time.Second {
		return fmt.Sprintf("%.1f s", r.Seconds())
	}
	if r := d.Round(time.Second); r < time.Minute {
		return fmt.Sprintf("%d s", int(r.Seconds()))
	} else if r < time.Hour {
		return fmt.Sprintf("%d min %02d s", int(r/time.Minute), int(r%time.Minute/time.Second))
	}
	if r := d.Round(time.Minute); r < 24*time.Hour {
		return fmt.Sprintf("%d h %02d min", int(r/time.Hour), int(r%time.Hour/time.Minute))
	}
	r := d.Round(time.Hour)
	return fmt.Sprintf("%d d %02d h", int(r/(24*time.Hour)), int(r%(24*time.Hour)/time.Hour))
}

// Age says how long ago something happened, for freshness notes: "42 s ago".
// A time in the future (clocks disagree) reads "just now".
func Age(then, now time.Time) string {
	d := now.Sub(then)
	if d < time.Second {
		return "just now"
	}
	return Duration(d) + " ago"
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// Count is a number with its noun in the right form: "1 field", "2 fields",
// "0 transfers". many is the plural when it is not one+"s" ("1 entry", "3
// entries").
func Count(n int, one string, many ...string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	plural := one + "s"
	if len(many) > 0 {
		plural = many[0]
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// Short is a moment for a tight table cell, in loc: "29 Nov 23:23" within
// now's year, "29 Nov 2025" before it. The full form (Time) goes on hover.
func Short(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	loc = orUTC(loc)
	if t.In(loc).Year() == now.In(loc).Year() {
		return t.In(loc).Format("2 Jan 15:04")
	}
	return t.In(loc).Format("2 Jan 2006")
}
