package simulator

import (
	"net/http"
	"slices"
	"strings"
)

type agentGroupView struct {
	IsDefault    bool    `json:"isDefault"`
	IsUnassigned bool    `json:"isUnassigned"`
	Status       string  `json:"status"`
	Name         string  `json:"name"`
	Description  string  `json:"description"`
	IID          string  `json:"iId"`
	CreatedBy    string  `json:"createdBy"`
	OrgID        string  `json:"orgId"`
	LName        string  `json:"lname"`
	CreatedByAID *string `json:"createdByAId"`
	CreatedAt    jsTime  `json:"createdAt"`
	UpdatedAt    jsTime  `json:"updatedAt"`
	ID           string  `json:"id"`
	TotalAgents  int     `json:"totalAgents"`
	Managers     []any   `json:"managers"`
}

func (s *Simulator) listAgentGroups(w http.ResponseWriter, r *http.Request) {
	skip, limit, err := skipParams(r.URL.Query())
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	s.respondRead(w, func() any {
		views := make([]agentGroupView, 0, len(s.cat.groups))
		for _, g := range s.cat.groups {
			total := 0
			for _, a := range s.agents {
				if agentInGroup(a.doc, g.ID) {
					total++
				}
			}
			views = append(views, agentGroupView{
				IsDefault: g.IsDefault, Status: "ACTIVE", Name: g.Name, Description: g.Description,
				IID: s.cat.creds.BotID, CreatedBy: s.cat.ownerUserID, OrgID: s.cat.creds.OrgID,
				LName: strings.ToLower(g.Name), CreatedAt: jt(g.CreatedAt), UpdatedAt: jt(g.CreatedAt),
				ID: g.ID, TotalAgents: total, Managers: []any{},
			})
		}
		return paginateSkip(views, skip, limit)
	})
}

func agentInGroup(doc map[string]any, groupID string) bool {
	if docString(doc, "agentGroupId") == groupID {
		return true
	}
	for _, g := range docObjects(doc, "agentGroups") {
		if docString(g, "groupId") == groupID {
			return true
		}
	}
	return false
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type minSec struct {
	Min int `json:"min"`
	Sec int `json:"sec"`
}

type queueSkillView struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	IsExpireEnabled bool    `json:"isExpireEnabled"`
	ExpireTime      *minSec `json:"expireTime,omitempty"`
	SkillGroupName  string  `json:"skillGroupName"`
	SkillGroupColor string  `json:"skillGroupColor"`
}

type agentHours struct {
	HoursOfOperationID string `json:"hoursOfOperationId"`
	Name               string `json:"name"`
}

type queueAgentView struct {
	UserID           string     `json:"userId"`
	Name             string     `json:"name"`
	IsPreferredAgent bool       `json:"isPreferredAgent"`
	HoursOfOperation agentHours `json:"hoursOfOperation"`
	Skills           []idName   `json:"skills"`
}

type queueView struct {
	IsActive                 bool             `json:"isActive"`
	IsDefault                bool             `json:"isDefault"`
	Name                     string           `json:"name"`
	IsAdvancedRoutingEnabled bool             `json:"isAdvancedRoutingEnabled"`
	Description              string           `json:"description"`
	OrgID                    string           `json:"orgId"`
	CreatedBy                string           `json:"createdBy"`
	ID                       string           `json:"id"`
	HoursOfOperation         idName           `json:"hoursOfOperation"`
	Languages                []string         `json:"languages"`
	Agents                   []queueAgentView `json:"agents"`
	Skills                   []queueSkillView `json:"skills"`
	AgentGroups              []idName         `json:"agentGroups"`
	SourceAgentGroups        []string         `json:"sourceAgentGroups"`
	AdvancedSettings         struct {
		PreferredAgentTimeout  minSec `json:"preferredAgentTimeout"`
		IsSkillMatchEnabled    bool   `json:"isSkillMatchEnabled"`
		IsAffinityMatchEnabled bool   `json:"isAffinityMatchEnabled"`
	} `json:"advancedSettings"`
	CreatedAt jsTime `json:"createdAt"`
}

func (s *Simulator) listQueues(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r.URL.Query())
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	s.respondRead(w, func() any {
		views := make([]queueView, 0, len(s.cat.queues))
		for _, q := range s.cat.queues {
			views = append(views, s.queueView(q))
		}
		return paginatePage(views, page, limit)
	})
}

// queueView renders a queue with its members as the agent documents say now.
// Callers hold s.mu.
func (s *Simulator) queueView(q queueDef) queueView {
	v := queueView{
		IsActive: true, IsDefault: q.IsDefault, Name: q.Name, IsAdvancedRoutingEnabled: q.AdvancedRouting,
		Description: q.Description, OrgID: s.cat.creds.OrgID, CreatedBy: s.cat.ownerUserID, ID: q.ID,
		HoursOfOperation: idName{ID: q.Hours.ID, Name: q.Hours.Name}, Languages: q.Languages,
		Agents: []queueAgentView{}, Skills: []queueSkillView{}, AgentGroups: []idName{},
		SourceAgentGroups: slices.Clone(q.GroupIDs), CreatedAt: jt(q.CreatedAt),
	}
	v.AdvancedSettings.PreferredAgentTimeout = minSec{Min: q.PreferredTimeoutSec / 60, Sec: q.PreferredTimeoutSec % 60}
	v.AdvancedSettings.IsSkillMatchEnabled = q.AdvancedRouting
	v.AdvancedSettings.IsAffinityMatchEnabled = q.AdvancedRouting
	for _, a := range s.agents {
		for _, entry := range docObjects(a.doc, "queues") {
			if docString(entry, "id") != q.ID {
				continue
			}
			av := queueAgentView{
				UserID: docString(a.doc, "userId"), Name: agentName(a.doc),
				IsPreferredAgent: entry["isPreferredAgent"] == true, Skills: []idName{},
			}
			hid := docString(a.doc, "hoursOfOperationId")
			av.HoursOfOperation = agentHours{HoursOfOperationID: hid}
			for _, h := range s.cat.hours {
				if h.ID == hid {
					av.HoursOfOperation.Name = h.Name
				}
			}
			for _, sk := range docObjects(a.doc, "skills") {
				av.Skills = append(av.Skills, idName{ID: docString(sk, "id"), Name: docString(sk, "name")})
			}
			v.Agents = append(v.Agents, av)
		}
	}
	for _, id := range q.SkillIDs {
		sk, ok := s.cat.skill(id)
		if !ok {
			continue
		}
		sv := queueSkillView{ID: sk.ID, Name: sk.Name, IsExpireEnabled: sk.ExpireEnabled}
		if sk.ExpireEnabled {
			sv.ExpireTime = &minSec{Min: sk.ExpireMin, Sec: sk.ExpireSec}
		}
		if g, ok := s.cat.skillGroup(sk.GroupID); ok {
			sv.SkillGroupName, sv.SkillGroupColor = g.Name, g.Color
		}
		v.Skills = append(v.Skills, sv)
	}
	for _, gid := range q.GroupIDs {
		if g, ok := s.cat.group(gid); ok {
			v.AgentGroups = append(v.AgentGroups, idName{ID: g.ID, Name: g.Name})
		}
	}
	return v
}

type skillGroupView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Color       string `json:"color"`
}

func (s *Simulator) listSkillGroups(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r.URL.Query())
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	views := make([]skillGroupView, 0, len(s.cat.skillGroups))
	for _, g := range s.cat.skillGroups {
		views = append(views, skillGroupView(g))
	}
	writeJSON(w, http.StatusOK, paginatePage(views, page, limit))
}

type skillView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Agents       int    `json:"agents"`
	SkillGroupID string `json:"skillGroupId"`
}

func (s *Simulator) listSkills(w http.ResponseWriter, r *http.Request) {
	gid := r.PathValue("skillGroupId")
	if _, ok := s.cat.skillGroup(gid); !ok {
		notFound(w, "Skill group %s not found", gid)
		return
	}
	page, limit, err := pageParams(r.URL.Query())
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	s.respondRead(w, func() any {
		views := []skillView{}
		for _, sk := range s.cat.skills {
			if sk.GroupID != gid {
				continue
			}
			count := 0
			for _, a := range s.agents {
				if slices.Contains(agentSkillIDs(a.doc), sk.ID) {
					count++
				}
			}
			views = append(views, skillView{ID: sk.ID, Name: sk.Name, Description: sk.Description, Agents: count, SkillGroupID: gid})
		}
		return paginatePage(views, page, limit)
	})
}
