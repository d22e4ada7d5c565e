// Package csvcell formats values for CSV files a team lead will open in a
// spreadsheet: text that cannot run as a formula, and times that sort.
package csvcell

import (
	"strings"
	"time"
)

// Text defuses spreadsheet formula injection (OWASP "CSV injection"): a
// cell starting with = + - @, a tab or a carriage return is prefixed with a
// quote so the spreadsheet shows it as text. Names, notes and audit
// details come from upstream or users and may be hostile.
func Text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TimeLayout is RFC 3339 with milliseconds and the zone offset.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Time formats t in loc, or "" for the zero time.
func Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(TimeLayout)
}
