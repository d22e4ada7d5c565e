package simulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestListAgentsPages(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10})
	org := e.creds.OrgID
	var ids []string
	for page := 1; ; page++ {
		r := e.get(fmt.Sprintf("/organizations/%s/agents?page=%d", org, page))
		mustOK(t, r)
		var p struct {
			Results      []map[string]any `json:"results"`
			Skip, Limit  int
			HasMore      bool
			TotalPages   int
			TotalResults int
		}
		r.decode(t, &p)
		if p.TotalResults != 40 || p.TotalPages != 4 || p.Limit != 10 || p.Skip != (page-1)*10 {
			t.Fatalf("page %d envelope %+v", page, p)
		}
		for _, a := range p.Results {
			if _, ok := a["queues"]; ok {
				t.Fatal("queues listed without includeQueues=true")
			}
			ids = append(ids, a["id"].(string))
		}
		if !p.HasMore {
			break
		}
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != 40 {
		t.Fatalf("got %d distinct agents, want 40", len(ids))
	}

	r := e.get("/organizations/" + org + "/agents?includeQueues=true&limit=100")
	mustOK(t, r)
	var withQueues struct {
		Results []struct {
			UserID string `json:"userId"`
			Queues []struct {
				ID     string `json:"id"`
				Agents []struct {
					UserID string `json:"userId"`
				} `json:"agents"`
			} `json:"queues"`
		} `json:"results"`
	}
	r.decode(t, &withQueues)
	if len(withQueues.Results) != 40 {
		t.Fatalf("limit=100 gave %d agents", len(withQueues.Results))
	}
	queued := 0
	for _, a := range withQueues.Results {
		for _, q := range a.Queues {
			queued++
			if len(q.Agents) != 1 || q.Agents[0].UserID != a.UserID {
				t.Fatalf("queue %s of %s lists agents %+v", q.ID, a.UserID, q.Agents)
			}
		}
	}
	if queued == 0 {
		t.Fatal("no agent has queues")
	}

	for _, q := range []string{"?page=0", "?page=x", "?limit=0"} {
		if r := e.get("/organizations/" + org + "/agents" + q); r.status != http.StatusPreconditionFailed {
			t.Errorf("%s: status %d, want 412", q, r.status)
		}
	}
}

func (e *testEnv) agentDoc(id string) map[string]any {
	e.t.Helper()
	r := e.get("/agents/" + id)
	mustOK(e.t, r)
	doc := map[string]any{}
	r.decode(e.t, &doc)
	return doc
}

func TestGetAgentCarriesExtraKeys(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10})
	a := e.sim.Agents()[5]
	doc := e.agentDoc(a.ID)
	if doc["id"] != a.ID || doc["userId"] != a.UserID {
		t.Fatalf("got agent %v/%v, want %s/%s", doc["id"], doc["userId"], a.ID, a.UserID)
	}
	for _, k := range []string{"sipURI", "hoursOfOperationId", "desktopLayouts", "maxChatSupport", "maxDigitalChatSupport", "maxEmailChatSupport", "maxMessagingChatSupport", "chatLanguageSupport", "voiceLanguageSupport", "onlineStatusType"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("agent lacks %s", k)
		}
	}
	if doc["onlineStatusType"] != a.OnlineStatus {
		t.Errorf("onlineStatusType %v, presence %s", doc["onlineStatusType"], a.OnlineStatus)
	}
}

func TestPutAgentFullReplace(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10})
	a := e.sim.Agents()[4]
	doc := e.agentDoc(a.ID)
	delete(doc, "nickName")
	delete(doc, "sipURI")
	doc["firstName"] = "Renamed"
	doc["queues"] = []any{} // leaves every queue
	doc["newField"] = map[string]any{"kept": true}
	e.clock.Advance(time.Hour)

	r := e.do(http.MethodPut, e.url("/agents/"+a.ID+"?groupId="+doc["agentGroupId"].(string)), doc)
	mustOK(t, r)
	var got map[string]any
	r.decode(t, &got)
	if got["updatedAt"] != formatJS(testNow.Add(time.Hour)) {
		t.Errorf("updatedAt %v", got["updatedAt"])
	}
	delete(got, "updatedAt")
	delete(doc, "updatedAt")
	if !jsonEqual(t, got, doc) {
		t.Errorf("stored agent is not the body:\n got %v\nwant %v", got, doc)
	}
	again := e.agentDoc(a.ID)
	for _, gone := range []string{"nickName", "sipURI"} {
		if _, ok := again[gone]; ok {
			t.Errorf("%s survived a PUT that left it out", gone)
		}
	}
	if again["firstName"] != "Renamed" {
		t.Errorf("firstName %v", again["firstName"])
	}
	// Other endpoints follow the stored document.
	for _, info := range e.sim.Agents() {
		if info.ID == a.ID && len(info.QueueIDs) != 0 {
			t.Errorf("agent still in queues %v", info.QueueIDs)
		}
	}
	if info := e.sim.Agents()[4]; info.OnlineStatus != a.OnlineStatus {
		t.Errorf("presence changed from %s to %s", a.OnlineStatus, info.OnlineStatus)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func TestPutAgentValidation(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10})
	agents := e.sim.Agents()
	a, other := agents[4], agents[5]
	base := e.agentDoc(a.ID)
	group := base["agentGroupId"].(string)
	with := func(change func(map[string]any)) map[string]any {
		d := maps.Clone(base)
		change(d)
		return d
	}
	tests := []struct {
		name   string
		query  string
		body   any
		status int
	}{
		{"missing firstName", "?groupId=" + group, with(func(d map[string]any) { delete(d, "firstName") }), 412},
		{"empty lastName", "?groupId=" + group, with(func(d map[string]any) { d["lastName"] = "" }), 412},
		{"missing emailId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "emailId") }), 412},
		{"missing userId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "userId") }), 412},
		{"missing accountId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "accountId") }), 412},
		{"missing orgId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "orgId") }), 412},
		{"missing roleId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "roleId") }), 412},
		{"missing iId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "iId") }), 412},
		{"missing id", "?groupId=" + group, with(func(d map[string]any) { delete(d, "id") }), 412},
		{"missing agentGroupId", "?groupId=" + group, with(func(d map[string]any) { delete(d, "agentGroupId") }), 412},
		{"missing agentGroups", "?groupId=" + group, with(func(d map[string]any) { delete(d, "agentGroups") }), 412},
		{"agentGroups without role", "?groupId=" + group, with(func(d map[string]any) { d["agentGroups"] = []any{map[string]any{"groupId": group}} }), 412},
		{"agentGroups without groupId", "?groupId=" + group, with(func(d map[string]any) { d["agentGroups"] = []any{map[string]any{"role": "agent"}} }), 412},
		{"duplicate email", "?groupId=" + group, with(func(d map[string]any) { d["emailId"] = strings.ToUpper(other.Email) }), 412},
		{"customId with space", "?groupId=" + group, with(func(d map[string]any) { d["customId"] = "EMP 1" }), 412},
		{"groupId query differs", "?groupId=ag-0000000-0000-4000-8000-000000000000", base, 412},
		{"groupId query missing", "", base, 412},
		{"body id differs from path", "?groupId=" + group, with(func(d map[string]any) { d["id"] = other.ID }), 412},
		{"not JSON", "?groupId=" + group, "{nope", 412},
		{"JSON array", "?groupId=" + group, "[]", 412},
		{"null", "?groupId=" + group, "null", 412},
		{"control: valid body", "?groupId=" + group, base, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(http.MethodPut, e.url("/agents/"+a.ID+tt.query), tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; %s", r.status, tt.status, r.body)
			}
			if tt.status == 412 {
				if msg, code := r.errorMsg(t); msg == "" || code != codeValidation {
					t.Fatalf("envelope (%q, %d)", msg, code)
				}
			}
		})
	}
	// A refused update changes nothing.
	if got := e.agentDoc(a.ID); got["firstName"] != base["firstName"] || got["emailId"] != base["emailId"] {
		t.Errorf("agent changed by refused updates: %v %v", got["firstName"], got["emailId"])
	}
	r := e.do(http.MethodPut, e.url("/agents/a-0000000-0000-4000-8000-000000000000?groupId="+group), base)
	if r.status != http.StatusNotFound {
		t.Errorf("unknown agent: status %d, want 404", r.status)
	}
}

type availabilityBody struct {
	Available []availableAgent `json:"AVAILABLE"`
	Busy      []availableAgent `json:"BUSY"`
	Offline   []availableAgent `json:"OFFLINE"`
	Away      []availableAgent `json:"AWAY"`
}

func (b availabilityBody) byStatus() map[string][]string {
	out := map[string][]string{}
	for status, list := range map[string][]availableAgent{"AVAILABLE": b.Available, "BUSY": b.Busy, "OFFLINE": b.Offline, "AWAY": b.Away} {
		for _, a := range list {
			out[status] = append(out[status], a.ID)
		}
		slices.Sort(out[status])
	}
	return out
}

func TestAgentAvailability(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10})
	agents := e.sim.Agents()
	expect := func(keep func(AgentInfo) bool) map[string][]string {
		out := map[string][]string{}
		for _, a := range agents {
			if keep(a) {
				out[a.OnlineStatus] = append(out[a.OnlineStatus], a.ID)
			}
		}
		for k := range out {
			slices.Sort(out[k])
		}
		return out
	}
	queue := agents[0].QueueIDs[0]
	skill := agents[0].SkillIDs[len(agents[0].SkillIDs)-1]
	tests := []struct {
		name string
		body any
		keep func(AgentInfo) bool
	}{
		{"no body", nil, func(AgentInfo) bool { return true }},
		{"empty filters", map[string]any{}, func(AgentInfo) bool { return true }},
		{"queue", map[string]any{"queueIds": []string{queue}}, func(a AgentInfo) bool { return slices.Contains(a.QueueIDs, queue) }},
		{"skill", map[string]any{"skillIds": []string{skill}}, func(a AgentInfo) bool { return slices.Contains(a.SkillIDs, skill) }},
		{"queue and skill intersect", map[string]any{"queueIds": []string{queue}, "skillIds": []string{skill}}, func(a AgentInfo) bool {
			return slices.Contains(a.QueueIDs, queue) && slices.Contains(a.SkillIDs, skill)
		}},
		{"agent ids", map[string]any{"agentIds": []string{agents[1].ID, agents[3].ID, "a123"}}, func(a AgentInfo) bool { return a.ID == agents[1].ID || a.ID == agents[3].ID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(http.MethodPost, e.url("/agents/availability"), tt.body)
			mustOK(t, r)
			var got availabilityBody
			r.decode(t, &got)
			if got.Available == nil || got.Busy == nil || got.Offline == nil || got.Away == nil {
				t.Fatalf("every bucket must be an array: %s", r.body)
			}
			want := expect(tt.keep)
			gotBy := got.byStatus()
			for _, status := range []string{"AVAILABLE", "BUSY", "OFFLINE", "AWAY"} {
				if !slices.Equal(gotBy[status], want[status]) {
					t.Errorf("%s: got %v, want %v", status, gotBy[status], want[status])
				}
			}
		})
	}
	if r := e.do(http.MethodPost, e.url("/agents/availability"), `{"queueIds":"qu-x"}`); r.status != http.StatusPreconditionFailed {
		t.Errorf("malformed body: status %d, want 412", r.status)
	}
}

func TestRoutingCatalog(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10})
	var groups struct {
		Results []struct {
			ID          string `json:"id"`
			TotalAgents int    `json:"totalAgents"`
		} `json:"results"`
		TotalResults int `json:"totalResults"`
	}
	r := e.get("/agent-groups")
	mustOK(t, r)
	r.decode(t, &groups)
	total := 0
	for _, g := range groups.Results {
		total += g.TotalAgents
	}
	if groups.TotalResults < 3 || total < 40 {
		t.Errorf("%d groups with %d members", groups.TotalResults, total)
	}
	r = e.get("/agent-groups?skip=1&limit=2")
	mustOK(t, r)
	r.decode(t, &groups)
	if len(groups.Results) != 2 {
		t.Errorf("skip=1&limit=2 gave %d groups", len(groups.Results))
	}

	var queues struct {
		Results []struct {
			ID     string `json:"id"`
			Agents []struct {
				UserID string `json:"userId"`
			} `json:"agents"`
			Skills []struct {
				ID string `json:"id"`
			} `json:"skills"`
		} `json:"results"`
		Page, TotalResults int
	}
	r = e.get("/queues?limit=100")
	mustOK(t, r)
	r.decode(t, &queues)
	if queues.TotalResults < 5 || len(queues.Results) != queues.TotalResults {
		t.Fatalf("%d queues listed of %d", len(queues.Results), queues.TotalResults)
	}
	members := map[string]int{}
	for _, a := range e.sim.Agents() {
		for _, q := range a.QueueIDs {
			members[q]++
		}
	}
	for _, q := range queues.Results {
		if len(q.Agents) == 0 || len(q.Agents) != members[q.ID] || len(q.Skills) == 0 {
			t.Errorf("queue %s: %d agents (want %d), %d skills", q.ID, len(q.Agents), members[q.ID], len(q.Skills))
		}
	}
	r = e.get("/queues?page=2&limit=3")
	mustOK(t, r)
	r.decode(t, &queues)
	if queues.Page != 2 || len(queues.Results) != 3 {
		t.Errorf("page 2 of 3: page %d, %d results", queues.Page, len(queues.Results))
	}

	var sgs struct {
		Results []struct{ ID, Name, Color string } `json:"results"`
	}
	r = e.get("/skill-groups")
	mustOK(t, r)
	r.decode(t, &sgs)
	if len(sgs.Results) < 3 {
		t.Fatalf("%d skill groups", len(sgs.Results))
	}
	skills := 0
	for _, g := range sgs.Results {
		var sk struct {
			Results []struct {
				SkillGroupID string `json:"skillGroupId"`
			} `json:"results"`
		}
		r := e.get("/skill-groups/" + g.ID + "/skills")
		mustOK(t, r)
		r.decode(t, &sk)
		for _, s := range sk.Results {
			if s.SkillGroupID != g.ID {
				t.Errorf("skill of group %s listed under %s", s.SkillGroupID, g.ID)
			}
		}
		skills += len(sk.Results)
	}
	if skills != len(e.sim.cat.skills) {
		t.Errorf("%d skills listed, want %d", skills, len(e.sim.cat.skills))
	}
}
