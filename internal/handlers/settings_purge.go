package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
)

// settingsPurge answers POST /admin/settings/purge: the conversation cache
// drops what it holds, except snapshots the audit log refers to.
func (h *Handler) settingsPurge(w http.ResponseWriter, r *http.Request) {
	before := map[string]any{}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	if st, err := h.convs.Stats(ctx); err == nil {
		before = map[string]any{"entries": st.Entries, "snapshots": st.Snapshots, "bytes": st.Bytes}
	}
	res, err := h.convs.Purge(ctx)
	if err != nil {
		h.logger.Error("cache purge", "err", err)
		_ = h.record(r, "", audit.Record{Action: audit.ActionSettings, Target: "cache",
			Details: map[string]any{"change": "cache.purge", "ok": false, "error": err.Error(), "before": before}})
		h.renderSettings(w, r, http.StatusInternalServerError, nil, errorBanner("The cache could not be purged: "+err.Error()))
		return
	}
	_ = h.record(r, "", audit.Record{Action: audit.ActionSettings, Target: "cache",
		Details: map[string]any{"change": "cache.purge", "ok": true, "before": before,
			"removed": res.Removed, "keptForAudit": res.Kept, "freedBytes": res.FreedBytes}})
	h.renderSettings(w, r, http.StatusOK, nil, okBanner(fmt.Sprintf("Cache purged: %d removed, %d kept because the audit log refers to them, %s freed.",
		res.Removed, res.Kept, humanBytes(res.FreedBytes))))
}
