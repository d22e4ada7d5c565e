// Package metrics holds the dashboard's Prometheus metrics, built on
// github.com/prometheus/client_golang.
//
// There is no package-level state and the global default registry is never
// used: New returns a *Metrics that owns its own registry, with the Go
// runtime and process collectors registered, and whoever records or exposes
// metrics is handed that value. Everything is safe for concurrent use.
//
// The metric names are part of the dashboard's interface to monitoring; keep
// them stable.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names recorded by the methods of Metrics.
const (
	NameRequests         = "dashboard_http_requests_total"
	NameRequestDuration  = "dashboard_http_request_duration_seconds"
	NameUpstream         = "dashboard_upstream_requests_total"
	NameUpstreamDuration = "dashboard_upstream_request_duration_seconds"
	NameTokenAPICalls    = "dashboard_token_api_requests_total"
)

// UnmatchedRoute is the route label of a request no ServeMux pattern
// matched, e.g. one refused before routing.
const UnmatchedRoute = "unmatched"

// Metrics is one set of the dashboard's metrics and the registry that
// exposes them. Build it with New.
type Metrics struct {
	reg *prometheus.Registry

	requests         *prometheus.CounterVec
	requestDuration  *prometheus.HistogramVec
	upstream         *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	tokenAPICalls    *prometheus.CounterVec

	budget *budgetCollector
	cache  *cacheCollector

	handler http.Handler
}

// New returns metrics on a registry of their own, with the Go runtime
// (go_*) and process (process_*) collectors registered. Two values from New
// share nothing.
func New() *Metrics {
	// Histogram buckets, in seconds. Page requests are usually quick but may
	// wait for upstream; an upstream attempt may wait for the rate budget and
	// then for up to api.DefaultRequestTimeout (15 s).
	requestBuckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	upstreamBuckets := []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30, 60}

	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRequests,
			Help: "HTTP requests by matched route pattern and status.",
		}, []string{"route", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    NameRequestDuration,
			Help:    "HTTP request handling time by matched route pattern.",
			Buckets: requestBuckets,
		}, []string{"route"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameUpstream,
			Help: "SmartAssist requests by endpoint, method and outcome, one per attempt.",
		}, []string{"endpoint", "method", "outcome"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    NameUpstreamDuration,
			Help:    "Time spent on SmartAssist requests by endpoint, rate budget wait included.",
			Buckets: upstreamBuckets,
		}, []string{"endpoint"}),
		tokenAPICalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameTokenAPICalls,
			Help: "Token API requests by outcome (the HTTP status answered).",
		}, []string{"outcome"}),
		budget: newBudgetCollector(),
		cache:  newCacheCollector(),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.upstream, m.upstreamDuration, m.tokenAPICalls,
		m.budget, m.cache,
	)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A collector that fails leaves the rest of the scrape intact; the
		// failures are counted in promhttp_metric_handler_errors_total.
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      reg,
	})
	return m
}

// Handler serves the registry in the Prometheus exposition format, the
// content type negotiated with the scraper. It does no access control.
func (m *Metrics) Handler() http.Handler { return m.handler }

// ObserveRequest records one HTTP request: route is the ServeMux pattern
// that matched (empty: UnmatchedRoute), so label values stay few.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.requestDuration.WithLabelValues(route).Observe(seconds(d))
}

// UpstreamObserver returns the function to pass to api.WithObserver: it
// counts every upstream attempt by endpoint, method and outcome (see
// api.Outcome; retries count once each) and records its duration by
// endpoint.
func (m *Metrics) UpstreamObserver() func(endpoint, method, outcome string, d time.Duration) {
	return func(endpoint, method, outcome string, d time.Duration) {
		m.upstream.WithLabelValues(endpoint, method, outcome).Inc()
		m.upstreamDuration.WithLabelValues(endpoint).Observe(seconds(d))
	}
}

// ObserveTokenAPICall counts one token API request by the HTTP status it was
// answered with.
func (m *Metrics) ObserveTokenAPICall(status int) {
	m.tokenAPICalls.WithLabelValues(strconv.Itoa(status)).Inc()
}

// seconds converts d for a histogram; a negative duration (a clock that went
// back) counts as zero rather than lowering the sum.
func seconds(d time.Duration) float64 { return max(d, 0).Seconds() }
