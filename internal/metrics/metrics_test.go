package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/metrics"
)

// scrape serves one GET /metrics from m's handler and returns the text and
// the parsed families.
func scrape(t *testing.T, m *metrics.Metrics) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("content type %q", ct)
	}
	text := rec.Body.String()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, text)
	}
	return text, fams
}

// compare checks the named families exactly against want, in the text
// format, through a real HTTP scrape of m's handler.
func compare(t *testing.T, m *metrics.Metrics, want string, names ...string) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	if err := testutil.ScrapeAndCompare(srv.URL, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// Durations below are exact binary fractions of a second, so sums compare
// exactly.
func TestRequestsAndUpstreamCalls(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("GET /{$}", 200, 125*time.Millisecond)
	m.ObserveRequest("GET /{$}", 200, 2*time.Second)
	m.ObserveRequest("", 403, 0) // refused before routing
	obs := m.UpstreamObserver()
	obs("conversations.session", http.MethodGet, "ok", 250*time.Millisecond)
	obs("conversations.session", http.MethodGet, "malformed", 62500*time.Microsecond)
	obs("agents.update", http.MethodPut, "ok", 20*time.Second)
	m.ObserveTokenAPICall(200)
	m.ObserveTokenAPICall(401)

	compare(t, m, `
# HELP dashboard_http_requests_total HTTP requests by matched route pattern and status.
# TYPE dashboard_http_requests_total counter
dashboard_http_requests_total{route="GET /{$}",status="200"} 2
dashboard_http_requests_total{route="unmatched",status="403"} 1
# HELP dashboard_http_request_duration_seconds HTTP request handling time by matched route pattern.
# TYPE dashboard_http_request_duration_seconds histogram
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.005"} 0
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.01"} 0
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.025"} 0
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.05"} 0
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.1"} 0
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.25"} 1
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.5"} 1
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="1"} 1
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="2.5"} 2
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="5"} 2
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="10"} 2
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="30"} 2
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="60"} 2
dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="+Inf"} 2
dashboard_http_request_duration_seconds_sum{route="GET /{$}"} 2.125
dashboard_http_request_duration_seconds_count{route="GET /{$}"} 2
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.005"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.01"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.025"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.05"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.1"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.25"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="0.5"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="1"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="2.5"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="5"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="10"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="30"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="60"} 1
dashboard_http_request_duration_seconds_bucket{route="unmatched",le="+Inf"} 1
dashboard_http_request_duration_seconds_sum{route="unmatched"} 0
dashboard_http_request_duration_seconds_count{route="unmatched"} 1
# HELP dashboard_upstream_requests_total SmartAssist requests by endpoint, method and outcome, one per attempt.
# TYPE dashboard_upstream_requests_total counter
dashboard_upstream_requests_total{endpoint="agents.update",method="PUT",outcome="ok"} 1
dashboard_upstream_requests_total{endpoint="conversations.session",method="GET",outcome="malformed"} 1
dashboard_upstream_requests_total{endpoint="conversations.session",method="GET",outcome="ok"} 1
# HELP dashboard_upstream_request_duration_seconds Time spent on SmartAssist requests by endpoint, rate budget wait included.
# TYPE dashboard_upstream_request_duration_seconds histogram
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="0.025"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="0.05"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="0.1"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="0.25"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="0.5"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="1"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="2.5"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="5"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="10"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="15"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="30"} 1
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="60"} 1
dashboard_upstream_request_duration_seconds_bucket{endpoint="agents.update",le="+Inf"} 1
dashboard_upstream_request_duration_seconds_sum{endpoint="agents.update"} 20
dashboard_upstream_request_duration_seconds_count{endpoint="agents.update"} 1
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="0.025"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="0.05"} 0
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="0.1"} 1
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="0.25"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="0.5"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="1"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="2.5"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="5"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="10"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="15"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="30"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="60"} 2
dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="+Inf"} 2
dashboard_upstream_request_duration_seconds_sum{endpoint="conversations.session"} 0.3125
dashboard_upstream_request_duration_seconds_count{endpoint="conversations.session"} 2
# HELP dashboard_token_api_requests_total Token API requests by outcome (the HTTP status answered).
# TYPE dashboard_token_api_requests_total counter
dashboard_token_api_requests_total{outcome="200"} 1
dashboard_token_api_requests_total{outcome="401"} 1
`, metrics.NameRequests, metrics.NameRequestDuration, metrics.NameUpstream, metrics.NameUpstreamDuration, metrics.NameTokenAPICalls)

	// The same, as a scraper reads the text: counters, and histograms with
	// _bucket, _sum and _count lines.
	text, fams := scrape(t, m)
	for _, want := range []string{
		`dashboard_http_requests_total{route="GET /{$}",status="200"} 2`,
		`dashboard_http_request_duration_seconds_bucket{route="GET /{$}",le="0.25"} 1`,
		`dashboard_http_request_duration_seconds_sum{route="GET /{$}"} 2.125`,
		`dashboard_http_request_duration_seconds_count{route="GET /{$}"} 2`,
		`dashboard_upstream_requests_total{endpoint="conversations.session",method="GET",outcome="ok"} 1`,
		`dashboard_upstream_request_duration_seconds_bucket{endpoint="conversations.session",le="+Inf"} 2`,
		`dashboard_upstream_request_duration_seconds_sum{endpoint="conversations.session"} 0.3125`,
		`dashboard_upstream_request_duration_seconds_count{endpoint="conversations.session"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	for name, typ := range map[string]dto.MetricType{
		metrics.NameRequests:         dto.MetricType_COUNTER,
		metrics.NameRequestDuration:  dto.MetricType_HISTOGRAM,
		metrics.NameUpstream:         dto.MetricType_COUNTER,
		metrics.NameUpstreamDuration: dto.MetricType_HISTOGRAM,
		metrics.NameTokenAPICalls:    dto.MetricType_COUNTER,
	} {
		if f := fams[name]; f == nil || f.GetType() != typ {
			t.Errorf("%s: family %v, want type %v", name, f, typ)
		}
	}
}

// A negative duration (a clock that went back) must not lower the sum.
func TestNegativeDurationCountsAsZero(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("GET /x", 200, -time.Second)
	m.UpstreamObserver()("ping", http.MethodGet, "ok", -time.Second)
	text, _ := scrape(t, m)
	for _, want := range []string{
		`dashboard_http_request_duration_seconds_sum{route="GET /x"} 0`,
		`dashboard_upstream_request_duration_seconds_sum{endpoint="ping"} 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestRuntimeAndProcessCollectors(t *testing.T) {
	_, fams := scrape(t, metrics.New())
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "go_gc_duration_seconds"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if runtime.GOOS != "linux" {
		return // the process collector reads /proc; elsewhere it may export less
	}
	for _, name := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

// Two values from New share no state: what one records the other does not
// show, and building the second does not collide with the first's
// registrations (it would panic on a shared registry).
func TestInstancesShareNothing(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.ObserveRequest("GET /{$}", 200, time.Second)
	a.UpstreamObserver()("ping", http.MethodGet, "ok", time.Second)
	a.ObserveTokenAPICall(200)
	a.SetBudget(api.BudgetCCAI, func() api.BudgetStats { return api.BudgetStats{LimitPerMinute: 60} })
	a.SetCache(func(context.Context) (metrics.CacheStats, error) { return metrics.CacheStats{Hits: 1}, nil })

	_, fa := scrape(t, a)
	_, fb := scrape(t, b)
	for _, name := range []string{
		metrics.NameRequests, metrics.NameRequestDuration, metrics.NameUpstream, metrics.NameUpstreamDuration,
		metrics.NameTokenAPICalls, "dashboard_rate_budget_limit_per_minute", "dashboard_cache_hits_total",
	} {
		if fa[name] == nil {
			t.Errorf("first instance lacks %s", name)
		}
		if fb[name] != nil {
			t.Errorf("second instance shows the first's %s: %v", name, fb[name])
		}
	}
	if fb["go_goroutines"] == nil {
		t.Error("second instance lacks the runtime collector")
	}
}

func TestBudget(t *testing.T) {
	m := metrics.New()
	if _, fams := scrape(t, m); fams["dashboard_rate_budget_waits_total"] != nil {
		t.Fatal("budget metrics before SetBudget")
	}
	pausedUntil := time.Date(2025, 3, 4, 10, 0, 30, 0, time.UTC)
	calls := 0
	m.SetBudget(api.BudgetCCAI, func() api.BudgetStats {
		calls++
		return api.BudgetStats{LimitPerMinute: 60, SharePercent: 80, AllowancePerMinute: 24, RequestsLastMinute: 12, Waits: 7, Rejected: 2,
			RateLimited: 1, PausedUntil: pausedUntil, InteractiveWaiting: 3, BackgroundWaiting: 1}
	})
	m.SetBudget(api.BudgetBot, func() api.BudgetStats {
		return api.BudgetStats{LimitPerMinute: 60, LimitPerHour: 1800, SharePercent: 80, AllowancePerMinute: 48, RequestsLastMinute: 5}
	})

	budget := func(paused int) string {
		return `
# HELP dashboard_rate_budget_limit_per_minute Upstream requests allowed per minute (upstream's limit, before this dashboard's share).
# TYPE dashboard_rate_budget_limit_per_minute gauge
dashboard_rate_budget_limit_per_minute{family="bot"} 60
dashboard_rate_budget_limit_per_minute{family="ccai"} 60
# HELP dashboard_rate_budget_limit_per_hour Upstream requests allowed per hour, for families with an hourly limit.
# TYPE dashboard_rate_budget_limit_per_hour gauge
dashboard_rate_budget_limit_per_hour{family="bot"} 1800
# HELP dashboard_rate_budget_allowance_per_minute Upstream requests per minute this dashboard allows itself now: its share, less any cut after a 429.
# TYPE dashboard_rate_budget_allowance_per_minute gauge
dashboard_rate_budget_allowance_per_minute{family="bot"} 48
dashboard_rate_budget_allowance_per_minute{family="ccai"} 24
# HELP dashboard_rate_budget_share_percent The configured share of upstream's limit this dashboard uses.
# TYPE dashboard_rate_budget_share_percent gauge
dashboard_rate_budget_share_percent{family="bot"} 80
dashboard_rate_budget_share_percent{family="ccai"} 80
# HELP dashboard_rate_budget_requests_last_minute Upstream requests granted in the last 60 seconds.
# TYPE dashboard_rate_budget_requests_last_minute gauge
dashboard_rate_budget_requests_last_minute{family="bot"} 5
dashboard_rate_budget_requests_last_minute{family="ccai"} 12
# HELP dashboard_rate_budget_waits_total Upstream requests that had to wait for the rate budget.
# TYPE dashboard_rate_budget_waits_total counter
dashboard_rate_budget_waits_total{family="bot"} 0
dashboard_rate_budget_waits_total{family="ccai"} 7
# HELP dashboard_rate_budget_rejected_total Waits for the rate budget abandoned (deadline too close or caller gone).
# TYPE dashboard_rate_budget_rejected_total counter
dashboard_rate_budget_rejected_total{family="bot"} 0
dashboard_rate_budget_rejected_total{family="ccai"} 2
# HELP dashboard_rate_budget_upstream_429_total Upstream answers 429 (rate limited).
# TYPE dashboard_rate_budget_upstream_429_total counter
dashboard_rate_budget_upstream_429_total{family="bot"} 0
dashboard_rate_budget_upstream_429_total{family="ccai"} 1
# HELP dashboard_rate_budget_paused 1 while an upstream 429 pauses every request.
# TYPE dashboard_rate_budget_paused gauge
dashboard_rate_budget_paused{family="bot"} 0
dashboard_rate_budget_paused{family="ccai"} ` + strconv.Itoa(paused) + `
# HELP dashboard_rate_budget_waiting Callers waiting for the rate budget, by class.
# TYPE dashboard_rate_budget_waiting gauge
dashboard_rate_budget_waiting{class="background",family="bot"} 0
dashboard_rate_budget_waiting{class="background",family="ccai"} 1
dashboard_rate_budget_waiting{class="interactive",family="bot"} 0
dashboard_rate_budget_waiting{class="interactive",family="ccai"} 3
`
	}
	names := []string{"dashboard_rate_budget_limit_per_minute", "dashboard_rate_budget_limit_per_hour",
		"dashboard_rate_budget_allowance_per_minute", "dashboard_rate_budget_share_percent",
		"dashboard_rate_budget_requests_last_minute", "dashboard_rate_budget_waits_total", "dashboard_rate_budget_rejected_total",
		"dashboard_rate_budget_upstream_429_total", "dashboard_rate_budget_paused", "dashboard_rate_budget_waiting"}
	compare(t, m, budget(1), names...)
	if calls != 1 {
		t.Errorf("one scrape read the budget %d times, want once", calls)
	}
	pausedUntil = time.Time{} // the budget reports no pause once it is over
	compare(t, m, budget(0), names...)

	// A later SetBudget for a family replaces its earlier source; nil removes it.
	m.SetBudget(api.BudgetCCAI, func() api.BudgetStats { return api.BudgetStats{LimitPerMinute: 30} })
	if text, _ := scrape(t, m); !strings.Contains(text, `dashboard_rate_budget_limit_per_minute{family="ccai"} 30`+"\n") {
		t.Errorf("replaced budget not shown:\n%s", text)
	}
	m.SetBudget(api.BudgetBot, nil)
	if text, _ := scrape(t, m); strings.Contains(text, `family="bot"`) {
		t.Errorf("removed budget still shown:\n%s", text)
	}
}

func TestCache(t *testing.T) {
	m := metrics.New()
	if _, fams := scrape(t, m); fams["dashboard_cache_hits_total"] != nil {
		t.Fatal("cache metrics before SetCache")
	}
	calls := 0
	var fail error
	m.SetCache(func(ctx context.Context) (metrics.CacheStats, error) {
		calls++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the cache is asked without a deadline")
		}
		return metrics.CacheStats{Hits: 30, Misses: 10, StaleServes: 4, Entries: 12, Bytes: 3 << 20}, fail
	})
	compare(t, m, `
# HELP dashboard_cache_hits_total Conversation cache: fresh copies served.
# TYPE dashboard_cache_hits_total counter
dashboard_cache_hits_total 30
# HELP dashboard_cache_misses_total Conversation cache: answers that needed upstream.
# TYPE dashboard_cache_misses_total counter
dashboard_cache_misses_total 10
# HELP dashboard_cache_stale_serves_total Conversation cache: stale copies served.
# TYPE dashboard_cache_stale_serves_total counter
dashboard_cache_stale_serves_total 4
# HELP dashboard_cache_bytes Conversation cache: stored body bytes.
# TYPE dashboard_cache_bytes gauge
dashboard_cache_bytes 3.145728e+06
# HELP dashboard_cache_entries Conversation cache: cached answers.
# TYPE dashboard_cache_entries gauge
dashboard_cache_entries 12
`, "dashboard_cache_hits_total", "dashboard_cache_misses_total", "dashboard_cache_stale_serves_total",
		"dashboard_cache_bytes", "dashboard_cache_entries")
	if calls != 1 {
		t.Errorf("one scrape asked the cache %d times, want once", calls)
	}

	// A failing cache leaves its metrics out and the rest of the scrape intact.
	fail = errors.New("database locked")
	_, fams := scrape(t, m)
	if fams["dashboard_cache_hits_total"] != nil {
		t.Error("cache metrics shown although the cache failed")
	}
	if fams["go_goroutines"] == nil {
		t.Error("a failing cache broke the scrape")
	}
}

// End to end through the real client: a 2xx answer whose body cannot be
// decoded counts as outcome "malformed", never "ok".
func TestMalformedUpstreamBodyIsNotOK(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"_id": "c-1", trailing`))
	}))
	defer up.Close()
	m := metrics.New()
	c, err := api.New(up.URL, api.Credentials{BotID: "st-1", AccountID: "acc", OrgID: "o-1", ClientID: "cs-1", ClientSecret: "secret"},
		api.WithBudget(api.NewBudget(60000, api.WithBurst(1000))), api.WithObserver(m.UpstreamObserver()),
		api.WithRetries(0, 0)) // a malformed body is retried; one attempt is what is counted here
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Conversation(context.Background(), "c-1"); !errors.Is(err, api.ErrMalformed) {
		t.Fatalf("err = %v, want a malformed response", err)
	}
	text, _ := scrape(t, m)
	if want := `dashboard_upstream_requests_total{endpoint="conversations.get",method="GET",outcome="malformed"} 1`; !strings.Contains(text, want) {
		t.Errorf("exposition lacks %q:\n%s", want, text)
	}
	if strings.Contains(text, `outcome="ok"`) {
		t.Errorf("a malformed body was counted as ok:\n%s", text)
	}
}
