package handlers

import (
	"net/http"
	"strings"

	"github.com/teamlead/dashboard/internal/prefs"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// listColumns are each list page's columns, in order, and whether each is
// shown to someone who chose nothing.
var listColumns = map[string][]pages.ListColumn{
	"conversations": {
		{Key: "start", Label: "Start", Shown: true}, {Key: "session", Label: "Session", Shown: true},
		{Key: "status", Label: "Status", Shown: true}, {Key: "channel", Label: "Channel", Shown: true},
		{Key: "language", Label: "Language", Shown: true}, {Key: "queues", Label: "Queues", Shown: true},
		{Key: "agents", Label: "Agents", Shown: true}, {Key: "wait", Label: "Wait", Shown: true},
		{Key: "end", Label: "End", Shown: false}, {Key: "disposition", Label: "Disposition", Shown: true},
		{Key: "customer", Label: "Customer", Shown: true},
	},
	"agents": {
		{Key: "name", Label: "Name", Shown: true}, {Key: "live", Label: "Live status", Shown: true},
		{Key: "load", Label: "Load now", Shown: true}, {Key: "email", Label: "Email", Shown: true},
		{Key: "customid", Label: "Custom id", Shown: false}, {Key: "groups", Label: "Groups", Shown: true},
		{Key: "queues", Label: "Queues", Shown: true}, {Key: "channels", Label: "Channels", Shown: true},
		{Key: "status", Label: "Account", Shown: true},
	},
	"audit": {
		{Key: "id", Label: "#", Shown: true}, {Key: "time", Label: "Time", Shown: true},
		{Key: "what", Label: "What happened", Shown: true}, {Key: "outcome", Label: "Outcome", Shown: true},
		{Key: "address", Label: "Address", Shown: false}, {Key: "hash", Label: "Hash", Shown: false},
	},
}

// listView is how the signed-in user wants the list page named page.
func (h *Handler) listView(r *http.Request, page string) pages.ListView {
	lv := pages.ListView{Page: page, Density: prefs.DensityCompact, Return: r.URL.RequestURI()}
	saved := h.userPrefs(r).List(page)
	for _, c := range listColumns[page] {
		if saved.Columns != nil {
			c.Shown = false
			for _, k := range saved.Columns {
				if k == c.Key {
					c.Shown = true
				}
			}
		}
		lv.Columns = append(lv.Columns, c)
	}
	if saved.Density == prefs.DensityComfortable {
		lv.Density = saved.Density
	}
	return lv
}

// prefsList answers POST /prefs/list: save the columns and density of a
// list page, then go back to it.
func (h *Handler) prefsList(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Form not readable", "The form could not be read.", "Reload the page and try again.")
		return
	}
	page := r.PostForm.Get("page")
	cols, ok := listColumns[page]
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "Unknown list", "There is no list called "+clip(page)+".", "")
		return
	}
	allowed := make([]string, len(cols))
	for i, c := range cols {
		allowed[i] = c.Key
	}
	l := prefs.List{Columns: r.PostForm["col"], Density: r.PostForm.Get("density")}
	if l.Density == "" {
		l.Density = prefs.DensityCompact
	}
	back := safeNext(r.PostForm.Get("return"))
	if !strings.HasPrefix(back, "/"+page) {
		back = "/" + page
	}
	if err := h.prefs.SetList(r.Context(), currentUser(r).ID, page, l, allowed); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Not saved", "Choose at least one column.", "Go back and tick a column.")
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// accountTheme answers POST /account/theme: light, dark, or system (follow
// the browser).
func (h *Handler) accountTheme(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Form not readable", "The form could not be read.", "Reload the page and try again.")
		return
	}
	if err := h.prefs.SetTheme(r.Context(), currentUser(r).ID, r.PostForm.Get("theme")); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Not saved", "Choose light, dark or system.", "")
		return
	}
	http.Redirect(w, r, "/account?done=theme", http.StatusSeeOther)
}
