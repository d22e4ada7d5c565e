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

	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/quota"
)

// The token API: GET-only JSON for audit scripts and ticketing systems,
// authenticated by a personal API token ("Authorization: Bearer …"), never
// by the cookie session. Every call, refused or not, is audited: an
// authenticated call with an entry of its own, a refused one (no valid
// token) counted into one entry per source address per minute.

// apiError is the JSON error body of the token API.
type apiError struct {
	Error   string `json:"error"`   // machine-readable: unauthorized, not_found, …
	Message string `json:"message"` // for people
}

// apiSessionShow answers GET /api/v1/sessions/{sessionId}.
func (h *Handler) apiSessionShow(w http.ResponseWriter, r *http.Request) {
	h.apiExportCall(w, r, ids.Session, r.PathValue("sessionId"))
}

// apiConversationShow answers GET /api/v1/conversations/{id}.
func (h *Handler) apiConversationShow(w http.ResponseWriter, r *http.Request) {
	h.apiExportCall(w, r, ids.Conversation, r.PathValue("id"))
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

// apiExportCall answers a token API read. A refused call is counted by the
// refusal aggregator; an authenticated call that fails is audited here as
// api.call with its status; a successful read is audited by the case file
// service, as the token's owner, with the owner's masking.
func (h *Handler) apiExportCall(w http.ResponseWriter, r *http.Request, kind ids.Kind, raw string) {
	sw := clock.StartStopwatch()
	rec := audit.Record{Actor: "anonymous", Action: audit.ActionAPICall, Target: raw}
	details := map[string]any{"route": r.Pattern, "kind": casefile.ID{Kind: kind}.KindName()}
	fail := func(status int, body apiError) {
		details["status"] = status
		details["ms"] = sw.Elapsed().Milliseconds()
		rec.Details = details
		_ = h.record(r, "", rec)
		h.metrics.ObserveTokenAPICall(status)
		writeAPIJSON(w, status, body)
	}

	tok, owner, ok := h.apiAuthenticate(w, r, details)
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
		// Anyone can send these by the thousand: they are counted into one
		// audit entry per source address and minute, not one each.
		h.refusals.Note(audit.Refusal{Actor: rec.Actor, ClientAddr: clientAddr(r), Action: audit.ActionAPICall,
			Target: raw, Route: r.Pattern, Status: status, Reason: msg})
		h.metrics.ObserveTokenAPICall(status)
		writeAPIJSON(w, status, apiError{code, msg})
		return
	}

	got, id := ids.Classify(raw)
	if got != kind {
		help := ids.SessionHelp
		if kind == ids.Conversation {
			help = ids.ConversationHelp
		}
		fail(http.StatusBadRequest, apiError{"bad_request", "Not a " + casefile.ID{Kind: kind}.KindName() + " id: " + help + "."})
		return
	}
	ctx, cancel := context.WithTimeout(quota.WithUser(r.Context(), owner.Username), 60*time.Second)
	defer cancel()
	cid := casefile.ID{Kind: kind, Value: id}
	rd := casefile.Reader{Actor: rec.Actor, ClientAddr: clientAddr(r), Privacy: owner.Role.Privacy(), Route: r.Pattern}
	f, err := h.casefiles.Read(ctx, rd, casefile.TokenAPI, cid)
	var doc casefile.Document
	if err == nil {
		doc, err = f.Document()
	}
	if err != nil {
		p := explain(err, cid.String())
		if p.RetryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(p.RetryAfter.Seconds()))))
		}
		details["error"] = err.Error()
		fail(p.Status, apiError{p.Code, err.Error()})
		return
	}
	h.metrics.ObserveTokenAPICall(http.StatusOK)
	writeAPIJSON(w, http.StatusOK, doc)
}

// apiAuthenticate checks the Bearer token and its owner. On failure it puts
// the status and reason into details and returns false.
func (h *Handler) apiAuthenticate(w http.ResponseWriter, r *http.Request, details map[string]any) (apitoken.Token, *auth.User, bool) {
	fail := func(status int, reason string, owner string) (apitoken.Token, *auth.User, bool) {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dashboard", error="invalid_token"`)
		}
		details["status"], details["reason"] = status, reason
		// The owner of a revoked or expired token is known: the call is
		// audited as theirs.
		return apitoken.Token{Owner: owner}, nil, false
	}
	authz := r.Header.Get("Authorization")
	scheme, raw, found := strings.Cut(authz, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return fail(http.StatusUnauthorized, "Send a personal API token as \"Authorization: Bearer <token>\".", "")
	}
	tok, err := h.tokens.Verify(r.Context(), strings.TrimSpace(raw))
	if tok.ID != "" {
		details["tokenId"] = tok.ID
	}
	switch {
	case errors.Is(err, apitoken.ErrExpired), errors.Is(err, apitoken.ErrRevoked), errors.Is(err, apitoken.ErrInvalid):
		return fail(http.StatusUnauthorized, capitalize(err.Error())+".", tok.Owner)
	case err != nil:
		h.logger.Error("verify api token", "err", err)
		return fail(http.StatusServiceUnavailable, "The token could not be checked; try again.", "")
	}
	owner, err := h.users.ByUsername(r.Context(), tok.Owner)
	if err != nil || owner.Disabled {
		return fail(http.StatusUnauthorized, "The token's user is disabled or no longer exists.", tok.Owner)
	}
	if !owner.Role.AtLeast(auth.RoleViewer) {
		return fail(http.StatusUnauthorized, "The token's user may not read conversations.", tok.Owner)
	}
	return tok, owner, true
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
