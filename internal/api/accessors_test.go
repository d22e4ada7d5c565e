package api

import (
	"fmt"
	"testing"
)

func mustAgent(t *testing.T, doc string) *Agent {
	t.Helper()
	a, err := DecodeAgent([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustConversation(t *testing.T, doc string) *Conversation {
	t.Helper()
	c, err := DecodeConversation([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAgentViewAccessors(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		display  string
		skills   string
		queues   string
		liveChat int64
	}{
		{name: "full name wins", doc: `{"id":"a-1","fullName":" Ada Lovelace ","firstName":"A","lastName":"L"}`,
			display: "Ada Lovelace", skills: "[]", queues: "[]"},
		{name: "first and last when no full name", doc: `{"id":"a-1","firstName":"Ada","lastName":"Lovelace"}`,
			display: "Ada Lovelace", skills: "[]", queues: "[]"},
		{name: "id without names", doc: `{"id":"a-1"}`, display: "a-1", skills: "[]", queues: "[]"},
		{name: "skills by skillId, else id; empty ones left out",
			doc:     `{"id":"a-1","skills":[{"skillId":"sk-1","id":"x"},{"id":"sk-2"},{"name":"no id"}],"queues":[{"id":"qu-1"},{"id":"qu-2"}]}`,
			display: "a-1", skills: "[sk-1 sk-2]", queues: "[qu-1 qu-2]"},
		{name: "maxChatSupport first", doc: `{"id":"a-1","maxChatSupport":3,"maxDigitalChatSupport":7}`,
			display: "a-1", skills: "[]", queues: "[]", liveChat: 3},
		{name: "else maxDigitalChatSupport", doc: `{"id":"a-1","maxChatSupport":0,"maxDigitalChatSupport":7}`,
			display: "a-1", skills: "[]", queues: "[]", liveChat: 7},
		{name: "unknown capacity", doc: `{"id":"a-1","maxChatSupport":-1}`, display: "a-1", skills: "[]", queues: "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustAgent(t, tt.doc).View()
			if got := v.DisplayName(); got != tt.display {
				t.Errorf("DisplayName %q, want %q", got, tt.display)
			}
			if got := fmt.Sprint(v.SkillIDs()); got != tt.skills {
				t.Errorf("SkillIDs %s, want %s", got, tt.skills)
			}
			if got := fmt.Sprint(v.QueueIDs()); got != tt.queues {
				t.Errorf("QueueIDs %s, want %s", got, tt.queues)
			}
			if got := v.LiveChatCapacity(); got != tt.liveChat {
				t.Errorf("LiveChatCapacity %d, want %d", got, tt.liveChat)
			}
		})
	}
}

func TestActiveLanguages(t *testing.T) {
	got := ActiveLanguages([]LanguageSupport{{Language: "en", IsActive: true}, {Language: "de"}, {Language: "", IsActive: true}, {Language: "fr", IsActive: true}})
	if fmt.Sprint(got) != "[en fr]" {
		t.Errorf("ActiveLanguages %v", got)
	}
}

func TestAvailabilityPresence(t *testing.T) {
	avail := &Availability{
		Available: []AvailabilityAgent{{ID: "a-1"}},
		Away:      []AvailabilityAgent{{ID: "a-x", UserID: "u-2"}},
	}
	tests := []struct {
		name  string
		avail *Availability
		v     AgentView
		want  string
	}{
		{"live answer by id", avail, AgentView{ID: "a-1", OnlineStatusType: "OFFLINE"}, StatusAvailable},
		{"live answer by userId", avail, AgentView{ID: "u-2", OnlineStatusType: "AVAILABLE"}, StatusAway},
		{"not in the answer: the record's status", avail, AgentView{ID: "a-3", OnlineStatusType: "BUSY"}, StatusBusy},
		{"no answer: the record's status", nil, AgentView{ID: "a-1", OnlineStatusType: "BUSY"}, StatusBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.avail.Presence(tt.v); got != tt.want {
				t.Errorf("Presence %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConversationActiveParticipantAndCurrentQueue(t *testing.T) {
	tests := []struct {
		name        string
		doc         string
		participant string // AgentID, "" for none
		queue       string // ID, "" for none
	}{
		{name: "empty", doc: `{}`},
		{name: "latest open leg; ended, inactive and abandoned legs skipped",
			doc: `{"participants":[{"agentId":"u-1"},{"agentId":"u-2","endTimeStamp":"2024-01-01T00:00:00Z"},
				{"agentId":"u-3","status":"inactive"},{"agentId":"u-4","status":"ABANDONED"},{"queueId":"qu-9"}]}`,
			participant: "u-1", queue: "qu-9"},
		{name: "the active queue entry wins over later ones",
			doc:   `{"queues":[{"id":"qu-1","status":"ACTIVE"},{"id":"qu-2","status":"CLOSED"}],"participants":[{"queueId":"qu-3"}]}`,
			queue: "qu-1"},
		{name: "else the last queue entry",
			doc:   `{"queues":[{"id":"qu-1","status":"CLOSED"},{"id":"qu-2"}],"participants":[{"queueId":"qu-3"}]}`,
			queue: "qu-2"},
		{name: "a last entry without id falls back to participants",
			doc:   `{"queues":[{"id":"qu-1"},{"name":"nameless"}],"participants":[{"queueId":"qu-3","queueName":"Three"},{"agentId":"u-1"}]}`,
			queue: "qu-3", participant: "u-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustConversation(t, tt.doc)
			p, ok := c.ActiveParticipant()
			if ok != (tt.participant != "") || p.AgentID != tt.participant {
				t.Errorf("ActiveParticipant %q %v, want %q", p.AgentID, ok, tt.participant)
			}
			q, ok := c.CurrentQueue()
			if ok != (tt.queue != "") || q.ID != tt.queue {
				t.Errorf("CurrentQueue %q %v, want %q", q.ID, ok, tt.queue)
			}
		})
	}
	var none *Conversation
	if _, ok := none.ActiveParticipant(); ok {
		t.Error("a nil conversation has no participant")
	}
	if _, ok := none.CurrentQueue(); ok {
		t.Error("a nil conversation has no queue")
	}
}

func TestConversationSkillIDs(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"none", `{}`, "[]"},
		{"ids and objects, each once, in order",
			`{"skills":["sk-1",{"skillId":"sk-2","_id":"x"},{"_id":"sk-3"},{"id":"sk-4"},{},42],
			  "agentTransferConfig":{"skillsIds":["sk-1","sk-5"]},
			  "userInfo":{"agentTransferConfig":{"skillsIds":[{"skillId":"sk-6"}]}}}`,
			"[sk-1 sk-2 sk-3 sk-4 sk-5 sk-6]"},
		{"skills of an unexpected type", `{"skills":"sk-1"}`, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(mustConversation(t, tt.doc).SkillIDs()); got != tt.want {
				t.Errorf("SkillIDs %s, want %s", got, tt.want)
			}
		})
	}
}
