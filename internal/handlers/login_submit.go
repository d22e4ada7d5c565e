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

// loginSubmit answers POST /login (form fields username, password, next).
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
	addr := clientAddr(r)
	if wait, ok := h.throttle.Check(username, addr); !ok {
		h.logger.Warn("login throttled", "username", username, "remote", addr, "retry_after", wait)
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		vm.Error = "Too many failed sign-in attempts. Try again in " + humanWait(wait) + "."
		h.renderLogin(w, r, http.StatusTooManyRequests, vm)
		return
	}
	user, err := h.users.Authenticate(r.Context(), username, password)
	if err != nil {
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			h.logger.Error("login", "username", username, "err", err)
			vm.Error = "Sign-in is not possible right now; please try again."
			h.renderLogin(w, r, http.StatusServiceUnavailable, vm)
			return
		}
		h.throttle.Failure(username, addr)
		h.logger.Warn("login failed", "username", username, "remote", addr)
		_ = h.record(r, "anonymous", audit.Record{Action: audit.ActionLoginFailed, Target: username})
		// One message for unknown user, wrong password and disabled account:
		// the form must not tell which accounts exist.
		vm.Error = "Wrong username or password."
		h.renderLogin(w, r, http.StatusUnauthorized, vm)
		return
	}
	h.throttle.Success(username, addr)
	if err := h.sessions.Login(w, r, user); err != nil {
		h.logger.Error("save session", "err", err)
		vm.Error = "Sign-in is not possible right now; please try again."
		h.renderLogin(w, r, http.StatusInternalServerError, vm)
		return
	}
	h.logger.Info("login", "username", user.Username, "role", user.Role.String(), "remote", addr)
	_ = h.record(r, user.Username, audit.Record{Action: audit.ActionLogin, Target: user.Username})
	http.Redirect(w, r, vm.Next, http.StatusSeeOther)
}

func humanWait(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return "a minute"
	default:
		return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
	}
}
