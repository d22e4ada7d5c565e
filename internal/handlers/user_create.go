package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// userCreate answers POST /admin/users (username, role, password).
func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	form := pages.UserForm{Username: strings.TrimSpace(r.PostForm.Get("username")), Role: r.PostForm.Get("role")}
	role, err := auth.ParseRole(form.Role)
	if err != nil {
		h.renderUsers(w, r, http.StatusBadRequest, form, errorBanner(err.Error()))
		return
	}
	after := auth.User{Username: form.Username, Role: role}
	rec := h.auditRecord(r, audit.Record{Action: audit.ActionUserCreate, Target: form.Username,
		Details: map[string]any{"after": userSnapshot(&after)}})
	u, err := h.users.Create(r.Context(), form.Username, r.PostForm.Get("password"), role, rec)
	switch {
	case errors.Is(err, auth.ErrNotAudited):
		h.logger.Error("create user", "username", form.Username, "err", err)
		h.renderUsers(w, r, http.StatusServiceUnavailable, form, errorBanner(err.Error()+"; try again in a moment."))
		return
	case errors.Is(err, auth.ErrUserExists):
		h.renderUsers(w, r, http.StatusConflict, form, errorBanner(err.Error()))
		return
	case errors.Is(err, auth.ErrInvalidUsername), errors.Is(err, auth.ErrWeakPassword):
		h.renderUsers(w, r, http.StatusBadRequest, form, errorBanner(err.Error()))
		return
	case err != nil:
		h.logger.Error("create user", "username", form.Username, "err", err)
		h.renderUsers(w, r, http.StatusInternalServerError, form, errorBanner("The user could not be created; try again."))
		return
	}
	h.logger.Info("user created", "username", u.Username, "role", u.Role.String(), "by", currentUser(r).Username)
	seeOther(w, r, "/admin/users?done=created&user="+url.QueryEscape(u.Username))
}

// userSnapshot is what the audit log keeps of a user before and after a
// change; never the password hash.
func userSnapshot(u *auth.User) map[string]any {
	return map[string]any{"role": u.Role.String(), "disabled": u.Disabled, "timeZone": u.TimeZone}
}
