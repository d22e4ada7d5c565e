package handlers

import (
	"errors"
	"fmt"
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
	ctx := r.Context()
	wait, err := h.throttle.Check(ctx, u.Username, addr)
	if err != nil {
		h.logger.Error("password throttle", "err", err)
		h.renderAccount(w, r, http.StatusServiceUnavailable, errorBanner("The password could not be checked; try again."))
		return
	}
	if wait > 0 {
		setRetryAfter(w, wait)
		h.renderAccount(w, r, http.StatusTooManyRequests, errorBanner("Too many wrong passwords. Try again in "+humanWait(wait)+"."))
		return
	}
	if _, err := h.users.Authenticate(ctx, u.Username, current); err != nil {
		if errors.Is(err, auth.ErrInvalidCredentials) {
			if err := h.throttle.Failure(ctx, u.Username, addr); err != nil {
				h.logger.Error("password throttle", "err", err)
			}
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
	rec := h.auditRecord(r, audit.Record{Action: audit.ActionUserUpdate, Target: u.Username,
		Details: map[string]any{"change": "password", "by": "self"}})
	if err := h.users.SetPassword(ctx, u.Username, next, rec); err != nil {
		if errors.Is(err, auth.ErrWeakPassword) {
			h.renderAccount(w, r, http.StatusBadRequest, errorBanner(err.Error()))
			return
		}
		if errors.Is(err, auth.ErrNotAudited) {
			h.logger.Error("set password", "err", err)
			h.renderAccount(w, r, http.StatusServiceUnavailable, errorBanner(err.Error()+"; try again in a moment."))
			return
		}
		h.logger.Error("set password", "err", err)
		h.renderAccount(w, r, http.StatusInternalServerError, errorBanner("The password could not be changed; try again."))
		return
	}
	if err := h.throttle.Success(ctx, u.Username, addr); err != nil {
		h.logger.Warn("password throttle", "err", err)
	}
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
	rec := h.auditRecord(r, audit.Record{Action: audit.ActionUserUpdate, Target: u.Username,
		Details: map[string]any{"change": "timeZone", "before": map[string]any{"timeZone": u.TimeZone}, "after": map[string]any{"timeZone": tz}}})
	if err := h.users.SetTimeZone(r.Context(), u.ID, tz, rec); err != nil {
		if errors.Is(err, auth.ErrInvalidTimeZone) {
			h.renderAccount(w, r, http.StatusBadRequest, errorBanner(fmt.Sprintf("%q is not a time zone the dashboard knows; use an IANA name such as Europe/Berlin.", tz)))
			return
		}
		if errors.Is(err, auth.ErrNotAudited) {
			h.logger.Error("set time zone", "err", err)
			h.renderAccount(w, r, http.StatusServiceUnavailable, errorBanner(err.Error()+"; try again in a moment."))
			return
		}
		h.logger.Error("set time zone", "err", err)
		h.renderAccount(w, r, http.StatusInternalServerError, errorBanner("The time zone could not be saved; try again."))
		return
	}
	seeOther(w, r, "/account?done=timezone")
}

// accountLogoutEverywhere answers POST /account/logout-everywhere: every
// session of the user ends on the server, then this browser signs out.
func (h *Handler) accountLogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if err := h.sessions.EndAll(r.Context(), u.ID); err != nil {
		h.logger.Error("log out everywhere", "err", err)
		h.renderAccount(w, r, http.StatusServiceUnavailable, errorBanner("Your sessions could not be ended; try again."))
		return
	}
	_ = h.sessions.Logout(w, r)
	h.logger.Info("logout everywhere", "username", u.Username)
	_ = h.record(r, "", audit.Record{Action: audit.ActionLogout, Target: u.Username, Details: map[string]any{"everywhere": true}})
	seeOther(w, r, "/login")
}
