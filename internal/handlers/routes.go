package handlers

import (
	"errors"
	"net/http"

	"github.com/teamlead/dashboard/internal/auth"
)

// New returns the dashboard's whole HTTP handler: every route, wrapped in
// recovery, request logging, security headers and cross-origin protection.
func New(d Deps) (http.Handler, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, err
	}
	return h.routes(), nil
}

func newHandler(d Deps) (*Handler, error) {
	if d.Users == nil || d.Sessions == nil || d.Throttle == nil || d.Database == nil || d.Upstream == nil || d.Audit == nil || d.Static == nil {
		return nil, errors.New("handlers: missing dependency")
	}
	h := &Handler{
		users:    d.Users,
		sessions: d.Sessions,
		throttle: d.Throttle,
		database: d.Database,
		audit:    d.Audit,
		info:     d.Info,
		static:   d.Static,
		logger:   d.Logger,
		now:      d.Now,
	}
	if h.logger == nil {
		h.logger = discardLogger()
	}
	if h.now == nil {
		h.now = timeNow
	}
	ttl := d.UpstreamCheckTTL
	if ttl <= 0 {
		ttl = defaultUpstreamCheckTTL
	}
	h.upstream = newHealthCache(d.Upstream, ttl, h.now)
	assets, err := fingerprintAssets(d.Static)
	if err != nil {
		return nil, err
	}
	h.assets = assets
	return h, nil
}

// routes lists every route of the dashboard.
func (h *Handler) routes() http.Handler {
	viewer := auth.RoleViewer
	mux := http.NewServeMux()
	mux.Handle("GET /static/", h.staticFiles())
	mux.HandleFunc("GET /healthz", h.healthShow)
	mux.HandleFunc("GET /login", h.loginShow)
	mux.HandleFunc("POST /login", h.loginSubmit)
	mux.Handle("POST /logout", h.require(viewer, h.logoutSubmit))
	mux.Handle("GET /{$}", h.require(viewer, h.homeShow))
	mux.Handle("GET /search", h.require(viewer, h.searchSubmit))
	mux.HandleFunc("/", h.notFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	return h.recoverPanics(h.logRequests(securityHeaders(cop.Handler(mux))))
}
