package handlers

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/csvcell"
)

// convCSVFlushEvery is how many rows are written between flushes, so a big
// export starts arriving at once and memory stays flat.
const convCSVFlushEvery = 500

var convCSVHeader = []string{"conversation_id", "session_id", "status", "channel", "language", "queues", "agents",
	"start", "end", "wait_ms", "disposition", "customer_name", "customer_email"}

// conversationListCSV answers GET /conversations/export.csv?<the list's
// filters>: every matching conversation, streamed. It is audited with the
// filters before the first byte.
func (h *Handler) conversationListCSV(w http.ResponseWriter, r *http.Request) {
	loc := viewerLocation(r)
	f, q, err := parseListFilter(r.URL.Query(), loc)
	if err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Bad filter", "Some filters could not be used: "+err.Error()+".", "Fix the filters on the conversation list and export again.")
		return
	}
	policy := currentUser(r).Role.Privacy()
	if err := h.record(r, "", audit.Record{
		Action: audit.ActionExport, Target: "conversations",
		Details: map[string]any{"format": "conversations.csv", "filters": f.values().Encode(), "masked": policy.Masked},
	}); err != nil {
		if r.Context().Err() != nil {
			return // the client went away
		}
		h.renderError(w, r, http.StatusInternalServerError, "Export not recorded",
			"The audit log could not record this export, so nothing was exported.", "Try again; if it keeps happening, tell an administrator.")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", attachment("conversations-"+h.clock.Now().In(loc).Format("20060102-150405")+".csv"))
	rc := http.NewResponseController(w)
	cw := csv.NewWriter(w)
	_ = cw.Write(convCSVHeader)
	n := 0
	rec := make([]string, len(convCSVHeader))
	err = h.convs.Each(r.Context(), q, func(row cache.Row) error {
		email := policy.Email(row.CustomerEmail)
		rec[0], rec[1], rec[2], rec[3], rec[4] = row.ID, row.SessionID, row.Status, row.Channel, row.Language
		rec[5], rec[6] = csvcell.Text(row.Queues), csvcell.Text(row.Agents)
		rec[7], rec[8] = csvcell.Time(row.Start, loc), csvcell.Time(row.End, loc)
		rec[9] = strconv.FormatInt(row.Wait.Milliseconds(), 10)
		rec[10], rec[11], rec[12] = csvcell.Text(row.Disposition), csvcell.Text(policy.FullName(row.CustomerName)), csvcell.Text(email)
		if err := cw.Write(rec); err != nil {
			return err
		}
		if n++; n%convCSVFlushEvery == 0 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			_ = rc.Flush()
		}
		return nil
	})
	cw.Flush()
	if err != nil {
		// Headers are gone; the truncated file is the signal. Log it.
		h.logger.Warn("conversation csv export stopped", "rows", n, "err", err)
	}
}
