package handlers

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/teamlead/dashboard/internal/auth"
)

// metricsShow answers GET /metrics in the Prometheus exposition format: to
// a scraper presenting the configured bearer token, to a scraper on this
// host that addresses it as this host, and otherwise to admins.
func (h *Handler) metricsShow(w http.ResponseWriter, r *http.Request) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.metrics.Handler().ServeHTTP(w, r)
	}
	if raw, ok := bearer(r); ok {
		if h.metricsToken == "" || subtle.ConstantTimeCompare([]byte(raw), []byte(h.metricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "invalid metrics token", http.StatusUnauthorized)
			return
		}
		serve(w, r)
		return
	}
	if fromLoopback(r) {
		serve(w, r)
		return
	}
	h.require(auth.RoleAdmin, serve).ServeHTTP(w, r)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	v := r.Header.Get("Authorization")
	if len(v) < 7 || !strings.EqualFold(v[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(v[7:]), true
}

// fromLoopback reports whether the request comes from this host directly
// and names this host. A request relayed by a reverse proxy on the same
// host also arrives from loopback, so one carrying forwarding headers does
// not count: it came from somewhere else. Neither does one whose Host is
// another name: a page elsewhere whose name was made to resolve to
// 127.0.0.1 (DNS rebinding) reaches the server from loopback too, but
// cannot make the browser send a loopback Host.
func fromLoopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	ip := net.ParseIP(clientAddr(r))
	return ip != nil && ip.IsLoopback() && loopbackHost(r.Host)
}

// loopbackHost reports whether a Host header names this machine's
// loopback: localhost, 127.0.0.0/8 or ::1, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
