package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/handlers"
	"github.com/teamlead/dashboard/internal/store"
)

// conversations is issue 3's part of the server: the conversation cache and
// the background index sync.
type conversations struct {
	cache  *cache.Cache
	syncer *cache.Syncer
	stop   func()
}

// startConversations opens the cache over db and starts the index sync,
// which runs at once and then every interval until stop is called (or ctx
// ends); stop waits for it and for background refreshes.
func startConversations(ctx context.Context, db *store.DB, up cache.Upstream, interval time.Duration, logger *slog.Logger) (*conversations, error) {
	c, err := cache.New(db, up, cache.Options{Logger: logger.With("component", "cache")})
	if err != nil {
		return nil, fmt.Errorf("conversation cache: %w", err)
	}
	s := cache.NewSyncer(c, cache.SyncOptions{Interval: interval, Logger: logger.With("component", "index-sync")})
	syncCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(syncCtx) }()
	return &conversations{cache: c, syncer: s, stop: func() {
		cancel()
		<-done
		c.Close()
	}}, nil
}

// cacheAdmin adapts the cache to the settings page and /metrics (issue 6).
type cacheAdmin struct{ c *cache.Cache }

func (a cacheAdmin) Stats(ctx context.Context) (handlers.CacheStats, error) {
	s, err := a.c.Stats(ctx)
	return handlers.CacheStats{
		Hits: s.Hits, Misses: s.Misses, StaleServes: s.StaleServes, UpstreamErrors: s.UpstreamErrors,
		Evictions: s.Evictions, Entries: s.Entries, Snapshots: s.Snapshots, Bytes: s.Bytes,
		MaxBytes: s.MaxBytes, Indexed: s.Indexed,
	}, err
}

func (a cacheAdmin) SyncStatus() handlers.CacheSyncStatus {
	s := a.c.SyncStatus()
	detail := fmt.Sprintf("%d conversations indexed; last run: %d pages, %d new or changed, %d live re-checked", s.Indexed, s.Pages, s.Rows, s.Rechecked)
	if !s.BackfillDone {
		detail += fmt.Sprintf("; first full pass continues at %d", s.BackfillSkip)
	}
	return handlers.CacheSyncStatus{Running: s.Running, LastStart: s.LastStart, LastEnd: s.LastEnd, LastError: s.Error, Detail: detail}
}

func (a cacheAdmin) Purge(ctx context.Context) (handlers.CachePurgeResult, error) {
	before, err := a.c.Stats(ctx)
	if err != nil {
		return handlers.CachePurgeResult{}, err
	}
	n, err := a.c.Purge(ctx)
	if err != nil {
		return handlers.CachePurgeResult{}, err
	}
	after, err := a.c.Stats(ctx)
	if err != nil {
		return handlers.CachePurgeResult{}, err
	}
	return handlers.CachePurgeResult{Removed: int64(n), Kept: after.Snapshots, FreedBytes: before.Bytes - after.Bytes}, nil
}

// agentConversations adapts the index to the agent page (issue 4).
type agentConversations struct{ c *cache.Cache }

func (a agentConversations) RecentByAgent(ctx context.Context, agentUserID string, limit int) ([]handlers.AgentConversation, error) {
	p, err := a.c.List(ctx, cache.Query{Agent: agentUserID, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]handlers.AgentConversation, 0, len(p.Rows))
	for _, r := range p.Rows {
		out = append(out, handlers.AgentConversation{SessionID: r.SessionID, ConversationID: r.ID, Status: r.Status,
			Channel: r.Channel, Start: r.Start, Queue: r.Queues})
	}
	return out, nil
}
