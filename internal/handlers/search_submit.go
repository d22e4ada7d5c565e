package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/teamlead/dashboard/internal/ids"
)

// searchSubmit answers GET /search?q=…, the one search box: a session id,
// a conversation id, or a vendor console link holding either goes straight
// to the audit view; anything else (a customer's name, email or phone,
// words from a summary or notes) lands on the conversation list filtered
// by it. Viewers may not search by email or phone (see privacy).
func (h *Handler) searchSubmit(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if target := idTarget(q); target != "" {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	if q == "" {
		http.Redirect(w, r, "/conversations", http.StatusSeeOther)
		return
	}
	if msg := currentUser(r).Role.Privacy().SearchRefusal(q); msg != "" {
		p := h.page(r, "Search not allowed", "")
		p.Query = q
		h.renderErrorPage(w, r, http.StatusForbidden, p, "Search not allowed", msg,
			"A session id, a conversation id or a link to the conversation in the vendor's console opens it directly.")
		return
	}
	http.Redirect(w, r, "/conversations?"+url.Values{"text": {q}}.Encode(), http.StatusSeeOther)
}

// idTarget is the audit view an id (or a pasted link holding one) opens,
// or "".
func idTarget(q string) string {
	switch kind, id := ids.Find(q); kind {
	case ids.Session:
		return "/sessions/" + url.PathEscape(id)
	case ids.Conversation:
		return "/conversations/" + url.PathEscape(id)
	}
	return ""
}
