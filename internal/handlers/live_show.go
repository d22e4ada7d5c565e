package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/web/templates/pages"
)

// liveShow answers GET /live: the floor (queues, who waits, alerts), kept
// current by the stream at /live/events. With ?board=1 it is the
// wallboard: large type, no navigation and no controls. Viewers see
// customers masked and no actions.
func (h *Handler) liveShow(w http.ResponseWriter, r *http.Request) {
	lr := h.liveReaderOf(r)
	s := h.live.Snapshot()
	vm := liveFloorView(s, h.clock.Now(), lr)
	p := h.page(r, "Live floor", "live")
	p.Live, p.Board = true, lr.board
	if n := len(vm.Alerts); n > 0 {
		p.Title = vm.Title[:len(vm.Title)-len(" · Dashboard")]
	}
	h.render(w, r, http.StatusOK, p, pages.LivePage(vm))
}

// liveFloor answers GET /live/floor: the floor fragment alone, what the
// stream pushes, for pages that fall back to polling when no event gets
// through (a proxy that buffers streams).
func (h *Handler) liveFloor(w http.ResponseWriter, r *http.Request) {
	b, err := h.floorHTML(r.Context(), h.live.Snapshot(), h.liveReaderOf(r))
	if err != nil {
		h.logger.Error("render live floor", "err", err)
		http.Error(w, "the floor could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
