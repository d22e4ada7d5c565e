package handlers

import (
	"errors"
	"net/http"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// ssoStart answers GET /login/oidc?next=…: it sends the browser to the
// identity provider.
func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if !h.sso.Enabled() {
		h.renderError(w, r, http.StatusNotFound, "Not found", "Single sign-on is not configured.", "Sign in with your username and password.")
		return
	}
	target, err := h.sso.Begin(w, r, next)
	if err != nil {
		h.logger.Error("single sign-on start", "err", err)
		h.renderLogin(w, r, http.StatusBadGateway, pages.Login{Next: next, SSO: true,
			Error: "The identity provider cannot be reached right now; try again, or sign in with your password."})
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// ssoCallback answers GET /login/oidc/callback: the provider's answer. The
// user is found, linked or created, and the session started, each with its
// audit entry: when the audit log cannot record it, nothing happens (503).
func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	if !h.sso.Enabled() {
		h.notFound(w, r)
		return
	}
	addr := clientAddr(r)
	id, next, err := h.sso.Complete(w, r)
	vm := pages.Login{Next: safeNext(next), SSO: true}
	if err != nil {
		h.logger.Warn("single sign-on refused", "err", err, "remote", addr, "username", id.Username)
		vm.Error = err.Error()
		status := http.StatusUnauthorized
		switch {
		case errors.Is(err, auth.ErrOIDCNoRole), errors.Is(err, auth.ErrOIDCUsername):
			status = http.StatusForbidden
		case errors.Is(err, auth.ErrOIDCState), errors.Is(err, auth.ErrOIDCDenied):
		default:
			status, vm.Error = http.StatusBadGateway, "The identity provider cannot be reached right now; try again, or sign in with your password."
		}
		if id.Username != "" || errors.Is(err, auth.ErrOIDCNoRole) {
			if aerr := h.record(r, "anonymous", audit.Record{Action: audit.ActionLoginFailed, Target: id.Username,
				Details: map[string]any{"method": auth.MethodOIDC, "reason": err.Error()}}); aerr != nil {
				vm.Error, status = notAuditedLogin, http.StatusServiceUnavailable
			}
		}
		h.renderLogin(w, r, status, vm)
		return
	}
	user, err := h.users.SignInOIDC(r.Context(), id, addr)
	if err != nil {
		status := http.StatusForbidden
		vm.Error = err.Error()
		switch {
		case errors.Is(err, auth.ErrNotAudited):
			status, vm.Error = http.StatusServiceUnavailable, notAuditedLogin
		case errors.Is(err, auth.ErrAccountDisabled), errors.Is(err, auth.ErrOIDCTaken), errors.Is(err, auth.ErrLastAdmin),
			errors.Is(err, auth.ErrOIDCNoRole), errors.Is(err, auth.ErrOIDCUsername):
		default:
			status, vm.Error = http.StatusServiceUnavailable, "Sign-in is not possible right now; please try again."
		}
		h.logger.Warn("single sign-on refused", "username", id.Username, "err", err, "remote", addr)
		h.renderLogin(w, r, status, vm)
		return
	}
	rec := &audit.Record{Actor: user.Username, ClientAddr: addr, Action: audit.ActionLogin, Target: user.Username,
		Details: map[string]any{"method": auth.MethodOIDC, "issuer": id.Issuer}}
	if err := h.sessions.Login(w, r, user, auth.MethodOIDC, addr, rec); err != nil {
		h.logger.Error("start session", "username", user.Username, "err", err)
		vm.Error = "Sign-in is not possible right now; please try again."
		if errors.Is(err, auth.ErrNotAudited) {
			vm.Error = notAuditedLogin
		}
		h.renderLogin(w, r, http.StatusServiceUnavailable, vm)
		return
	}
	h.logger.Info("login", "username", user.Username, "role", user.Role.String(), "method", auth.MethodOIDC, "remote", addr)
	http.Redirect(w, r, vm.Next, http.StatusSeeOther)
}
