package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/ids"
)

// The token API: GET-only JSON for audit scripts and ticketing systems,
// authenticated by a personal API token ("Authorization: Bearer …"), never
// by the cookie session. Every call, refused or not, is audited.

// apiError is the JSON error body of the token API.
type apiError struct {
	Error   string `json:"error"`   // machine-readable: unauthorized, not_found, …
	Message string `json:"message"` // for people
}

// errExportUnavailable means no export builder is wired.
var errExportUnavailable = errors.New("conversation export is not available on this server")

// apiSessionShow answers GET /api/v1/sessions/{sessionId}.
func (h *Handler) apiSessionShow(w http.ResponseWriter, r *http.Request) {
	h.apiExportCall(w, r, "session", r.PathValue("sessionId"))
}

// apiConversationShow answers GET /api/v1/conversations/{id}.
func (h *Handler) apiConversationShow(w http.ResponseWriter, r *http.Request) {
	h.apiExportCall(w, r, "conversation", r.PathValue("id"))
}

// apiNotFound answers everything else under /api/v1/ in JSON.
func (h *Handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/v1/sessions/") || strings.HasPrefix(p, "/api/v1/conversations/") {
		w.Header().Set("Allow", "GET, HEAD")
		h.writeJSON(w, http.StatusMethodNotAllowed, apiError{"method_not_allowed", "The API is read-only: use GET."})
		return
	}
	h.writeJSON(w, http.StatusNotFound, apiError{"not_found", "No such API endpoint. Use /api/v1/sessions/{sessionId} or /api/v1/conversations/{id}."})
}

func (h *Handler) apiExportCall(w http.ResponseWriter, r *http.Request, kind, id string) {
	start := h.now()
	rec := audit.Record{Actor: "anonymous", Action: audit.ActionAPICall, Target: id}
	details := map[string]any{"route": r.Pattern, "kind": kind}
	finish := func(status int, body any) {
		details["status"] = status
		details["ms"] = h.now().Sub(start).Milliseconds()
		rec.Details = details
		_ = h.record(r, "", rec)
		h.admin.metrics.ObserveTokenAPICall(status)
		writeAPIJSON(w, status, body)
	}

	tok, ok := h.apiAuthenticate(w, r, details)
	if tok.Owner != "" {
		rec.Actor = "token:" + tok.Owner
	}
	if !ok {
		status, _ := details["status"].(int)
		msg, _ := details["reason"].(string)
		code := "unauthorized"
		if status == http.StatusServiceUnavailable {
			code = "unavailable"
		}
		finish(status, apiError{code, msg})
		return
	}

	valid := ids.IsSession(id)
	help := ids.SessionHelp
	if kind == "conversation" {
		valid, help = ids.IsConversation(id), ids.ConversationHelp
	}
	if !valid {
		finish(http.StatusBadRequest, apiError{"bad_request", "Not a " + kind + " id: " + help + "."})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	defer cancel()
	doc, err := h.apiExport(ctx, r, kind, id)
	if err != nil {
		status, code := apiStatus(err)
		if d := retryAfter(err); d > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(d.Seconds()))))
		}
		details["error"] = err.Error()
		finish(status, apiError{code, err.Error()})
		return
	}
	if refs := exportRefs(doc); len(refs) > 0 {
		rec.Refs = refs
	}
	finish(http.StatusOK, doc)
}

// apiAuthenticate checks the Bearer token and its owner. On failure it puts
// the status and reason into details and returns false.
func (h *Handler) apiAuthenticate(w http.ResponseWriter, r *http.Request, details map[string]any) (apitoken.Token, bool) {
	fail := func(status int, reason string) (apitoken.Token, bool) {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dashboard", error="invalid_token"`)
		}
		details["status"], details["reason"] = status, reason
		return apitoken.Token{}, false
	}
	if h.admin.tokens == nil {
		return fail(http.StatusServiceUnavailable, "API tokens are not configured on this server.")
	}
	authz := r.Header.Get("Authorization")
	scheme, raw, found := strings.Cut(authz, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return fail(http.StatusUnauthorized, "Send a personal API token as \"Authorization: Bearer <token>\".")
	}
	tok, err := h.admin.tokens.Verify(r.Context(), strings.TrimSpace(raw))
	if tok.ID != "" {
		details["tokenId"] = tok.ID
	}
	switch {
	case errors.Is(err, apitoken.ErrExpired), errors.Is(err, apitoken.ErrRevoked), errors.Is(err, apitoken.ErrInvalid):
		t, _ := fail(http.StatusUnauthorized, capitalize(err.Error())+".")
		t.Owner = tok.Owner // known for a revoked or expired token: audit it as theirs
		return t, false
	case err != nil:
		h.logger.Error("verify api token", "err", err)
		return fail(http.StatusServiceUnavailable, "The token could not be checked; try again.")
	}
	owner, err := h.users.ByUsername(r.Context(), tok.Owner)
	if err != nil || owner.Disabled {
		t, _ := fail(http.StatusUnauthorized, "The token's user is disabled or no longer exists.")
		t.Owner = tok.Owner
		return t, false
	}
	if !owner.Role.AtLeast(auth.RoleViewer) {
		return fail(http.StatusUnauthorized, "The token's user may not read conversations.")
	}
	return tok, true
}

// apiStatus maps an export failure to a status and an error code.
func apiStatus(err error) (int, string) {
	switch {
	case errors.Is(err, api.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, api.ErrValidation), errors.Is(err, errMalformedID):
		return http.StatusBadRequest, "bad_request"
	case errors.Is(err, api.ErrRateLimited):
		return http.StatusTooManyRequests, "rate_limited"
	case errors.Is(err, errExportUnavailable):
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "upstream_timeout"
	default:
		return http.StatusBadGateway, "upstream_error"
	}
}

func retryAfter(err error) time.Duration {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Kind == api.ErrRateLimited {
		return ae.RetryAfter
	}
	return 0
}

// exportRefs finds the session and conversation ids in an export document,
// so the audit entry is found by either.
func exportRefs(doc any) []string {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil
	}
	var probe struct {
		SessionID      string `json:"sessionId"`
		ConversationID string `json:"conversationId"`
		ID             string `json:"id"`
		BotSessionID   string `json:"botSessionId"`
	}
	if json.Unmarshal(b, &probe) != nil {
		return nil
	}
	var refs []string
	for _, s := range []string{probe.SessionID, probe.ConversationID, probe.ID, probe.BotSessionID} {
		if ids.IsSession(s) || ids.IsConversation(s) {
			refs = append(refs, s)
		}
	}
	return refs
}

// writeAPIJSON encodes like the browser export does (indented, strings as
// upstream wrote them, no \u003c escapes), so both answer the same bytes.
func writeAPIJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal","message":"the answer could not be encoded"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
