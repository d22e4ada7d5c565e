package handlers

import (
	"cmp"
	"net/http"
	"net/url"

	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// liveReassign answers GET /live/conversations/{id}/reassign: the reassign
// panel of one conversation of the floor (agents ranked by internal/
// reassign), which htmx loads into the floor's action area. Its forms post
// to the usual reassign route with ?in=live, so the answers stay panels.
func (h *Handler) liveReassign(w http.ResponseWriter, r *http.Request) {
	cid, ok := h.convID(w, r, ids.Conversation, r.PathValue("id"))
	if !ok {
		return
	}
	res, err := h.casefiles.Lookup(r.Context(), casefile.Conversation(cid))
	if err != nil {
		h.renderProblem(w, r, "conversation "+cid, err)
		return
	}
	q := r.URL.Query()
	q.Set("in", "live")
	r.URL.RawQuery = q.Encode()
	panel := h.reassignPanel(r, res.Conversation, cid, nil, "")
	title := "Conversation " + shortID(cmp.Or(res.SessionID, cid))
	if c, ok := h.live.Snapshot().Conversation(cid); ok && c.QueueName != "" {
		title += " in " + c.QueueName
	}
	p := h.page(r, "Reassign", "live")
	h.render(w, r, http.StatusOK, p, pages.LiveActionPanel(title, "/conversations/"+url.PathEscape(cid), panel))
}
