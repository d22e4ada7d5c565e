package api

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Small readers of upstream wire data that more than one consumer needs:
// which of several spellings or entries holds a fact is upstream's
// business, so it is answered here once.

// DisplayName is how an agent is titled: its full name (fullName, else
// "first last"), or its id when it has no names.
func (v AgentView) DisplayName() string {
	if n := strings.TrimSpace(v.FullName); n != "" {
		return n
	}
	return v.ID
}

// SkillIDs are the ids of the agent's skills in record order (skillId,
// else id); elements without either are left out.
func (v AgentView) SkillIDs() []string {
	var out []string
	for _, s := range v.Skills {
		if id := cmp.Or(s.SkillID, s.ID); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// QueueIDs are the ids of the queues the agent serves, in record order.
func (v AgentView) QueueIDs() []string {
	var out []string
	for _, q := range v.Queues {
		out = append(out, q.ID)
	}
	return out
}

// LiveChatCapacity is how many live chats the agent may hold at once:
// maxChatSupport when positive, else maxDigitalChatSupport; 0 when neither
// is set (unknown).
func (v AgentView) LiveChatCapacity() int64 {
	for _, n := range []int64{v.MaxChatSupport, v.MaxDigitalChatSupport} {
		if n > 0 {
			return n
		}
	}
	return 0
}

// ActiveLanguages are the codes of the languages in list the agent is
// active in, in order.
func ActiveLanguages(list []LanguageSupport) []string {
	var out []string
	for _, l := range list {
		if l.IsActive && l.Language != "" {
			out = append(out, l.Language)
		}
	}
	return out
}

// Presence is an agent's online status: what this availability answer says
// (matched by id or userId), else the onlineStatusType the record carried
// when it was fetched. A nil answer reads as "not known live".
func (a *Availability) Presence(v AgentView) string {
	if s := a.StatusOf(v.ID); s != "" {
		return s
	}
	return v.OnlineStatusType
}

// ActiveParticipant is the agent leg still open, the latest first: one with
// an agent, no end time, and a status other than INACTIVE or ABANDONED.
func (c *Conversation) ActiveParticipant() (Participant, bool) {
	if c == nil {
		return Participant{}, false
	}
	for i := len(c.Participants) - 1; i >= 0; i-- {
		p := c.Participants[i]
		if p.AgentID != "" && p.EndTimeStamp.IsZero() && !strings.EqualFold(p.Status, "INACTIVE") && !strings.EqualFold(p.Status, "ABANDONED") {
			return p, true
		}
	}
	return Participant{}, false
}

// CurrentQueue is the queue the conversation is in now: the latest ACTIVE
// queue entry, else the last entry, else the last participant's queue.
func (c *Conversation) CurrentQueue() (ConversationQueue, bool) {
	if c == nil {
		return ConversationQueue{}, false
	}
	for i := len(c.Queues) - 1; i >= 0; i-- {
		if strings.EqualFold(c.Queues[i].Status, "ACTIVE") && c.Queues[i].ID != "" {
			return c.Queues[i], true
		}
	}
	if n := len(c.Queues); n > 0 && c.Queues[n-1].ID != "" {
		return c.Queues[n-1], true
	}
	for i := len(c.Participants) - 1; i >= 0; i-- {
		if p := c.Participants[i]; p.QueueID != "" {
			return ConversationQueue{ID: p.QueueID, Name: p.QueueName}, true
		}
	}
	return ConversationQueue{}, false
}

// SkillIDs are the skills the conversation asks for, read from Raw since
// the typed model does not carry them: "skills" (ids, or objects with
// skillId, _id or id) and agentTransferConfig.skillsIds, at the top level
// or under userInfo. Each id appears once, in that order.
func (c *Conversation) SkillIDs() []string {
	if c == nil || len(c.Raw) == 0 {
		return nil
	}
	var doc struct {
		Skills              []json.RawMessage `json:"skills"`
		AgentTransferConfig struct {
			SkillsIDs []json.RawMessage `json:"skillsIds"`
		} `json:"agentTransferConfig"`
		UserInfo struct {
			AgentTransferConfig struct {
				SkillsIDs []json.RawMessage `json:"skillsIds"`
			} `json:"agentTransferConfig"`
		} `json:"userInfo"`
	}
	if json.Unmarshal(c.Raw, &doc) != nil {
		return nil
	}
	var out []string
	for _, list := range [][]json.RawMessage{doc.Skills, doc.AgentTransferConfig.SkillsIDs, doc.UserInfo.AgentTransferConfig.SkillsIDs} {
		for _, item := range list {
			var id string
			if json.Unmarshal(item, &id) != nil {
				var obj struct {
					ID      string `json:"_id"`
					SkillID string `json:"skillId"`
					PlainID string `json:"id"`
				}
				if json.Unmarshal(item, &obj) != nil {
					continue
				}
				id = cmp.Or(obj.SkillID, obj.ID, obj.PlainID)
			}
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// WaitingSince is when a live conversation that no agent holds entered the
// queue it waits in: its current queue entry's start, else its latest
// leg's queue start, else its own start. Zero when an agent holds it
// (accepted and not left) or when it is not live.
func (c *Conversation) WaitingSince() time.Time {
	if c == nil || !c.Status.IsLive() {
		return time.Time{}
	}
	if p, ok := c.ActiveParticipant(); ok && !p.StartTimeStamp.IsZero() {
		return time.Time{}
	}
	if q, ok := c.CurrentQueue(); ok && !q.StartTime.IsZero() {
		return q.StartTime
	}
	for i := len(c.Participants) - 1; i >= 0; i-- {
		if t := c.Participants[i].QueueStartTime; !t.IsZero() {
			return t
		}
	}
	return c.StartTime
}
