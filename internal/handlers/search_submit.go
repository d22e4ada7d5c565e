package handlers

import (
	"net/http"
	"net/url"

	"github.com/teamlead/dashboard/internal/ids"
)

// searchSubmit answers GET /search?q=…: a session id or conversation id
// goes to its audit view; anything else gets a 400 that says what an id
// looks like.
func (h *Handler) searchSubmit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	switch kind, id := ids.Classify(q); kind {
	case ids.Session:
		http.Redirect(w, r, "/sessions/"+url.PathEscape(id), http.StatusSeeOther)
	case ids.Conversation:
		http.Redirect(w, r, "/conversations/"+url.PathEscape(id), http.StatusSeeOther)
	default:
		p := h.page(r, "Not an id", "")
		p.Query = q
		h.renderErrorPage(w, r, http.StatusBadRequest, p, "Not a session or conversation id",
			"That is not an id the dashboard can look up.",
			"Paste a session id or a conversation id: "+ids.SessionHelp+"; "+ids.ConversationHelp+".")
	}
}
