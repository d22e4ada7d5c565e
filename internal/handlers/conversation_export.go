package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/ids"
)

// exportJSON answers GET /sessions/{id}/export.json and
// /conversations/{id}/export.json: the case file as JSON, masked for the
// reader, audited before anything is sent.
func (h *Handler) exportJSON(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	cid := casefile.ID{Kind: kind, Value: id}
	f, err := h.casefiles.Read(r.Context(), reader(r), casefile.ExportJSON, cid)
	if err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	doc, err := f.Document()
	if err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	var buf bytes.Buffer
	if err := encodeDocument(&buf, doc); err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", attachment("conversation-"+firstNonEmpty(doc.SessionID, doc.ConversationID)+".json"))
	_, _ = w.Write(buf.Bytes())
}

// exportTimelineCSV answers GET …/timeline.csv: every segment and transfer,
// times in the viewer's zone.
func (h *Handler) exportTimelineCSV(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	cid := casefile.ID{Kind: kind, Value: id}
	f, err := h.casefiles.Read(r.Context(), reader(r), casefile.ExportCSV, cid)
	if err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	var buf bytes.Buffer
	if err := f.Timeline.WriteCSV(&buf, viewerLocation(r)); err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", attachment("timeline-"+firstNonEmpty(f.SessionID, f.ConversationID)+".csv"))
	_, _ = w.Write(buf.Bytes())
}

// encodeDocument writes the case file the way the browser download and the
// token API both answer it: indented, strings as upstream wrote them (no
// \u003c escapes), so compacting "upstream" reproduces the hashed bytes.
func encodeDocument(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// attachment builds a Content-Disposition for a file name made of ids.
func attachment(name string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		return '_'
	}, name)
	return `attachment; filename="` + safe + `"`
}
