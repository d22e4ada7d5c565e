package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/simulator"
)

func decodeFields(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

func TestAgentSaveSendsOriginalWithOnlyTheEditedField(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	id := h.Sim.Agents()[1].ID

	// Give the agent a field nobody models, spelled so a re-encode shows.
	ag, err := h.App.Upstream.Agent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Set("customThing", json.RawMessage(`{"nested": [1, 2.50, null]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.App.Upstream.UpdateAgent(ctx, ag); err != nil {
		t.Fatal(err)
	}
	original, err := h.App.Upstream.Agent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	origBytes, _ := json.Marshal(original)
	for _, extra := range []string{"sipURI", "hoursOfOperationId", "desktopLayouts", "customThing", "agentAffinity"} {
		if _, ok := original.Get(extra); !ok {
			t.Fatalf("test agent lacks unmodelled field %s", extra)
		}
	}

	c := h.Login("lead")
	form := loadEditForm(t, h, c, id)
	newValue := "42"
	if form.Get("maxEmailChatSupport") == newValue {
		newValue = "43"
	}
	form.Set("maxEmailChatSupport", newValue)
	h.Sim.ResetRequests()
	resp := h.PostForm(c, "/agents/"+id, form)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agents/"+id+"?saved=1" {
		t.Fatalf("save: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}

	puts := puts(h)
	if len(puts) != 1 {
		t.Fatalf("upstream got %d PUTs, want 1", len(puts))
	}
	put := puts[0]
	if q, _ := url.ParseQuery(put.RawQuery); q.Get("groupId") != original.View().AgentGroupID || original.View().AgentGroupID == "" {
		t.Errorf("groupId %q, want the agentGroupId %q", q.Get("groupId"), original.View().AgentGroupID)
	}
	sent := decodeFields(t, put.Body)
	want := decodeFields(t, origBytes)
	want["maxEmailChatSupport"] = json.RawMessage(newValue)
	if len(sent) != len(want) {
		t.Errorf("sent %d fields, original has %d", len(sent), len(want))
	}
	for k, w := range want {
		if got, ok := sent[k]; !ok || !bytes.Equal(got, w) {
			t.Errorf("field %s: sent %s, want %s", k, got, w)
		}
	}
	if !bytes.Contains(put.Body, []byte(`"customThing":{"nested":[1,2.50,null]}`)) {
		t.Errorf("the unmodelled field was re-encoded: %s", put.Body)
	}

	// Audited with actor, agent and the field-level diff.
	entries, _, err := h.App.Audit.Query(ctx, audit.Filter{Action: audit.ActionAgentUpdate, Target: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("audit entries %d, want request and result", len(entries))
	}
	var details struct {
		Phase, Outcome string
		Changes        []struct {
			Field         string
			Before, After json.RawMessage
		}
	}
	if err := json.Unmarshal(entries[0].Details, &details); err != nil {
		t.Fatal(err)
	}
	if entries[0].Actor != "lead" || details.Phase != "result" || details.Outcome != "saved" ||
		len(details.Changes) != 1 || details.Changes[0].Field != "maxEmailChatSupport" || string(details.Changes[0].After) != newValue {
		t.Errorf("audit entry %s by %s", entries[0].Details, entries[0].Actor)
	}

	// The profile shows the new value from the refreshed cache.
	doc := readDoc(t, h.Get(c, "/agents/"+id+"?saved=1"))
	if doc.Find("[data-testid=agent-saved]").Length() != 1 {
		t.Error("no saved banner")
	}
	if !strings.Contains(doc.Find("[data-testid=agent-presence]").Text(), newValue) {
		t.Errorf("profile does not show the new capacity %s", newValue)
	}
}

func TestAgentConcurrentEditsConflict(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	id := h.Sim.Agents()[2].ID
	first, second := h.Login("lead"), h.Login("lead")
	form1 := loadEditForm(t, h, first, id)
	form2 := loadEditForm(t, h, second, id)

	form1.Set("nickName", "First lead's nickname")
	form2.Set("maxDigitalChatSupport", "9")
	h.Sim.ResetRequests()
	if resp := h.PostForm(first, "/agents/"+id, form1); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", resp.StatusCode, readBody(t, resp))
	}
	// The first save's version is stamped by the simulator's clock (the
	// test's): move it on so the second save's base is older.
	h.Clock.Advance(time.Second)
	resp := h.PostForm(second, "/agents/"+id, form2)
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("second save: status %d, want 409", resp.StatusCode)
	}
	if n := len(puts(h)); n != 1 {
		t.Fatalf("upstream got %d PUTs, want exactly 1", n)
	}
	theirs := doc.Find("[data-testid=agent-conflict-theirs]").Text()
	yours := doc.Find("[data-testid=agent-conflict-yours]").Text()
	if !strings.Contains(theirs, "First lead's nickname") || !strings.Contains(yours, "9") {
		t.Errorf("conflict should show their change beside yours: theirs=%q yours=%q", theirs, yours)
	}

	// Re-apply on top of the new version: the rebased form saves both.
	rebased := browserForm(t, doc, "#agent-edit-form")
	if rebased.Get("maxDigitalChatSupport") != "9" || rebased.Get("nickName") != "First lead's nickname" {
		t.Fatalf("rebased form: nick=%q max=%q", rebased.Get("nickName"), rebased.Get("maxDigitalChatSupport"))
	}
	if resp := h.PostForm(second, "/agents/"+id, rebased); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-applied save: %d %s", resp.StatusCode, readBody(t, resp))
	}
	final, err := h.App.Upstream.Agent(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if v := final.View(); v.NickName != "First lead's nickname" || v.MaxDigitalChatSupport != 9 {
		t.Errorf("final agent: nick %q max %d", v.NickName, v.MaxDigitalChatSupport)
	}
}

func TestAgentValidationKeepsFormAsTyped(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	agents := h.Sim.Agents()
	id := agents[3].ID
	c := h.Login("admin")
	tests := []struct {
		name, field, value, errField string
	}{
		{"first name required", "firstName", " ", "firstName"},
		{"email syntax", "emailId", "not an email", "emailId"},
		{"email used by another agent", "emailId", strings.ToUpper(agents[0].Email), "emailId"},
		{"custom id with a space", "customId", "EMP 12", "customId"},
		{"capacity above 100", "maxDigitalChatSupport", "101", "maxDigitalChatSupport"},
		{"capacity not whole", "maxEmailChatSupport", "2.5", "maxEmailChatSupport"},
		{"capacity negative", "maxMessagingChatSupport", "-3", "maxMessagingChatSupport"},
		{"unknown status", "status", "<script>alert(1)</script>", "status"},
		{"unknown proficiency", "chatLanguageSupport[0].proficiency", "guru", "chatLanguageSupport[0].proficiency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := loadEditForm(t, h, c, id)
			form.Set(tt.field, tt.value)
			h.Sim.ResetRequests()
			resp := h.PostForm(c, "/agents/"+id, form)
			doc := readDoc(t, resp)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if n := len(puts(h)); n != 0 {
				t.Fatalf("invalid input reached upstream (%d PUTs)", n)
			}
			msg := doc.Find("#err-" + strings.NewReplacer("[", "\\[", "]", "\\]", ".", "\\.").Replace(tt.errField)).Text()
			if msg == "" {
				t.Errorf("no message beside %s; errors: %q", tt.errField, doc.Find("[data-testid=field-error]").Text())
			}
			kept := browserForm(t, doc, "#agent-edit-form")
			if kept.Get(tt.field) != tt.value {
				t.Errorf("form not kept as typed: %s = %q, want %q", tt.field, kept.Get(tt.field), tt.value)
			}
			if doc.Find("script:not([src])").Length() != 0 {
				t.Error("typed input produced a script element")
			}
		})
	}

	t.Run("unknown language in an added row", func(t *testing.T) {
		form := loadEditForm(t, h, c, id)
		var idx string
		for k, v := range form {
			if strings.HasPrefix(k, "chatLanguageSupport[") && strings.HasSuffix(k, "].language") && v[0] == "" {
				idx = k
			}
		}
		if idx == "" {
			t.Fatal("no blank row to add a language")
		}
		form.Set(idx, "xx")
		resp := h.PostForm(c, "/agents/"+id, form)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("[data-testid=field-error]").Text(), "ISO 639-1") {
			t.Errorf("status %d, errors %q", resp.StatusCode, doc.Find("[data-testid=field-error]").Text())
		}
	})
}

func TestAgentUpstreamRefusalShownBesideField(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	agents := h.Sim.Agents()
	id, other := agents[4].ID, agents[5].ID
	c := h.Login("lead")
	form := loadEditForm(t, h, c, id) // loads the directory, with other's old email

	// Another agent takes the address after the directory was loaded, so
	// only upstream can notice.
	o, err := h.App.Upstream.Agent(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Set("emailId", "fresh.address@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.App.Upstream.UpdateAgent(ctx, o); err != nil {
		t.Fatal(err)
	}
	form.Set("emailId", "fresh.address@example.com")
	resp := h.PostForm(c, "/agents/"+id, form)
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.Contains(doc.Find("[data-testid=agent-edit-banner]").Text(), "already used") {
		t.Errorf("banner %q", doc.Find("[data-testid=agent-edit-banner]").Text())
	}
	if !strings.Contains(doc.Find("#err-emailId").Text(), "already used") {
		t.Errorf("message beside email: %q", doc.Find("#err-emailId").Text())
	}
	entries, _, _ := h.App.Audit.Query(ctx, audit.Filter{Action: audit.ActionAgentUpdate, Target: id})
	if len(entries) != 2 || !strings.Contains(string(entries[0].Details), `"outcome":"failed"`) {
		t.Errorf("the refused attempt should be audited: %d entries", len(entries))
	}
}

func TestAgentEditNeedsLead(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	id := h.Sim.Agents()[0].ID
	lead := h.Login("lead")
	form := loadEditForm(t, h, lead, id)
	form.Set("nickName", "viewer was here")
	viewer := h.Login("viewer")
	h.Sim.ResetRequests()
	for _, tt := range []struct {
		method, path string
	}{
		{http.MethodGet, "/agents/" + id + "/edit"},
		{http.MethodPost, "/agents/" + id + "/preview"},
		{http.MethodPost, "/agents/" + id},
	} {
		var resp *http.Response
		if tt.method == http.MethodGet {
			resp = h.Get(viewer, tt.path)
		} else {
			resp = h.PostForm(viewer, tt.path, form)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s as viewer: %d, want 403", tt.method, tt.path, resp.StatusCode)
		}
	}
	if n := len(puts(h)); n != 0 {
		t.Errorf("a viewer's save reached upstream")
	}
	// Viewers see the profile without an edit link.
	doc := readDoc(t, h.Get(viewer, "/agents/"+id))
	if doc.Find("[data-testid=agent-name]").Length() != 1 || doc.Find("[data-testid=agent-edit-link]").Length() != 0 {
		t.Error("viewer profile: missing name or showing an edit link")
	}
}

func TestAgentPreviewShowsDiffBeforeSending(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	id := h.Sim.Agents()[6].ID
	c := h.Login("lead")
	form := loadEditForm(t, h, c, id)
	form.Set("maxMessagingChatSupport", "77")
	form.Set("canSupportCase", "true") // the hidden "false" stays first: the box wins
	form["canSupportCase"] = []string{"false", "true"}
	h.Sim.ResetRequests()

	// htmx: the diff fragment alone, with a Confirm button for the form.
	resp := h.PostForm(c, "/agents/"+id+"/preview", form, "HX-Request", "true")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || doc.Find("header.topbar").Length() != 0 {
		t.Fatalf("htmx preview: %d, full page=%v", resp.StatusCode, doc.Find("header.topbar").Length() != 0)
	}
	fields := map[string]string{}
	doc.Find("[data-testid=agent-diff-row]").Each(func(_ int, s *goquery.Selection) {
		f, _ := s.Attr("data-field")
		fields[f] = strings.TrimSpace(s.Find("[data-testid=agent-diff-after]").Text())
	})
	if len(fields) != 2 || fields["maxMessagingChatSupport"] != "77" || fields["canSupportCase"] != "true" {
		t.Errorf("diff %v", fields)
	}
	if f, _ := doc.Find("[data-testid=agent-confirm]").Attr("form"); f != "agent-edit-form" {
		t.Errorf("confirm button submits form %q", f)
	}
	if n := len(puts(h)); n != 0 {
		t.Fatal("preview sent an update")
	}

	// Without JavaScript: the whole page, form kept, diff filled in.
	resp = h.PostForm(c, "/agents/"+id+"/preview", form)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || doc.Find("#agent-edit-form").Length() != 1 || doc.Find("[data-testid=agent-diff-row]").Length() != 2 {
		t.Fatalf("no-JS preview: %d", resp.StatusCode)
	}
	if kept := browserForm(t, doc, "#agent-edit-form"); kept.Get("maxMessagingChatSupport") != "77" {
		t.Errorf("preview page lost the typed value: %q", kept.Get("maxMessagingChatSupport"))
	}

	// An untouched form previews as "nothing changes".
	resp = h.PostForm(c, "/agents/"+id+"/preview", loadEditForm(t, h, c, id), "HX-Request", "true")
	if doc := readDoc(t, resp); doc.Find("[data-testid=agent-diff-empty]").Length() != 1 {
		t.Error("an untouched form should preview as no change")
	}
}

func TestAgentListSearchFiltersAndEscaping(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	agents := h.Sim.Agents()

	resp := h.Get(c, "/agents")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := doc.Find("[data-testid=agent-row]").Length(); n != len(agents) {
		t.Errorf("%d rows, want %d", n, len(agents))
	}
	if doc.Find("script:not([src])").Length() != 0 || doc.Find("[style]").Length() != 0 {
		t.Error("hostile agent data produced a script element or inline style")
	}
	rows := doc.Find("#agent-rows")
	if trig, _ := rows.Attr("hx-trigger"); trig != "every 5s" {
		t.Errorf("rows refresh trigger %q", trig)
	}

	count := func(query string) int {
		t.Helper()
		resp := h.Get(c, "/agents?"+query)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", query, resp.StatusCode)
		}
		return doc.Find("[data-testid=agent-row]").Length()
	}
	want := func(pred func(simulator.AgentInfo) bool) int {
		n := 0
		for _, a := range agents {
			if pred(a) {
				n++
			}
		}
		return n
	}
	a := agents[1]
	// An agent can be in several groups; AgentInfo names only the default one.
	all, err := h.App.Upstream.AllAgents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inGroup := map[string]int{}
	for _, ag := range all {
		for _, g := range ag.View().AgentGroups {
			inGroup[g.GroupID]++
		}
	}
	tests := []struct {
		query string
		want  int
	}{
		{"q=" + url.QueryEscape(strings.ToUpper(a.Email)), 1},
		{"q=" + url.QueryEscape("EMP-1001"), want(func(x simulator.AgentInfo) bool { return x.ID == a.ID })},
		{"group=" + a.GroupID, inGroup[a.GroupID]},
		{"queue=" + a.QueueIDs[0], want(func(x simulator.AgentInfo) bool { return slices.Contains(x.QueueIDs, a.QueueIDs[0]) })},
		{"availability=AVAILABLE", want(func(x simulator.AgentInfo) bool { return x.OnlineStatus == "AVAILABLE" })},
		{"availability=OFFLINE&queue=" + a.QueueIDs[0], want(func(x simulator.AgentInfo) bool {
			return x.OnlineStatus == "OFFLINE" && slices.Contains(x.QueueIDs, a.QueueIDs[0])
		})},
		{"status=ACTIVE", len(agents)},
		{"status=INACTIVE", 0},
		{"channel=chat", len(agents)},
		{"channel=bogus", 0},
		{"q=" + url.QueryEscape("<script>"), -1},
	}
	for _, tt := range tests {
		got := count(tt.query)
		if tt.want >= 0 && got != tt.want {
			t.Errorf("%s: %d rows, want %d", tt.query, got, tt.want)
		}
	}
	if len(a.SkillIDs) > 0 {
		if got := count("skill=" + a.SkillIDs[0]); got < 1 {
			t.Errorf("skill filter found %d", got)
		}
	}

	// The polling endpoint answers with the table body alone, keeping the filters.
	resp = h.Get(c, "/agents/availability?availability=AVAILABLE")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), "<tbody") || strings.Contains(body, "<html") {
		t.Errorf("availability fragment: %d %.80q", resp.StatusCode, body)
	}
	if !strings.Contains(body, `hx-get="/agents/availability?availability=AVAILABLE"`) {
		t.Error("the fragment should poll with the same filters")
	}
}

// hexColor is what a swatch's fill must look like.
var hexColor = regexp.MustCompile(`^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)

func TestAgentProfile(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	info := h.Agent(func(a simulator.AgentInfo) bool { return a.UserID == conv.AgentUserIDs[0] })
	// The agent's conversations, newest first, as the index will list them.
	var theirs []simulator.ConversationInfo
	for _, c := range h.Sim.Conversations() {
		if slices.Contains(c.AgentUserIDs, info.UserID) {
			theirs = append(theirs, c)
		}
	}
	c := h.Login("lead")

	// Before the index sync has run, the page says the index has none.
	doc := readDoc(t, h.Get(c, "/agents/"+info.ID))
	if got := doc.Find("[data-testid=agent-conversations-note]").Text(); !strings.Contains(got, "No conversations with this agent in the local index") {
		t.Errorf("note before the sync: %q", got)
	}

	h.SyncIndex()
	resp := h.Get(c, "/agents/"+info.ID)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if doc.Find("[data-testid=agent-edit-link]").Length() != 1 {
		t.Error("a lead should get an edit link")
	}
	if got := doc.Find("[data-testid=agent-skill]").Length(); got != len(info.SkillIDs) {
		t.Errorf("%d skills shown, want %d", got, len(info.SkillIDs))
	}
	doc.Find("[data-testid=swatch] rect").Each(func(_ int, s *goquery.Selection) {
		if fill, _ := s.Attr("fill"); !hexColor.MatchString(fill) {
			t.Errorf("swatch fill %q is not a #hex colour", fill)
		}
	})
	if got := doc.Find("[data-testid=agent-queue]").Length(); got != len(info.QueueIDs) {
		t.Errorf("%d queues shown, want %d", got, len(info.QueueIDs))
	}
	rows := doc.Find("[data-testid=agent-conversation]")
	if rows.Length() != min(len(theirs), 20) {
		t.Errorf("%d recent conversations listed, want %d", rows.Length(), min(len(theirs), 20))
	}
	if href, _ := rows.First().Find("a").Attr("href"); href != "/sessions/"+theirs[0].SessionID {
		t.Errorf("newest conversation link %q, want /sessions/%s", href, theirs[0].SessionID)
	}
	if doc.Find("[data-testid=agent-conversations-note]").Length() != 0 {
		t.Errorf("a note beside the conversations: %q", doc.Find("[data-testid=agent-conversations-note]").Text())
	}
	if doc.Find("[data-testid=agent-online]").Text() == "" || doc.Find("[data-testid=presence]").Length() == 0 {
		t.Error("no online status")
	}

	// Times are in the viewer's zone: their setting wins over the browser's.
	if got := doc.Find("[data-testid=agent-last-online]").Text(); !strings.HasSuffix(got, " UTC") {
		t.Errorf("last online %q, want UTC with no zone chosen", got)
	}
	if err := h.App.Users.SetTimeZone(context.Background(), h.UserID("lead"), "Asia/Kolkata", nil); err != nil {
		t.Fatal(err)
	}
	doc = readDoc(t, h.Get(c, "/agents/"+info.ID))
	if got := doc.Find("[data-testid=agent-last-online]").Text(); !strings.HasSuffix(got, " IST") {
		t.Errorf("last online %q, want it in Asia/Kolkata", got)
	}

	for _, path := range []string{"/agents/a-0000000-0000-0000-0000-000000000000", "/agents/..%2F..%2Fetc"} {
		resp := h.Get(c, path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestAgentPagesServeStaleCopyWhenUpstreamFails(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	if resp := h.Get(c, "/agents"); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h.Sim.SetFaults(simulator.Faults{ErrorRate: 1})
	h.App.Directory.Invalidate("") // force a reload, which fails
	resp := h.Get(c, "/agents")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || doc.Find("[data-testid=agent-row]").Length() != len(h.Sim.Agents()) {
		t.Fatalf("stale list: %d", resp.StatusCode)
	}
	if !strings.Contains(doc.Find("[data-testid=agent-list-age]").Text(), "not answering") {
		t.Errorf("age banner %q", doc.Find("[data-testid=agent-list-age]").Text())
	}
}
