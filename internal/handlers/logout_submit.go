package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/internal/audit"
)

// logoutSubmit answers POST /logout: the session ends on the server, so
// copies of its cookie stop working too, the cookie is cleared and the
// browser goes back to the sign-in page, which confirms the sign-out.
// Ending a session never waits on the audit log: an entry that cannot be
// written is logged.
func (h *Handler) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.Logout(w, r); err != nil {
		h.logger.Error("logout", "err", err)
		h.renderError(w, r, http.StatusServiceUnavailable, "Not signed out",
			"Your session could not be ended on the server; this browser forgot it, but a copy of it would still work.",
			"Try again, or use “Sign out everywhere” on your account page.")
		return
	}
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
