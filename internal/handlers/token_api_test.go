package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/privacy"
)

type apiErrorBody struct{ Error, Message string }

// missingSession is a well-formed session id the simulator does not know.
const missingSession = "646af57bcc41e5bfbd5e9999"

func TestTokenAPI(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	admin := h.Login("admin")
	tok := issueToken(t, h, admin, "lead", 30)

	// The token page never shows the token again.
	if body := readBody(t, h.Get(admin, "/admin/tokens")); strings.Contains(body, tok) || !strings.Contains(body, "active") {
		t.Error("token list shows the token, or not its status")
	}
	issued := newestAudit(t, h, audit.Filter{Action: audit.ActionTokenIssue})
	if issued.Actor != "admin" || issued.Target != "lead" || strings.Contains(string(issued.Details), tok) {
		t.Errorf("issue audit %+v %s", issued, issued.Details)
	}

	tests := []struct {
		path string
		want int
	}{
		{"/api/v1/sessions/" + conv.SessionID, http.StatusOK},
		{"/api/v1/conversations/" + conv.ID, http.StatusOK},
		{"/api/v1/sessions/not-an-id", http.StatusBadRequest},
		{"/api/v1/sessions/" + missingSession, http.StatusNotFound},
	}
	for _, tt := range tests {
		resp := h.BearerGet(tt.path, tok)
		var body map[string]any
		decodeAPI(t, resp, &body)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d %v", tt.path, resp.StatusCode, body)
		}
		if tt.want == http.StatusOK && (body["sessionId"] != conv.SessionID || body["conversationId"] != conv.ID || body["upstream"] == nil) {
			t.Errorf("%s: the case file of another conversation: %v %v", tt.path, body["sessionId"], body["conversationId"])
		}
		if tt.want != http.StatusOK && (body["error"] == "" || body["message"] == "") {
			t.Errorf("%s: error body %v", tt.path, body)
		}
	}
	// Successful reads are recorded by the case file service as the
	// token's owner, with the route, status, format and masking.
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionAPICall, Target: conv.SessionID})
	d := auditDetails(t, e)
	if e.Actor != "token:lead" || !strings.Contains(strings.Join(e.Refs, " "), conv.ID) || !strings.Contains(strings.Join(e.Refs, " "), "sha256:") ||
		d["route"] != "GET /api/v1/conversations/{id}" || d["status"] != float64(200) || d["format"] != "json" || d["masked"] != false {
		t.Errorf("api call audit %+v %s", e, e.Details)
	}
	// The audit target filter finds both reads by the conversation id too.
	if entries, _, _ := h.App.Audit.Query(context.Background(), audit.Filter{Target: conv.ID, Actor: "token:lead"}); len(entries) != 2 {
		t.Errorf("by conversation: %d entries", len(entries))
	}
	// A failed read is recorded by the handler with its status.
	e = newestAudit(t, h, audit.Filter{Action: audit.ActionAPICall, Target: missingSession})
	if d := auditDetails(t, e); e.Actor != "token:lead" || d["status"] != float64(404) || d["route"] != "GET /api/v1/sessions/{sessionId}" {
		t.Errorf("not found audit %+v %s", e, e.Details)
	}

	// Refusals: 401 JSON with WWW-Authenticate, and audited.
	refused := func(name, token, wantMsg string) {
		t.Helper()
		resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, token)
		var body apiErrorBody
		decodeAPI(t, resp, &body)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body.Message, wantMsg) || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %+v", name, resp.StatusCode, body)
		}
	}
	refused("no token", "", "Bearer")
	refused("garbage", "not.a.token", "not valid")

	// A cookie session does not open the API.
	resp := h.Get(admin, "/api/v1/sessions/"+conv.SessionID)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cookie session: %d", resp.StatusCode)
	}
	// The API is read-only.
	resp = h.PostForm(admin, "/api/v1/sessions/"+conv.SessionID, nil, "Authorization", "Bearer "+tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}

	// Revocation takes effect at once.
	var id string
	readDoc(t, h.Get(admin, "/admin/tokens")).Find("[data-testid=token-row]").Each(func(_ int, s *goquery.Selection) { id, _ = s.Attr("data-id") })
	resp = h.PostForm(admin, "/admin/tokens/"+id+"/revoke", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	refused("revoked", tok, "revoked")
	e = newestAudit(t, h, audit.Filter{Action: audit.ActionTokenRevoke})
	if !strings.Contains(string(e.Details), `"before":{"status":"active"}`) || !strings.Contains(string(e.Details), `"after":{"status":"revoked"}`) {
		t.Errorf("revoke audit %s", e.Details)
	}
	// Refusals are counted per source address and written on the minute
	// (here: now), as the token's owner when the token names one.
	if err := h.App.Refusals.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	e = newestAudit(t, h, audit.Filter{Action: audit.ActionAPICall, Actor: "token:lead"})
	if d := string(e.Details); !strings.Contains(d, `"aggregated":true`) || !strings.Contains(d, `"count":1`) || !strings.Contains(d, `"statuses":{"401":1}`) {
		t.Errorf("refused call audit %+v %s", e, e.Details)
	}
	if resp := h.PostForm(admin, "/admin/tokens/"+id+"/revoke", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second revoke: %d", resp.StatusCode)
	}

	// A disabled owner's tokens stop working.
	viewerTok := issueToken(t, h, admin, "viewer", 5)
	if resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, viewerTok); resp.StatusCode != http.StatusOK {
		t.Errorf("viewer's token before the owner is disabled: %d", resp.StatusCode)
	}
	if err := h.App.Users.Disable(context.Background(), "viewer", nil); err != nil {
		t.Fatal(err)
	}
	refused("disabled owner", viewerTok, "disabled")

	// Expiry: a one-day token works until its day is over.
	short := issueToken(t, h, admin, "lead", 1)
	h.Clock.Advance(24*time.Hour - time.Second)
	if resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, short); resp.StatusCode != http.StatusOK {
		t.Errorf("token in its last second: %d", resp.StatusCode)
	}
	h.Clock.Advance(2 * time.Second)
	refused("expired", short, "expired")
}

// TestTokenAPIAppliesTheOwnersMasking: a token reads with its owner's role,
// so a viewer's token gets the customer's contact details masked, as the
// viewer would in the browser, and a lead's the real ones.
func TestTokenAPIAppliesTheOwnersMasking(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	admin := h.Login("admin")
	for _, tc := range []struct {
		owner     string
		wantEmail string
		masked    bool
	}{
		{"viewer", privacy.Masked.Email(conv.CustomerEmail), true},
		{"lead", conv.CustomerEmail, false},
	} {
		tok := issueToken(t, h, admin, tc.owner, 1)
		resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, tok)
		var body struct {
			Masked   bool `json:"masked"`
			Upstream struct {
				UserInfo struct {
					Email string `json:"email"`
				} `json:"userInfo"`
			} `json:"upstream"`
		}
		decodeAPI(t, resp, &body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s's token: %d", tc.owner, resp.StatusCode)
		}
		if body.Upstream.UserInfo.Email != tc.wantEmail || body.Masked != tc.masked {
			t.Errorf("%s's token: email %q masked %v, want %q masked %v", tc.owner, body.Upstream.UserInfo.Email, body.Masked, tc.wantEmail, tc.masked)
		}
		e := newestAudit(t, h, audit.Filter{Action: audit.ActionAPICall, Target: conv.SessionID})
		if d := auditDetails(t, e); e.Actor != "token:"+tc.owner || d["masked"] != tc.masked || d["status"] != float64(200) {
			t.Errorf("%s's read audited as %+v %s", tc.owner, e, e.Details)
		}
	}
	// The viewer's token answers what the viewer's browser export shows.
	browser := readBody(t, h.Get(h.Login("viewer"), "/sessions/"+conv.SessionID+"/export.json"))
	if !strings.Contains(browser, `"email": "`+privacy.Masked.Email(conv.CustomerEmail)+`"`) {
		t.Errorf("the viewer's browser export does not mask the email as the viewer's token does")
	}
}

func TestTokenIssueValidation(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	admin := h.Login("admin")
	for _, form := range []url.Values{
		{"owner": {"lead"}, "days": {"0"}},
		{"owner": {"lead"}, "days": {"366"}},
		{"owner": {"lead"}, "days": {"ten"}},
		{"owner": {"nobody"}, "days": {"10"}},
		{"owner": {"lead"}, "days": {"10"}, "label": {strings.Repeat("x", 200)}},
	} {
		resp := h.PostForm(admin, "/admin/tokens", form)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusBadRequest || doc.Find("[data-testid=new-token]").Length() != 0 || doc.Find("[data-testid=banner]").Length() != 1 {
			t.Errorf("%v: %d", form, resp.StatusCode)
		}
	}
}

func TestTokenAPIUnknownPath(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	var body apiErrorBody
	resp := h.BearerGet("/api/v1/nothing", "")
	decodeAPI(t, resp, &body)
	if resp.StatusCode != http.StatusNotFound || body.Error != "not_found" {
		t.Errorf("unknown api path: %d %+v", resp.StatusCode, body)
	}
}

// TestTokenAPIMatchesBrowserExport: the token API answers the browser
// export's JSON for the same reader.
func TestTokenAPIMatchesBrowserExport(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	_, raw, err := h.App.Tokens.Issue(context.Background(), "admin", "", "admin", 1)
	if err != nil {
		t.Fatal(err)
	}
	resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, raw)
	apiBody := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("api: %d %s", resp.StatusCode, apiBody)
	}
	browser := readBody(t, h.Get(h.Login("admin"), "/sessions/"+conv.SessionID+"/export.json"))
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal([]byte(apiBody), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(browser), &b); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sessionId", "conversationId", "sha256", "upstream", "timeline"} {
		if string(a[k]) != string(b[k]) || len(a[k]) == 0 {
			t.Errorf("%s differs between the API and the browser export", k)
		}
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionAPICall})
	if e.Actor != "token:admin" || e.Target != conv.SessionID {
		t.Errorf("audit %+v", e)
	}
}
