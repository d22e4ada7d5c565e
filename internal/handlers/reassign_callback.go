package handlers

import (
	"errors"
	"io"
	"net/http"

	"github.com/teamlead/dashboard/internal/reassign"
)

// reassignCallbackPattern is the one state-changing route without a login
// or an Origin check: upstream's servers POST transfer outcomes to it.
const reassignCallbackPattern = "POST /hooks/assign/{token}"

// reassignCallback answers POST /hooks/assign/{token}: upstream reporting
// the outcome of an assign-conversation request. The single-use 128-bit
// token in the path is the only credential; unknown, used and expired
// tokens all get the same 404, so the route tells a prober nothing. It
// never answers HTML: 204 on success, a small JSON error otherwise.
func (h *Handler) reassignCallback(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, reassign.MaxCallbackBytes)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.writeJSON(w, http.StatusRequestEntityTooLarge, callbackError{"body too large"})
			return
		}
		h.writeJSON(w, http.StatusBadRequest, callbackError{"body could not be read"})
		return
	}
	t, err := h.reassign.HandleCallback(r.Context(), r.PathValue("token"), body)
	switch {
	case errors.Is(err, reassign.ErrUnknownToken):
		h.writeJSON(w, http.StatusNotFound, callbackError{"not found"})
	case errors.Is(err, reassign.ErrBadCallback):
		h.writeJSON(w, http.StatusBadRequest, callbackError{"callback does not match its transfer"})
	case err != nil:
		h.logger.Error("reassign callback", "err", err)
		h.writeJSON(w, http.StatusInternalServerError, callbackError{"could not record the outcome"})
	default:
		h.logger.Info("reassign outcome", "transfer", t.ID, "session", t.SessionID, "outcome", t.Status)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	}
}

// callbackError is the JSON error body of the callback route.
type callbackError struct {
	Error string `json:"error"`
}
