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
	if isHTMX(r) && r.Header.Get("HX-Target") == "home-waits-body" {
		// The live waits refresh themselves when the floor changes.
		h.render(w, r, http.StatusOK, h.page(r, "Start", ""), pages.LiveWaitsBody(h.liveWaits(r)))
		return
	}
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
		SearchHint: "Paste a session id, a conversation id or the conversation's link from the vendor's console to open it; a customer's name, email or phone, or words from the summary, the notes or a stored transcript, list the conversations that match.",
	}
	vm.Waits = h.liveWaits(r)
	vm.Overview = h.overview(r)
	if vm.Overview != nil && len(vm.Overview.LongestWaits) > 0 {
		row := vm.Overview.LongestWaits[0]
		vm.Example = pages.ConvLink{Text: row.SessionID, Href: row.Href, Hint: "today's longest wait"}
	}
	p := h.page(r, "Start", "")
	p.Live = true
	h.render(w, r, http.StatusOK, p, pages.HomePage(vm))
}

// homeWaits is how many of the longest waits the start page lists.
const homeWaits = 10

// liveWaits are the conversations waiting right now, longest first, from
// the live floor (no upstream call).
func (h *Handler) liveWaits(r *http.Request) pages.LiveWaits {
	s := h.live.Snapshot()
	lr := h.liveReaderOf(r)
	lr.canAct = false
	now := h.clock.Now()
	vm := pages.LiveWaits{UpdatedISO: iso(s.UpdatedAt), Never: s.UpdatedAt.IsZero(), EventsURL: liveEventsPath + "?topic=changes", NowISO: iso(now)}
	if s.Err != nil {
		vm.Error = "Upstream could not be read just now (" + s.Err.Error() + "); these are the waits as last read."
	}
	for _, c := range s.Waiting {
		if !c.Waiting {
			continue
		}
		vm.Rows = append(vm.Rows, liveConvView(c, now, lr))
		if len(vm.Rows) == homeWaits {
			break
		}
	}
	return vm
}
