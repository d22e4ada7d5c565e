package handlers

import (
	"net/http"
	"strings"

	"github.com/teamlead/dashboard/web/templates/pages"
)

// loginShow answers GET /login; a signed-in user goes straight on.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := h.sessionUser(w, r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	vm := pages.Login{Next: next}
	if r.URL.Query().Get("signed_out") != "" {
		vm.Notice = "You are signed out."
	}
	h.renderLogin(w, r, http.StatusOK, vm)
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, vm pages.Login) {
	h.render(w, r, status, h.page(r, "Sign in", ""), pages.LoginForm(vm))
}

// safeNext keeps a post-login redirect on this site: only a local absolute
// path is accepted, never "//evil.example" or "/\evil.example".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") || len(next) > 2000 {
		return "/"
	}
	return next
}
