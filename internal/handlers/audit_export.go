package handlers

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/csvcell"
)

// auditExport answers GET /audit/export.csv with the same filters and scope
// as /audit, streamed page by page so a large log never sits in memory.
func (h *Handler) auditExport(w http.ResponseWriter, r *http.Request) {
	aq, err := parseAuditQuery(r, viewerLocation(r))
	if err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Bad filter", err.Error(), "Fix the filter on the audit page and export again.")
		return
	}
	f := aq.filter
	f.Limit = 1000
	// Read the first page before committing to a 200, so a failing database
	// still gets an error page.
	entries, more, err := h.audit.Query(r.Context(), f)
	if err != nil {
		h.logger.Error("audit export", "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "Export failed", "The audit log could not be read.", "Try again in a moment.")
		return
	}
	// Exporting the log is itself an action on someone's behalf.
	if err := h.record(r, "", audit.Record{Action: audit.ActionExport, Target: "audit-log",
		Details: map[string]string{"format": "csv", "filter": r.URL.RawQuery}}); err != nil {
		h.renderError(w, r, http.StatusServiceUnavailable, "Export refused", "The export could not be recorded in the audit log, so it was not started.", "Try again in a moment.")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+h.clock.Now().UTC().Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "time", "actor", "client_addr", "action", "target", "refs", "details", "prev_hash", "hash"})
	for {
		for _, e := range entries {
			_ = cw.Write(auditCSVRow(e))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return // the client went away
		}
		_ = rc.Flush()
		if !more || len(entries) == 0 {
			return
		}
		f.Before = entries[len(entries)-1].ID
		entries, more, err = h.audit.Query(r.Context(), f)
		if err != nil {
			// Headers are gone; a truncated file must not look complete.
			h.logger.Error("audit export page", "err", err)
			_ = cw.Write([]string{"", "", "", "", "", "", "", "export interrupted: " + err.Error(), "", ""})
			cw.Flush()
			return
		}
	}
}

func auditCSVRow(e audit.Entry) []string {
	return []string{
		strconv.FormatInt(e.ID, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		csvcell.Text(e.Actor),
		csvcell.Text(e.ClientAddr),
		csvcell.Text(e.Action),
		csvcell.Text(e.Target),
		csvcell.Text(strings.Join(e.Refs, " ")),
		csvcell.Text(string(e.Details)),
		e.PrevHash,
		e.Hash,
	}
}
