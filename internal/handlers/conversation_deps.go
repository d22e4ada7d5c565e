package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// Helpers shared by the conversation screens (issue 3): the audit view, the
// exports, the list and the overview.

// ConversationCache is what the conversation screens need of the
// conversation cache and its local index (*cache.Cache).
type ConversationCache interface {
	GetSession(ctx context.Context, sessionID string) (cache.Result, error)
	GetConversation(ctx context.Context, conversationID string) (cache.Result, error)
	Snapshots(ctx context.Context, conversationID string) ([]cache.Snapshot, error)
	// AgentDirectory never waits for upstream; it may be empty.
	AgentDirectory(ctx context.Context) cache.Directory
	List(ctx context.Context, q cache.Query) (cache.Page, error)
	Each(ctx context.Context, q cache.Query, fn func(cache.Row) error) error
	Facets(ctx context.Context) (map[string][]cache.Facet, error)
	Overview(ctx context.Context, from, to time.Time, longest int) (cache.Overview, error)
	SyncStatus() cache.SyncStatus
}

// timeLayout is how every screen shows a time, in the viewer's zone.
const timeLayout = "2006-01-02 15:04:05 MST"

// localTime formats t in loc for display, or "" for the zero time.
func localTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(timeLayout)
}

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

func convTime(t time.Time, loc *time.Location) pages.ConvTime {
	if t.IsZero() {
		return pages.ConvTime{}
	}
	t = t.In(loc)
	return pages.ConvTime{Text: t.Format(timeLayout), ISO: t.Format(time.RFC3339Nano)}
}

// convDuration shows a duration the way a team lead reads waits: 4m07s.
func convDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// convMasks reports whether the signed-in user sees customer contact
// details masked: viewers do, leads and admins do not.
func convMasks(u *auth.User) bool { return u == nil || !u.Role.AtLeast(auth.RoleLead) }

// convMaskEmail keeps the first character and the domain: t***@test.com.
func convMaskEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return convMaskText(s)
	}
	r := []rune(local)
	if len(r) == 0 {
		return "***@" + domain
	}
	return string(r[0]) + "***@" + domain
}

// convMaskPhone keeps the last two digits: ********99.
func convMaskPhone(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
}

// convMaskText hides everything but the first character.
func convMaskText(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + "***"
}

// convErrorPage shows why a conversation could not be fetched when no
// cached copy exists: never a 500 for an upstream problem.
func (h *Handler) convErrorPage(w http.ResponseWriter, r *http.Request, what string, err error) {
	var ae *api.Error
	detail := ""
	if errors.As(err, &ae) {
		detail = ae.Error()
	}
	switch {
	case errors.Is(err, api.ErrNotFound):
		h.renderError(w, r, http.StatusNotFound, "Conversation not found",
			"Upstream has no conversation for "+what+", and the dashboard has no copy of it.",
			"Check the id. Upstream forgets routing details after a while; the dashboard keeps what it has fetched once.")
	case errors.Is(err, api.ErrUnauthorized):
		h.renderError(w, r, http.StatusBadGateway, "Upstream refused the credentials",
			"SmartAssist did not accept the dashboard's API credentials ("+detail+"), and there is no cached copy of "+what+".",
			"An administrator should check the client id, secret and account id.")
	case errors.Is(err, api.ErrRateLimited):
		if ae != nil && ae.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(ae.RetryAfter.Round(time.Second).Seconds())))
		}
		h.renderError(w, r, http.StatusServiceUnavailable, "Rate limited",
			"The upstream rate limit is used up, and there is no cached copy of "+what+" yet.",
			"Try again in a minute.")
	case errors.Is(err, api.ErrValidation):
		h.renderError(w, r, http.StatusBadRequest, "Not a valid id", "Upstream refused the id: "+detail+".", "")
	case errors.Is(err, api.ErrTransport):
		h.renderError(w, r, http.StatusGatewayTimeout, "Upstream unreachable",
			"SmartAssist could not be reached ("+detail+"), and there is no cached copy of "+what+".",
			"Try again shortly; the upstream status is on the start page.")
	case errors.Is(err, api.ErrUpstream):
		h.renderError(w, r, http.StatusBadGateway, "Upstream error",
			"SmartAssist answered with an error ("+detail+"), and there is no cached copy of "+what+".",
			"Try again shortly.")
	default:
		h.logger.Error("conversation lookup", "what", what, "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "Lookup failed",
			"The dashboard could not read its conversation store.", "Try again; if it keeps happening, tell an administrator.")
	}
}

// noCache answers 503 when the dashboard was built without a cache.
func (h *Handler) convNoCache(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, http.StatusServiceUnavailable, "Conversations unavailable",
		"The conversation cache is not configured in this dashboard.", "")
}

func convSyncView(s cache.SyncStatus, configured bool, loc *time.Location) pages.ConvSync {
	v := pages.ConvSync{
		Configured: configured, Running: s.Running, Pages: s.Pages, Rows: s.Rows,
		Indexed: s.Indexed, BackfillDone: s.BackfillDone, Error: s.Error,
	}
	if !s.LastStart.IsZero() {
		v.LastStart = s.LastStart.In(loc).Format(timeLayout)
	}
	if !s.LastEnd.IsZero() {
		v.LastEnd = s.LastEnd.In(loc).Format(timeLayout)
	}
	return v
}
