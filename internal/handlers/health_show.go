package handlers

import (
	"context"
	"net/http"
	"time"
)

// healthShow answers GET /healthz for load balancers and monitoring: 503
// only when the database is down; an unreachable upstream is "degraded". It
// never needs a login and never reveals credentials.
func (h *Handler) healthShow(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	rep := h.health.Check(ctx)
	status := http.StatusOK
	if !rep.Healthy() {
		status = http.StatusServiceUnavailable
	}
	h.writeJSON(w, status, rep)
}
