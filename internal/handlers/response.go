package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/prefs"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// page builds the frame's view model for the current request.
func (h *Handler) page(r *http.Request, title, nav string) layouts.Page {
	p := layouts.Page{Title: title, Demo: h.info.Demo, ActiveNav: nav, Assets: h.assets}
	if u := currentUser(r); u != nil {
		p.User = &layouts.User{Username: u.Username, Role: u.Role.String()}
		p.Theme = h.userPrefs(r).Theme
		if b, ok := h.upstreamBanner(r); ok {
			p.Banners = append(p.Banners, b)
		}
	}
	return p
}

// upstreamBanner tells signed-in users, on every page, that SmartAssist is
// failing: what the latest failed call or check met and when. It is built
// after the page's own reads, so a page whose calls succeeded shows none.
func (h *Handler) upstreamBanner(r *http.Request) (layouts.Banner, bool) {
	st, trouble := h.health.Trouble()
	if !trouble {
		return layouts.Banner{}, false
	}
	return layouts.Banner{Kind: "warn", TestID: "upstream-banner",
		Message: "SmartAssist is not answering normally (" + st.Error + ", " + display.Time(st.CheckedAt, viewerLocation(r)) +
			"). Pages show what the dashboard already has, with its age, and catch up when it answers again."}, true
}

// userPrefs are the signed-in user's display preferences; defaults when
// they cannot be read (a page never fails for want of a colour theme).
func (h *Handler) userPrefs(r *http.Request) prefs.Prefs {
	u := currentUser(r)
	if u == nil {
		return prefs.Prefs{Theme: prefs.ThemeSystem}
	}
	p, err := h.prefs.Get(r.Context(), u.ID)
	if err != nil {
		h.logger.Warn("preferences", "user", u.Username, "err", err)
	}
	return p
}

// render writes a full page, or only the content for an htmx request that
// targets part of the page. What the handler has is rendered in full even
// when the request's deadline has passed meanwhile (templ renders nothing
// for a context that ended).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p layouts.Page, content templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	ctx := renderContext(r)
	var c templ.Component
	if isHTMX(r) && r.Header.Get("HX-Boosted") != "true" {
		c = content
	} else {
		c = layouts.Base(p)
		if err := c.Render(templ.WithChildren(ctx, content), w); err != nil {
			h.logger.Error("render page", "path", r.URL.Path, "err", err)
		}
		return
	}
	if err := c.Render(ctx, w); err != nil {
		h.logger.Error("render fragment", "path", r.URL.Path, "err", err)
	}
}

// renderContext is r's context without its deadline or cancellation, for
// rendering what was read.
func renderContext(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }

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

// cleanQuery redirects a GET whose query string has empty parameters
// (?from=&to=&status=ACTIVE, as a plain form submits it) to the same URL
// without them; true means the redirect was written. htmx requests are
// cleaned in the browser (app.js) and pass through.
func cleanQuery(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.RawQuery == "" || isHTMX(r) {
		return false
	}
	q := r.URL.Query()
	dirty := false
	for k, vs := range q {
		kept := vs[:0]
		for _, v := range vs {
			if strings.TrimSpace(v) != "" {
				kept = append(kept, v)
			}
		}
		if len(kept) != len(vs) {
			dirty = true
		}
		if len(kept) == 0 {
			delete(q, k)
		} else {
			q[k] = kept
		}
	}
	if !dirty {
		return false
	}
	u := r.URL.Path
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
	return true
}
