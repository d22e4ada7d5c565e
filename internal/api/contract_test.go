package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// serveFixture answers wantMethod wantPath (below the contact-center base)
// with body and fails the test on any other request.
func serveFixture(t *testing.T, wantMethod, wantPath string, body []byte) *upstream {
	t.Helper()
	return serveAt(t, wantMethod, testPrefix+wantPath, body)
}

// serveAt answers wantMethod on the full path wantPath with body and fails
// the test on any other request.
func serveAt(t *testing.T, wantMethod, wantPath string, body []byte) *upstream {
	t.Helper()
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != wantMethod || r.URL.Path != wantPath {
			t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, wantMethod, wantPath)
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// resultsOf returns the raw elements of a page's results array.
func resultsOf(t *testing.T, page []byte) []json.RawMessage {
	t.Helper()
	var p struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(page, &p); err != nil {
		t.Fatal(err)
	}
	return p.Results
}

func TestContractConversationDetails(t *testing.T) {
	fixture := readFixture(t, "get-conversation-details.response.json")
	up := serveFixture(t, http.MethodGet, "/conversations/sessions/"+testSession, fixture)
	conv, err := up.client().SessionDetails(context.Background(), testSession, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "Raw", conv.Raw, fixture)
	assertSameJSON(t, "MarshalJSON", mustJSON(t, conv), fixture)

	if conv.ID != "c-ab4eb09-8dba-4db8-9176-b0ee670dxxxx" || conv.Status != "CLOSED" || conv.ConversationType != "livechat" {
		t.Errorf("header fields = %q %q %q", conv.ID, conv.Status, conv.ConversationType)
	}
	if len(conv.Participants) != 2 {
		t.Fatalf("participants = %d, want 2", len(conv.Participants))
	}
	p0, p1 := conv.Participants[0], conv.Participants[1]
	if p0.Reason != "OVERDUE" || !p0.ConversationTransferred || p0.Status != "INACTIVE" || p0.EndedChat {
		t.Errorf("participant 0 = %+v", p0)
	}
	if !p0.QueueStartTime.Equal(mustTime(t, "2025-08-23T06:23:45.100Z")) ||
		!p0.EndTimeStamp.Equal(mustTime(t, "2025-08-23T06:27:13.724Z")) {
		t.Errorf("participant 0 times = %v / %v", p0.QueueStartTime, p0.EndTimeStamp)
	}
	if !p1.EndedChat || p1.AgentID != "u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx" || p1.QueueName != "Default Queue" {
		t.Errorf("participant 1 = %+v", p1)
	}
	if len(conv.TransferDetails) != 1 {
		t.Fatalf("transferDetails = %d", len(conv.TransferDetails))
	}
	td := conv.TransferDetails[0]
	if !td.SystemTransfer || td.SystemTransferReason != "OVERDUE" || td.Priority != "HIGHEST" ||
		td.TransferredByAgentName != "SmartAssist QA" || len(td.TransferredTo) != 1 || td.TransferredTo[0].Type != "QUEUE" {
		t.Errorf("transfer = %+v", td)
	}
	if len(conv.Summary) != 1 || !strings.HasPrefix(conv.Summary[0], "The customer was initially connected") {
		t.Errorf("summary = %q", conv.Summary)
	}
	d := conv.Dispositions
	if d.Status != "Resolved" || d.MetaStatus != "AGENT_CLOSED" || len(d.DispositionSets) != 2 ||
		d.DispositionSets[1] != (api.DispositionSet{DispositionsSet: "Custom", DispositionCodes: "ThroughWeb"}) {
		t.Errorf("dispositions = %+v", d)
	}
	if conv.UserInfo.Email != "Test.user@test.com" || conv.UserInfo.ActivationStatus != "active" {
		t.Errorf("userInfo = %+v", conv.UserInfo)
	}
}

func TestContractSpecificConversation(t *testing.T) {
	const id = "c-3c04346-e522-4c53-9e03-c9566d85xxxx"
	fixture := readFixture(t, "get-a-specific-conversation.response.json")
	up := serveFixture(t, http.MethodGet, "/conversations/"+id, fixture)
	conv, err := up.client().Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "MarshalJSON", mustJSON(t, conv), fixture)
	if conv.ID != id || conv.BotSessionID != "646af57bcc41e5bfbd5exxxx" || conv.Priority != 5 ||
		conv.WaitTime != 3369*time.Millisecond || !conv.SurveyRequired || conv.Source != "rtm" {
		t.Errorf("conversation = %+v", conv)
	}
	if !conv.AcceptedAt.Equal(mustTime(t, "2023-05-22T04:55:07.718Z")) || !conv.EndTime.Equal(mustTime(t, "2023-05-22T05:29:14.086Z")) {
		t.Errorf("times: accepted %v end %v", conv.AcceptedAt, conv.EndTime)
	}
	if len(conv.Queues) != 2 || conv.Queues[1].Type != "TRANSFERRED" || conv.Queues[1].Name != "Default Queue" {
		t.Errorf("queues = %+v", conv.Queues)
	}
	if len(conv.Participants) != 1 || !conv.Participants[0].OnInterrupt || conv.Participants[0].IsTransferred {
		t.Errorf("participants = %+v", conv.Participants)
	}
	td := conv.TransferDetails[0]
	if td.FromAgent != "u-b19cd89e-6533-59af-b491-eec9bf8fxxxx" || td.IsManager || td.SystemTransfer {
		t.Errorf("transfer = %+v", td)
	}
	if conv.Dispositions.MetaStatus != "SYSTEM_DROP_OFF" || conv.Dispositions.DispositionSets != nil {
		t.Errorf("dispositions = %+v", conv.Dispositions)
	}
	if conv.UserInfo.UserID != "u-aa15c0f4-7f78-5912-8713-f5cd1c3exxxx" || conv.UserInfo.City != "Raha Gaon" {
		t.Errorf("userInfo = %+v", conv.UserInfo)
	}
}

func TestContractListConversations(t *testing.T) {
	fixture := readFixture(t, "list-of-conversations.response.json")
	up := serveFixture(t, http.MethodGet, "/conversations", fixture)
	page, err := up.client().ListConversations(context.Background(), api.ListConversationsParams{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "page", mustJSON(t, page), fixture)
	want := resultsOf(t, fixture)
	if len(page.Results) != len(want) || len(want) != 10 {
		t.Fatalf("results = %d, want %d (10)", len(page.Results), len(want))
	}
	for i, c := range page.Results {
		assertSameJSON(t, "result "+c.ID, mustJSON(t, c), want[i])
	}
	if page.TotalResults != 10 || page.HasMore || page.Limit != 10 || page.TotalPages != 1 {
		t.Errorf("page meta = %+v", page)
	}
	first := page.Results[0]
	if first.Priority != 10 || first.Source != "audiocodes" || first.SurveyRequired || !first.CallbackOpted {
		t.Errorf("first = %+v", first)
	}
	if len(first.Notes) != 1 || first.Notes[0].Author.FirstName != "John" || first.Notes[0].ID != "646f0750d15e5a3db2aexxxx" ||
		!strings.HasPrefix(first.Notes[0].Note, "Consumer wants") {
		t.Errorf("notes = %+v", first.Notes)
	}
	if td := first.TransferDetails[0]; td.FromAgent != "" || td.TransferredType != "OTHERS" || td.TransferredTo[0].EmailID != "" || !td.IsManager {
		t.Errorf("transfer = %+v", td)
	}
	if last := page.Results[9]; last.Priority != 0 || last.Dispositions.DispositionSets != nil || !last.SurveyRequired {
		t.Errorf("last (no priority, null dispositions) = %+v", last)
	}
}

func TestContractAssign(t *testing.T) {
	tests := []struct {
		name, reqFixture, respFixture string
		req                           api.AssignRequest
		placeholders                  map[string]string
	}{
		{
			name: "agent", reqFixture: "transfer-conversation-to-a-specific-agent-or-queue.request.json",
			respFixture: "transfer-conversation-to-a-specific-agent-or-queue.response.json",
			req: api.AssignRequest{CallbackURL: "http://localhost:8009", BotSessionID: "6538f8a3c9cf425ee5cf0001",
				AgentID: "a-8cd2673-0cb7-462d-9453-0ee60e520001"},
			placeholders: map[string]string{"{{orgId}}": testOrgID, "{{aId}}": "a-8cd2673-0cb7-462d-9453-0ee60e520001",
				"6538f8a3c9cf425ee5cfxxxx": "6538f8a3c9cf425ee5cf0001"},
		},
		{
			name: "queue", reqFixture: "transfer-conversation-to-a-specific-agent-or-queue.queue.request.json",
			respFixture: "transfer-conversation-to-a-specific-agent-or-queue.queue.response.json",
			req: api.AssignRequest{CallbackURL: "http://localhost:8009", BotSessionID: "66c2f6939489bfffc7910001",
				QueueID: "qu-b5d3bb4-a1ac-4caa-9be6-55a5abc30001"},
			placeholders: map[string]string{"{{orgId}}": testOrgID, "{{queueId}}": "qu-b5d3bb4-a1ac-4caa-9be6-55a5abc30001",
				"66c2f6939489bfffc791xxxx": "66c2f6939489bfffc7910001"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := readFixture(t, tt.respFixture)
			up := serveFixture(t, http.MethodPost, "/assign-conversation", resp)
			res, err := up.client().AssignConversation(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			// The documented request body, with its placeholders filled in,
			// is exactly what must go upstream.
			wantBody := string(readFixture(t, tt.reqFixture))
			for k, v := range tt.placeholders {
				wantBody = strings.ReplaceAll(wantBody, k, v)
			}
			reqs := up.recorded()
			if len(reqs) != 1 {
				t.Fatalf("requests = %d", len(reqs))
			}
			assertSameJSON(t, "request body", reqs[0].Body, []byte(wantBody))
			if ct := reqs[0].Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content-type = %q", ct)
			}
			assertSameJSON(t, "result", mustJSON(t, res), resp)
			if res.Status != "transferred" || res.SessionID != "6538f8a3c9cf425ee5cfxxxx" ||
				!res.RequestCompletedAt.Equal(time.UnixMilli(1698825180041)) {
				t.Errorf("result = %+v", res)
			}
			if (tt.req.AgentID != "") != (res.AgentID != "") || (tt.req.QueueID != "") != (res.QueueID != "") {
				t.Errorf("result ids = %q / %q", res.AgentID, res.QueueID)
			}
		})
	}
}

func TestContractListAgents(t *testing.T) {
	fixture := readFixture(t, "list-all-agents.response.json")
	up := serveFixture(t, http.MethodGet, "/organizations/"+testOrgID+"/agents", fixture)
	page, err := up.client().ListAgents(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if q := up.recorded()[0].Query; q["page"][0] != "1" || q["includeQueues"][0] != "true" {
		t.Errorf("query = %v", q)
	}
	assertSameJSON(t, "page", mustJSON(t, page), fixture)
	want := resultsOf(t, fixture)
	if len(page.Results) != len(want) || len(want) != 10 {
		t.Fatalf("results = %d, want %d", len(page.Results), len(want))
	}
	for i, a := range page.Results {
		assertSameJSON(t, "agent "+a.ID(), mustJSON(t, a), want[i])
	}
	v := page.Results[0].View()
	if v.ID != "a-1353078-d362-4d5e-95ed-554056e7xxxx" || v.Role != "Administrator" {
		t.Errorf("view id/role = %q %q", v.ID, v.Role)
	}
	if len(v.AgentGroups) != 2 || v.AgentGroups[0].Name != "Default Group" || v.AgentGroups[0].Role != "manager" ||
		v.AgentGroups[0].AccessLevel != "full" {
		t.Errorf("agent groups = %+v", v.AgentGroups)
	}
	if len(v.Queues) != 4 || !v.Queues[0].IsPreferredAgent || v.Queues[1].IsPreferredAgent || v.Queues[1].Name != "Test Queue" {
		t.Errorf("queues = %+v", v.Queues)
	}
	if len(v.ChatLanguageSupport) != 3 || v.ChatLanguageSupport[1].Language != "de" || !v.ChatLanguageSupport[1].IsActive {
		t.Errorf("chat languages = %+v", v.ChatLanguageSupport)
	}
	if len(v.Skills) != 3 || v.Skills[0].Name != "Blue Skill" || v.Skills[0].ProficiencyLevel != "average" ||
		v.Skills[0].SkillGroupColor != "#D2000D" {
		t.Errorf("skills = %+v", v.Skills)
	}
	if v.OnlineStatusType != "OFFLINE" || v.MaxChatSupport != 5 || !v.CanSupportVoice ||
		!v.UpdatedAt.Equal(mustTime(t, "2023-05-11T07:29:25.278Z")) {
		t.Errorf("view = %+v", v)
	}
}

func TestContractSpecificAgent(t *testing.T) {
	const id = "a-953e380-2bc1-483a-a823-d9446806xxxx"
	fixture := readFixture(t, "get-a-specific-agent.response.json")
	up := serveFixture(t, http.MethodGet, "/agents/"+id, fixture)
	a, err := up.client().Agent(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "agent", mustJSON(t, a), fixture)
	v := a.View()
	if v.ID != id || v.FullName != "agent 1" || v.EmailID != "agent_may15@mail.com" || v.Role != "Supervisor" ||
		v.OnlineStatusType != "OFFLINE" || v.CanSupportVoice || !v.AttachmentsEnabled {
		t.Errorf("view = %+v", v)
	}
	if len(v.AgentGroups) != 1 || v.AgentGroups[0].Name != "grp2" || v.AgentGroups[0].GroupID != "ag-aa690c9-1a2b-4926-aa7e-2511e5e4xxxx" {
		t.Errorf("groups = %+v", v.AgentGroups)
	}
	if len(v.Queues) != 1 || !v.Queues[0].IsPreferredAgent || len(v.Skills) != 0 {
		t.Errorf("queues/skills = %+v / %+v", v.Queues, v.Skills)
	}
	if !v.LastOnlineAt.Equal(mustTime(t, "2023-05-19T09:01:26.268Z")) {
		t.Errorf("lastOnlineAt = %v", v.LastOnlineAt)
	}
}

func TestContractUpdateAgent(t *testing.T) {
	reqFixture := readFixture(t, "update-a-specific-agent.request.json")
	respFixture := readFixture(t, "update-a-specific-agent.response.json")
	up := serveFixture(t, http.MethodPut, "/agents/a-5892576-bb12-461b-a58a-637d1d21xxxx", respFixture)
	agent, err := api.DecodeAgent(reqFixture)
	if err != nil {
		t.Fatal(err)
	}
	updated, err := up.client().UpdateAgent(context.Background(), agent)
	if err != nil {
		t.Fatal(err)
	}
	reqs := up.recorded()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d", len(reqs))
	}
	if g := reqs[0].Query["groupId"]; len(g) != 1 || g[0] != "ag-c57b602-151a-41c8-8630-a1eae433xxxx" {
		t.Errorf("groupId = %v", g)
	}
	assertSameJSON(t, "PUT body", reqs[0].Body, reqFixture)
	assertSameJSON(t, "response", mustJSON(t, updated), respFixture)
	if v := updated.View(); v.ID != "a-1a36a7e-bb33-4bcc-ab7b-ac337738xxxx" || v.OnlineStatusType != "AVAILABLE" ||
		len(v.Skills) != 1 || v.Skills[0].SkillID != "633ffac608f3a0745993xxxx" || v.Skills[0].SkillGroupName != "Default SkillGroup" {
		t.Errorf("updated view = %+v", v)
	}
}

func TestContractAgentGroups(t *testing.T) {
	fixture := readFixture(t, "get-all-agent-groups.response.json")
	up := serveFixture(t, http.MethodGet, "/agent-groups", fixture)
	groups, err := up.client().AgentGroups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 {
		t.Fatalf("groups = %d", len(groups))
	}
	assertSameJSON(t, "group", mustJSON(t, groups[0]), resultsOf(t, fixture)[0])
	if g := groups[0]; g.ID != "ag-3921798-30ce-41b4-9ed4-3ad6725dxxxx" || g.Name != "Default Group" || !g.IsDefault || g.Status != "ACTIVE" {
		t.Errorf("group = %+v", g)
	}
	if q := up.recorded()[0].Query; q["skip"][0] != "0" {
		t.Errorf("query = %v, want skip paging", q)
	}
}

func TestContractQueues(t *testing.T) {
	fixture := readFixture(t, "get-a-list-of-queues.response.json")
	up := serveFixture(t, http.MethodGet, "/queues", fixture)
	queues, err := up.client().Queues(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The sample says hasMore:true with totalPages:1; one request is right.
	if len(queues) != 1 || up.count() != 1 {
		t.Fatalf("queues = %d after %d requests", len(queues), up.count())
	}
	assertSameJSON(t, "queue", mustJSON(t, queues[0]), resultsOf(t, fixture)[0])
	q := queues[0]
	if q.ID != "qu-268eda9-ba47-4b03-ab29-d1909c38xxxx" || q.Name != "Queue1" || !q.IsActive || !q.IsDefault ||
		len(q.Agents) != 2 || q.Agents[0].IsPreferredAgent || !q.Agents[1].IsPreferredAgent || q.Agents[1].Name != "Sandra Jones" {
		t.Errorf("queue = %+v", q)
	}
}

func TestContractSkills(t *testing.T) {
	groupsFixture := readFixture(t, "get-all-skill-groups.response.json")
	skillsFixture := readFixture(t, "get-all-skills-from-a-skill-group.response.json")
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case testPrefix + "/skill-groups":
			writeJSON(w, http.StatusOK, groupsFixture)
		case testPrefix + "/skill-groups/620b814ca2344f1caa8cxxxx/skills":
			writeJSON(w, http.StatusOK, skillsFixture)
		default:
			t.Errorf("unexpected %s", r.URL.Path)
			http.NotFound(w, r)
		}
	})
	c := up.client()
	groups, err := c.SkillGroups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Name != "Account Management" || groups[0].Color != "#f0f0f0" {
		t.Fatalf("groups = %+v", groups)
	}
	assertSameJSON(t, "skill group", mustJSON(t, groups[0]), resultsOf(t, groupsFixture)[0])
	skills, err := c.Skills(context.Background(), groups[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(skills) != 1 || skills[0].ID != "sk-87679" || skills[0].Agents != 15 || skills[0].SkillGroupID != "sg-4372" {
		t.Fatalf("skills = %+v", skills)
	}
	assertSameJSON(t, "skill", mustJSON(t, skills[0]), resultsOf(t, skillsFixture)[0])
}

func TestContractAvailability(t *testing.T) {
	reqFixture := readFixture(t, "check-agent-availability-status.request.json")
	respFixture := readFixture(t, "check-agent-availability-status.response.json")
	up := serveFixture(t, http.MethodPost, "/agents/availability", respFixture)
	av, err := up.client().Availability(context.Background(), api.AvailabilityQuery{
		SkillIDs: []string{"65d74b5d6610c92860cfbxxxx"},
		QueueIDs: []string{"qu-65e176a-b2ca-4844-9686-228cd1a54xxxx"},
		AgentIDs: []string{"a123"},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "request body", up.recorded()[0].Body, reqFixture)
	assertSameJSON(t, "availability", mustJSON(t, av), respFixture)
	if len(av.Available) != 1 || len(av.Busy) != 0 || len(av.Offline) != 2 || len(av.Away) != 0 {
		t.Fatalf("availability = %+v", av)
	}
	if av.Available[0].FirstName != "Jane" || av.Offline[1].PhoneNumber != "+91 9876543210" {
		t.Errorf("agents = %+v", av)
	}
	tests := map[string]string{
		"a-551a805-04ab-4c08-88ab-c23eb5aaxxxx":  api.StatusAvailable,
		"u-f2d41372-2440-5c86-8b9d-26483611xxxx": api.StatusOffline,
		"a-unknown":                              "",
	}
	for id, want := range tests {
		if got := av.StatusOf(id); got != want {
			t.Errorf("StatusOf(%s) = %q, want %q", id, got, want)
		}
	}
}
