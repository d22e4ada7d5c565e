package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// AgentGroup is one agent group (endpoint 8). Raw is the upstream object.
type AgentGroup struct {
	ID          string // ag-…
	Name        string
	Description string
	Status      string
	IsDefault   bool
	TotalAgents int64
	Raw         json.RawMessage
}

// Queue is one queue (endpoint 9). Raw is the upstream object.
type Queue struct {
	ID          string // qu-…
	Name        string
	Description string
	IsActive    bool
	IsDefault   bool
	Agents      []QueueAgent
	Raw         json.RawMessage
}

// QueueAgent is an agent serving a queue, referenced by userId (u-…).
type QueueAgent struct {
	UserID           string
	Name             string
	IsPreferredAgent bool
}

// SkillGroup is one skill group (endpoint 10). Raw is the upstream object.
type SkillGroup struct {
	ID          string
	Name        string
	Description string
	Color       string
	Raw         json.RawMessage
}

// Skill is one skill of a skill group (endpoint 10). Raw is the upstream object.
type Skill struct {
	ID           string
	Name         string
	Description  string
	SkillGroupID string
	Agents       int64 // number of agents with the skill
	Raw          json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (g AgentGroup) MarshalJSON() ([]byte, error) { return rawOrError(g.Raw) }

// MarshalJSON returns the upstream bytes unchanged.
func (q Queue) MarshalJSON() ([]byte, error) { return rawOrError(q.Raw) }

// MarshalJSON returns the upstream bytes unchanged.
func (g SkillGroup) MarshalJSON() ([]byte, error) { return rawOrError(g.Raw) }

// MarshalJSON returns the upstream bytes unchanged.
func (s Skill) MarshalJSON() ([]byte, error) { return rawOrError(s.Raw) }

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (g *AgentGroup) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode agent group: %w", err)
	}
	*g = AgentGroup{
		ID: f.str("id"), Name: f.str("name"), Description: f.str("description"), Status: f.str("status"),
		IsDefault: f.boolean("isDefault"), TotalAgents: f.integer("totalAgents"), Raw: cloneRaw(b),
	}
	return nil
}

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (q *Queue) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode queue: %w", err)
	}
	*q = Queue{
		ID: f.str("id"), Name: f.str("name"), Description: f.str("description"),
		IsActive: f.boolean("isActive"), IsDefault: f.boolean("isDefault"), Raw: cloneRaw(b),
	}
	for _, a := range f.objects("agents") {
		q.Agents = append(q.Agents, QueueAgent{
			UserID: a.str("userId"), Name: a.str("name"), IsPreferredAgent: a.boolean("isPreferredAgent"),
		})
	}
	return nil
}

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (g *SkillGroup) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode skill group: %w", err)
	}
	*g = SkillGroup{
		ID: f.str("id"), Name: f.str("name"), Description: f.str("description"), Color: f.str("color"),
		Raw: cloneRaw(b),
	}
	return nil
}

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (s *Skill) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode skill: %w", err)
	}
	*s = Skill{
		ID: f.str("id"), Name: f.str("name"), Description: f.str("description"),
		SkillGroupID: f.str("skillGroupId"), Agents: f.integer("agents"), Raw: cloneRaw(b),
	}
	return nil
}

// paging is how an endpoint pages: by skip/limit or by page number.
type paging int

const (
	bySkip paging = iota
	byPage
)

// listPageSize is what "fetch all" loops ask for; upstream may answer with
// fewer per page, which the loop tolerates.
const listPageSize = 50

// fetchAll pages through a list endpoint and decodes each result with
// decode (which must keep the element's bytes).
func fetchAll[T any](ctx context.Context, c *Client, endpoint, path string, style paging,
	decode func(*T, []byte) error) ([]T, error) {
	var all []T
	skip := 0
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, tooManyPages(endpoint)
		}
		q := url.Values{"limit": {strconv.Itoa(listPageSize)}}
		if style == bySkip {
			q.Set("skip", strconv.Itoa(skip))
		} else {
			q.Set("page", strconv.Itoa(page))
		}
		type decoded struct {
			items  []T
			paging Paging
		}
		d, err := get(ctx, c, endpoint, path, q, func(body []byte) (decoded, error) {
			f, err := decodeObject(body)
			if err != nil {
				return decoded{}, err
			}
			results := f.rawObjects("results")
			items := make([]T, len(results))
			for i, r := range results {
				if err := decode(&items[i], r); err != nil {
					return decoded{}, err
				}
			}
			return decoded{items, pagingOf(f)}, nil
		})
		if err != nil {
			return nil, err
		}
		all = append(all, d.items...)
		skip += len(d.items)
		if pg := d.paging; lastPage(page, len(d.items), len(all), pg.HasMore, pg.TotalPages, pg.TotalResults) {
			return all, nil
		}
	}
}

// AgentGroups fetches every agent group (endpoint 8).
func (c *Client) AgentGroups(ctx context.Context) ([]AgentGroup, error) {
	return fetchAll(ctx, c, "agentGroups.list", "/agent-groups", bySkip,
		func(g *AgentGroup, b []byte) error { return g.UnmarshalJSON(b) })
}

// Queues fetches every queue (endpoint 9).
func (c *Client) Queues(ctx context.Context) ([]Queue, error) {
	return fetchAll(ctx, c, "queues.list", "/queues", byPage,
		func(q *Queue, b []byte) error { return q.UnmarshalJSON(b) })
}

// SkillGroups fetches every skill group (endpoint 10).
func (c *Client) SkillGroups(ctx context.Context) ([]SkillGroup, error) {
	return fetchAll(ctx, c, "skillGroups.list", "/skill-groups", byPage,
		func(g *SkillGroup, b []byte) error { return g.UnmarshalJSON(b) })
}

// Skills fetches every skill of one skill group (endpoint 10).
func (c *Client) Skills(ctx context.Context, skillGroupID string) ([]Skill, error) {
	const endpoint = "skills.list"
	if err := checkID(endpoint, "skill group id", skillGroupID); err != nil {
		return nil, err
	}
	return fetchAll(ctx, c, endpoint, "/skill-groups/"+url.PathEscape(skillGroupID)+"/skills", byPage,
		func(s *Skill, b []byte) error { return s.UnmarshalJSON(b) })
}

// Ping makes one cheap authenticated call (the first agent group), for
// health checks and the settings page's "test connection". It is not
// retried, so it reports the upstream state as it is.
func (c *Client) Ping(ctx context.Context) error {
	_, err := call(ctx, c, request{endpoint: "ping", method: http.MethodGet, path: "/agent-groups",
		query: url.Values{"skip": {"0"}, "limit": {"1"}}}, decodeObject)
	return err
}
