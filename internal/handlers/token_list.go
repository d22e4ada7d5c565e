package handlers

import (
	"net/http"
	"strconv"

	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// defaultTokenDays is the lifetime the issue form suggests.
const defaultTokenDays = 90

// tokenList answers GET /admin/tokens.
func (h *Handler) tokenList(w http.ResponseWriter, r *http.Request) {
	var banners []layouts.Banner
	if r.URL.Query().Get("done") == "revoked" {
		banners = append(banners, okBanner("Token revoked; it no longer works."))
	}
	h.renderTokens(w, r, http.StatusOK, pages.TokenForm{Owner: currentUser(r).Username, Days: strconv.Itoa(defaultTokenDays)}, nil, banners...)
}

// renderTokens shows the token page; newTok is the token just issued.
func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, status int, form pages.TokenForm, newTok *pages.NewToken, banners ...layouts.Banner) {
	vm := pages.AdminTokens{Form: form, MinDays: apitoken.MinDays, MaxDays: apitoken.MaxDays, New: newTok}
	loc := viewerLocation(r)
	now := h.clock.Now()
	tokens, err := h.tokens.List(r.Context())
	if err != nil {
		h.logger.Error("list tokens", "err", err)
		banners = append(banners, errorBanner("The token list could not be read."))
	}
	for _, t := range tokens {
		row := pages.AdminToken{ID: t.ID, Owner: t.Owner, Label: t.Label, CreatedBy: t.CreatedBy,
			Created: display.Time(t.CreatedAt, loc), Expires: display.Time(t.ExpiresAt, loc), Status: t.Status(now)}
		if !t.RevokedAt.IsZero() {
			row.Revoked = display.Time(t.RevokedAt, loc) + " by " + t.RevokedBy
		}
		vm.Tokens = append(vm.Tokens, row)
	}
	users, err := h.users.List(r.Context())
	if err != nil {
		h.logger.Error("list users", "err", err)
	}
	for _, u := range users {
		if !u.Disabled {
			vm.Owners = append(vm.Owners, u.Username)
		}
	}
	h.render(w, r, status, h.adminPage(r, "API tokens", "admin", banners...), pages.AdminTokensPage(vm))
}
