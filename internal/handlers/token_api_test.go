package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
)

type apiErrorBody struct{ Error, Message string }

func decodeAPI(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("content type %q", resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestTokenAPI(t *testing.T) {
	h := newAdminHarness(t, harnessOptions{})
	admin := h.login("admin")
	tok := h.issueToken(admin, "lead", 30)

	// The token page never shows the token again.
	if body := readBody(t, h.get(admin, "/admin/tokens")); strings.Contains(body, tok) || !strings.Contains(body, "active") {
		t.Error("token list shows the token, or not its status")
	}
	issued := newestAudit(t, h.harness, audit.Filter{Action: audit.ActionTokenIssue})
	if issued.Actor != "admin" || issued.Target != "lead" || strings.Contains(string(issued.Details), tok) {
		t.Errorf("issue audit %+v %s", issued, issued.Details)
	}

	tests := []struct {
		path string
		want int
		kind string
	}{
		{"/api/v1/sessions/" + exportSession, http.StatusOK, "session"},
		{"/api/v1/conversations/" + exportConversation, http.StatusOK, "conversation"},
		{"/api/v1/sessions/not-an-id", http.StatusBadRequest, ""},
		{"/api/v1/sessions/" + missingSession, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		resp := h.bearerGet(tt.path, tok)
		var body map[string]any
		decodeAPI(t, resp, &body)
		if resp.StatusCode != tt.want || (tt.kind != "" && body["kind"] != tt.kind) {
			t.Errorf("%s: %d %v", tt.path, resp.StatusCode, body)
		}
	}
	e := newestAudit(t, h.harness, audit.Filter{Action: audit.ActionAPICall, Target: exportSession})
	if e.Actor != "token:lead" || !strings.Contains(strings.Join(e.Refs, " "), exportConversation) || !strings.Contains(string(e.Details), `"status":200`) {
		t.Errorf("api call audit %+v %s", e, e.Details)
	}
	// The audit target filter finds the API call by the conversation id too.
	if entries, _, _ := h.audit.Query(context.Background(), audit.Filter{Target: exportConversation, Actor: "token:lead"}); len(entries) != 2 {
		t.Errorf("by conversation: %d entries", len(entries))
	}

	// Refusals: 401 JSON with WWW-Authenticate, and audited.
	refused := func(name, token, wantMsg string) {
		t.Helper()
		resp := h.bearerGet("/api/v1/sessions/"+exportSession, token)
		var body apiErrorBody
		decodeAPI(t, resp, &body)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body.Message, wantMsg) || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %+v", name, resp.StatusCode, body)
		}
	}
	refused("no token", "", "Bearer")
	refused("garbage", "not.a.token", "not valid")

	// A cookie session does not open the API.
	resp := h.get(admin, "/api/v1/sessions/"+exportSession)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cookie session: %d", resp.StatusCode)
	}
	// The API is read-only.
	resp = h.postForm(admin, "/api/v1/sessions/"+exportSession, nil, "Authorization", "Bearer "+tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}

	// Revocation takes effect at once.
	var id string
	readDoc(t, h.get(admin, "/admin/tokens")).Find("[data-testid=token-row]").Each(func(_ int, s *goquery.Selection) { id, _ = s.Attr("data-id") })
	resp = h.postForm(admin, "/admin/tokens/"+id+"/revoke", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	refused("revoked", tok, "revoked")
	e = newestAudit(t, h.harness, audit.Filter{Action: audit.ActionTokenRevoke})
	if !strings.Contains(string(e.Details), `"before":{"status":"active"}`) || !strings.Contains(string(e.Details), `"after":{"status":"revoked"}`) {
		t.Errorf("revoke audit %s", e.Details)
	}
	e = newestAudit(t, h.harness, audit.Filter{Action: audit.ActionAPICall})
	if e.Actor != "token:lead" || !strings.Contains(string(e.Details), `"status":401`) {
		t.Errorf("refused call audit %+v %s", e, e.Details)
	}
	if resp := h.postForm(admin, "/admin/tokens/"+id+"/revoke", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second revoke: %d", resp.StatusCode)
	}

	// Expiry: a one-day token works until its day is over.
	short := h.issueToken(admin, "viewer", 1)
	if resp := h.bearerGet("/api/v1/sessions/"+exportSession, short); resp.StatusCode != http.StatusOK {
		t.Errorf("fresh token: %d", resp.StatusCode)
	}
	h.clock.advance(24*time.Hour + time.Second)
	refused("expired", short, "expired")

	// A disabled owner's tokens stop working.
	h.clock.advance(-24 * time.Hour)
	viewerTok := h.issueToken(admin, "viewer", 5)
	if err := h.users.Disable(context.Background(), "viewer"); err != nil {
		t.Fatal(err)
	}
	refused("disabled owner", viewerTok, "disabled")
}

func TestTokenIssueValidation(t *testing.T) {
	h := newAdminHarness(t, harnessOptions{})
	admin := h.login("admin")
	for _, form := range []url.Values{
		{"owner": {"lead"}, "days": {"0"}},
		{"owner": {"lead"}, "days": {"366"}},
		{"owner": {"lead"}, "days": {"ten"}},
		{"owner": {"nobody"}, "days": {"10"}},
		{"owner": {"lead"}, "days": {"10"}, "label": {strings.Repeat("x", 200)}},
	} {
		resp := h.postForm(admin, "/admin/tokens", form)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusBadRequest || doc.Find("[data-testid=new-token]").Length() != 0 || doc.Find("[data-testid=banner]").Length() != 1 {
			t.Errorf("%v: %d", form, resp.StatusCode)
		}
	}
}

func TestTokenAPIWithoutTokens(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.bearerGet("/api/v1/sessions/"+exportSession, "x")
	var body apiErrorBody
	decodeAPI(t, resp, &body)
	if resp.StatusCode != http.StatusServiceUnavailable || body.Error != "unavailable" {
		t.Errorf("%d %+v", resp.StatusCode, body)
	}
	if readDoc(t, h.get(h.login("admin"), "/admin/tokens")).Find("[data-testid=tokens-unconfigured]").Length() != 1 {
		t.Error("no 'not configured' note")
	}
	resp = h.bearerGet("/api/v1/nothing", "")
	decodeAPI(t, resp, &body)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown api path: %d", resp.StatusCode)
	}
}

// TestTokenAPIMatchesBrowserExport runs the token API against the real
// conversation cache and simulator: it answers the browser export's JSON.
func TestTokenAPIMatchesBrowserExport(t *testing.T) {
	var tokens *apitoken.Service
	h := newHarness(t, harnessOptions{deps: func(d *Deps) {
		tokens = newTestTokens(t)
		d.Tokens = tokens
	}})
	page, err := h.api.ListConversations(context.Background(), api.ListConversationsParams{Limit: 5})
	if err != nil || len(page.Results) == 0 {
		t.Fatalf("no conversations: %v", err)
	}
	session := page.Results[0].BotSessionID
	_, raw, err := tokens.Issue(context.Background(), "admin", "", "admin", 1)
	if err != nil {
		t.Fatal(err)
	}
	resp := h.bearerGet("/api/v1/sessions/"+session, raw)
	apiBody := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("api: %d %s", resp.StatusCode, apiBody)
	}
	browser := readBody(t, h.get(h.login("admin"), "/sessions/"+session+"/export.json"))
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal([]byte(apiBody), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(browser), &b); err != nil {
		t.Fatal(err)
	}
	// The timeline of a live conversation depends on the time it is built.
	for _, k := range []string{"sessionId", "conversationId", "sha256", "upstream"} {
		if string(a[k]) != string(b[k]) || len(a[k]) == 0 {
			t.Errorf("%s differs between the API and the browser export", k)
		}
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionAPICall})
	if e.Actor != "token:admin" || e.Target != session {
		t.Errorf("audit %+v", e)
	}
}
