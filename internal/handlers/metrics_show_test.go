package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/metrics"
)

func TestMetricsExposition(t *testing.T) {
	h := newAdminHarness(t, harnessOptions{})
	c := h.login("viewer")
	h.get(c, "/").Body.Close()
	h.get(c, "/nope").Body.Close()
	UpstreamObserver(h.registry)("conversations.session", "GET", "ok", 120*time.Millisecond)

	// The test server is on loopback, so no login is needed.
	resp := h.get(h.client(), "/metrics")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != metrics.ContentType {
		t.Fatalf("metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		"# TYPE dashboard_http_requests_total counter",
		`dashboard_http_requests_total{route="GET /{$}",status="200"} 1`,
		`dashboard_http_requests_total{route="/",status="404"} 1`,
		`dashboard_http_requests_total{route="POST /login",status="303"} 1`,
		`dashboard_upstream_requests_total{endpoint="conversations.session",outcome="ok"} 1`,
		`dashboard_upstream_request_duration_seconds_sum{endpoint="conversations.session"} 0.12`,
		"dashboard_rate_budget_waits_total 0",
		`dashboard_rate_budget_waiting{class="interactive"} 0`,
		"dashboard_cache_hits_total 30",
		"dashboard_cache_misses_total 10",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMetricsAccessFromElsewhere(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	cookies := func(user string) []*http.Cookie {
		return h.login(user).Jar.Cookies(mustURL(t, h.srv.URL))
	}
	tests := []struct {
		name    string
		remote  string
		header  []string
		cookies []*http.Cookie
		want    int
	}{
		{"loopback", "127.0.0.1:5000", nil, nil, http.StatusOK},
		{"loopback v6", "[::1]:5000", nil, nil, http.StatusOK},
		{"remote anonymous", "192.0.2.7:5000", nil, nil, http.StatusSeeOther},
		{"proxied from loopback", "127.0.0.1:5000", []string{"X-Forwarded-For", "192.0.2.7"}, nil, http.StatusSeeOther},
		{"remote viewer", "192.0.2.7:5000", nil, cookies("viewer"), http.StatusForbidden},
		{"remote admin", "192.0.2.7:5000", nil, cookies("admin"), http.StatusOK},
	}
	handler := h.hd.routes()
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = tt.remote
		for i := 0; i+1 < len(tt.header); i += 2 {
			req.Header.Set(tt.header[i], tt.header[i+1])
		}
		for _, c := range tt.cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
}
