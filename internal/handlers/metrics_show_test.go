package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/metrics"
)

func TestMetricsExposition(t *testing.T) {
	// No directory load before: the counts below are this test's alone.
	h := apptest.New(t, apptest.Options{ColdDirectory: true})
	conv := h.Conversation(apptest.ClosedWithAgent)
	c := h.Login("viewer")
	// Each answer is read to the end, so its keep-alive connection carries
	// the next request: the server reads that only after the middleware
	// has counted the one before. Bodies closed unread would leave the
	// count racing the scrape below.
	readBody(t, h.Get(c, "/"))
	readBody(t, h.Get(c, "/nope"))
	// One conversation viewed twice: one cache miss (an upstream call by
	// conversation id), then one hit; one entry.
	readBody(t, h.Get(c, "/conversations/"+conv.ID))
	readBody(t, h.Get(c, "/conversations/"+conv.ID))
	readBody(t, h.BearerGet("/api/v1/sessions/"+conv.SessionID, "")) // no token: 401
	// An upstream call of a known duration, as the client reports it.
	h.App.Metrics.UpstreamObserver()("conversations.session", "GET", "ok", 120*time.Millisecond)

	// The test server is on loopback, so no login is needed.
	resp := h.Get(h.Client(), "/metrics")
	body := readBody(t, resp)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", resp.StatusCode, ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	for _, want := range []string{
		"# TYPE " + metrics.NameRequests + " counter",
		`dashboard_http_requests_total{route="GET /{$}",status="200"} 1`,
		`dashboard_http_requests_total{route="/",status="404"} 1`,
		`dashboard_http_requests_total{route="POST /login",status="303"} 1`,
		"# TYPE " + metrics.NameRequestDuration + " histogram",
		`dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="+Inf"} 1`,
		`dashboard_http_request_duration_seconds_count{route="GET /{$}"} 1`,
		`dashboard_upstream_requests_total{endpoint="conversations.session",method="GET",outcome="ok"} 1`,
		`dashboard_upstream_requests_total{endpoint="conversations.get",method="GET",outcome="ok"} 1`,
		`dashboard_http_requests_total{route="GET /conversations/{id}",status="200"} 2`,
		"# TYPE " + metrics.NameUpstreamDuration + " histogram",
		`dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="0.25"} 1`,
		`dashboard_upstream_request_duration_seconds_sum{endpoint="conversations.session"} 0.12`,
		`dashboard_token_api_requests_total{outcome="401"} 1`,
		`dashboard_rate_budget_limit_per_minute{family="ccai"} 100000`,
		`dashboard_rate_budget_limit_per_minute{family="bot"} 100000`, // apptest lifts the bot family's limits too
		`dashboard_rate_budget_paused{family="ccai"} 0`,
		`dashboard_rate_budget_waits_total{family="ccai"} 0`,
		`dashboard_rate_budget_waiting{class="interactive",family="ccai"} 0`,
		"dashboard_cache_hits_total 1",
		"dashboard_cache_misses_total 1",
		"dashboard_cache_entries 1",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMetricsAccessFromElsewhere(t *testing.T) {
	const token = "metrics-scrape-token-0123456789"
	h := apptest.New(t, apptest.Options{MetricsToken: token})
	cookies := func(user string) []*http.Cookie {
		return h.Login(user).Jar.Cookies(mustURL(t, h.URL()))
	}
	tests := []struct {
		name    string
		remote  string
		host    string
		header  []string
		cookies []*http.Cookie
		want    int
	}{
		{"loopback", "127.0.0.1:5000", "127.0.0.1:8080", nil, nil, http.StatusOK},
		{"loopback v6", "[::1]:5000", "[::1]:8080", nil, nil, http.StatusOK},
		{"loopback by name", "127.0.0.1:5000", "localhost:8080", nil, nil, http.StatusOK},
		// A page on another site whose name now resolves to 127.0.0.1 (DNS
		// rebinding) reaches the server from loopback with its own Host.
		{"loopback, foreign host", "127.0.0.1:5000", "evil.example", nil, nil, http.StatusSeeOther},
		{"loopback, foreign host with port", "127.0.0.1:5000", "evil.example:8080", nil, nil, http.StatusSeeOther},
		{"remote anonymous", "192.0.2.7:5000", "dash.example", nil, nil, http.StatusSeeOther},
		{"proxied from loopback", "127.0.0.1:5000", "127.0.0.1:8080", []string{"X-Forwarded-For", "192.0.2.7"}, nil, http.StatusSeeOther},
		{"remote viewer", "192.0.2.7:5000", "dash.example", nil, cookies("viewer"), http.StatusForbidden},
		{"remote admin", "192.0.2.7:5000", "dash.example", nil, cookies("admin"), http.StatusOK},
		{"remote with the token", "192.0.2.7:5000", "dash.example", []string{"Authorization", "Bearer " + token}, nil, http.StatusOK},
		{"remote with a wrong token", "192.0.2.7:5000", "dash.example", []string{"Authorization", "Bearer " + token + "x"}, nil, http.StatusUnauthorized},
		{"remote with an empty token", "192.0.2.7:5000", "dash.example", []string{"Authorization", "Bearer "}, nil, http.StatusUnauthorized},
	}
	handler := h.App.Handler // in process, to send from other addresses
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr, req.Host = tt.remote, tt.host
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
		if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
	}
}
