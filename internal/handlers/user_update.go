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
	h.updateUser(w, r, "role", map[string]any{"role": role.String()}, func(ctx context.Context, u *auth.User) error {
		return h.users.SetRole(ctx, u.Username, role)
	})
}

// userDisable answers POST /admin/users/{username}/disable.
func (h *Handler) userDisable(w http.ResponseWriter, r *http.Request) {
	h.updateUser(w, r, "disabled", nil, func(ctx context.Context, u *auth.User) error {
		if u.ID == currentUser(r).ID {
			return errDisableSelf
		}
		return h.users.Disable(ctx, u.Username)
	})
}

// userEnable answers POST /admin/users/{username}/enable.
func (h *Handler) userEnable(w http.ResponseWriter, r *http.Request) {
	h.updateUser(w, r, "enabled", nil, func(ctx context.Context, u *auth.User) error {
		return h.users.Enable(ctx, u.Username)
	})
}

// userPasswordReset answers POST /admin/users/{username}/password (password).
func (h *Handler) userPasswordReset(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	password := r.PostForm.Get("password")
	h.updateUser(w, r, "password", map[string]any{"password": "changed"}, func(ctx context.Context, u *auth.User) error {
		return h.users.SetPassword(ctx, u.Username, password)
	})
}

var errDisableSelf = errors.New("you cannot disable your own account; ask another administrator")

// updateUser loads the user named in the path, applies change, and audits
// the user as it was and is. extra adds what the snapshot does not show
// (e.g. that the password changed).
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, done string, extra map[string]any, change func(context.Context, *auth.User) error) {
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
	if err := change(ctx, before); err != nil {
		status := http.StatusInternalServerError
		msg := "The change could not be saved; try again."
		switch {
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
	after, err := h.users.ByUsername(ctx, name)
	if err != nil {
		after = before
	}
	details := map[string]any{"change": done, "before": userSnapshot(before), "after": userSnapshot(after)}
	for k, v := range extra {
		details[k] = v
	}
	me := currentUser(r)
	h.logger.Info("user changed", "username", before.Username, "change", done, "by", me.Username)
	_ = h.record(r, "", audit.Record{Action: audit.ActionUserUpdate, Target: before.Username, Details: details})
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
		err = h.sessions.Login(w, r, u)
	}
	if err != nil {
		h.logger.Warn("renew session after own change", "err", err)
	}
}

func defaultUserForm() pages.UserForm { return pages.UserForm{Role: auth.RoleViewer.String()} }
