package handlers

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// agentChannels are the channel filter's choices: what an agent can handle.
var agentChannels = []pages.Option{{Value: "chat", Label: "Chat"}, {Value: "voice", Label: "Voice"}, {Value: "case", Label: "Case"}, {Value: "voicemail", Label: "Voice mail"}}

func parseAgentFilter(q url.Values) pages.AgentFilter {
	get := func(k string) string {
		v := strings.TrimSpace(q.Get(k))
		if len(v) > 200 {
			v = v[:200]
		}
		return v
	}
	f := pages.AgentFilter{Q: get("q"), Group: get("group"), Queue: get("queue"), Skill: get("skill"),
		Status: get("status"), Channel: get("channel"), Availability: get("availability")}
	f.Active = f.Q != "" || f.Group != "" || f.Queue != "" || f.Skill != "" || f.Status != "" || f.Channel != "" || f.Availability != ""
	return f
}

func agentFilterQuery(f pages.AgentFilter) string {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "group": f.Group, "queue": f.Queue, "skill": f.Skill,
		"status": f.Status, "channel": f.Channel, "availability": f.Availability} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// agentList answers GET /agents: every agent from the directory, searched
// and filtered by the URL's parameters.
func (h *Handler) agentList(w http.ResponseWriter, r *http.Request) {
	if cleanQuery(w, r) {
		return
	}
	f := parseAgentFilter(r.URL.Query())
	vm := pages.AgentList{Filter: f}
	snap, err := h.directory.Agents(r.Context())
	if err != nil {
		// No copy yet: the directory goes on loading in the background.
		vm.Error = capitalize(err.Error()) + ". The list appears once it has arrived: reload in a moment."
	} else {
		vm.Rows, vm.Total = h.agentRows(r, &snap, f)
		vm.Data = h.dataAge(r, snap.FetchedAt, snap.Err)
	}
	vm.Groups, vm.Queues, vm.Skills, vm.Statuses = agentFilterOptions(&snap, f)
	vm.Channels = markSelected(agentChannels, f.Channel)
	vm.Availabilities = markSelected([]pages.Option{{Value: api.StatusAvailable, Label: "Available"}, {Value: api.StatusBusy, Label: "Busy"},
		{Value: api.StatusAway, Label: "Away"}, {Value: api.StatusOffline, Label: "Offline"}}, f.Availability)
	h.render(w, r, http.StatusOK, h.page(r, "Agents", "agents"), pages.AgentListPage(vm))
}

// agentAvailability answers GET /agents/availability: only the table body,
// with live status, for the list's every-5-seconds htmx refresh. It runs at
// background priority so polling never delays someone's action.
func (h *Handler) agentAvailability(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(api.Background(r.Context()))
	f := parseAgentFilter(r.URL.Query())
	snap, err := h.directory.Agents(r.Context())
	if err != nil {
		// Keep the old rows: htmx swaps nothing for a 204, and the next
		// poll tries again.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rows, _ := h.agentRows(r, &snap, f)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pages.AgentRowsFragment(rows).Render(renderContext(r), w); err != nil {
		h.logger.Error("render agent rows", "err", err)
	}
}

func (h *Handler) agentRows(r *http.Request, snap *directory.Snapshot, f pages.AgentFilter) (pages.AgentRows, int) {
	rows := pages.AgentRows{PollURL: "/agents/availability", Table: h.listView(r, "agents")}
	load, err := h.convs.LiveLoad(r.Context())
	if err != nil {
		h.logger.Warn("agents: live load", "err", err)
	}
	if q := agentFilterQuery(f); q != "" {
		rows.PollURL += "?" + q
	}
	var avail *api.Availability
	if res, err := h.directory.Availability(r.Context()); err != nil {
		rows.AvailabilityNote = "Live status is unavailable (" + err.Error() + "); showing the status stored with each agent."
	} else {
		avail = res.Availability
		rows.CheckedAt = display.Time(res.FetchedAt, viewerLocation(r))
		if res.Err != nil {
			rows.AvailabilityNote = "Live status could not be refreshed (" + res.Err.Error() + "); showing the answer from " + rows.CheckedAt + "."
		}
	}
	cat := catalogOf(snap)
	needle := strings.ToLower(f.Q)
	for _, a := range snap.Agents {
		v := a.View()
		presence := presenceOf(avail, v)
		if !agentMatches(v, presence, needle, f) {
			continue
		}
		var groups, queues []string
		for _, g := range v.AgentGroups {
			groups = append(groups, cmp.Or(cat.Groups[g.GroupID], g.Name, g.GroupID))
		}
		for _, q := range v.Queues {
			name := cmp.Or(cat.Queues[q.ID], q.Name, q.ID)
			if q.IsPreferredAgent {
				name += " (preferred)"
			}
			queues = append(queues, name)
		}
		rows.Rows = append(rows.Rows, pages.AgentRow{
			ID: v.ID, Href: "/agents/" + url.PathEscape(v.ID), Name: agentName(v), Email: v.EmailID, CustomID: v.CustomID,
			Groups: strings.Join(groups, ", "), Queues: strings.Join(queues, ", "), Status: v.Status,
			Channels: strings.Join(agentChannelNames(v), ", "), Presence: presence,
		})
		if load != nil {
			facts := reassign.AgentFactsOf(v, presence, load[v.UserID], "livechat")
			last := &rows.Rows[len(rows.Rows)-1]
			last.Load, last.Full = facts.Slots(), facts.Capacity > 0 && facts.Load >= facts.Capacity
		}
	}
	slices.SortFunc(rows.Rows, func(a, b pages.AgentRow) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return rows, len(snap.Agents)
}

func agentChannelNames(v api.AgentView) []string {
	var out []string
	for _, c := range []struct {
		on   bool
		name string
	}{{v.CanSupportChat, "chat"}, {v.CanSupportVoice, "voice"}, {v.CanSupportCase, "case"}, {v.CanSupportVoiceMail, "voice mail"}} {
		if c.on {
			out = append(out, c.name)
		}
	}
	return out
}

func agentMatches(v api.AgentView, presence, needle string, f pages.AgentFilter) bool {
	if needle != "" {
		hay := strings.ToLower(strings.Join([]string{v.FullName, v.FirstName, v.LastName, v.NickName, v.EmailID, v.CustomID}, "\x00"))
		if !strings.Contains(hay, needle) {
			return false
		}
	}
	if f.Group != "" && !slices.ContainsFunc(v.AgentGroups, func(g api.AgentGroupMembership) bool { return g.GroupID == f.Group }) {
		return false
	}
	if f.Queue != "" && !slices.ContainsFunc(v.Queues, func(q api.AgentQueue) bool { return q.ID == f.Queue }) {
		return false
	}
	if f.Skill != "" && !slices.ContainsFunc(v.Skills, func(s api.AgentSkill) bool { return s.SkillID == f.Skill }) {
		return false
	}
	if f.Status != "" && !strings.EqualFold(v.Status, f.Status) {
		return false
	}
	if f.Availability != "" && presence != f.Availability {
		return false
	}
	switch f.Channel {
	case "":
	case "chat":
		return v.CanSupportChat
	case "voice":
		return v.CanSupportVoice
	case "case":
		return v.CanSupportCase
	case "voicemail":
		return v.CanSupportVoiceMail
	default:
		return false
	}
	return true
}

func agentFilterOptions(snap *directory.Snapshot, f pages.AgentFilter) (groups, queues, skills, statuses []pages.Option) {
	cat := catalogOf(snap)
	groups = sortedOptions(cat.Groups, f.Group)
	queues = sortedOptions(cat.Queues, f.Queue)
	skills = skillOptions(snap, f.Skill)
	seen := map[string]string{"ACTIVE": "ACTIVE", "INACTIVE": "INACTIVE"}
	for _, a := range snap.Agents {
		if s := a.View().Status; s != "" {
			seen[s] = s
		}
	}
	statuses = sortedOptions(seen, f.Status)
	return groups, queues, skills, statuses
}

func markSelected(opts []pages.Option, selected string) []pages.Option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}
