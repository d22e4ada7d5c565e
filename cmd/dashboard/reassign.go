package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/internal/store"
)

// reassigner is issue 5's part of the server: the transfer service, its
// background loop (sweeps for transfers that never hear back, bulk queue),
// and the cache refreshes that follow each outcome.
type reassigner struct {
	svc  *reassign.Service
	stop func()
}

// outcomeRefreshTimeout bounds the re-fetch of a conversation after a
// transfer's outcome.
const outcomeRefreshTimeout = 30 * time.Second

// startReassign builds the service and runs it until stop, which also waits
// for outcome refreshes still under way. Outcomes refresh the conversation
// in the background so the audit view shows the new participant (or, after
// no confirmation, upstream's real state).
func startReassign(ctx context.Context, db *store.DB, up reassign.Upstream, log *audit.Log, convs *cache.Cache, publicURL string, logger *slog.Logger) (*reassigner, error) {
	logger = logger.With("component", "reassign")
	bg, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex // guards stopped against wg.Add after Wait began
	stopped := false
	onOutcome := func(t reassign.Transfer) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rctx, done := context.WithTimeout(api.Background(bg), outcomeRefreshTimeout)
			defer done()
			if _, err := convs.Refresh(rctx, t.ConversationID); err != nil && bg.Err() == nil {
				logger.Warn("refresh after transfer outcome", "conversation", t.ConversationID, "transfer", t.ID, "err", err)
			}
		}()
	}
	svc, err := reassign.New(db, up, log, reassign.Options{PublicURL: publicURL, Logger: logger, OnOutcome: onOutcome})
	if err != nil {
		cancel()
		return nil, err
	}
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(bg) }()
	return &reassigner{svc: svc, stop: func() {
		cancel()
		<-done
		mu.Lock()
		stopped = true
		mu.Unlock()
		wg.Wait()
	}}, nil
}
