package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/a-h/templ"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// page builds the frame's view model for the current request.
func (h *Handler) page(r *http.Request, title, nav string) layouts.Page {
	p := layouts.Page{Title: title, Demo: h.info.Demo, ActiveNav: nav, Assets: h.assets}
	if u := currentUser(r); u != nil {
		p.User = &layouts.User{Username: u.Username, Role: u.Role.String()}
	}
	return p
}

// render writes a full page, or only the content for an htmx request that
// targets part of the page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p layouts.Page, content templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	var c templ.Component
	if isHTMX(r) && r.Header.Get("HX-Boosted") != "true" {
		c = content
	} else {
		c = layouts.Base(p)
		ctx := templ.WithChildren(r.Context(), content)
		if err := c.Render(ctx, w); err != nil {
			h.logger.Error("render page", "path", r.URL.Path, "err", err)
		}
		return
	}
	if err := c.Render(r.Context(), w); err != nil {
		h.logger.Error("render fragment", "path", r.URL.Path, "err", err)
	}
}

// renderError shows a readable error page with the right status code.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, title, message, hint string) {
	if status >= 500 && r.Context().Err() == nil {
		h.logger.Error("error page", "path", r.URL.Path, "status", status, "message", message)
	}
	h.renderErrorPage(w, r, status, h.page(r, title, ""), title, message, hint)
}

// renderErrorPage is renderError with a frame the caller prepared, e.g. to
// keep what was typed in the search box.
func (h *Handler) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, p layouts.Page, title, message, hint string) {
	h.render(w, r, status, p, pages.ErrorPage(pages.Error{Status: status, Title: title, Message: message, Hint: hint}))
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	// Show the frame with navigation to signed-in users; the page never
	// says whether something exists to anyone else.
	if u, _, ok := h.sessionUser(w, r); ok {
		r = r.WithContext(contextWithUser(r, u))
	}
	h.renderError(w, r, http.StatusNotFound, "Not found", "There is no page at this address.", "Check the link, or use the search box to look up a session.")
}

func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		h.logger.Error("write json", "err", err)
	}
}
