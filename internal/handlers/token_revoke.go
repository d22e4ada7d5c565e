package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// tokenRevoke answers POST /admin/tokens/{id}/revoke: the token stops
// working at once.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	form := pages.TokenForm{Owner: currentUser(r).Username, Days: strconv.Itoa(defaultTokenDays)}
	id := r.PathValue("id")
	before, err := h.tokens.Revoke(r.Context(), id, currentUser(r).Username)
	switch {
	case errors.Is(err, apitoken.ErrNotFound):
		h.renderTokens(w, r, http.StatusNotFound, form, nil, errorBanner("There is no such token."))
		return
	case errors.Is(err, apitoken.ErrAlreadyRevoked):
		h.renderTokens(w, r, http.StatusConflict, form, nil, errorBanner(err.Error()+"."))
		return
	case err != nil:
		h.logger.Error("revoke token", "err", err)
		h.renderTokens(w, r, http.StatusInternalServerError, form, nil, errorBanner("The token could not be revoked; try again."))
		return
	}
	h.logger.Info("api token revoked", "id", before.ID, "owner", before.Owner, "by", currentUser(r).Username)
	_ = h.record(r, "", audit.Record{Action: audit.ActionTokenRevoke, Target: before.Owner, Refs: []string{before.ID},
		Details: map[string]any{"tokenId": before.ID, "owner": before.Owner, "label": before.Label,
			"before": map[string]any{"status": before.Status(h.clock.Now())}, "after": map[string]any{"status": "revoked"}}})
	seeOther(w, r, "/admin/tokens?done=revoked")
}
