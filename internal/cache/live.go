package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
)

// Ingest stores live conversations read from the list endpoint (the long
// shape), as the index sync stores its pages: every record whose content
// differs from the indexed copy becomes the current entry, a snapshot and
// its index row; the others are confirmed current (their fetch time moves
// on), so a lookup serves them as fresh instead of asking upstream again.
func (c *Cache) Ingest(ctx context.Context, convs []*api.Conversation) error {
	if len(convs) == 0 {
		return nil
	}
	now := c.clock.Now()
	var versions []string
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		versions = versions[:0]
		for _, conv := range convs {
			if conv == nil || conv.ID == "" || len(conv.Raw) == 0 {
				continue
			}
			hash := Hash(conv.Raw)
			key := conversationKey(conv.ID)
			var old string
			err := tx.QueryRowContext(ctx, `SELECT sha256 FROM conv_index WHERE id = ?`, conv.ID).Scan(&old)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if old == hash {
				if _, err := tx.ExecContext(ctx, `UPDATE cache_entries SET fetched_at = ? WHERE key = ? AND sha256 = ?`,
					now.UnixMilli(), key, hash); err != nil {
					return err
				}
				continue
			}
			isNew, err := c.storeTx(ctx, tx, key, EndpointConversation, conv, conv.BotSessionID, hash, now)
			if err != nil {
				return err
			}
			if isNew {
				versions = append(versions, conv.ID)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cache: ingest: %w", err)
	}
	c.changed(versions)
	c.maybeEvict()
	return nil
}

// Settle marks conversations (c-…) that are no longer live upstream as not
// waiting in the index, until they are read again: their wait stops
// running in lists even before their final state is fetched. Their rows
// are read again by the next sync page that holds them.
func (c *Cache) Settle(ctx context.Context, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		_, err := c.db.Write.ExecContext(ctx, `UPDATE conv_index SET waiting_since_ms = 0, wait_key = wait_ms, sha256 = ''
			WHERE waiting_since_ms > 0 AND id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return fmt.Errorf("cache: settle: %w", err)
		}
	}
	return nil
}
