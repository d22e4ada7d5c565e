package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// auditVerify answers POST /audit/verify (admins): it checks the whole hash
// chain now and keeps the result for the badge on /audit. Verification
// reads every entry, so it runs on request rather than on each page view.
func (h *Handler) auditVerify(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	v, err := h.audit.VerifyBy(ctx, currentUser(r).Username)
	if err != nil {
		h.logger.Error("audit verify", "err", err)
	} else if !v.Result.OK() {
		h.logger.Error("audit chain broken", "entry", v.Result.FirstBroken, "reason", v.Result.Reason)
	}
	seeOther(w, r, "/audit")
}

// verifyBadge is the badge's view of the last verification.
func (h *Handler) verifyBadge(loc *time.Location) pages.AuditVerify {
	v, checked := h.audit.LastVerification()
	if !checked {
		return pages.AuditVerify{Message: "The hash chain has not been checked since the dashboard started."}
	}
	out := pages.AuditVerify{CheckedAt: display.Time(v.At, loc) + " by " + v.By}
	switch {
	case v.Err != nil:
		out.State, out.Message = "error", "The check could not run: "+v.Err.Error()
	case v.Result.OK():
		out.State, out.Message = "ok", fmt.Sprintf("All %d entries verified.", v.Result.Entries)
	default:
		out.State, out.Message = "broken", fmt.Sprintf("First broken entry: #%d. %s.", v.Result.FirstBroken, v.Result.Reason)
	}
	return out
}
