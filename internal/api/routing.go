package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/ids"
)

// AssignRequest moves a conversation to an agent or a queue (endpoint 4).
// Set exactly one of AgentID and QueueID.
type AssignRequest struct {
	CallbackURL  string // upstream POSTs the outcome here
	BotSessionID string // 24 hex
	AgentID      string // the agent's id (a-…), not its userId (u-…)
	QueueID      string // qu-…
}

// AssignResult is upstream's answer to an assignment.
type AssignResult struct {
	SessionID          string
	AgentID            string
	QueueID            string
	Status             string // "transferred"
	RequestCompletedAt time.Time
	Raw                json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (r AssignResult) MarshalJSON() ([]byte, error) { return rawOrError(r.Raw) }

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (r *AssignResult) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode assign result: %w", err)
	}
	*r = AssignResult{
		SessionID: f.str("sessionId"), AgentID: f.str("agentId"), QueueID: f.str("queueId"),
		Status: f.str("status"), RequestCompletedAt: f.timestamp("requestCompletedAt"), Raw: cloneRaw(b),
	}
	return nil
}

// Field order follows the vendor's documented bodies.
type assignToAgentBody struct {
	CallbackURL  string `json:"callbackUrl"`
	OrgID        string `json:"orgId"`
	AID          string `json:"aId"`
	BotSessionID string `json:"botSessionId"`
}

type assignToQueueBody struct {
	CallbackURL     string `json:"callbackUrl"`
	OrgID           string `json:"orgId"`
	TransferredType string `json:"transferredType"`
	QueueID         string `json:"queueId"`
	BotSessionID    string `json:"botSessionId"`
}

func (r AssignRequest) validate(endpoint string) error {
	var problems []string
	hasAgent, hasQueue := strings.TrimSpace(r.AgentID) != "", strings.TrimSpace(r.QueueID) != ""
	switch {
	case hasAgent == hasQueue:
		problems = append(problems, "set exactly one of agent id and queue id")
	case hasAgent && strings.HasPrefix(r.AgentID, "u-"):
		problems = append(problems, "agent id must be the agent's id (a-…), not its userId (u-…)")
	case hasAgent && checkID(endpoint, "", r.AgentID) != nil:
		problems = append(problems, "agent id is not a valid id")
	case hasQueue && checkID(endpoint, "", r.QueueID) != nil:
		problems = append(problems, "queue id is not a valid id")
	}
	if !ids.IsSession(r.BotSessionID) {
		problems = append(problems, "bot session id must be 24 hex characters")
	}
	if u, err := url.Parse(r.CallbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, "callback URL must be an absolute http(s) URL")
	}
	if len(problems) > 0 {
		return &Error{Kind: ErrValidation, Endpoint: endpoint, Messages: problems}
	}
	return nil
}

// AssignConversation transfers a conversation to an agent or a queue
// (endpoint 4). It is sent exactly once, never retried, not even after a
// timeout: a second transfer of a live conversation is worse than an error.
func (c *Client) AssignConversation(ctx context.Context, r AssignRequest) (*AssignResult, error) {
	const endpoint = "conversations.assign"
	if err := r.validate(endpoint); err != nil {
		return nil, err
	}
	var payload any = assignToAgentBody{
		CallbackURL: r.CallbackURL, OrgID: c.creds.OrgID, AID: r.AgentID, BotSessionID: r.BotSessionID,
	}
	if r.QueueID != "" {
		payload = assignToQueueBody{
			CallbackURL: r.CallbackURL, OrgID: c.creds.OrgID, TransferredType: "QUEUE",
			QueueID: r.QueueID, BotSessionID: r.BotSessionID,
		}
	}
	body, err := marshalBody(endpoint, payload)
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{endpoint: endpoint, method: http.MethodPost, path: "/assign-conversation", body: body},
		func(resp []byte) (*AssignResult, error) {
			var res AssignResult
			if err := res.UnmarshalJSON(resp); err != nil {
				return nil, err
			}
			return &res, nil
		})
}

// AvailabilityQuery selects whose availability to check (endpoint 11).
// Empty lists are left out of the request.
type AvailabilityQuery struct {
	SkillIDs []string
	QueueIDs []string
	AgentIDs []string
}

// Availability groups agents by their current status.
type Availability struct {
	Available []AvailabilityAgent
	Busy      []AvailabilityAgent
	Offline   []AvailabilityAgent
	Away      []AvailabilityAgent
	Raw       json.RawMessage
}

// AvailabilityAgent is one agent in an availability answer.
type AvailabilityAgent struct {
	ID          string // _id, a-…
	UserID      string
	FirstName   string
	LastName    string
	EmailID     string
	CustomID    string
	PhoneNumber string
	Raw         json.RawMessage
}

// Status names used by availability answers and agents' onlineStatusType.
const (
	StatusAvailable = "AVAILABLE"
	StatusBusy      = "BUSY"
	StatusOffline   = "OFFLINE"
	StatusAway      = "AWAY"
)

// MarshalJSON returns the upstream bytes unchanged.
func (a Availability) MarshalJSON() ([]byte, error) { return rawOrError(a.Raw) }

// MarshalJSON returns the upstream bytes unchanged.
func (a AvailabilityAgent) MarshalJSON() ([]byte, error) { return rawOrError(a.Raw) }

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (a *AvailabilityAgent) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode availability agent: %w", err)
	}
	*a = AvailabilityAgent{
		ID: f.first("_id", "id"), UserID: f.str("userId"), FirstName: f.str("firstName"),
		LastName: f.str("lastName"), EmailID: f.str("emailId"), CustomID: f.str("customId"),
		PhoneNumber: f.str("phoneNumber"), Raw: cloneRaw(b),
	}
	return nil
}

// UnmarshalJSON decodes leniently and keeps the bytes in Raw.
func (a *Availability) UnmarshalJSON(b []byte) error {
	f, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("api: decode availability: %w", err)
	}
	list := func(key string) []AvailabilityAgent {
		var out []AvailabilityAgent
		for _, r := range f.rawObjects(key) {
			var ag AvailabilityAgent
			if ag.UnmarshalJSON(r) == nil {
				out = append(out, ag)
			}
		}
		return out
	}
	*a = Availability{
		Available: list(StatusAvailable), Busy: list(StatusBusy),
		Offline: list(StatusOffline), Away: list(StatusAway), Raw: cloneRaw(b),
	}
	return nil
}

// StatusOf returns AVAILABLE, BUSY, OFFLINE or AWAY for an agent, matched by
// id (a-…) or userId (u-…), or "" when the answer does not mention it.
func (a *Availability) StatusOf(agentID string) string {
	if a == nil || agentID == "" {
		return ""
	}
	for _, group := range []struct {
		status string
		agents []AvailabilityAgent
	}{{StatusAvailable, a.Available}, {StatusBusy, a.Busy}, {StatusAway, a.Away}, {StatusOffline, a.Offline}} {
		for _, ag := range group.agents {
			if ag.ID == agentID || ag.UserID == agentID {
				return group.status
			}
		}
	}
	return ""
}

type availabilityBody struct {
	SkillIDs []string `json:"skillIds,omitempty"`
	QueueIDs []string `json:"queueIds,omitempty"`
	AgentIDs []string `json:"agentIds,omitempty"`
}

// Availability reports who is available, busy, offline or away now
// (endpoint 11). It is a POST but only a query, so it is retried like a read.
func (c *Client) Availability(ctx context.Context, q AvailabilityQuery) (*Availability, error) {
	const endpoint = "agents.availability"
	for _, ids := range [][]string{q.SkillIDs, q.QueueIDs, q.AgentIDs} {
		for _, id := range ids {
			if err := checkID(endpoint, "id", id); err != nil {
				return nil, err
			}
		}
	}
	body, err := marshalBody(endpoint, availabilityBody(q))
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{endpoint: endpoint, method: http.MethodPost, path: "/agents/availability",
		body: body, retry: true},
		func(resp []byte) (*Availability, error) {
			var av Availability
			if err := av.UnmarshalJSON(resp); err != nil {
				return nil, err
			}
			return &av, nil
		})
}
