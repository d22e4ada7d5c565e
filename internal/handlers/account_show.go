package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

var accountNotices = map[string]string{
	"password": "Your password was changed. Your other sessions have ended.",
	"timezone": "Your time zone was saved.",
	"theme":    "Your colour theme was saved.",
}

// accountZones are suggestions for the time zone field; any IANA name works.
var accountZones = []string{
	"UTC", "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Europe/Istanbul",
	"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Manila", "Asia/Tokyo",
	"Australia/Sydney", "America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Denver",
	"America/Los_Angeles",
}

// accountShow answers GET /account: the signed-in user's own settings.
func (h *Handler) accountShow(w http.ResponseWriter, r *http.Request) {
	var banners []layouts.Banner
	if msg, ok := accountNotices[r.URL.Query().Get("done")]; ok {
		banners = append(banners, okBanner(msg))
	}
	h.renderAccount(w, r, http.StatusOK, banners...)
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, banners ...layouts.Banner) {
	u := currentUser(r)
	vm := pages.Account{
		Username:  u.Username,
		Role:      u.Role.String(),
		TimeZone:  u.TimeZone,
		Effective: viewerLocation(r).String(),
		Zones:     accountZones,
		Theme:     h.userPrefs(r).Theme,
	}
	if u.TimeZone == "" {
		vm.Effective += " (from your browser)"
	}
	loc := viewerLocation(r)
	sessions, err := h.sessions.List(r.Context(), u.ID)
	if err != nil {
		h.logger.Warn("list sessions", "err", err)
	}
	cur, _ := currentSession(r)
	for _, s := range sessions {
		browser := s.UserAgent
		if len(browser) > 60 {
			browser = browser[:60] + "…"
		}
		vm.Sessions = append(vm.Sessions, pages.AccountSession{
			Started: display.Time(s.CreatedAt, loc), LastSeen: display.Time(s.LastSeen, loc),
			Method: s.Method, From: s.ClientAddr, Browser: browser, Current: s.ID == cur.ID,
		})
	}
	h.render(w, r, status, h.adminPage(r, "Account", "account", banners...), pages.AccountPage(vm))
}
