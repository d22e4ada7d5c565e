package handlers

import (
	"context"
	"net/http"
)

// apiExport builds the export document of a session ("session") or a
// conversation ("conversation") for the token API: the same JSON as the
// browser's /sessions/{id}/export.json (issue 3's BuildExport), unmasked,
// since tokens are issued by admins for audit tooling. Deps.Exporter, when
// set, takes precedence; otherwise the handler's conversation cache is used.
func (h *Handler) apiExport(ctx context.Context, _ *http.Request, kind, id string) (any, error) {
	exp := h.admin.exporter
	if exp == nil && h.convs != nil {
		exp = NewConversationExporter(h.convs, h.now)
	}
	if exp == nil {
		return nil, errExportUnavailable
	}
	if kind == "session" {
		return exp.ExportSession(ctx, id)
	}
	return exp.ExportConversation(ctx, id)
}
