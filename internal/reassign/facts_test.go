package reassign

import (
	"fmt"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/api"
)

func decodeAgent(t *testing.T, doc string) *api.Agent {
	t.Helper()
	a, err := api.DecodeAgent([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func decodeConversation(t *testing.T, doc string) *api.Conversation {
	t.Helper()
	c, err := api.DecodeConversation([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const factsAgent = `{"id":"a-1","userId":"u-1","firstName":"Ada","lastName":"Lovelace",
	"maxChatSupport":0,"maxDigitalChatSupport":4,"maxMessagingChatSupport":6,
	"chatLanguageSupport":[{"language":"en","isActive":true},{"language":"de","isActive":false}],
	"voiceLanguageSupport":[{"language":"fr","isActive":true}],
	"queues":[{"id":"qu-1"},{"id":"qu-2"}],"skills":[{"skillId":"sk-1"},{"id":"sk-2"}]}`

func TestAgentFactsOf(t *testing.T) {
	v := decodeAgent(t, factsAgent).View()
	tests := []struct {
		channel   string
		capacity  int
		languages string
	}{
		{"livechat", 4, "[en]"},
		{"", 4, "[en]"},          // unknown: as live chat
		{"Messaging", 6, "[en]"}, // the channel is matched case-insensitively
		{"voice", 1, "[fr]"},     // one call at a time, voice languages
	}
	for _, tt := range tests {
		t.Run(tt.channel, func(t *testing.T) {
			f := AgentFactsOf(v, "BUSY", 2, tt.channel)
			if f.ID != "a-1" || f.UserID != "u-1" || f.Name != "Ada Lovelace" || f.Status != "BUSY" || f.Load != 2 {
				t.Errorf("identity %+v", f)
			}
			if f.Capacity != tt.capacity || fmt.Sprint(f.Languages) != tt.languages {
				t.Errorf("capacity %d languages %v, want %d %s", f.Capacity, f.Languages, tt.capacity, tt.languages)
			}
			if fmt.Sprint(f.QueueIDs) != "[qu-1 qu-2]" || fmt.Sprint(f.SkillIDs) != "[sk-1 sk-2]" {
				t.Errorf("queues %v skills %v", f.QueueIDs, f.SkillIDs)
			}
		})
	}
}

func TestConversationFactsOf(t *testing.T) {
	tests := []struct {
		name, doc string
		queues    string // QueueIDs
		current   string // CurrentQueueID
		holder    string // CurrentUserID
		skills    string
	}{
		{name: "nothing known", doc: `{}`, queues: "[]", skills: "[]"},
		{name: "queues then participants' queues, the current one moved last",
			doc: `{"language":"de","queues":[{"id":"qu-1","status":"ACTIVE"},{"id":"qu-2"}],
				"participants":[{"queueId":"qu-2","agentId":"u-old","endTimeStamp":"2024-01-01T00:00:00Z"},{"queueId":"qu-3","agentId":"u-now"}],
				"skills":["sk-1"]}`,
			queues: "[qu-2 qu-3 qu-1]", current: "qu-1", holder: "u-now", skills: "[sk-1]"},
		{name: "no queue entries: the last participant's queue",
			doc:    `{"participants":[{"queueId":"qu-3"},{"queueId":"qu-4","agentId":"u-1","status":"ABANDONED"}]}`,
			queues: "[qu-3 qu-4]", current: "qu-4", skills: "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ConversationFactsOf(decodeConversation(t, tt.doc))
			if fmt.Sprint(f.QueueIDs) != tt.queues || f.CurrentQueueID() != tt.current || f.CurrentUserID != tt.holder || fmt.Sprint(f.SkillIDs) != tt.skills {
				t.Errorf("facts %+v (current %q)", f, f.CurrentQueueID())
			}
		})
	}
	if f := ConversationFactsOf(nil); f.CurrentQueueID() != "" || f.Language != "" {
		t.Errorf("nil conversation: %+v", f)
	}
}

func TestFrom(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"the agent holding it", `{"queues":[{"id":"qu-1","name":"Billing"}],"participants":[{"agentId":"u-1","name":"Ada"}]}`, "agent Ada (u-1)"},
		{"an agent without a name", `{"participants":[{"agentId":"u-1"}]}`, "agent u-1 (u-1)"},
		{"else its queue", `{"queues":[{"id":"qu-1","name":"Billing"}]}`, "queue Billing (qu-1)"},
		{"a queue without a name", `{"queues":[{"id":"qu-1"}]}`, "queue qu-1 (qu-1)"},
		{"nowhere", `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := From(decodeConversation(t, tt.doc)); got != tt.want {
				t.Errorf("From %q, want %q", got, tt.want)
			}
		})
	}
	if From(nil) != "" {
		t.Error("a nil conversation is nowhere")
	}
}

func TestCandidates(t *testing.T) {
	conv := decodeConversation(t, `{"conversationType":"livechat","language":"en",
		"queues":[{"id":"qu-1","status":"ACTIVE"}],"participants":[{"agentId":"u-holder","queueId":"qu-1"}],"skills":["sk-1"]}`)
	agents := []*api.Agent{
		decodeAgent(t, `{"id":"a-best","userId":"u-best","firstName":"Best","status":"ACTIVE","onlineStatusType":"OFFLINE",
			"maxDigitalChatSupport":3,"queues":[{"id":"qu-1"}],"skills":[{"skillId":"sk-1"}],"chatLanguageSupport":[{"language":"en","isActive":true}]}`),
		decodeAgent(t, `{"id":"a-record","userId":"u-record","firstName":"Record","onlineStatusType":"BUSY","maxDigitalChatSupport":3}`),
		decodeAgent(t, `{"id":"a-gone","userId":"u-gone","firstName":"Gone","status":"INACTIVE","onlineStatusType":"AVAILABLE"}`),
		decodeAgent(t, `{"id":"a-holder","userId":"u-holder","firstName":"Holder","status":"ACTIVE","onlineStatusType":"AVAILABLE"}`),
		decodeAgent(t, `{"id":"a-full","userId":"u-full","firstName":"Full","status":"active","maxDigitalChatSupport":2}`),
	}
	avail := &api.Availability{Available: []api.AvailabilityAgent{{ID: "a-best"}, {ID: "a-full"}}}
	load := map[string]int{"u-best": 1, "u-full": 2}

	var got []string
	for _, c := range Candidates(conv, agents, avail, load) {
		got = append(got, fmt.Sprintf("%s:%s:%d/%d", c.Agent.ID, c.Agent.Status, c.Agent.Load, c.Agent.Capacity))
	}
	// a-gone is deactivated and a-holder holds the conversation: neither is
	// offered. a-best is AVAILABLE live though its record says OFFLINE;
	// a-record keeps its record's BUSY.
	want := "a-best:AVAILABLE:1/3,a-record:BUSY:0/3,a-full:AVAILABLE:2/2"
	if strings.Join(got, ",") != want {
		t.Errorf("candidates %v, want %s", got, want)
	}
	if got := Candidates(nil, agents, avail, load); got != nil {
		t.Errorf("no conversation, no candidates: %v", got)
	}
	// Without an availability answer or load, the records' statuses and no load.
	for _, c := range Candidates(conv, agents[:1], nil, nil) {
		if c.Agent.Status != "OFFLINE" || c.Agent.Load != 0 || !c.Unavailable {
			t.Errorf("without live data: %+v", c)
		}
	}
}
