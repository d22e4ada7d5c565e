package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/web/templates/pages"
)

// auditVerify answers POST /audit/verify (admins): it checks the whole hash
// chain now and keeps the result for the badge on /audit. Verification
// reads every entry, so it runs on request rather than on each page view.
func (h *Handler) auditVerify(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	res, err := h.audit.Verify(ctx)
	out := &verifyOutcome{Result: res, At: h.now(), By: currentUser(r).Username}
	if err != nil {
		h.logger.Error("audit verify", "err", err)
		out.Err = err.Error()
	} else if !res.OK() {
		h.logger.Error("audit chain broken", "entry", res.FirstBroken, "reason", res.Reason)
	}
	h.admin.verifyMu.Lock()
	h.admin.verified = out
	h.admin.verifyMu.Unlock()
	seeOther(w, r, "/audit")
}

// verifyView is the badge's view of the last verification.
func (a *adminState) verifyView(loc *time.Location) pages.AuditVerify {
	a.verifyMu.Lock()
	v := a.verified
	a.verifyMu.Unlock()
	if v == nil {
		return pages.AuditVerify{Message: "The hash chain has not been checked since the dashboard started."}
	}
	out := pages.AuditVerify{CheckedAt: localTime(v.At, loc) + " by " + v.By}
	switch {
	case v.Err != "":
		out.State, out.Message = "error", "The check could not run: "+v.Err
	case v.Result.OK():
		out.State, out.Message = "ok", fmt.Sprintf("All %d entries verified.", v.Result.Entries)
	default:
		out.State, out.Message = "broken", fmt.Sprintf("First broken entry: #%d. %s.", v.Result.FirstBroken, v.Result.Reason)
	}
	return out
}
