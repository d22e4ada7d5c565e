package handlers

import (
	"net/http"
	"net/url"
	"time"

	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// Helpers shared by the conversation screens: the audit view, the exports,
// the list and the overview.

// viewerLocation is the zone the viewer reads times in: their setting, else
// the browser's zone (the tz cookie app.js sets), else UTC. Every name is
// checked with time.LoadLocation, so a forged cookie falls back to UTC.
func viewerLocation(r *http.Request) *time.Location {
	if u := currentUser(r); u != nil && u.TimeZone != "" {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			return loc
		}
	}
	if c, err := r.Cookie("tz"); err == nil {
		if name, err := url.QueryUnescape(c.Value); err == nil && name != "" && name != "Local" && len(name) <= 64 {
			if loc, err := time.LoadLocation(name); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

// convTime is a moment for a <time> element: displayed in loc, with its
// machine-readable form.
func convTime(t time.Time, loc *time.Location) pages.ConvTime {
	if t.IsZero() {
		return pages.ConvTime{}
	}
	return pages.ConvTime{Text: display.Time(t, loc), ISO: t.In(loc).Format(time.RFC3339Nano)}
}

func convSyncView(s cache.SyncStatus, loc *time.Location) pages.ConvSync {
	v := pages.ConvSync{
		Running: s.Running, Pages: s.Pages, Rows: s.Rows,
		Indexed: s.Indexed, BackfillDone: s.BackfillDone, Error: s.Error,
	}
	if !s.LastStart.IsZero() {
		v.LastStart = display.Time(s.LastStart, loc)
	}
	if !s.LastEnd.IsZero() {
		v.LastEnd = display.Time(s.LastEnd, loc)
	}
	return v
}
