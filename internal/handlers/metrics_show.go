package handlers

import (
	"net"
	"net/http"

	"github.com/teamlead/dashboard/internal/auth"
)

// metricsShow answers GET /metrics in the Prometheus exposition format, to
// admins or to a scraper on the same host.
func (h *Handler) metricsShow(w http.ResponseWriter, r *http.Request) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.metrics.Handler().ServeHTTP(w, r)
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
