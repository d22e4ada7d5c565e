package handlers

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/metrics"
)

// registerMetrics hands the optional budget and cache to the metrics, which
// read them at scrape time.
func (a *adminState) registerMetrics(now func() time.Time) {
	if b := a.budget; b != nil {
		a.metrics.SetBudget(b.Stats, now)
	}
	if c := a.cache; c != nil {
		a.metrics.SetCache(func(ctx context.Context) (metrics.CacheStats, error) {
			st, err := c.Stats(ctx)
			return metrics.CacheStats{Hits: st.Hits, Misses: st.Misses, StaleServes: st.StaleServes,
				Entries: st.Entries, Bytes: st.Bytes}, err
		})
	}
}

// metricsShow answers GET /metrics in the Prometheus exposition format, to
// admins or to a scraper on the same host.
func (h *Handler) metricsShow(w http.ResponseWriter, r *http.Request) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		if h.admin.budget != nil {
			h.admin.budgetHistory.sample(h.now(), h.admin.budget.Stats())
		}
		w.Header().Set("Cache-Control", "no-store")
		h.admin.metrics.Handler().ServeHTTP(w, r)
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
