package handlers

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/metrics"
)

// Metric names. They are part of the dashboard's interface to monitoring;
// keep them stable.
const (
	metricRequests         = "dashboard_http_requests_total"
	metricRequestDuration  = "dashboard_http_request_duration_seconds"
	metricUpstream         = "dashboard_upstream_requests_total"
	metricUpstreamDuration = "dashboard_upstream_request_duration_seconds"
	metricAPICalls         = "dashboard_token_api_requests_total"
)

// UpstreamObserver returns the function to pass to api.WithObserver so
// upstream calls are counted in reg by endpoint and outcome (one count per
// attempt, retries included).
func UpstreamObserver(reg *metrics.Registry) func(endpoint, method, outcome string, d time.Duration) {
	calls := reg.Counter(metricUpstream, "SmartAssist requests by endpoint and outcome, one per attempt.", "endpoint", "outcome")
	dur := reg.Summary(metricUpstreamDuration, "Time spent on SmartAssist requests, rate budget wait included.", "endpoint")
	return func(endpoint, _, outcome string, d time.Duration) {
		calls.Inc(endpoint, outcome)
		dur.Observe(d.Seconds(), endpoint)
	}
}

func (a *adminState) registerMetrics() {
	reg := a.metrics
	a.requests = reg.Counter(metricRequests, "HTTP requests by matched route pattern and status.", "route", "status")
	a.requestDuration = reg.Summary(metricRequestDuration, "HTTP request handling time by matched route pattern.", "route")
	a.apiCalls = reg.Counter(metricAPICalls, "Token API requests by outcome.", "outcome")
	// Registered here too so the families appear (empty) before any call.
	UpstreamObserver(reg)

	if b := a.budget; b != nil {
		gauge := func(name, help string, v func() float64) {
			reg.Func(name, help, metrics.KindGauge, nil, func(emit func(float64, ...string)) { emit(v()) })
		}
		counter := func(name, help string, v func() float64) {
			reg.Func(name, help, metrics.KindCounter, nil, func(emit func(float64, ...string)) { emit(v()) })
		}
		gauge("dashboard_rate_budget_limit_per_minute", "Upstream requests allowed per minute.",
			func() float64 { return float64(b.Stats().LimitPerMinute) })
		gauge("dashboard_rate_budget_requests_last_minute", "Upstream requests granted in the last 60 seconds.",
			func() float64 { return float64(b.Stats().RequestsLastMinute) })
		counter("dashboard_rate_budget_waits_total", "Upstream requests that had to wait for the rate budget.",
			func() float64 { return float64(b.Stats().Waits) })
		counter("dashboard_rate_budget_rejected_total", "Waits for the rate budget abandoned (deadline too close or caller gone).",
			func() float64 { return float64(b.Stats().Rejected) })
		gauge("dashboard_rate_budget_paused", "1 while an upstream 429 pauses every request.", func() float64 {
			if until := b.Stats().PausedUntil; !until.IsZero() && time.Until(until) > 0 {
				return 1
			}
			return 0
		})
		reg.Func("dashboard_rate_budget_waiting", "Callers waiting for the rate budget, by class.", metrics.KindGauge, []string{"class"},
			func(emit func(float64, ...string)) {
				st := b.Stats()
				emit(float64(st.InteractiveWaiting), "interactive")
				emit(float64(st.BackgroundWaiting), "background")
			})
	}
	if c := a.cache; c != nil {
		stats := func() (CacheStats, bool) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			st, err := c.Stats(ctx)
			return st, err == nil
		}
		for _, m := range []struct {
			name, help string
			kind       metrics.Kind
			v          func(CacheStats) int64
		}{
			{"dashboard_cache_hits_total", "Conversation cache: fresh copies served.", metrics.KindCounter, func(s CacheStats) int64 { return s.Hits }},
			{"dashboard_cache_misses_total", "Conversation cache: answers that needed upstream.", metrics.KindCounter, func(s CacheStats) int64 { return s.Misses }},
			{"dashboard_cache_stale_serves_total", "Conversation cache: stale copies served.", metrics.KindCounter, func(s CacheStats) int64 { return s.StaleServes }},
			{"dashboard_cache_bytes", "Conversation cache: stored body bytes.", metrics.KindGauge, func(s CacheStats) int64 { return s.Bytes }},
			{"dashboard_cache_entries", "Conversation cache: cached answers.", metrics.KindGauge, func(s CacheStats) int64 { return s.Entries }},
		} {
			reg.Func(m.name, m.help, m.kind, nil, func(emit func(float64, ...string)) {
				if st, ok := stats(); ok {
					emit(float64(m.v(st)))
				}
			})
		}
	}
}

func statusLabel(status int) string { return strconv.Itoa(status) }

// metricsShow answers GET /metrics in the Prometheus text format, to admins
// or to a scraper on the same host.
func (h *Handler) metricsShow(w http.ResponseWriter, r *http.Request) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		if h.admin.budget != nil {
			h.admin.budgetHistory.sample(h.now(), h.admin.budget.Stats())
		}
		w.Header().Set("Content-Type", metrics.ContentType)
		w.Header().Set("Cache-Control", "no-store")
		if err := h.admin.metrics.WriteText(w); err != nil {
			h.logger.Warn("write metrics", "err", err)
		}
	}
	if fromLoopback(r) {
		serve(w, r)
		return
	}
	h.require(auth.RoleAdmin, serve).ServeHTTP(w, r)
}

// fromLoopback reports whether the request comes from this host directly.
// A request relayed by a reverse proxy on the same host also arrives from
// loopback, so one carrying forwarding headers does not count: it came from
// somewhere else.
func fromLoopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	ip := net.ParseIP(clientAddr(r))
	return ip != nil && ip.IsLoopback()
}
