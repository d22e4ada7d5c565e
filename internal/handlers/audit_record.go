package handlers

import (
	"net/http"

	"github.com/teamlead/dashboard/internal/audit"
)

// record writes an audit entry for the current request's user (or the given
// actor when nobody is signed in yet, e.g. a failed login). A failure to
// write is logged loudly; callers whose action must not happen unaudited
// check the returned error.
func (h *Handler) record(r *http.Request, actor string, rec audit.Record) error {
	if rec.Actor == "" {
		rec.Actor = actor
	}
	rec = *h.auditRecord(r, rec)
	if _, err := h.audit.Append(r.Context(), rec); err != nil {
		h.logger.Error("audit log write failed", "action", rec.Action, "actor", rec.Actor, "err", err)
		return err
	}
	return nil
}

// auditRecord fills in rec's actor (the signed-in user) and client address
// where they are empty, for a service that writes the entry itself.
func (h *Handler) auditRecord(r *http.Request, rec audit.Record) *audit.Record {
	if u := currentUser(r); u != nil && rec.Actor == "" {
		rec.Actor = u.Username
	}
	if rec.ClientAddr == "" {
		rec.ClientAddr = clientAddr(r)
	}
	return &rec
}
