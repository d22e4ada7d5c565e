package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/web/templates/layouts"
)

// Helpers shared by the administration screens.

// adminPage is h.page with banners.
func (h *Handler) adminPage(r *http.Request, title, nav string, banners ...layouts.Banner) layouts.Page {
	p := h.page(r, title, nav)
	for _, b := range banners {
		if b.Message != "" {
			p.Banners = append(p.Banners, b)
		}
	}
	return p
}

// parseAdminForm reads a small form body; false means a 400 was written.
func (h *Handler) parseAdminForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Form not readable", "The form could not be read.", "Go back and try again.")
		return false
	}
	return true
}

func okBanner(msg string) layouts.Banner    { return layouts.Banner{Kind: "ok", Message: msg} }
func errorBanner(msg string) layouts.Banner { return layouts.Banner{Kind: "error", Message: msg} }

// seeOther redirects after a successful POST, so a reload does not repeat it.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}
