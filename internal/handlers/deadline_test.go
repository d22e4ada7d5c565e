package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// TestDeadlinesPerRoute: every request gets its route's deadline, and
// upstream work for it a cutoff a reserve earlier.
func TestDeadlinesPerRoute(t *testing.T) {
	tests := []struct {
		name        string
		deadlines   Deadlines
		path        string
		wantBudget  time.Duration
		wantReserve time.Duration
	}{
		{"a page, by default", Deadlines{}, "/agents", DefaultPageDeadline, DefaultPageDeadline / 5},
		{"a streamed export, by default", Deadlines{}, "/conversations/export.csv", DefaultExportDeadline, maxReserve},
		{"the audit export", Deadlines{}, "/audit/export.csv", DefaultExportDeadline, maxReserve},
		{"a conversation's export is a page", Deadlines{}, "/sessions/0123456789abcdef01234567/export.json", DefaultPageDeadline, DefaultPageDeadline / 5},
		{"tuned", Deadlines{Page: time.Second, Export: time.Minute}, "/", time.Second, 200 * time.Millisecond},
		{"tuned export", Deadlines{Page: time.Second, Export: time.Minute}, "/audit/export.csv", time.Minute, maxReserve},
		{"a call's recording streams like an export", Deadlines{}, "/sessions/0123456789abcdef01234567/recordings/1", DefaultExportDeadline, maxReserve},
		{"by conversation id too", Deadlines{Page: time.Second, Export: time.Minute}, "/conversations/c-1/recordings/2", time.Minute, maxReserve},
		{"the transcript's pages are pages", Deadlines{}, "/sessions/0123456789abcdef01234567/transcript", DefaultPageDeadline, DefaultPageDeadline / 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Handler{deadlines: tt.deadlines}
			var deadline, cutoff time.Time
			var ok bool
			h.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				deadline, _ = r.Context().Deadline()
				cutoff, ok = api.Cutoff(r.Context())
			})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tt.path, nil))
			if !ok || deadline.Sub(cutoff) != tt.wantReserve {
				t.Errorf("reserve %v (cutoff set: %v), want %v", deadline.Sub(cutoff), ok, tt.wantReserve)
			}
			if got := h.deadlines.budget(httptest.NewRequest(http.MethodGet, tt.path, nil)); got != tt.wantBudget {
				t.Errorf("budget %v, want %v", got, tt.wantBudget)
			}
		})
	}
}

// TestRenderOutlivesTheDeadline: a page whose deadline passed while it read
// is still rendered in full (templ renders nothing for an ended context,
// which was logged as "status=200 bytes=0").
func TestRenderOutlivesTheDeadline(t *testing.T) {
	h := &Handler{logger: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	for _, htmx := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodGet, "/agents", nil).WithContext(ctx)
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		rec := httptest.NewRecorder()
		h.render(rec, req, http.StatusOK, layouts.Page{Title: "Agents"},
			pages.ErrorPage(pages.Error{Status: StatusUpstreamFailed, Title: "Upstream unreachable", Message: "SmartAssist could not be reached."}))
		if body := rec.Body.String(); !strings.Contains(body, "SmartAssist could not be reached.") {
			t.Errorf("htmx %v: %d bytes rendered: %q", htmx, len(body), body)
		}
	}
}

// TestUpstreamFailuresAreNever5xx: the one error table answers every
// upstream failure with a 4xx that says why, and rate limits with 429 and
// Retry-After; 5xx is left to the dashboard's own failures.
func TestUpstreamFailuresAreNever5xx(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantRetry  bool
	}{
		{"unreachable", &api.Error{Kind: api.ErrTransport, Err: errors.New("connection refused")}, StatusUpstreamFailed, "upstream_timeout", false},
		{"cut at the cutoff", &api.Error{Kind: api.ErrTransport, Err: context.DeadlineExceeded}, StatusUpstreamFailed, "upstream_timeout", false},
		{"a bare deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), StatusUpstreamFailed, "upstream_timeout", false},
		{"5xx", &api.Error{Kind: api.ErrUpstream, Status: 503}, StatusUpstreamFailed, "upstream_error", false},
		{"malformed", &api.Error{Kind: api.ErrUpstream, Err: api.ErrMalformed}, StatusUpstreamFailed, "upstream_error", false},
		{"credentials refused", &api.Error{Kind: api.ErrUnauthorized, Status: 401}, StatusUpstreamFailed, "upstream_unauthorized", false},
		{"upstream 429", &api.Error{Kind: api.ErrRateLimited, Status: 429, RetryAfter: time.Minute}, http.StatusTooManyRequests, "rate_limited", true},
		{"the budget's pause", &api.Error{Kind: api.ErrRateLimited, RetryAfter: 30 * time.Second}, http.StatusTooManyRequests, "rate_limited", true},
		{"directory loading", &directory.LoadingError{}, StatusUpstreamFailed, "directory_loading", true},
		{"directory loading after a 429", &directory.LoadingError{Err: &api.Error{Kind: api.ErrRateLimited, Status: 429, RetryAfter: time.Minute}},
			StatusUpstreamFailed, "directory_loading", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := explain(tt.err, "agent a-1")
			if p.Status != tt.wantStatus || p.Code != tt.wantCode || (p.RetryAfter > 0) != tt.wantRetry || p.Message == "" {
				t.Errorf("%+v", p)
			}
		})
	}
}
