package handlers

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// recentConversations is how many of an agent's conversations the profile
// lists.
const recentConversations = 20

// agentShow answers GET /agents/{id}: the agent's profile, memberships,
// skills, languages, capacities, presence and recent conversations.
func (h *Handler) agentShow(w http.ResponseWriter, r *http.Request) {
	id, ok := h.agentPathID(w, r)
	if !ok {
		return
	}
	res, err := h.directory.Agent(r.Context(), id)
	if err != nil {
		h.renderProblem(w, r, "agent "+id, err)
		return
	}
	var snap *directory.Snapshot
	var banners []layouts.Banner
	if s, err := h.directory.Agents(r.Context()); err == nil {
		snap = &s
	} else {
		banners = append(banners, layouts.Banner{Kind: "warn", TestID: "agent-directory-banner",
			Message: capitalize(err.Error()) + ". Groups, queues and skills show by the names this agent's record carries until it has arrived."})
	}
	var avail *api.Availability
	if a, err := h.directory.Availability(r.Context()); err == nil {
		avail = a.Availability
	}
	v := res.Agent.View()
	loc := viewerLocation(r)
	cat := catalogOf(snap)
	vm := pages.AgentProfile{
		ID: v.ID, UserID: v.UserID, Name: agentName(v), NickName: v.NickName, Email: v.EmailID, Phone: v.PhoneNumber,
		CustomID: v.CustomID, Status: v.Status, Role: v.Role,
		Presence: presenceOf(avail, v), PresenceText: cmp.Or(v.OnlineStatus, v.OnlineStatusType),
		LastOnline: display.Time(v.LastOnlineAt, loc), UpdatedAt: display.Time(v.UpdatedAt, loc),
		Channels: agentChannelNames(v), Attachments: v.AttachmentsEnabled, Emojis: v.EmojisEnabled,
		Saved: r.URL.Query().Get("saved") == "1",
		Data:  h.dataAge(r, res.FetchedAt, res.Err),
		Capacities: []pages.KeyValue{
			{Key: "Max digital chats", Value: strconv.FormatInt(v.MaxDigitalChatSupport, 10)},
			{Key: "Max email chats", Value: strconv.FormatInt(v.MaxEmailChatSupport, 10)},
			{Key: "Max messaging chats", Value: strconv.FormatInt(v.MaxMessagingChatSupport, 10)},
		},
	}
	if u := currentUser(r); u != nil && u.Role.AtLeast(auth.RoleLead) {
		vm.EditHref = "/agents/" + url.PathEscape(v.ID) + "/edit"
	}
	for _, g := range v.AgentGroups {
		vm.Groups = append(vm.Groups, pages.AgentGroupRow{ID: g.GroupID, Name: cmp.Or(cat.Groups[g.GroupID], g.Name, g.GroupID),
			Role: g.Role, Default: g.GroupID == v.AgentGroupID})
	}
	for _, q := range v.Queues {
		vm.Queues = append(vm.Queues, pages.AgentQueueRow{ID: q.ID, Name: cmp.Or(cat.Queues[q.ID], q.Name, q.ID), Preferred: q.IsPreferredAgent})
	}
	for _, s := range v.Skills {
		info := cat.Skills[s.SkillID]
		vm.Skills = append(vm.Skills, pages.AgentSkillRow{
			Name: cmp.Or(s.Name, info.Name, s.SkillID), Proficiency: s.ProficiencyLevel,
			GroupName: cmp.Or(s.SkillGroupName, info.GroupName), Color: safeColor(cmp.Or(s.SkillGroupColor, info.GroupColor)),
		})
	}
	vm.ChatLanguages = languageRows(v.ChatLanguageSupport)
	vm.VoiceLanguages = languageRows(v.VoiceLanguageSupport)
	vm.Conversations, vm.ConversationsNote = h.agentConversations(r, v.UserID)
	p := h.page(r, agentName(v), "agents")
	p.Banners = append(p.Banners, banners...)
	h.render(w, r, http.StatusOK, p, pages.AgentProfilePage(vm))
}

func languageRows(ls []api.LanguageSupport) []pages.AgentLanguageRow {
	out := make([]pages.AgentLanguageRow, 0, len(ls))
	for _, l := range ls {
		name, ok := agentedit.LanguageName(l.Language)
		if !ok {
			name = l.Language
		}
		out = append(out, pages.AgentLanguageRow{Code: l.Language, Name: name, Proficiency: l.Proficiency, Active: l.IsActive})
	}
	return out
}

// agentConversations reads the agent's recent conversations from the local
// index.
func (h *Handler) agentConversations(r *http.Request, userID string) ([]pages.AgentConversationRow, string) {
	if userID == "" {
		return nil, "This agent record has no userId, which conversations refer to."
	}
	page, err := h.convs.List(r.Context(), cache.Query{Agent: userID, Limit: recentConversations})
	if err != nil {
		h.logger.Warn("recent conversations", "user_id", userID, "err", err)
		return nil, "Recent conversations could not be read from the local index: " + err.Error()
	}
	if len(page.Rows) == 0 {
		return nil, "No conversations with this agent in the local index."
	}
	loc := viewerLocation(r)
	out := make([]pages.AgentConversationRow, 0, len(page.Rows))
	for _, c := range page.Rows {
		row := pages.AgentConversationRow{SessionID: c.SessionID, ConversationID: c.ID, Status: c.Status,
			Channel: c.Channel, Start: display.Time(c.Start, loc), Queue: c.Queues}
		if ids.IsSession(c.SessionID) {
			row.Href = "/sessions/" + url.PathEscape(c.SessionID)
		}
		out = append(out, row)
	}
	return out, ""
}
