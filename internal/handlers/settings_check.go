package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// settingsCheck answers POST /admin/settings/test: one cheap upstream call
// with a freshly minted JWT (api Client.Ping), bypassing the health cache,
// and shows upstream's exact error when it fails, on the settings page it
// redirects to.
func (h *Handler) settingsCheck(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	st, took := h.health.Recheck(ctx)
	test := &pages.UpstreamTest{OK: st.OK, Duration: took.Round(time.Millisecond).String()}
	details := map[string]any{"change": "upstream.test", "ok": st.OK}
	if !st.OK {
		test.Message = st.Error // api errors are banner-ready and never hold secrets
		details["error"] = test.Message
	}
	_ = h.record(r, "", audit.Record{Action: audit.ActionSettings, Target: "upstream", Details: details})
	// Post-redirect-get: the result is carried to the settings page under
	// an id, so the address bar stays on the page and a reload does not
	// test again.
	id := h.flashes.put(currentUser(r).Username, *test)
	http.Redirect(w, r, "/admin/settings?test="+id+"#upstream", http.StatusSeeOther)
}
