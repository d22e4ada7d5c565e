package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// Default request deadlines (see Deadlines).
const (
	DefaultPageDeadline   = 8 * time.Second
	DefaultExportDeadline = 2 * time.Minute
	// maxReserve caps the part of a deadline kept for answering.
	maxReserve = 2 * time.Second
)

// Deadlines are how long the dashboard takes at most to answer a request,
// by kind of route. Zero values take the defaults.
type Deadlines struct {
	// Page bounds every route but the streamed exports; default 8 s.
	Page time.Duration
	// Export bounds the streamed CSV exports of lists; default 2 min.
	Export time.Duration
}

// recordingRoute reports whether path is a call recording's stream,
// /sessions/{id}/recordings/{n} or /conversations/{id}/recordings/{n}.
func recordingRoute(path string) bool {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	return len(parts) == 4 && (parts[0] == "sessions" || parts[0] == "conversations") && parts[2] == "recordings"
}

// exportRoutes are the paths whose answers stream for long.
var exportRoutes = map[string]bool{
	"/conversations/export.csv": true,
	"/audit/export.csv":         true,
}

// budget is the deadline of r's route. A call's recording streams for as
// long as an export: the player may take minutes to read it.
func (d Deadlines) budget(r *http.Request) time.Duration {
	if exportRoutes[r.URL.Path] || recordingRoute(r.URL.Path) {
		if d.Export > 0 {
			return d.Export
		}
		return DefaultExportDeadline
	}
	if d.Page > 0 {
		return d.Page
	}
	return DefaultPageDeadline
}

// reserve is the part of a deadline kept for answering: upstream work
// (api.Bound) ends that much earlier, so a page still renders what it has,
// with a banner saying why, before its deadline.
func reserve(budget time.Duration) time.Duration {
	return min(budget/5, maxReserve)
}

// withDeadline gives every request its route's deadline, of which
// upstream work may use all but the reserve. Rendering does not depend on
// the deadline (see render), so a page whose upstream gave up still
// answers in full.
func (h *Handler) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		budget := h.deadlines.budget(r)
		ctx, cancel := context.WithTimeout(r.Context(), budget)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(api.WithReserve(ctx, reserve(budget))))
	})
}
