package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Agent is one agent record kept field by field: every field it arrived with
// is held as raw JSON (numbers and unknown fields byte-exact) in arrival
// order. That matters because upstream's update is a full replace: a PUT body
// that drops a field erases it upstream. Read it through View; change it with
// Set/Delete. An Agent is not safe for concurrent mutation; Clone it first.
type Agent struct {
	order  []string
	fields map[string]json.RawMessage
}

// NewAgent returns an empty agent record.
func NewAgent() *Agent { return &Agent{fields: map[string]json.RawMessage{}} }

// DecodeAgent decodes one agent object.
func DecodeAgent(b []byte) (*Agent, error) {
	a := NewAgent()
	if err := a.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return a, nil
}

// UnmarshalJSON replaces the record with the object in b, keeping field order.
func (a *Agent) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("api: decode agent: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("api: decode agent: %w", errNotObject)
	}
	order := []string{}
	m := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("api: decode agent: %w", err)
		}
		key, _ := tok.(string) // object keys are always strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("api: decode agent field %q: %w", key, err)
		}
		if _, dup := m[key]; !dup {
			order = append(order, key)
		}
		m[key] = v // a duplicate key: the last value wins, as in encoding/json
	}
	if _, err := dec.Token(); err != nil { // closing brace
		return fmt.Errorf("api: decode agent: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("api: decode agent: trailing data after the object")
	}
	a.order, a.fields = order, m
	return nil
}

// MarshalJSON writes every field in order, values byte-exact. It has a value
// receiver so an Agent (not only an *Agent) encodes correctly.
func (a Agent) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range a.order {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(a.fields[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Get returns a copy of a field's raw JSON.
func (a *Agent) Get(field string) (json.RawMessage, bool) {
	if a == nil {
		return nil, false
	}
	v, ok := a.fields[field]
	if !ok {
		return nil, false
	}
	return append(json.RawMessage(nil), v...), true
}

// Set marshals value into field, adding it at the end if new. A
// json.RawMessage value is stored as given after a validity check.
func (a *Agent) Set(field string, value any) error {
	if field == "" {
		return errors.New("api: agent field name is empty")
	}
	var b []byte
	if raw, ok := value.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return fmt.Errorf("api: agent field %q: invalid JSON", field)
		}
		b = append([]byte(nil), bytes.TrimSpace(raw)...)
	} else {
		var err error
		if b, err = json.Marshal(value); err != nil {
			return fmt.Errorf("api: agent field %q: %w", field, err)
		}
	}
	if a.fields == nil {
		a.fields = map[string]json.RawMessage{}
	}
	if _, ok := a.fields[field]; !ok {
		a.order = append(a.order, field)
	}
	a.fields[field] = b
	return nil
}

// Delete removes field; deleting an absent field is a no-op.
func (a *Agent) Delete(field string) {
	if a == nil {
		return
	}
	if _, ok := a.fields[field]; !ok {
		return
	}
	delete(a.fields, field)
	a.order = slices.DeleteFunc(a.order, func(k string) bool { return k == field })
}

// Clone returns a deep copy.
func (a *Agent) Clone() *Agent {
	if a == nil {
		return nil
	}
	c := &Agent{order: slices.Clone(a.order), fields: make(map[string]json.RawMessage, len(a.fields))}
	for k, v := range a.fields {
		c.fields[k] = append(json.RawMessage(nil), v...)
	}
	return c
}

// Fields lists the field names in order.
func (a *Agent) Fields() []string {
	if a == nil {
		return nil
	}
	return slices.Clone(a.order)
}

// ID is the agent's id (a-…), the one assign-conversation and the agent
// endpoints take.
func (a *Agent) ID() string {
	if a == nil {
		return ""
	}
	return fields(a.fields).str("id")
}

// AgentView is a read-only typed snapshot of an Agent.
type AgentView struct {
	ID                      string // a-…
	UserID                  string // u-…, what conversations reference
	FirstName               string
	LastName                string
	FullName                string
	NickName                string
	EmailID                 string
	PhoneNumber             string
	CustomID                string
	Status                  string // ACTIVE, …
	Role                    string
	RoleID                  string
	IID                     string
	AgentGroupID            string
	AgentGroups             []AgentGroupMembership
	CanSupportChat          bool
	CanSupportVoice         bool
	CanSupportCase          bool
	CanSupportVoiceMail     bool
	ChatLanguageSupport     []LanguageSupport
	VoiceLanguageSupport    []LanguageSupport
	MaxChatSupport          int64
	MaxDigitalChatSupport   int64
	MaxEmailChatSupport     int64
	MaxMessagingChatSupport int64
	AttachmentsEnabled      bool
	EmojisEnabled           bool
	Skills                  []AgentSkill
	Queues                  []AgentQueue
	OnlineStatus            string // display text, e.g. "Available"
	OnlineStatusType        string // AVAILABLE, BUSY, AWAY, OFFLINE
	LastOnlineAt            time.Time
	UpdatedAt               time.Time
	CreatedAt               time.Time
}

// AgentGroupMembership is the agent's role in one agent group.
type AgentGroupMembership struct {
	GroupID     string
	Role        string
	Name        string // "name" or "groupName", depending on the endpoint
	AccessLevel string
}

// LanguageSupport is one language an agent handles.
type LanguageSupport struct {
	Language    string
	Proficiency string // beginner, average, expert
	IsActive    bool
}

// AgentSkill is one skill assigned to an agent.
type AgentSkill struct {
	SkillID          string
	ID               string
	Name             string
	ProficiencyLevel string
	SkillGroupID     string
	SkillGroupName   string
	SkillGroupColor  string
}

// AgentQueue is one queue the agent serves.
type AgentQueue struct {
	ID               string
	Name             string
	IsPreferredAgent bool
}

// View returns the typed snapshot. It is recomputed on each call, so it
// always reflects the latest Set/Delete.
func (a *Agent) View() AgentView {
	if a == nil {
		return AgentView{}
	}
	f := fields(a.fields)
	v := AgentView{
		ID:                      f.str("id"),
		UserID:                  f.str("userId"),
		FirstName:               f.str("firstName"),
		LastName:                f.str("lastName"),
		FullName:                f.str("fullName"),
		NickName:                f.str("nickName"),
		EmailID:                 f.str("emailId"),
		PhoneNumber:             f.str("phoneNumber"),
		CustomID:                f.str("customId"),
		Status:                  f.str("status"),
		Role:                    f.str("role"),
		RoleID:                  f.str("roleId"),
		IID:                     f.str("iId"),
		AgentGroupID:            f.str("agentGroupId"),
		CanSupportChat:          f.boolean("canSupportChat"),
		CanSupportVoice:         f.boolean("canSupportVoice"),
		CanSupportCase:          f.boolean("canSupportCase"),
		CanSupportVoiceMail:     f.boolean("canSupportVoiceMail"),
		MaxChatSupport:          f.integer("maxChatSupport"),
		MaxDigitalChatSupport:   f.integer("maxDigitalChatSupport"),
		MaxEmailChatSupport:     f.integer("maxEmailChatSupport"),
		MaxMessagingChatSupport: f.integer("maxMessagingChatSupport"),
		AttachmentsEnabled:      f.boolean("attachmentsEnabled"),
		EmojisEnabled:           f.boolean("emojisEnabled"),
		OnlineStatus:            f.str("onlineStatus"),
		OnlineStatusType:        f.str("onlineStatusType"),
		LastOnlineAt:            f.timestamp("lastOnlineAt"),
		UpdatedAt:               f.timestamp("updatedAt"),
		CreatedAt:               f.timestamp("createdAt"),
	}
	if v.FullName == "" {
		v.FullName = strings.TrimSpace(v.FirstName + " " + v.LastName)
	}
	for _, g := range f.objects("agentGroups") {
		v.AgentGroups = append(v.AgentGroups, AgentGroupMembership{
			GroupID: g.first("groupId", "id"), Role: g.str("role"),
			Name: g.first("name", "groupName"), AccessLevel: g.str("accessLevel"),
		})
	}
	v.ChatLanguageSupport = languages(f.objects("chatLanguageSupport"))
	v.VoiceLanguageSupport = languages(f.objects("voiceLanguageSupport"))
	for _, s := range f.objects("skills") {
		v.Skills = append(v.Skills, AgentSkill{
			SkillID: s.first("skillId", "id"), ID: s.str("id"), Name: s.str("name"),
			ProficiencyLevel: s.str("proficiencyLevel"), SkillGroupID: s.str("skillGroupId"),
			SkillGroupName: s.str("skillGroupName"), SkillGroupColor: s.str("skillGroupColor"),
		})
	}
	for _, q := range f.objects("queues") {
		aq := AgentQueue{ID: q.str("id"), Name: q.str("name"), IsPreferredAgent: q.boolean("isPreferredAgent")}
		// The list endpoint nests the flag in agents[] keyed by userId.
		if _, direct := q["isPreferredAgent"]; !direct {
			for _, qa := range q.objects("agents") {
				if qa.str("userId") == v.UserID && v.UserID != "" {
					aq.IsPreferredAgent = qa.boolean("isPreferredAgent")
				}
			}
		}
		v.Queues = append(v.Queues, aq)
	}
	return v
}

func languages(objs []fields) []LanguageSupport {
	var out []LanguageSupport
	for _, l := range objs {
		out = append(out, LanguageSupport{
			Language: l.str("language"), Proficiency: l.str("proficiency"), IsActive: l.boolean("isActive"),
		})
	}
	return out
}

// AgentPage is one page of ListAgents.
type AgentPage struct {
	Results []*Agent
	Paging
	Raw json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (p AgentPage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeAgentPage decodes a list-agents response.
func DecodeAgentPage(b []byte) (*AgentPage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode agent page: %w", err)
	}
	p := &AgentPage{Paging: pagingOf(f), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("results") {
		a, err := DecodeAgent(r)
		if err != nil {
			return nil, err
		}
		p.Results = append(p.Results, a)
	}
	return p, nil
}

// maxPages bounds every "fetch all" loop: upstream samples show hasMore:true
// on the last page, and a server that ignores the page parameter must not
// keep us paging forever.
const maxPages = 100

// ListAgents fetches one page of agents, queues included (endpoint 5).
// Pages start at 1; 0 means the first page.
func (c *Client) ListAgents(ctx context.Context, page int) (*AgentPage, error) {
	const endpoint = "agents.list"
	if page < 0 {
		return nil, validationError(endpoint, "page must not be negative")
	}
	page = max(page, 1)
	q := url.Values{"page": {strconv.Itoa(page)}, "includeQueues": {"true"}}
	return get(ctx, c, endpoint, "/organizations/"+url.PathEscape(c.creds.OrgID)+"/agents", q, DecodeAgentPage)
}

// AllAgents pages through ListAgents until upstream reports no more.
func (c *Client) AllAgents(ctx context.Context) ([]*Agent, error) {
	var all []*Agent
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, tooManyPages("agents.list")
		}
		p, err := c.ListAgents(ctx, page)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Results...)
		if lastPage(page, len(p.Results), len(all), p.HasMore, p.TotalPages, p.TotalResults) {
			return all, nil
		}
	}
}

// lastPage decides whether paging is done. hasMore alone is not trusted (the
// vendor's own samples set it on single-page results), so the page and
// result totals end the loop too.
func lastPage(page, got, collected int, hasMore bool, totalPages, totalResults int) bool {
	switch {
	case !hasMore, got == 0:
		return true
	case totalPages > 0 && page >= totalPages:
		return true
	case totalResults > 0 && collected >= totalResults:
		return true
	}
	return false
}

func tooManyPages(endpoint string) *Error {
	return &Error{Kind: ErrUpstream, Endpoint: endpoint, Method: http.MethodGet,
		Messages: []string{fmt.Sprintf("still more results after %d pages", maxPages)}}
}

// Agent fetches one agent by id, a-… (endpoint 6).
func (c *Client) Agent(ctx context.Context, agentID string) (*Agent, error) {
	const endpoint = "agents.get"
	if err := checkID(endpoint, "agent id", agentID); err != nil {
		return nil, err
	}
	return get(ctx, c, endpoint, "/agents/"+url.PathEscape(agentID), nil, DecodeAgent)
}

// UpdateAgent replaces the agent upstream with a (endpoint 7). The whole
// record is sent, because upstream's PUT is a full replace; the groupId query
// comes from the record's agentGroupId. It is sent exactly once, never
// retried. If upstream answers 2xx without a body, a copy of a is returned.
func (c *Client) UpdateAgent(ctx context.Context, a *Agent) (*Agent, error) {
	const endpoint = "agents.update"
	if a == nil {
		return nil, validationError(endpoint, "agent is missing")
	}
	f := fields(a.fields)
	id, groupID := f.str("id"), f.str("agentGroupId")
	if err := checkID(endpoint, "agent id (field id)", id); err != nil {
		return nil, err
	}
	if strings.TrimSpace(groupID) == "" {
		return nil, validationError(endpoint, "agent has no agentGroupId, which the update needs as groupId")
	}
	body, err := a.MarshalJSON()
	if err != nil {
		return nil, &Error{Kind: ErrValidation, Endpoint: endpoint, Messages: []string{"could not encode the agent"}, Err: err}
	}
	return call(ctx, c, request{
		endpoint: endpoint, method: http.MethodPut,
		path:  "/agents/" + url.PathEscape(id),
		query: url.Values{"groupId": {groupID}},
		body:  body,
	}, func(resp []byte) (*Agent, error) {
		if len(bytes.TrimSpace(resp)) == 0 {
			return a.Clone(), nil
		}
		return DecodeAgent(resp)
	})
}
