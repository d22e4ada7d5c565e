package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
)

// accountPassword answers POST /account/password (current, password,
// confirm). The current password is required, and wrong guesses count
// against the login throttle, so a hijacked session cannot take the account
// over or guess the password quickly.
func (h *Handler) accountPassword(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	u := currentUser(r)
	current, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("password"), r.PostForm.Get("confirm")
	addr := clientAddr(r)
	if wait, ok := h.throttle.Check(u.Username, addr); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		h.renderAccount(w, r, http.StatusTooManyRequests, errorBanner("Too many wrong passwords. Try again in "+humanWait(wait)+"."))
		return
	}
	if _, err := h.users.Authenticate(r.Context(), u.Username, current); err != nil {
		if errors.Is(err, auth.ErrInvalidCredentials) {
			h.throttle.Failure(u.Username, addr)
			h.renderAccount(w, r, http.StatusBadRequest, errorBanner("Your current password is not right."))
			return
		}
		h.logger.Error("check password", "err", err)
		h.renderAccount(w, r, http.StatusServiceUnavailable, errorBanner("The password could not be checked; try again."))
		return
	}
	if next != confirm {
		h.renderAccount(w, r, http.StatusBadRequest, errorBanner("The two new passwords differ."))
		return
	}
	if err := h.users.SetPassword(r.Context(), u.Username, next); err != nil {
		if errors.Is(err, auth.ErrWeakPassword) {
			h.renderAccount(w, r, http.StatusBadRequest, errorBanner(err.Error()))
			return
		}
		h.logger.Error("set password", "err", err)
		h.renderAccount(w, r, http.StatusInternalServerError, errorBanner("The password could not be changed; try again."))
		return
	}
	h.throttle.Success(u.Username, addr)
	_ = h.record(r, "", audit.Record{Action: audit.ActionUserUpdate, Target: u.Username,
		Details: map[string]any{"change": "password", "by": "self"}})
	// SetPassword ended every session, this one included; keep this one.
	h.renewSession(w, r, u.ID)
	seeOther(w, r, "/account?done=password")
}

// accountTimeZone answers POST /account/timezone (tz; empty follows the
// browser).
func (h *Handler) accountTimeZone(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	u := currentUser(r)
	tz := strings.TrimSpace(r.PostForm.Get("tz"))
	if err := h.users.SetTimeZone(r.Context(), u.ID, tz); err != nil {
		if errors.Is(err, auth.ErrInvalidTimeZone) {
			h.renderAccount(w, r, http.StatusBadRequest, errorBanner(fmt.Sprintf("%q is not a time zone the dashboard knows; use an IANA name such as Europe/Berlin.", tz)))
			return
		}
		h.logger.Error("set time zone", "err", err)
		h.renderAccount(w, r, http.StatusInternalServerError, errorBanner("The time zone could not be saved; try again."))
		return
	}
	_ = h.record(r, "", audit.Record{Action: audit.ActionUserUpdate, Target: u.Username,
		Details: map[string]any{"change": "timeZone", "before": map[string]any{"timeZone": u.TimeZone}, "after": map[string]any{"timeZone": tz}}})
	seeOther(w, r, "/account?done=timezone")
}

// accountLogoutEverywhere answers POST /account/logout-everywhere: every
// session of the user ends (Users.BumpEpoch), then this browser signs out.
func (h *Handler) accountLogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if err := h.users.BumpEpoch(r.Context(), u.ID); err != nil {
		h.logger.Error("log out everywhere", "err", err)
		h.renderAccount(w, r, http.StatusInternalServerError, errorBanner("Your sessions could not be ended; try again."))
		return
	}
	h.sessions.Logout(w, r)
	h.logger.Info("logout everywhere", "username", u.Username)
	_ = h.record(r, "", audit.Record{Action: audit.ActionLogout, Target: u.Username, Details: map[string]any{"everywhere": true}})
	seeOther(w, r, "/login")
}
