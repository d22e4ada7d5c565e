package handlers

import (
	"fmt"
	"net/http"

	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// userNotices are the confirmations shown after a redirect; the query says
// which one and for whom, so no free text travels in the URL.
var userNotices = map[string]string{
	"created":  "Added user %s.",
	"role":     "Changed the role of %s; their sessions ended.",
	"disabled": "Disabled %s; their sessions ended.",
	"enabled":  "Enabled %s.",
	"password": "Reset the password of %s; their sessions ended.",
}

// userList answers GET /admin/users.
func (h *Handler) userList(w http.ResponseWriter, r *http.Request) {
	var banners []layouts.Banner
	if f, ok := userNotices[r.URL.Query().Get("done")]; ok {
		banners = append(banners, okBanner(fmt.Sprintf(f, r.URL.Query().Get("user"))))
	}
	h.renderUsers(w, r, http.StatusOK, pages.UserForm{Role: auth.RoleViewer.String()}, banners...)
}

// renderUsers shows the user list with the create form as given.
func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, form pages.UserForm, banners ...layouts.Banner) {
	users, err := h.users.List(r.Context())
	if err != nil {
		h.logger.Error("list users", "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "Users unavailable", "The user list could not be read.", "Try again in a moment.")
		return
	}
	loc := viewerLocation(r)
	me := currentUser(r)
	vm := pages.AdminUsers{Form: form}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleLead, auth.RoleAdmin} {
		vm.Roles = append(vm.Roles, role.String())
	}
	for _, u := range users {
		vm.Users = append(vm.Users, pages.AdminUser{
			Username: u.Username,
			Role:     u.Role.String(),
			Disabled: u.Disabled,
			Self:     me != nil && me.ID == u.ID,
			TimeZone: u.TimeZone,
			Created:  display.Time(u.CreatedAt, loc),
			Updated:  display.Time(u.UpdatedAt, loc),
		})
	}
	h.render(w, r, status, h.adminPage(r, "Users", "admin", banners...), pages.AdminUsersPage(vm))
}
