package handlers

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/teamlead/dashboard/web/templates/pages"
)

// loginShow answers GET /login; a signed-in user goes straight on.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, _, ok := h.sessionUser(w, r); ok {
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
	vm.SSO = h.sso.Enabled()
	if vm.SSO {
		vm.SSOHref = "/login/oidc?next=" + url.QueryEscape(cmp.Or(vm.Next, "/"))
	}
	h.render(w, r, status, h.page(r, "Sign in", ""), pages.LoginForm(vm))
}

// maxNext bounds the post-login target; a longer one is not a link the
// dashboard made.
const maxNext = 2000

// safeNext keeps a post-login redirect on this site. It accepts only a
// same-origin path ("/…", optionally with a query and fragment) made of
// printable ASCII without backslashes, whose path, percent-decoded as often
// as it decodes, still starts with a single "/" and holds no control
// character or backslash. Everything else becomes "/": "//evil.example",
// "/\evil.example", schemes, "/%09/evil.example" (browsers drop tabs and
// newlines, leaving "//evil.example"), and their encoded variants. Links the
// dashboard makes itself (Request.URL.RequestURI) always pass.
func safeNext(next string) string {
	if next == "" || len(next) > maxNext || next[0] != '/' {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	p := u.EscapedPath()
	for range 4 {
		if !pathStaysLocal(p) {
			return "/"
		}
		d, err := url.PathUnescape(p)
		if err != nil {
			return "/"
		}
		if d == p {
			return next
		}
		p = d
	}
	// Still decoding after four rounds: not a link anyone made honestly.
	return "/"
}

// pathStaysLocal reports whether p starts with exactly one slash and holds
// no control character or backslash.
func pathStaysLocal(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' || r == utf8.RuneError })
}
