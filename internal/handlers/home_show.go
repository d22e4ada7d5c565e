package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// homeShow answers GET /: where to start an audit, and whether upstream is
// reachable right now (checked at most once per check TTL, and waited for
// until the page's cutoff at most).
func (h *Handler) homeShow(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	up := h.health.Upstream(r.Context())
	status := pages.UpstreamStatus{
		Mode:      "live",
		BaseURL:   h.info.BaseURL,
		BotID:     h.info.BotID,
		Checked:   !up.CheckedAt.IsZero(),
		Reachable: up.OK,
		Error:     up.Error,
	}
	if h.info.Demo {
		status.Mode = "demo (built-in simulator)"
	}
	if status.Checked {
		status.CheckedAt = display.Time(up.CheckedAt, viewerLocation(r))
	}
	vm := pages.Home{
		Username:   u.Username,
		Upstream:   status,
		SearchHint: "Paste a session id, a conversation id or the conversation's link from the vendor's console to open it; a customer's name, email or phone, or words from the summary or notes, list the conversations that match.",
	}
	vm.Overview = h.overview(r)
	if vm.Overview != nil && len(vm.Overview.LongestWaits) > 0 {
		row := vm.Overview.LongestWaits[0]
		vm.Example = pages.ConvLink{Text: row.SessionID, Href: row.Href, Hint: "today's longest wait"}
	}
	h.render(w, r, http.StatusOK, h.page(r, "Start", ""), pages.HomePage(vm))
}
