package handlers

import (
	"context"

	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/reassign"
)

// Reassigning (issue 5): the panel on the audit view, the bulk move from the
// list, and the callback route upstream reports outcomes to.

// ReassignService requests transfers and tracks them (*reassign.Service).
type ReassignService interface {
	Request(ctx context.Context, r reassign.Request) (reassign.Transfer, error)
	Get(ctx context.Context, id int64) (reassign.Transfer, error)
	ByConversation(ctx context.Context, conversationID string, limit int) ([]reassign.Transfer, error)
	Enqueue(ctx context.Context, actor, clientAddr string, items []reassign.BulkItem, target reassign.Target, formToken string) (string, error)
	Batch(ctx context.Context, batchID string) ([]reassign.Transfer, error)
	HandleCallback(ctx context.Context, token string, body []byte) (reassign.Transfer, error)
}

// ReassignIndex is what reassigning needs of the conversation cache
// (*cache.Cache): a forced refresh once an outcome is known, the agents'
// live load for the target picker, and index rows for a bulk move.
type ReassignIndex interface {
	Refresh(ctx context.Context, conversationID string) (cache.Result, error)
	LiveLoad(ctx context.Context) (map[string]int, error)
	Rows(ctx context.Context, ids []string) (map[string]cache.Row, error)
}

// reassignDeps are the handlers' reassign dependencies; svc nil means the
// feature is not configured.
type reassignDeps struct {
	svc   ReassignService
	index ReassignIndex
}
