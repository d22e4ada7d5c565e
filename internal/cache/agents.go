package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// AgentRef is what the audit view needs of an agent: the id its page is
// under (a-…), the userId conversations carry (u-…) and a name.
type AgentRef struct {
	ID     string `json:"id"`
	UserID string `json:"userId"`
	Name   string `json:"name"`
}

// Directory maps agent userIds (u-…) to agents.
type Directory map[string]AgentRef

type agentDirectory struct {
	dir       Directory
	fetchedAt time.Time
	loading   bool
}

const agentsKey = endpointAgents + ":all"

// AgentDirectory returns the cached agent directory without waiting for
// upstream: when it is missing or older than AgentsTTL a background refresh
// is started (one at a time, at background priority), and whatever is known
// (possibly nothing) is returned at once. Pages stay fast, and names are
// shown unlinked until the directory arrives.
func (c *Cache) AgentDirectory(ctx context.Context) Directory {
	c.mu.Lock()
	d := c.agents
	c.mu.Unlock()
	if d.dir == nil {
		// After a restart the last directory is in SQLite.
		if e, ok, err := c.loadAgents(ctx); err == nil && ok {
			c.mu.Lock()
			if c.agents.dir == nil {
				c.agents.dir, c.agents.fetchedAt = e.dir, e.fetchedAt
			}
			d = c.agents
			c.mu.Unlock()
		}
	}
	if d.dir == nil || c.clock.Now().Sub(d.fetchedAt) >= c.opts.AgentsTTL {
		c.refreshAgents()
	}
	return d.dir
}

// RefreshAgents fetches the agent directory now and waits for it.
func (c *Cache) RefreshAgents(ctx context.Context) (Directory, error) {
	v, err, _ := c.group.Do(agentsKey, func() (any, error) {
		return c.fetchAgents(api.Background(ctx))
	})
	if err != nil {
		return nil, err
	}
	return v.(Directory), nil
}

func (c *Cache) refreshAgents() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.agents.loading || c.bg.Err() != nil {
		return
	}
	c.agents.loading = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.bg, 2*c.opts.FetchTimeout)
		defer cancel()
		_, err := c.RefreshAgents(ctx)
		c.mu.Lock()
		c.agents.loading = false
		if err != nil {
			// Retry later rather than on every page view.
			c.agents.fetchedAt = c.clock.Now().Add(c.opts.RetryAfterFailure - c.opts.AgentsTTL)
		}
		c.mu.Unlock()
		if err != nil {
			c.log.Warn("cache: agent directory refresh failed", "err", err)
		}
	}()
}

func (c *Cache) fetchAgents(ctx context.Context) (Directory, error) {
	agents, err := c.up.AllAgents(ctx)
	if err != nil {
		c.upstreamErrors.Add(1)
		return nil, err
	}
	dir := Directory{}
	list := make([]AgentRef, 0, len(agents))
	for _, a := range agents {
		v := a.View()
		name := v.FullName
		if name == "" {
			name = v.FirstName + " " + v.LastName
		}
		ref := AgentRef{ID: v.ID, UserID: v.UserID, Name: name}
		if ref.UserID != "" {
			dir[ref.UserID] = ref
		}
		list = append(list, ref)
	}
	body, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	now := c.clock.Now()
	hash := Hash(body)
	ms := now.UnixMilli()
	err = c.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cache_blobs (sha256, body, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			hash, body, len(body), ms); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cache_entries (key, endpoint, http_status, sha256, fetched_at, accessed_at)
			VALUES (?, ?, 200, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET sha256 = excluded.sha256, fetched_at = excluded.fetched_at`,
			agentsKey, endpointAgents, hash, ms, ms)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.agents.dir, c.agents.fetchedAt = dir, now
	c.mu.Unlock()
	return dir, nil
}

func (c *Cache) loadAgents(ctx context.Context) (agentDirectory, bool, error) {
	e, ok, err := c.load(ctx, agentsKey)
	if err != nil || !ok {
		return agentDirectory{}, false, err
	}
	var list []AgentRef
	if err := json.Unmarshal(e.body, &list); err != nil {
		return agentDirectory{}, false, errors.New("cache: stored agent directory is damaged")
	}
	dir := Directory{}
	for _, a := range list {
		dir[a.UserID] = a
	}
	return agentDirectory{dir: dir, fetchedAt: e.fetchedAt}, true, nil
}
