package cache

import (
	"context"
	"fmt"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
)

// Refresh fetches a conversation from upstream now, whatever the age of the
// cached copy, and stores it (entry, snapshot, index), e.g. after the
// dashboard itself changed it upstream. Concurrent refreshes and cold
// lookups of the same conversation share one upstream call. The stored
// long-shape entry also serves later lookups by session id.
func (c *Cache) Refresh(ctx context.Context, conversationID string) (Result, error) {
	key := conversationKey(conversationID)
	v, err, _ := c.group.Do(key, func() (any, error) {
		return c.fetchAndStore(ctx, key, func(ctx context.Context) (*api.Conversation, string, error) {
			conv, err := c.up.Conversation(ctx, conversationID)
			return conv, EndpointConversation, err
		})
	})
	if err != nil {
		return Result{}, err
	}
	return v.(Result), nil
}

// LiveLoad counts, per agent userId (u-…), the live conversations of the
// local index the agent takes part in: how busy each agent is right now, as
// far as the index knows. An agent a live conversation was transferred away
// from still counts for it until the index sees it close.
func (c *Cache) LiveLoad(ctx context.Context) (map[string]int, error) {
	rows, err := c.db.Read.QueryContext(ctx, `SELECT a.agent_id, COUNT(*) FROM conv_index_agents a
		JOIN conv_index i ON i.n = a.conv
		WHERE i.status IN ('ACTIVE', 'OPEN', 'IDLE', 'OVERDUE') GROUP BY a.agent_id`)
	if err != nil {
		return nil, fmt.Errorf("cache: live load: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("cache: live load: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Rows returns the index rows of the given conversation ids (c-…), by id;
// ids the index does not know are missing from the map.
func (c *Cache) Rows(ctx context.Context, ids []string) (map[string]Row, error) {
	out := make(map[string]Row, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := c.db.Read.QueryContext(ctx, `SELECT n, id, session_id, status, channel, language, queues, agents,
			start_ms, end_ms, wait_ms, waiting_since_ms, disposition, customer_name, customer_email, 0
			FROM conv_index WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("cache: rows: %w", err)
		}
		for rows.Next() {
			var sv int64
			r, err := scanRow(rows, &sv)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("cache: rows: %w", err)
			}
			out[r.ID] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("cache: rows: %w", err)
		}
	}
	return out, nil
}
