package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/timeline"
)

// ExportDoc is the JSON export of one conversation, served at
// /sessions/{id}/export.json and /conversations/{id}/export.json, and by the
// token API (issue 6) through ConversationExporter.
//
// Upstream is the conversation exactly as upstream sent it (re-indented only;
// compacting it gives back the bytes whose SHA-256 is SHA256). For viewers
// the customer's contact details inside it are masked (see maskUpstream) and
// Masked is true; SHA256 still names the stored, unmasked snapshot.
type ExportDoc struct {
	SessionID      string          `json:"sessionId"`
	ConversationID string          `json:"conversationId"`
	FetchedAt      time.Time       `json:"fetchedAt"`
	Source         string          `json:"source"` // live, cache or stale
	SHA256         string          `json:"sha256"`
	Masked         bool            `json:"masked,omitempty"`
	Upstream       json.RawMessage `json:"upstream"`
	Timeline       timeline.Export `json:"timeline"`
}

// BuildExport fetches a conversation through the cache by session id
// (kind ids.Session) or conversation id (ids.Conversation) and builds its
// export document. With mask the customer's contact details are masked in
// the upstream JSON. Errors are the cache's: api.Err* kinds for upstream
// problems (see convErrorPage for how the pages show them).
func BuildExport(ctx context.Context, c ConversationCache, kind ids.Kind, id string, mask bool, now time.Time) (ExportDoc, cache.Result, error) {
	res, err := lookupConversation(ctx, c, kind, id)
	if err != nil {
		return ExportDoc{}, res, err
	}
	doc := ExportDoc{
		SessionID: firstNonEmpty(res.SessionID, res.Conversation.BotSessionID), ConversationID: res.ConversationID,
		FetchedAt: res.FetchedAt.UTC(), Source: res.Source.String(), SHA256: res.SHA256,
		Upstream: json.RawMessage(res.Raw),
		Timeline: timeline.Build(res.Conversation, now).Export(),
	}
	if mask {
		masked, err := maskUpstream(res.Raw)
		if err != nil {
			return ExportDoc{}, res, fmt.Errorf("mask export: %w", err)
		}
		doc.Upstream, doc.Masked = masked, true
	}
	return doc, res, nil
}

// buildExport is BuildExport for the signed-in user: viewers get masked
// customer data.
func (h *Handler) buildExport(r *http.Request, kind ids.Kind, id string) (ExportDoc, cache.Result, error) {
	return BuildExport(r.Context(), h.convs, kind, id, convMasks(currentUser(r)), h.now())
}

// NewConversationExporter adapts the cache to the token API's
// ConversationExporter: the same document as the browser export, unmasked
// (tokens are issued by admins for audit tooling).
func NewConversationExporter(c ConversationCache, now func() time.Time) ConversationExporter {
	if now == nil {
		now = time.Now
	}
	return conversationExporter{c: c, now: now}
}

type conversationExporter struct {
	c   ConversationCache
	now func() time.Time
}

func (e conversationExporter) ExportSession(ctx context.Context, sessionID string) (any, error) {
	return e.export(ctx, ids.Session, sessionID)
}

func (e conversationExporter) ExportConversation(ctx context.Context, conversationID string) (any, error) {
	return e.export(ctx, ids.Conversation, conversationID)
}

func (e conversationExporter) export(ctx context.Context, want ids.Kind, raw string) (any, error) {
	kind, id := ids.Classify(raw)
	if kind != want {
		help := ids.SessionHelp
		if want == ids.Conversation {
			help = ids.ConversationHelp
		}
		return nil, fmt.Errorf("%w: %s", errMalformedID, help)
	}
	doc, _, err := BuildExport(ctx, e.c, kind, id, false, e.now())
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// errMalformedID is returned by the exporter for an id of the wrong shape.
var errMalformedID = errors.New("malformed id")

func (h *Handler) exportJSON(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	doc, res, err := h.buildExport(r, kind, id)
	if err != nil {
		h.convErrorPage(w, r, kindName(kind)+" "+id, err)
		return
	}
	if !h.recordExport(w, r, res, "json", doc.Masked) {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Upstream strings stay as upstream wrote them (no \u003c escapes), so
	// compacting "upstream" reproduces the hashed bytes.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		h.logger.Error("export json", "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "Export failed", "The export could not be encoded.", "")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", attachment("conversation-"+firstNonEmpty(doc.SessionID, doc.ConversationID)+".json"))
	_, _ = w.Write(buf.Bytes())
}

func (h *Handler) exportTimelineCSV(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	res, err := lookupConversation(r.Context(), h.convs, kind, id)
	if err != nil {
		h.convErrorPage(w, r, kindName(kind)+" "+id, err)
		return
	}
	if !h.recordExport(w, r, res, "timeline.csv", false) {
		return
	}
	var buf bytes.Buffer
	if err := timeline.Build(res.Conversation, h.now()).WriteCSV(&buf, viewerLocation(r)); err != nil {
		h.logger.Error("timeline csv", "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "Export failed", "The timeline could not be written.", "")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", attachment("timeline-"+firstNonEmpty(res.SessionID, res.ConversationID)+".csv"))
	_, _ = w.Write(buf.Bytes())
}

// recordExport audits an export before anything is sent; false means it
// could not be recorded and an error page was written.
func (h *Handler) recordExport(w http.ResponseWriter, r *http.Request, res cache.Result, format string, masked bool) bool {
	err := h.record(r, "", audit.Record{
		Action: audit.ActionExport,
		Target: firstNonEmpty(res.SessionID, res.ConversationID),
		Refs:   []string{res.ConversationID, res.SessionID, "sha256:" + res.SHA256},
		Details: map[string]any{
			"format": format, "source": res.Source.String(), "masked": masked,
			"fetchedAt": res.FetchedAt.UTC().Format(time.RFC3339Nano),
		},
	})
	if err != nil {
		if r.Context().Err() != nil {
			return false // the client went away
		}
		h.renderError(w, r, http.StatusInternalServerError, "Export not recorded",
			"The audit log could not record this export, so nothing was exported.", "Try again; if it keeps happening, tell an administrator.")
		return false
	}
	return true
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

// maskedUserInfoFields are the contact details masked for viewers inside
// userInfo: email and phone, and on voice the caller/callee numbers, the IP
// address, and identities[].val (emails or phone numbers).
var maskedUserInfoFields = map[string]func(string) string{
	"email": convMaskEmail, "emailId": convMaskEmail, "phoneNumber": convMaskPhone,
	"caller": convMaskPhone, "callee": convMaskPhone, "ipAddress": convMaskText,
}

// maskUpstream returns the conversation JSON with the customer's contact
// details in userInfo masked. Everything else, including key order and the
// bytes of every other value, is kept.
func maskUpstream(raw []byte) ([]byte, error) {
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		if key != "userInfo" {
			return val, nil
		}
		return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
			if fn, ok := maskedUserInfoFields[k]; ok {
				var s string
				if json.Unmarshal(v, &s) != nil {
					return v, nil // not a string: nothing to mask
				}
				return marshalNoEscape(fn(s))
			}
			if k == "identities" {
				var list []map[string]json.RawMessage
				if json.Unmarshal(v, &list) != nil {
					return v, nil
				}
				for _, item := range list {
					var s string
					if json.Unmarshal(item["val"], &s) == nil {
						masked := convMaskText(s)
						if strings.Contains(s, "@") {
							masked = convMaskEmail(s)
						}
						item["val"], _ = marshalNoEscape(masked)
					}
				}
				return marshalNoEscape(list)
			}
			return v, nil
		})
	})
}

// rewriteObject walks the members of a JSON object in order and rebuilds it
// with fn's values. A non-object is returned unchanged.
func rewriteObject(raw []byte, fn func(key string, val json.RawMessage) (json.RawMessage, error)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return raw, nil
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		if val, err = fn(key, val); err != nil {
			return nil, err
		}
		if i > 0 {
			out.WriteByte(',')
		}
		k, err := marshalNoEscape(key)
		if err != nil {
			return nil, err
		}
		out.Write(k)
		out.WriteByte(':')
		out.Write(val)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func marshalNoEscape(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
