package handlers

import (
	"context"
	"time"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/directory"
)

// AgentDirectory is the cached directory of agents, groups, queues, skills
// and availability (*directory.Directory). The pages only read it; a save
// refreshes it through the edit service.
type AgentDirectory interface {
	Agents(ctx context.Context) (directory.Snapshot, error)
	Agent(ctx context.Context, id string) (directory.AgentResult, error)
	Availability(ctx context.Context) (directory.AvailabilityResult, error)
}

// AgentEditor runs the agent edit workflow (*agentedit.Service): the form's
// starting point, a preview of a save, and the save itself. Saves always go
// through it, never through a cache.
type AgentEditor interface {
	Open(ctx context.Context, id string) (agentedit.Result, error)
	Preview(ctx context.Context, id string, f agentedit.Form) (agentedit.Result, error)
	Save(ctx context.Context, actor agentedit.Actor, id string, f agentedit.Form) (agentedit.Result, error)
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
