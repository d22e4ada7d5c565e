package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/internal/audit"
)

// logoutSubmit answers POST /logout: the cookie is cleared and the browser
// goes back to the sign-in page, which confirms the sign-out.
func (h *Handler) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	h.sessions.Logout(w, r)
	if u := currentUser(r); u != nil {
		h.logger.Info("logout", "username", u.Username)
		_ = h.record(r, u.Username, audit.Record{Action: audit.ActionLogout, Target: u.Username})
	}
	// The sign-in page confirms it ("You are signed out").
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", signedOutURL)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, signedOutURL, http.StatusSeeOther)
}

// signedOutURL is where a sign-out lands.
const signedOutURL = "/login?signed_out=1"
