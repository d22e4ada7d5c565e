package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// canReassign reports whether the signed-in user may move conversations.
func (h *Handler) canReassign(r *http.Request) bool {
	u := currentUser(r)
	return h.reassign.svc != nil && u != nil && u.Role.AtLeast(auth.RoleLead)
}

// reassignPanelFor is the Reassign panel of the audit view, or nil when
// the viewer may not reassign or there is nothing to show: a conversation
// that ended shows only its latest transfer, if any.
func (h *Handler) reassignPanelFor(r *http.Request, res cache.Result) templ.Component {
	if !h.canReassign(r) || res.Conversation == nil {
		return nil
	}
	ts, err := h.reassign.svc.ByConversation(r.Context(), res.ConversationID, 1)
	if err != nil {
		h.logger.Warn("reassign: transfers of conversation", "conversation", res.ConversationID, "err", err)
	}
	var latest *reassign.Transfer
	if len(ts) > 0 {
		latest = &ts[0]
	}
	if latest == nil && !res.Conversation.Status.IsLive() {
		return nil
	}
	return pages.ReassignPanelView(h.reassignPanel(r, res.Conversation, res.ConversationID, latest, ""))
}

// reassignPanel builds the panel: the transfer to show, and the forms
// (with fresh form tokens) unless a transfer is still under way.
func (h *Handler) reassignPanel(r *http.Request, conv *api.Conversation, convID string, t *reassign.Transfer, errMsg string) pages.ReassignPanel {
	vm := pages.ReassignPanel{
		ConversationID: convID,
		Action:         "/conversations/" + url.PathEscape(convID) + "/reassign",
		Live:           conv != nil && conv.Status.IsLive(),
		Error:          errMsg,
	}
	loc := viewerLocation(r)
	if t != nil {
		tv := transferView(*t, loc)
		vm.Transfer = &tv
	}
	vm.ShowForm = vm.Live && (t == nil || t.Status.Final())
	if vm.ShowForm {
		vm.AgentForm.Token, vm.QueueForm.Token = reassign.NewFormToken(), reassign.NewFormToken()
		vm.Candidates, vm.Queues, vm.Notes = h.reassignTargets(r.Context(), conv)
	}
	return vm
}

// transferView is a transfer as the panel shows it, in the viewer's zone.
func transferView(t reassign.Transfer, loc *time.Location) pages.ReassignTransfer {
	v := pages.ReassignTransfer{
		ID:        strconv.FormatInt(t.ID, 10),
		StatusURL: "/conversations/" + url.PathEscape(t.ConversationID) + "/reassign/" + strconv.FormatInt(t.ID, 10),
		Status:    string(t.Status),
		Pending:   !t.Status.Final(),
		Target:    targetText(t.Target),
		From:      t.From,
		Actor:     t.Actor,
		Requested: convTime(t.RequestedAt, loc),
		Done:      convTime(t.ConfirmedAt, loc),
		Message:   strings.TrimSuffix(t.Message, "."),
	}
	if !t.ConfirmedAt.IsZero() {
		v.DoneClock = t.ConfirmedAt.In(loc).Format("15:04:05 MST")
	}
	return v
}

func targetText(t reassign.Target) string {
	name := firstNonEmpty(t.Name, t.ID)
	if t.Kind == "queue" {
		return "queue " + name
	}
	return name
}

// reassignTargets ranks the agents who could take conv and lists the
// queues. What cannot be known (no directory, no availability, no load)
// is said in notes; the picker still works with what is known.
func (h *Handler) reassignTargets(ctx context.Context, conv *api.Conversation) ([]pages.ReassignCandidate, []pages.ReassignQueue, []string) {
	var notes []string
	snap, ok := h.reassignDirectory(ctx, &notes)
	if !ok {
		return nil, nil, notes
	}
	var avail *api.Availability
	if a, err := h.agents.dir.Availability(ctx); err != nil || a.Availability == nil {
		notes = append(notes, "Who is online could not be checked just now; the status shown is each agent's last known one.")
	} else {
		avail = a.Availability
		if a.Err != nil {
			notes = append(notes, "Who is online is from "+fmtAge(time.Since(a.FetchedAt))+" ago: "+a.Err.Error()+".")
		}
	}
	var load map[string]int
	if h.reassign.index != nil {
		var err error
		if load, err = h.reassign.index.LiveLoad(ctx); err != nil {
			h.logger.Warn("reassign: live load", "err", err)
			notes = append(notes, "Agents' current load is unknown: the conversation index could not be read.")
		}
	}
	facts := conversationFacts(conv)
	agents := make([]reassign.AgentFacts, 0, len(snap.Agents))
	for _, a := range snap.Agents {
		v := a.View()
		if v.Status != "" && !strings.EqualFold(v.Status, "ACTIVE") {
			continue // a deactivated account takes no conversations
		}
		agents = append(agents, agentFacts(v, presenceOf(avail, v), load[v.UserID], conv.ConversationType))
	}
	var cands []pages.ReassignCandidate
	for _, c := range reassign.Rank(facts, agents) {
		l := strconv.Itoa(c.Agent.Load)
		if c.Agent.Capacity > 0 {
			l += " of " + strconv.Itoa(c.Agent.Capacity)
		}
		cands = append(cands, pages.ReassignCandidate{
			ID: c.Agent.ID, Name: c.Agent.Name, Status: c.Agent.Status, Load: l,
			Reasons: strings.Join(c.Reasons, ", "), Unavailable: c.Unavailable, Full: c.Full,
		})
	}
	current := ""
	if n := len(facts.QueueIDs); n > 0 {
		current = facts.QueueIDs[n-1]
	}
	return cands, queueOptions(snap, current), notes
}

// reassignDirectory reads the agent directory, noting why it is missing or old.
func (h *Handler) reassignDirectory(ctx context.Context, notes *[]string) (directory.Snapshot, bool) {
	if h.agents.dir == nil {
		*notes = append(*notes, "The agent directory is not configured, so no targets can be offered.")
		return directory.Snapshot{}, false
	}
	snap, err := h.agents.dir.Agents(ctx)
	if err != nil {
		*notes = append(*notes, "The agent directory could not be loaded: "+err.Error()+".")
		return directory.Snapshot{}, false
	}
	if snap.Err != nil {
		*notes = append(*notes, "The agent directory is from "+fmtAge(time.Since(snap.FetchedAt))+" ago: "+snap.Err.Error()+".")
	}
	return snap, true
}

func queueOptions(snap directory.Snapshot, current string) []pages.ReassignQueue {
	var out []pages.ReassignQueue
	for _, q := range snap.Queues {
		if !q.IsActive && q.ID != current {
			continue
		}
		out = append(out, pages.ReassignQueue{ID: q.ID, Name: firstNonEmpty(q.Name, q.ID), Current: q.ID == current})
	}
	slices.SortStableFunc(out, func(a, b pages.ReassignQueue) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}

// agentFacts is what ranking needs of an agent, for a conversation on
// channel: the capacity and languages of that kind of work.
func agentFacts(v api.AgentView, status string, load int, channel string) reassign.AgentFacts {
	f := reassign.AgentFacts{ID: v.ID, UserID: v.UserID, Name: agentName(v), Status: status, Load: load}
	langs := v.ChatLanguageSupport
	switch strings.ToLower(channel) {
	case "voice":
		langs = v.VoiceLanguageSupport
		f.Capacity = 1 // one call at a time
	case "messaging":
		f.Capacity = int(v.MaxMessagingChatSupport)
	default: // livechat and anything unknown
		f.Capacity = int(firstPositive(v.MaxChatSupport, v.MaxDigitalChatSupport))
	}
	for _, l := range langs {
		if l.IsActive && l.Language != "" {
			f.Languages = append(f.Languages, l.Language)
		}
	}
	for _, q := range v.Queues {
		f.QueueIDs = append(f.QueueIDs, q.ID)
	}
	for _, s := range v.Skills {
		f.SkillIDs = append(f.SkillIDs, firstNonEmpty(s.SkillID, s.ID))
	}
	return f
}

func firstPositive(v ...int64) int64 {
	for _, x := range v {
		if x > 0 {
			return x
		}
	}
	return 0
}

// conversationFacts is what ranking needs of a conversation: the queues it
// went through with the current one last, its skills, its language and the
// agent holding it now.
func conversationFacts(c *api.Conversation) reassign.ConversationFacts {
	f := reassign.ConversationFacts{Language: c.Language}
	var seen []string
	add := func(id string) {
		if id != "" && !slices.Contains(seen, id) {
			seen = append(seen, id)
		}
	}
	for _, q := range c.Queues {
		add(q.ID)
	}
	for _, p := range c.Participants {
		add(p.QueueID)
	}
	if q, ok := currentQueue(c); ok {
		seen = slices.DeleteFunc(seen, func(s string) bool { return s == q.ID })
		seen = append(seen, q.ID)
	}
	f.QueueIDs = seen
	if p, ok := activeParticipant(c); ok {
		f.CurrentUserID = p.AgentID
	}
	f.SkillIDs = conversationSkills(c.Raw)
	return f
}

// activeParticipant is the agent leg still open, the last one first.
func activeParticipant(c *api.Conversation) (api.Participant, bool) {
	for i := len(c.Participants) - 1; i >= 0; i-- {
		p := c.Participants[i]
		if p.AgentID != "" && p.EndTimeStamp.IsZero() && !strings.EqualFold(p.Status, "INACTIVE") && !strings.EqualFold(p.Status, "ABANDONED") {
			return p, true
		}
	}
	return api.Participant{}, false
}

// currentQueue is the queue the conversation is in now: the active queue
// entry, else the last one, else the last participant's.
func currentQueue(c *api.Conversation) (api.ConversationQueue, bool) {
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
			return api.ConversationQueue{ID: p.QueueID, Name: p.QueueName}, true
		}
	}
	return api.ConversationQueue{}, false
}

// fromText says where a conversation is now, for the audit log: its
// current agent, else its queue.
func fromText(c *api.Conversation) string {
	if c == nil {
		return ""
	}
	if p, ok := activeParticipant(c); ok {
		return fmt.Sprintf("agent %s (%s)", firstNonEmpty(p.Name, p.AgentID), p.AgentID)
	}
	if q, ok := currentQueue(c); ok {
		return fmt.Sprintf("queue %s (%s)", firstNonEmpty(q.Name, q.ID), q.ID)
	}
	return ""
}

// conversationSkills reads the skills a conversation asks for from its raw
// document, which the typed model does not carry: "skills" (ids or
// objects) and agentTransferConfig.skillsIds, top level or under userInfo.
func conversationSkills(raw []byte) []string {
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
	if len(raw) == 0 || json.Unmarshal(raw, &doc) != nil {
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
				id = firstNonEmpty(obj.SkillID, obj.ID, obj.PlainID)
			}
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}
