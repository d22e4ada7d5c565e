package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/internal/simulator"
)

// htmxHeaders are what htmx sends with a request from the panel.
var htmxHeaders = []string{"HX-Request", "true", "HX-Target", "reassign-panel"}

// statusPanel fetches a transfer's status fragment the way htmx polls it.
func statusPanel(t *testing.T, h *apptest.Harness, c *http.Client, statusURL string) (*goquery.Document, string) {
	t.Helper()
	resp := h.Get(c, statusURL, "HX-Request", "true")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status fragment: %d %s", resp.StatusCode, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc, body
}

func TestReassignPanelIsForLeadsOnLiveConversations(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	live, closed := h.Conversation(apptest.HeldByAgent), h.Conversation(apptest.ClosedWithAgent)
	for _, tc := range []struct {
		user, conv string
		want       bool
	}{
		{"viewer", live.ID, false},
		{"lead", live.ID, true},
		{"admin", live.ID, true},
		{"lead", closed.ID, false},
	} {
		doc := readDoc(t, h.Get(h.Login(tc.user), "/conversations/"+tc.conv))
		panel := doc.Find("[data-testid=reassign-panel]")
		if got := panel.Length() == 1; got != tc.want {
			t.Errorf("%s on %s: panel shown %v, want %v", tc.user, tc.conv, got, tc.want)
		}
		if !tc.want {
			continue
		}
		if n := panel.Find("[data-testid=reassign-candidate]").Length(); n == 0 {
			t.Errorf("%s: no candidates", tc.user)
		}
		if n := panel.Find("[data-testid=reassign-queue] option").Length(); n < 2 {
			t.Errorf("%s: %d queue options", tc.user, n)
		}
		// The holder of the conversation is not offered; offline ones are, marked.
		if panel.Find("[data-testid=candidate-unavailable]").Length() == 0 {
			t.Errorf("no candidate is marked unavailable, though the dataset has offline agents")
		}
		if panel.Find(`[data-testid=reassign-candidate] input[name=agentId]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.AttrOr("value", "") == h.Agent(func(a simulator.AgentInfo) bool { return a.UserID == live.AgentUserID }).ID
		}).Length() != 0 {
			t.Errorf("the agent holding the conversation is offered")
		}
		first := panel.Find("[data-testid=reassign-candidate]").First()
		if first.Find("[data-testid=candidate-unavailable], [data-testid=candidate-full]").Length() != 0 {
			t.Errorf("the best candidate is marked: %s", first.Text())
		}
		// Collapsed by default; nothing chosen that fails a check; loads
		// read as slots.
		if _, open := panel.Attr("open"); open {
			t.Error("the panel is open before the lead asks for it")
		}
		panel.Find("[data-testid=reassign-candidate]").Each(func(_ int, row *goquery.Selection) {
			if _, checked := row.Find("input[name=agentId]").Attr("checked"); checked && row.AttrOr("data-recommended", "") != "true" {
				t.Errorf("a candidate failing a check is chosen by default: %s", row.Text())
			}
		})
		if load := first.Find("td.num").Text(); !strings.Contains(load, "slot") && !strings.Contains(load, "held") {
			t.Errorf("load reads %q", load)
		}
		if tok, _ := panel.Find("input[name=formToken]").Attr("value"); len(tok) != 32 {
			t.Errorf("form token %q", tok)
		}
		if v, _ := panel.Find("form").Attr("hx-disabled-elt"); v == "" {
			t.Error("the submit button is not disabled while a request runs")
		}
	}
}

func TestReassignToAnAgentIsTrackedToItsOutcome(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv, target := h.Reassignable(apptest.HeldByAgent)
	lead := h.Login("lead")
	doc := readDoc(t, h.Get(lead, "/conversations/"+conv.ID))
	form := doc.Find("[data-testid=reassign-agent-form]")
	token, _ := form.Find("input[name=formToken]").Attr("value")
	candidate := form.Find("[data-testid=reassign-candidate]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("input[name=agentId]").AttrOr("value", "") == target.ID
	})
	if candidate.Length() != 1 {
		t.Fatalf("%s (%s, %s, on the conversation's queue) is not offered", target.Name, target.ID, target.OnlineStatus)
	}
	if candidate.Find("[data-testid=candidate-unavailable]").Length() != 0 {
		t.Errorf("%s is %s but marked unavailable", target.Name, target.OnlineStatus)
	}
	agentID := target.ID
	agentName := strings.TrimSpace(candidate.Find("label").First().Text())
	values := url.Values{"formToken": {token}, "agentId": {agentID}}

	resp := h.PostForm(lead, "/conversations/"+conv.ID+"/reassign", values, htmxHeaders...)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reassign: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "<html") || strings.Contains(body, "data-testid=\"nav\"") || strings.Contains(body, "<nav") {
		t.Errorf("the partial carries the layout:\n%s", body)
	}
	frag, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	status := frag.Find("[data-testid=reassign-status]")
	statusURL, _ := status.Attr("hx-get")
	if !strings.Contains(status.Text(), "Transfer requested to "+agentName) && status.AttrOr("data-status", "") != "confirmed" {
		t.Errorf("status after request: %q", status.Text())
	}
	if trig, _ := status.Attr("hx-trigger"); trig != "every 1s" && status.AttrOr("data-status", "") != "confirmed" {
		t.Errorf("the pending status does not poll: %q", trig)
	}
	if statusURL == "" {
		statusURL = "/conversations/" + conv.ID + "/reassign/" + status.AttrOr("data-transfer", "")
	}

	// A double click: the same form again is the same transfer.
	again := readBody(t, h.PostForm(lead, "/conversations/"+conv.ID+"/reassign", values, htmxHeaders...))
	againDoc, _ := goquery.NewDocumentFromReader(strings.NewReader(again))
	if got := againDoc.Find("[data-testid=reassign-status]").AttrOr("data-transfer", ""); got != status.AttrOr("data-transfer", "-") {
		t.Errorf("the resubmitted form made transfer %q, not %q", got, status.AttrOr("data-transfer", ""))
	}

	// The simulator calls back through the real route; the app refreshes
	// the conversation; then the panel shows the outcome and stops polling.
	if out := h.WaitOutcome(); out.ConversationID != conv.ID {
		t.Fatalf("outcome for %s, want %s", out.ConversationID, conv.ID)
	}
	final, finalBody := statusPanel(t, h, lead, statusURL)
	st := final.Find("[data-testid=reassign-status]")
	if _, polls := st.Attr("hx-trigger"); polls {
		t.Error("the final status still polls")
	}
	if st.AttrOr("data-status", "") != "confirmed" || !strings.Contains(st.Text(), "Transferred to "+agentName) || !strings.Contains(st.Text(), "by lead") {
		t.Fatalf("final status %q: %s", st.AttrOr("data-status", ""), st.Text())
	}
	if final.Find("[data-testid=reassign-done]").Text() == "" {
		t.Error("no confirmation time")
	}
	// The outcome refreshes the page's routing and timeline in place.
	oob := final.Find("#conv-routing[hx-swap-oob]")
	if oob.Length() != 1 || !strings.Contains(oob.Text(), agentName) {
		t.Errorf("no refreshed agents list naming %s in:\n%s", agentName, finalBody)
	}
	if final.Find("#conv-timeline[hx-swap-oob]").Length() != 1 {
		t.Error("no refreshed timeline")
	}
	// And so does a reload.
	page := readDoc(t, h.Get(lead, "/conversations/"+conv.ID))
	if !strings.Contains(page.Find("[data-testid=conv-agents]").Text(), agentName) {
		t.Errorf("the audit view does not list %s after the outcome: %q", agentName, page.Find("[data-testid=conv-agents]").Text())
	}
	if page.Find("[data-testid=reassign-status]").AttrOr("data-status", "") != "confirmed" {
		t.Error("the audit view does not show the transfer's outcome")
	}
	// Upstream credits its API account; the transfers table names the lead.
	if got := page.Find("[data-testid=timeline-transfer-lead]").Text(); !strings.Contains(got, "requested here by lead") {
		t.Errorf("the transfers table does not name the lead who asked: %q", got)
	}
	// The panel opens itself to show the outcome; the sentence names, not ids.
	if _, open := page.Find("[data-testid=reassign-panel]").Attr("open"); !open {
		t.Error("the panel is closed while it shows an outcome")
	}
	if st := page.Find("[data-testid=reassign-status]").Text(); strings.Contains(st, "(u-") {
		t.Errorf("the status shows a raw id: %q", st)
	}

	calls := assignCalls(t, h)
	if len(calls) != 1 {
		t.Fatalf("upstream got %d assign calls, want 1", len(calls))
	}
	for _, k := range []string{"callbackUrl", "orgId", "aId", "botSessionId"} {
		if _, ok := calls[0][k]; !ok {
			t.Errorf("assign body lacks %s: %v", k, calls[0])
		}
	}
	if len(calls[0]) != 4 || calls[0]["aId"] != agentID || calls[0]["botSessionId"] != conv.SessionID ||
		!strings.HasPrefix(calls[0]["callbackUrl"].(string), h.URL()+"/hooks/assign/") {
		t.Errorf("assign body %v", calls[0])
	}

	entries, _, err := h.App.Audit.Query(context.Background(), audit.Filter{Action: "reassign."})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit: %d entries, %v", len(entries), err)
	}
	req, out := entries[1], entries[0]
	if req.Action != audit.ActionReassignReq || req.Actor != "lead" || req.Target != conv.SessionID ||
		!strings.Contains(string(req.Details), `"from":"agent `) || !strings.Contains(string(req.Details), agentID) {
		t.Errorf("request entry %+v %s", req, req.Details)
	}
	if out.Action != audit.ActionReassignResult || !strings.Contains(string(out.Details), `"outcome":"confirmed"`) ||
		!strings.Contains(string(out.Details), `"confirmedAt"`) || !strings.Contains(string(out.Details), `"from":"agent `) {
		t.Errorf("outcome entry %s", out.Details)
	}
}

func TestReassignToAQueueWithoutHTMX(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.Waiting)
	lead := h.Login("lead")
	doc := readDoc(t, h.Get(lead, "/conversations/"+conv.ID))
	form := doc.Find("[data-testid=reassign-queue-form]")
	token, _ := form.Find("input[name=formToken]").Attr("value")
	queueID, _ := form.Find("select[name=queueId] option[value^=qu-]").First().Attr("value")
	resp := h.PostForm(lead, "/conversations/"+conv.ID+"/reassign", url.Values{"formToken": {token}, "queueId": {queueID}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/conversations/"+conv.ID {
		t.Fatalf("POST without htmx: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	h.WaitOutcome()
	page := readDoc(t, h.Get(lead, "/conversations/"+conv.ID))
	if st := page.Find("[data-testid=reassign-status]"); st.AttrOr("data-status", "") != "confirmed" || !strings.Contains(st.Text(), "queue ") {
		t.Errorf("audit view status %q: %s", st.AttrOr("data-status", ""), st.Text())
	}
	if calls := assignCalls(t, h); len(calls) != 1 || calls[0]["queueId"] != queueID || calls[0]["transferredType"] != "QUEUE" {
		t.Errorf("assign calls %v", calls)
	}
}

func TestReassignRefusals(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv, target := h.Reassignable(apptest.HeldByAgent)
	agent := target.ID
	form := url.Values{"formToken": {reassign.NewFormToken()}, "agentId": {agent}}
	path := "/conversations/" + conv.ID + "/reassign"

	resp := h.PostForm(h.Login("viewer"), path, form, htmxHeaders...)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", resp.StatusCode)
	}
	lead := h.Login("lead")
	resp = h.PostForm(lead, path, form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin: %d", resp.StatusCode)
	}
	for name, tc := range map[string]struct {
		form url.Values
		conv string
		want int
		msg  string
	}{
		"nothing chosen": {url.Values{"formToken": {reassign.NewFormToken()}}, conv.ID, 400, "Choose an agent or a queue"},
		"both chosen":    {url.Values{"formToken": {reassign.NewFormToken()}, "agentId": {agent}, "queueId": {"qu-1"}}, conv.ID, 400, "not both"},
		"unknown agent":  {url.Values{"formToken": {reassign.NewFormToken()}, "agentId": {"a-0000000-0000-0000-0000-000000000000"}}, conv.ID, 400, "no agent"},
		"no form token":  {url.Values{"agentId": {agent}}, conv.ID, 400, "expired"},
		"closed":         {url.Values{"formToken": {reassign.NewFormToken()}, "agentId": {agent}}, h.Conversation(apptest.ClosedWithAgent).ID, 409, "no longer live"},
	} {
		resp := h.PostForm(lead, "/conversations/"+tc.conv+"/reassign", tc.form)
		if body := readBody(t, resp); resp.StatusCode != tc.want || !strings.Contains(body, tc.msg) {
			t.Errorf("%s: %d, want %d with %q", name, resp.StatusCode, tc.want, tc.msg)
		}
		// With htmx the refusal is a banner in a fresh panel.
		resp = h.PostForm(lead, "/conversations/"+tc.conv+"/reassign", tc.form, htmxHeaders...)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("[data-testid=reassign-error]").Text(), tc.msg) {
			t.Errorf("%s over htmx: %d %q", name, resp.StatusCode, doc.Find("[data-testid=reassign-error]").Text())
		}
	}
	if n := len(assignCalls(t, h)); n != 0 {
		t.Errorf("refused requests reached upstream %d times", n)
	}
}

func TestReassignCallbackRoute(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv, target := h.Reassignable(apptest.HeldByAgent)
	ctx := context.Background()
	tr, err := h.App.Reassign.Request(ctx, reassign.Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID,
		Target: reassign.Target{Kind: "agent", ID: target.ID}, FormToken: reassign.NewFormToken()})
	if err != nil {
		t.Fatal(err)
	}
	h.WaitOutcome() // the simulator's real callback, through the real route
	if got, _ := h.App.Reassign.Get(ctx, tr.ID); got.Status != reassign.StatusConfirmed {
		t.Fatalf("after the callback: %s %q", got.Status, got.Message)
	}
	callbackURL := assignCalls(t, h)[0]["callbackUrl"].(string)

	post := func(target, body string, header ...string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := readBody(t, resp)
		if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "html") {
			t.Errorf("%s answered HTML", target)
		}
		return resp.StatusCode, b
	}
	ok := `{"sessionId":"` + conv.SessionID + `","status":"failed"}`
	tests := []struct {
		name, url, body string
		header          []string
		want            int
	}{
		{"replayed", callbackURL, ok, nil, http.StatusNotFound},
		{"forged", h.URL() + "/hooks/assign/" + strings.Repeat("ab", 16), ok, nil, http.StatusNotFound},
		{"not hex", h.URL() + "/hooks/assign/zz", ok, nil, http.StatusNotFound},
		{"cross-site browser", h.URL() + "/hooks/assign/" + strings.Repeat("cd", 16), ok, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusNotFound},
		{"too large", h.URL() + "/hooks/assign/" + strings.Repeat("ef", 16), `{"pad":"` + strings.Repeat("x", reassign.MaxCallbackBytes) + `"}`, nil, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		if got, body := post(tc.url, tc.body, tc.header...); got != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, got, body, tc.want)
		}
	}
	if got, _ := h.App.Reassign.Get(ctx, tr.ID); got.Status != reassign.StatusConfirmed {
		t.Errorf("a replayed callback changed the outcome to %s", got.Status)
	}
}

func TestBulkReassign(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.RunReassign() // bulk moves are sent by the reassign loop
	ctx := context.Background()
	var lives []simulator.ConversationInfo
	for _, c := range h.Sim.Conversations() {
		if apptest.Waiting(c) && len(lives) < 2 {
			lives = append(lives, c)
		}
	}
	if len(lives) != 2 {
		t.Fatalf("%d conversations waiting, the simulator guarantees 2", len(lives))
	}
	// An agent who is AVAILABLE takes both (nobody holds a waiting one).
	target := h.Agent(func(a simulator.AgentInfo) bool { return a.OnlineStatus == "AVAILABLE" })
	for _, c := range lives {
		if _, err := h.App.Conversations.GetConversation(ctx, c.ID); err != nil { // into the index
			t.Fatal(err)
		}
	}
	closed := h.Conversation(apptest.ClosedWithAgent)
	if _, err := h.App.Conversations.GetConversation(ctx, closed.ID); err != nil {
		t.Fatal(err)
	}

	viewerList := readDoc(t, h.Get(h.Login("viewer"), "/conversations"))
	if viewerList.Find("[data-testid=bulk-form], [data-testid=bulk-select]").Length() != 0 {
		t.Error("viewers see the bulk move")
	}
	lead := h.Login("lead")
	list := readDoc(t, h.Get(lead, "/conversations"))
	if list.Find("[data-testid=bulk-form]").Length() != 1 {
		t.Fatal("no bulk form for a lead")
	}
	selectable := map[string]bool{}
	list.Find("[data-testid=bulk-select]").Each(func(_ int, s *goquery.Selection) { selectable[s.AttrOr("value", "")] = true })
	if !selectable[lives[0].ID] || !selectable[lives[1].ID] || selectable[closed.ID] {
		t.Errorf("selectable rows %v", selectable)
	}
	token := list.Find("[data-testid=bulk-form] input[name=formToken]").AttrOr("value", "")
	option := list.Find("[data-testid=bulk-agent] option").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("value", "") == target.ID
	})
	if !strings.Contains(option.Text(), "(available)") {
		t.Errorf("%s is offered as %q, want it marked available", target.ID, option.Text())
	}

	form := url.Values{"formToken": {token}, "agentId": {target.ID}, "conversationId": {lives[0].ID, lives[1].ID, closed.ID}}
	resp := h.PostForm(lead, "/conversations/reassign", form, "HX-Request", "true", "HX-Target", "bulk-progress")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") {
		t.Fatalf("bulk: %d %s", resp.StatusCode, body)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	prog := doc.Find("[data-testid=bulk-progress]")
	statusURL := prog.AttrOr("hx-get", "/conversations/reassign/batch/"+prog.AttrOr("data-batch", ""))
	if !strings.Contains(doc.Find("[data-testid=bulk-notice]").Text(), closed.SessionID) {
		t.Errorf("the closed conversation is not reported as skipped: %s", body)
	}
	// A resubmitted bulk form is the same batch.
	again := readDoc(t, h.PostForm(lead, "/conversations/reassign", form, "HX-Request", "true"))
	if again.Find("[data-testid=bulk-progress]").AttrOr("data-batch", "") != prog.AttrOr("data-batch", "-") {
		t.Error("a resubmitted bulk form made a new batch")
	}

	// Both transfers reach their outcome through the real callback route.
	h.WaitOutcome()
	h.WaitOutcome()
	d := readDoc(t, h.Get(lead, statusURL, "HX-Request", "true"))
	p := d.Find("[data-testid=bulk-progress]")
	if p.AttrOr("data-final", "") != "true" {
		t.Errorf("progress not final after both outcomes: %s", p.Text())
	}
	if _, polls := p.Attr("hx-trigger"); polls {
		t.Error("the final progress still polls")
	}
	if summary := p.Find("[data-testid=bulk-summary]").Text(); summary != "2 of 2 confirmed" {
		t.Errorf("summary %q", summary)
	}
	if n := len(assignCalls(t, h)); n != 2 {
		t.Errorf("upstream got %d assign calls for 2 conversations", n)
	}
	// Without htmx the progress is a page of its own.
	page := readDoc(t, h.Get(lead, statusURL))
	if page.Find("[data-testid=nav]").Length() != 1 || page.Find("[data-testid=bulk-row]").Length() != 2 {
		t.Error("the progress page lacks the layout or its rows")
	}
}
