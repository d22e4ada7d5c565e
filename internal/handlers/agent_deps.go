package handlers

import (
	"context"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/directory"
)

// AgentDirectory is the cached directory of agents, groups, queues, skills
// and availability (*directory.Directory).
type AgentDirectory interface {
	Agents(ctx context.Context) (directory.Snapshot, error)
	Agent(ctx context.Context, id string) (directory.AgentResult, error)
	Availability(ctx context.Context) (directory.AvailabilityResult, error)
	Invalidate(agentID string)
	Put(a *api.Agent)
}

// AgentWriter reads an agent fresh from upstream and replaces it there
// (*api.Client). Saves always go through it, never through a cache.
type AgentWriter interface {
	Agent(ctx context.Context, agentID string) (*api.Agent, error)
	UpdateAgent(ctx context.Context, a *api.Agent) (*api.Agent, error)
}

// AgentConversations finds an agent's recent conversations in the local
// conversation index. Optional: without it the agent page says the index is
// not available.
type AgentConversations interface {
	RecentByAgent(ctx context.Context, agentUserID string, limit int) ([]AgentConversation, error)
}

// AgentConversation is one conversation an agent took part in.
type AgentConversation struct {
	SessionID      string // botSessionId, the audit key
	ConversationID string // c-…
	Status         string
	Channel        string
	Start          time.Time
	Queue          string
}
