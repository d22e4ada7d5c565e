package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// agentsPage is list-all-agents' envelope: skip-style keys, page-style query.
type agentsPage struct {
	skipPage
	Page int `json:"page"`
}

func (s *Simulator) listAgents(w http.ResponseWriter, r *http.Request) {
	if org := r.PathValue("orgId"); org != s.cat.creds.OrgID {
		notFound(w, "Organization %s not found", org)
		return
	}
	q := r.URL.Query()
	page, limit, err := pageParams(q)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	includeQueues := q.Get("includeQueues") == "true"
	s.respondRead(w, func() any {
		skip := len(s.agents)
		if page-1 <= len(s.agents)/limit {
			skip = (page - 1) * limit
		}
		p := paginateSkip(s.agents, skip, limit)
		views := make([]map[string]any, 0, limit)
		for _, a := range p.Results.([]*agentRecord) {
			view := maps.Clone(a.doc)
			if includeQueues {
				view["queues"] = s.agentQueuesView(a.doc)
			} else {
				delete(view, "queues")
			}
			views = append(views, view)
		}
		p.Results = views
		return agentsPage{skipPage: p, Page: page}
	})
}

// agentQueuesView is how list-all-agents shows an agent's queues: each with
// the agent's own membership and the queue's agent groups.
func (s *Simulator) agentQueuesView(doc map[string]any) []any {
	out := []any{}
	for _, entry := range docObjects(doc, "queues") {
		view := maps.Clone(entry)
		view["agents"] = []any{map[string]any{"isPreferredAgent": entry["isPreferredAgent"] == true, "userId": doc["userId"]}}
		groups := []any{}
		if q, ok := s.cat.queue(docString(entry, "id")); ok {
			for _, gid := range q.GroupIDs {
				if g, ok := s.cat.group(gid); ok {
					groups = append(groups, map[string]any{"id": g.ID, "name": g.Name})
				}
			}
		}
		view["agentGroups"] = groups
		out = append(out, view)
	}
	return out
}

func (s *Simulator) getAgent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("agentId")
	s.mu.RLock()
	a, ok := s.agentByID[id]
	s.mu.RUnlock()
	if !ok {
		notFound(w, "Agent %s not found", id)
		return
	}
	s.respondRead(w, func() any { return a.doc })
}

// requiredAgentFields must be non-empty strings in a PUT body.
var requiredAgentFields = []string{"firstName", "lastName", "emailId", "userId", "accountId", "orgId", "roleId", "iId", "id", "agentGroupId"}

// putAgent replaces the agent document wholesale, as upstream does: keys
// missing from the body are gone afterwards.
func (s *Simulator) putAgent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("agentId")
	raw, _ := io.ReadAll(r.Body)
	body, err := decodeObject(raw)
	if err != nil {
		s.mu.RLock()
		_, known := s.agentByID[id]
		s.mu.RUnlock()
		if !known {
			notFound(w, "Agent %s not found", id)
			return
		}
		invalid(w, "Invalid request body: %v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agentByID[id]
	if !ok {
		notFound(w, "Agent %s not found", id)
		return
	}
	if err := s.validateAgent(body, id, r.URL.Query().Get("groupId"), a); err != nil {
		invalid(w, "%v", err)
		return
	}
	body["updatedAt"] = formatJS(s.now())
	a.doc = body
	out, err := encodeJSON(a.doc)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not encode the response", 500)
		return
	}
	writeRaw(w, http.StatusOK, out)
}

// decodeObject decodes a JSON object, keeping numbers exactly as sent.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("body must be a JSON object: %v", err)
	}
	if body == nil {
		return nil, errors.New("body must be a JSON object")
	}
	if dec.More() {
		return nil, errors.New("body has trailing data")
	}
	return body, nil
}

// validateAgent applies upstream's documented rules for an agent update.
// Callers hold s.mu.
func (s *Simulator) validateAgent(body map[string]any, pathID, groupID string, self *agentRecord) error {
	for _, f := range requiredAgentFields {
		if v, ok := body[f].(string); !ok || strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s is required", f)
		}
	}
	groups, ok := body["agentGroups"].([]any)
	if !ok || len(groups) == 0 {
		return errors.New("agentGroups is required")
	}
	for i, g := range groups {
		m, ok := g.(map[string]any)
		if !ok {
			return fmt.Errorf("agentGroups[%d] must be an object", i)
		}
		for _, f := range []string{"groupId", "role"} {
			if v, ok := m[f].(string); !ok || v == "" {
				return fmt.Errorf("agentGroups[%d].%s is required", i, f)
			}
		}
	}
	if v, present := body["customId"]; present && v != nil {
		custom, ok := v.(string)
		if !ok {
			return errors.New("customId must be a string")
		}
		if strings.ContainsAny(custom, " \t\n") {
			return errors.New("customId must not contain spaces")
		}
	}
	if body["id"] != pathID {
		return fmt.Errorf("id %q does not match the agent in the path (%s)", body["id"], pathID)
	}
	if groupID == "" {
		return errors.New("groupId query parameter is required")
	}
	if body["agentGroupId"] != groupID {
		return fmt.Errorf("agentGroupId %q does not match the groupId query parameter (%s)", body["agentGroupId"], groupID)
	}
	if _, ok := s.cat.group(groupID); !ok {
		return fmt.Errorf("agent group %s does not exist", groupID)
	}
	email := body["emailId"].(string)
	for _, other := range s.agents {
		if other != self && strings.EqualFold(docString(other.doc, "emailId"), email) {
			return fmt.Errorf("emailId %s is already used by another agent", email)
		}
	}
	return nil
}

type availableAgent struct {
	ID          string `json:"_id"`
	UserID      string `json:"userId"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	EmailID     string `json:"emailId"`
	CustomID    string `json:"customId"`
	PhoneNumber string `json:"phoneNumber"`
}

type availability struct {
	Available []availableAgent `json:"AVAILABLE"`
	Busy      []availableAgent `json:"BUSY"`
	Offline   []availableAgent `json:"OFFLINE"`
	Away      []availableAgent `json:"AWAY"`
}

// agentAvailability buckets agents by presence. Each filter keeps agents
// matching any listed id; the filters given intersect.
func (s *Simulator) agentAvailability(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req struct {
		SkillIDs []string `json:"skillIds"`
		QueueIDs []string `json:"queueIds"`
		AgentIDs []string `json:"agentIds"`
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &req); err != nil {
			invalid(w, "Invalid request body: %v", err)
			return
		}
	}
	matches := func(filter, have []string) bool {
		if len(filter) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(filter, h) {
				return true
			}
		}
		return false
	}
	s.respondRead(w, func() any {
		out := availability{Available: []availableAgent{}, Busy: []availableAgent{}, Offline: []availableAgent{}, Away: []availableAgent{}}
		for _, a := range s.agents {
			d := a.doc
			if !matches(req.SkillIDs, agentSkillIDs(d)) || !matches(req.QueueIDs, agentQueueIDs(d)) ||
				!matches(req.AgentIDs, []string{docString(d, "id")}) {
				continue
			}
			entry := availableAgent{
				ID: docString(d, "id"), UserID: docString(d, "userId"), FirstName: docString(d, "firstName"),
				LastName: docString(d, "lastName"), EmailID: docString(d, "emailId"),
				CustomID: docString(d, "customId"), PhoneNumber: docString(d, "phoneNumber"),
			}
			switch a.presence {
			case "AVAILABLE":
				out.Available = append(out.Available, entry)
			case "BUSY":
				out.Busy = append(out.Busy, entry)
			case "AWAY":
				out.Away = append(out.Away, entry)
			default:
				out.Offline = append(out.Offline, entry)
			}
		}
		return out
	})
}
