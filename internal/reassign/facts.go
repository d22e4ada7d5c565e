package reassign

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
)

// Candidates ranks the agents who could take conv (see Rank). Agents whose
// record is deactivated take no conversations and are left out. Each
// agent's status is what avail says of it, else the status its record
// carried (avail may be nil); load maps an agent's userId to the live
// conversations it holds (nil: unknown, read as none).
func Candidates(conv *api.Conversation, agents []*api.Agent, avail *api.Availability, load map[string]int) []Candidate {
	if conv == nil {
		return nil
	}
	facts := make([]AgentFacts, 0, len(agents))
	for _, a := range agents {
		v := a.View()
		if v.Status != "" && !strings.EqualFold(v.Status, "ACTIVE") {
			continue // a deactivated account takes no conversations
		}
		facts = append(facts, AgentFactsOf(v, avail.Presence(v), load[v.UserID], conv.ConversationType))
	}
	return Rank(ConversationFactsOf(conv), facts)
}

// AgentFactsOf is what ranking needs of an agent for a conversation on
// channel (livechat, messaging, voice): the capacity and the languages of
// that kind of work. A voice agent takes one call at a time; an unknown
// channel counts as live chat.
func AgentFactsOf(v api.AgentView, status string, load int, channel string) AgentFacts {
	f := AgentFacts{ID: v.ID, UserID: v.UserID, Name: v.DisplayName(), Status: status, Load: load,
		QueueIDs: v.QueueIDs(), SkillIDs: v.SkillIDs()}
	langs := v.ChatLanguageSupport
	switch strings.ToLower(channel) {
	case "voice":
		langs = v.VoiceLanguageSupport
		f.Capacity = 1
	case "messaging":
		f.Capacity = int(v.MaxMessagingChatSupport)
	default:
		f.Capacity = int(v.LiveChatCapacity())
	}
	f.Languages = api.ActiveLanguages(langs)
	return f
}

// ConversationFactsOf is what ranking needs of a conversation: the queues
// it went through with the current one last, the skills it asks for, its
// language and the agent holding it now. A nil conversation has none.
func ConversationFactsOf(c *api.Conversation) ConversationFacts {
	if c == nil {
		return ConversationFacts{}
	}
	f := ConversationFacts{Language: c.Language, SkillIDs: c.SkillIDs()}
	add := func(id string) {
		if id != "" && !slices.Contains(f.QueueIDs, id) {
			f.QueueIDs = append(f.QueueIDs, id)
		}
	}
	for _, q := range c.Queues {
		add(q.ID)
	}
	for _, p := range c.Participants {
		add(p.QueueID)
	}
	if q, ok := c.CurrentQueue(); ok {
		f.QueueIDs = slices.DeleteFunc(f.QueueIDs, func(s string) bool { return s == q.ID })
		f.QueueIDs = append(f.QueueIDs, q.ID)
	}
	if p, ok := c.ActiveParticipant(); ok {
		f.CurrentUserID = p.AgentID
	}
	return f
}

// CurrentQueueID is the queue the conversation is in now, or "".
func (f ConversationFacts) CurrentQueueID() string {
	if n := len(f.QueueIDs); n > 0 {
		return f.QueueIDs[n-1]
	}
	return ""
}

// From says where a conversation is now, for a transfer's record: its
// current agent, else its queue, else "".
func From(c *api.Conversation) string {
	if p, ok := c.ActiveParticipant(); ok {
		return fmt.Sprintf("agent %s (%s)", cmp.Or(p.Name, p.AgentID), p.AgentID)
	}
	if q, ok := c.CurrentQueue(); ok {
		return fmt.Sprintf("queue %s (%s)", cmp.Or(q.Name, q.ID), q.ID)
	}
	return ""
}
