package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/metrics"
)

// TestClientDisconnectsAreLogged499: a request whose client went away
// while it was served is logged and counted as 499 at info level, not as
// the handler's 500 at error level.
func TestClientDisconnectsAreLogged499(t *testing.T) {
	tests := []struct {
		name       string
		cancel     bool
		status     int
		wantStatus string
		wantLevel  string
	}{
		{"client gone, handler failed", true, http.StatusInternalServerError, "status=499", "level=INFO"},
		{"client gone, gateway timeout", true, http.StatusGatewayTimeout, "status=499", "level=INFO"},
		{"client gone, upstream call cut", true, StatusUpstreamFailed, "status=499", "level=INFO"},
		{"upstream failed, client still there", false, StatusUpstreamFailed, "status=424", "level=INFO"},
		{"client gone after success", true, http.StatusOK, "status=200", "level=INFO"},
		{"real failure", false, http.StatusInternalServerError, "status=500", "level=ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &Handler{logger: slog.New(slog.NewTextHandler(&logs, nil)), metrics: metrics.New()}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := httptest.NewRequest(http.MethodGet, "/x", nil).WithContext(ctx)
			h.logRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.cancel {
					cancel()
				}
				w.WriteHeader(tt.status)
			})).ServeHTTP(httptest.NewRecorder(), req)
			line := logs.String()
			if !strings.Contains(line, tt.wantStatus) || !strings.Contains(line, tt.wantLevel) {
				t.Errorf("log %q, want %s at %s", line, tt.wantStatus, tt.wantLevel)
			}
		})
	}
}
