package handlers

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// conversationLive answers GET /conversations/{id}/live: a live audit
// view's changing parts (status, routing, timeline) as out-of-band swaps,
// which the page asks for when the stream says a new version was stored.
// Like the whole view, the read is audited before anything is shown.
func (h *Handler) conversationLive(w http.ResponseWriter, r *http.Request) {
	cid, ok := h.convID(w, r, ids.Conversation, r.PathValue("id"))
	if !ok {
		return
	}
	f, err := h.casefiles.Read(r.Context(), reader(r), casefile.View, casefile.Conversation(cid))
	if err != nil {
		h.renderProblem(w, r, "conversation "+cid, err)
		return
	}
	parts := h.refreshedSections(r, f)
	if !f.Conversation.Status.IsLive() {
		// It ended: the page stops listening.
		parts = append(parts, pages.ConvLiveEnded())
	}
	h.render(w, r, http.StatusOK, h.page(r, "Conversation", "conversations"), templ.Join(parts...))
}

// liveLinks are a live conversation's stream and sections routes.
func liveLinks(conversationID string) (events, sections string) {
	return "/live/events?conversation=" + url.QueryEscape(conversationID), "/conversations/" + url.PathEscape(conversationID) + "/live"
}
