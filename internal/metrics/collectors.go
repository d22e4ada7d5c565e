package metrics

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/teamlead/dashboard/internal/api"
)

// The rate budget and the conversation cache keep their own numbers; these
// collectors read them at scrape time, once per scrape, so the values of one
// scrape come from one consistent snapshot (and the cache, whose statistics
// come from its database, is asked once rather than once per metric).

// SetBudget exports one family's upstream rate budget (api.BudgetCCAI,
// api.BudgetBot), its metrics labelled family: stats (e.g.
// (*api.Budget).Stats) is read once per scrape; its PausedUntil is set only
// while a pause from an upstream 429 is in force. A later call for the same
// family replaces the earlier one; a nil stats, or no call at all, leaves
// that family's metrics out.
func (m *Metrics) SetBudget(family string, stats func() api.BudgetStats) {
	m.budget.mu.Lock()
	defer m.budget.mu.Unlock()
	if stats == nil {
		delete(m.budget.stats, family)
		return
	}
	m.budget.stats[family] = stats
}

// CacheStats is what the conversation cache reports for /metrics.
type CacheStats struct {
	Hits, Misses, StaleServes int64 // since start
	Entries, Bytes            int64 // now
}

// cacheStatsTimeout bounds one scrape's wait for the cache's statistics.
const cacheStatsTimeout = 5 * time.Second

// SetCache exports the conversation cache: stats is called once per scrape;
// when it fails, that scrape has no cache metrics. A later call replaces the
// earlier one; a nil stats, or no call at all, leaves the cache metrics out.
func (m *Metrics) SetCache(stats func(context.Context) (CacheStats, error)) {
	m.cache.mu.Lock()
	defer m.cache.mu.Unlock()
	m.cache.stats = stats
}

// budgetCollector exports api.BudgetStats, one set per family.
type budgetCollector struct {
	limit, limitHour, allowance, share, lastMinute, waits, rejected, limited, paused, waiting *prometheus.Desc

	mu    sync.Mutex
	stats map[string]func() api.BudgetStats
}

func newBudgetCollector() *budgetCollector {
	family := []string{"family"}
	return &budgetCollector{
		limit: prometheus.NewDesc("dashboard_rate_budget_limit_per_minute",
			"Upstream requests allowed per minute (upstream's limit, before this dashboard's share).", family, nil),
		limitHour: prometheus.NewDesc("dashboard_rate_budget_limit_per_hour",
			"Upstream requests allowed per hour, for families with an hourly limit.", family, nil),
		allowance: prometheus.NewDesc("dashboard_rate_budget_allowance_per_minute",
			"Upstream requests per minute this dashboard allows itself now: its share, less any cut after a 429.", family, nil),
		share: prometheus.NewDesc("dashboard_rate_budget_share_percent",
			"The configured share of upstream's limit this dashboard uses.", family, nil),
		lastMinute: prometheus.NewDesc("dashboard_rate_budget_requests_last_minute",
			"Upstream requests granted in the last 60 seconds.", family, nil),
		waits: prometheus.NewDesc("dashboard_rate_budget_waits_total",
			"Upstream requests that had to wait for the rate budget.", family, nil),
		rejected: prometheus.NewDesc("dashboard_rate_budget_rejected_total",
			"Waits for the rate budget abandoned (deadline too close or caller gone).", family, nil),
		limited: prometheus.NewDesc("dashboard_rate_budget_upstream_429_total",
			"Upstream answers 429 (rate limited).", family, nil),
		paused: prometheus.NewDesc("dashboard_rate_budget_paused",
			"1 while an upstream 429 pauses every request.", family, nil),
		waiting: prometheus.NewDesc("dashboard_rate_budget_waiting",
			"Callers waiting for the rate budget, by class.", []string{"family", "class"}, nil),
		stats: map[string]func() api.BudgetStats{},
	}
}

func (c *budgetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.limit, c.limitHour, c.allowance, c.share, c.lastMinute, c.waits, c.rejected, c.limited, c.paused, c.waiting} {
		ch <- d
	}
}

func (c *budgetCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	families := make([]string, 0, len(c.stats))
	sources := map[string]func() api.BudgetStats{}
	for f, s := range c.stats {
		families = append(families, f)
		sources[f] = s
	}
	c.mu.Unlock()
	slices.Sort(families)
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	for _, f := range families {
		st := sources[f]() // outside the lock: it calls into the budget
		paused := 0.0
		if !st.PausedUntil.IsZero() {
			paused = 1
		}
		ch <- prometheus.MustNewConstMetric(c.limit, gauge, float64(st.LimitPerMinute), f)
		if st.LimitPerHour > 0 {
			ch <- prometheus.MustNewConstMetric(c.limitHour, gauge, float64(st.LimitPerHour), f)
		}
		ch <- prometheus.MustNewConstMetric(c.allowance, gauge, float64(st.AllowancePerMinute), f)
		ch <- prometheus.MustNewConstMetric(c.share, gauge, float64(st.SharePercent), f)
		ch <- prometheus.MustNewConstMetric(c.lastMinute, gauge, float64(st.RequestsLastMinute), f)
		ch <- prometheus.MustNewConstMetric(c.waits, counter, float64(st.Waits), f)
		ch <- prometheus.MustNewConstMetric(c.rejected, counter, float64(st.Rejected), f)
		ch <- prometheus.MustNewConstMetric(c.limited, counter, float64(st.RateLimited), f)
		ch <- prometheus.MustNewConstMetric(c.paused, gauge, paused, f)
		ch <- prometheus.MustNewConstMetric(c.waiting, gauge, float64(st.InteractiveWaiting), f, "interactive")
		ch <- prometheus.MustNewConstMetric(c.waiting, gauge, float64(st.BackgroundWaiting), f, "background")
	}
}

// cacheCollector exports CacheStats.
type cacheCollector struct {
	hits, misses, staleServes, bytes, entries *prometheus.Desc

	mu    sync.Mutex
	stats func(context.Context) (CacheStats, error)
}

func newCacheCollector() *cacheCollector {
	return &cacheCollector{
		hits: prometheus.NewDesc("dashboard_cache_hits_total",
			"Conversation cache: fresh copies served.", nil, nil),
		misses: prometheus.NewDesc("dashboard_cache_misses_total",
			"Conversation cache: answers that needed upstream.", nil, nil),
		staleServes: prometheus.NewDesc("dashboard_cache_stale_serves_total",
			"Conversation cache: stale copies served.", nil, nil),
		bytes: prometheus.NewDesc("dashboard_cache_bytes",
			"Conversation cache: stored body bytes.", nil, nil),
		entries: prometheus.NewDesc("dashboard_cache_entries",
			"Conversation cache: cached answers.", nil, nil),
	}
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.staleServes, c.bytes, c.entries} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	stats := c.stats
	c.mu.Unlock()
	if stats == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cacheStatsTimeout)
	defer cancel()
	st, err := stats(ctx)
	if err != nil {
		return
	}
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	ch <- prometheus.MustNewConstMetric(c.hits, counter, float64(st.Hits))
	ch <- prometheus.MustNewConstMetric(c.misses, counter, float64(st.Misses))
	ch <- prometheus.MustNewConstMetric(c.staleServes, counter, float64(st.StaleServes))
	ch <- prometheus.MustNewConstMetric(c.bytes, gauge, float64(st.Bytes))
	ch <- prometheus.MustNewConstMetric(c.entries, gauge, float64(st.Entries))
}
