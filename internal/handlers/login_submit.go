package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// notAuditedLogin is what the sign-in form says when the audit log cannot
// record the attempt.
const notAuditedLogin = "Sign-in is not possible right now: the audit log cannot record it. Try again in a moment; if it keeps happening, tell an administrator."

// loginSubmit answers POST /login (form fields username, password, next).
// Both outcomes are audited before they take effect: a failed attempt whose
// entry cannot be written is answered 503, and so is a good one, without a
// session.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.renderLogin(w, r, http.StatusBadRequest, pages.Login{Error: "The sign-in form could not be read; please try again."})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	vm := pages.Login{Username: username, Next: safeNext(r.PostForm.Get("next"))}
	if username == "" || password == "" {
		vm.Error = "Enter your username and password."
		h.renderLogin(w, r, http.StatusBadRequest, vm)
		return
	}
	ctx := r.Context()
	addr := clientAddr(r)
	wait, err := h.throttle.Check(ctx, username, addr)
	if err != nil {
		h.logger.Error("login throttle", "err", err)
		vm.Error = "Sign-in is not possible right now; please try again."
		h.renderLogin(w, r, http.StatusServiceUnavailable, vm)
		return
	}
	if wait > 0 {
		h.logger.Warn("login throttled", "username", username, "remote", addr, "retry_after", wait)
		setRetryAfter(w, wait)
		vm.Error = "Too many failed sign-in attempts from here. Try again in " + humanWait(wait) + "."
		h.renderLogin(w, r, http.StatusTooManyRequests, vm)
		return
	}
	user, err := h.users.Authenticate(ctx, username, password)
	if err != nil {
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			h.logger.Error("login", "username", username, "err", err)
			vm.Error = "Sign-in is not possible right now; please try again."
			h.renderLogin(w, r, http.StatusServiceUnavailable, vm)
			return
		}
		if err := h.throttle.Failure(ctx, username, addr); err != nil {
			h.logger.Error("login throttle", "err", err)
		}
		h.logger.Warn("login failed", "username", username, "remote", addr)
		if err := h.record(r, "anonymous", audit.Record{Action: audit.ActionLoginFailed, Target: username}); err != nil {
			vm.Error = notAuditedLogin
			h.renderLogin(w, r, http.StatusServiceUnavailable, vm)
			return
		}
		// One message for unknown user, wrong password and disabled account:
		// the form must not tell which accounts exist.
		vm.Error = "Wrong username or password."
		h.renderLogin(w, r, http.StatusUnauthorized, vm)
		return
	}
	rec := &audit.Record{Actor: user.Username, ClientAddr: addr, Action: audit.ActionLogin, Target: user.Username,
		Details: map[string]any{"method": auth.MethodPassword}}
	if err := h.sessions.Login(w, r, user, auth.MethodPassword, addr, rec); err != nil {
		h.logger.Error("start session", "username", user.Username, "err", err)
		vm.Error = "Sign-in is not possible right now; please try again."
		if errors.Is(err, auth.ErrNotAudited) {
			vm.Error = notAuditedLogin
		}
		h.renderLogin(w, r, http.StatusServiceUnavailable, vm)
		return
	}
	if err := h.throttle.Success(ctx, username, addr); err != nil {
		h.logger.Warn("login throttle", "err", err)
	}
	h.logger.Info("login", "username", user.Username, "role", user.Role.String(), "remote", addr)
	http.Redirect(w, r, vm.Next, http.StatusSeeOther)
}

// setRetryAfter sets Retry-After to wait in whole seconds, rounded up.
func setRetryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", fmt.Sprint(max(1, int(math.Ceil(wait.Seconds())))))
}

func humanWait(d time.Duration) string {
	switch {
	case d <= time.Second:
		return "a second"
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(math.Ceil(d.Seconds())))
	case d <= time.Minute:
		return "a minute"
	default:
		return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
	}
}
