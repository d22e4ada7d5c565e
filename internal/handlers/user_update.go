package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// The user changes an admin makes from /admin/users: each ends the user's
// sessions (auth bumps their epoch) and is audited with before and after.

// userRole answers POST /admin/users/{username}/role (role).
func (h *Handler) userRole(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	role, err := auth.ParseRole(r.PostForm.Get("role"))
	if err != nil {
		h.renderUsers(w, r, http.StatusBadRequest, defaultUserForm(), errorBanner(err.Error()))
		return
	}
	h.updateUser(w, r, "role", nil, func(u *auth.User) { u.Role = role }, func(ctx context.Context, u *auth.User, rec *audit.Record) error {
		return h.users.SetRole(ctx, u.Username, role, rec)
	})
}

// userDisable answers POST /admin/users/{username}/disable.
func (h *Handler) userDisable(w http.ResponseWriter, r *http.Request) {
	h.updateUser(w, r, "disabled", nil, func(u *auth.User) { u.Disabled = true }, func(ctx context.Context, u *auth.User, rec *audit.Record) error {
		if u.ID == currentUser(r).ID {
			return errDisableSelf
		}
		return h.users.Disable(ctx, u.Username, rec)
	})
}

// userEnable answers POST /admin/users/{username}/enable.
func (h *Handler) userEnable(w http.ResponseWriter, r *http.Request) {
	h.updateUser(w, r, "enabled", nil, func(u *auth.User) { u.Disabled = false }, func(ctx context.Context, u *auth.User, rec *audit.Record) error {
		return h.users.Enable(ctx, u.Username, rec)
	})
}

// userPasswordReset answers POST /admin/users/{username}/password (password).
func (h *Handler) userPasswordReset(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	password := r.PostForm.Get("password")
	h.updateUser(w, r, "password", map[string]any{"password": "changed"}, func(*auth.User) {}, func(ctx context.Context, u *auth.User, rec *audit.Record) error {
		return h.users.SetPassword(ctx, u.Username, password, rec)
	})
}

var errDisableSelf = errors.New("you cannot disable your own account; ask another administrator")

// updateUser loads the user named in the path and applies change, which
// writes the audit entry it is given in the change's own transaction: the
// user as it was and as apply leaves it, plus extra for what the snapshot
// does not show (e.g. that the password changed). When the entry cannot be
// written nothing changes and the answer is 503.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, done string, extra map[string]any,
	apply func(*auth.User), change func(context.Context, *auth.User, *audit.Record) error) {
	ctx := r.Context()
	name := r.PathValue("username")
	before, err := h.users.ByUsername(ctx, name)
	if errors.Is(err, auth.ErrUserNotFound) {
		h.renderUsers(w, r, http.StatusNotFound, defaultUserForm(), errorBanner("There is no user "+name+"."))
		return
	}
	if err != nil {
		h.logger.Error("load user", "username", name, "err", err)
		h.renderUsers(w, r, http.StatusInternalServerError, defaultUserForm(), errorBanner("The user could not be read; try again."))
		return
	}
	after := *before
	apply(&after)
	details := map[string]any{"change": done, "before": userSnapshot(before), "after": userSnapshot(&after)}
	for k, v := range extra {
		details[k] = v
	}
	rec := h.auditRecord(r, audit.Record{Action: audit.ActionUserUpdate, Target: before.Username, Details: details})
	if err := change(ctx, before, rec); err != nil {
		status := http.StatusInternalServerError
		msg := "The change could not be saved; try again."
		switch {
		case errors.Is(err, auth.ErrNotAudited):
			h.logger.Error("update user", "username", name, "change", done, "err", err)
			status, msg = http.StatusServiceUnavailable, err.Error()+"; try again in a moment."
		case errors.Is(err, auth.ErrLastAdmin):
			status, msg = http.StatusConflict, err.Error()+": make someone else an admin first."
		case errors.Is(err, errDisableSelf):
			status, msg = http.StatusBadRequest, err.Error()
		case errors.Is(err, auth.ErrWeakPassword), errors.Is(err, auth.ErrInvalidRole):
			status, msg = http.StatusBadRequest, err.Error()
		case errors.Is(err, auth.ErrUserNotFound):
			status, msg = http.StatusNotFound, "There is no user "+name+"."
		default:
			h.logger.Error("update user", "username", name, "change", done, "err", err)
		}
		h.renderUsers(w, r, status, defaultUserForm(), errorBanner(msg))
		return
	}
	me := currentUser(r)
	h.logger.Info("user changed", "username", before.Username, "change", done, "by", me.Username)
	if before.ID == me.ID && done != "enabled" {
		// The change ended this admin's own sessions too; keep this one.
		h.renewSession(w, r, before.ID)
		if !after.Role.AtLeast(auth.RoleAdmin) {
			seeOther(w, r, "/account") // no longer allowed on /admin/users
			return
		}
	}
	seeOther(w, r, "/admin/users?done="+done+"&user="+url.QueryEscape(before.Username))
}

// renewSession signs the current browser in again after a change that ended
// all of the user's sessions, so only the other devices are signed out.
func (h *Handler) renewSession(w http.ResponseWriter, r *http.Request, id int64) {
	u, err := h.users.ByID(r.Context(), id)
	if err == nil && !u.Disabled {
		method := auth.MethodPassword
		if s, ok := currentSession(r); ok {
			method = s.Method
		}
		err = h.sessions.Login(w, r, u, method, clientAddr(r), nil)
	}
	if err != nil {
		h.logger.Warn("renew session after own change", "err", err)
	}
}

func defaultUserForm() pages.UserForm { return pages.UserForm{Role: auth.RoleViewer.String()} }
