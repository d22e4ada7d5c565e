package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// tokenIssue answers POST /admin/tokens (owner, label, days): it issues a
// token and shows it once, in this response only.
func (h *Handler) tokenIssue(w http.ResponseWriter, r *http.Request) {
	if !h.parseAdminForm(w, r) {
		return
	}
	form := pages.TokenForm{Owner: strings.TrimSpace(r.PostForm.Get("owner")), Label: strings.TrimSpace(r.PostForm.Get("label")),
		Days: strings.TrimSpace(r.PostForm.Get("days"))}
	days, err := strconv.Atoi(form.Days)
	if err != nil || days < apitoken.MinDays || days > apitoken.MaxDays {
		h.renderTokens(w, r, http.StatusBadRequest, form, nil, errorBanner(apitoken.ErrBadLifetime.Error()+"."))
		return
	}
	owner, err := h.users.ByUsername(r.Context(), form.Owner)
	if errors.Is(err, auth.ErrUserNotFound) || (err == nil && owner.Disabled) {
		h.renderTokens(w, r, http.StatusBadRequest, form, nil, errorBanner("Choose an enabled user for the token to act as."))
		return
	}
	if err != nil {
		h.logger.Error("load token owner", "err", err)
		h.renderTokens(w, r, http.StatusInternalServerError, form, nil, errorBanner("The user could not be read; try again."))
		return
	}
	me := currentUser(r)
	tok, raw, err := h.tokens.Issue(r.Context(), owner.Username, form.Label, me.Username, days)
	if err != nil {
		if errors.Is(err, apitoken.ErrBadLabel) || errors.Is(err, apitoken.ErrBadLifetime) {
			h.renderTokens(w, r, http.StatusBadRequest, form, nil, errorBanner(err.Error()+"."))
			return
		}
		h.logger.Error("issue token", "err", err)
		h.renderTokens(w, r, http.StatusInternalServerError, form, nil, errorBanner("The token could not be issued; try again."))
		return
	}
	h.logger.Info("api token issued", "id", tok.ID, "owner", tok.Owner, "by", me.Username)
	_ = h.record(r, "", audit.Record{Action: audit.ActionTokenIssue, Target: tok.Owner, Refs: []string{tok.ID},
		Details: map[string]any{"tokenId": tok.ID, "owner": tok.Owner, "label": tok.Label, "days": days,
			"expiresAt": tok.ExpiresAt, "after": map[string]any{"status": "active"}}})
	loc := viewerLocation(r)
	w.Header().Set("Cache-Control", "no-store") // the token must not linger in a cache
	h.renderTokens(w, r, http.StatusOK, pages.TokenForm{Owner: me.Username, Days: strconv.Itoa(defaultTokenDays)},
		&pages.NewToken{ID: tok.ID, Owner: tok.Owner, Token: raw, Expires: display.Time(tok.ExpiresAt, loc)},
		okBanner("Token issued. Copy it now: it will not be shown again."))
}
