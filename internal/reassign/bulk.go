package reassign

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/store"
)

// BulkItem is one conversation of a bulk move.
type BulkItem struct {
	ConversationID string
	SessionID      string
	From           string
}

// MaxBulk bounds one bulk move; more is a mistake, not a workflow.
const MaxBulk = 200

// Enqueue records a bulk move of items to target and returns its batch id.
// The transfers are sent one by one by Run at background priority, so a
// bulk move waits its turn in the shared rate budget instead of bursting
// into 429s; Batch reports progress. The same form token again returns
// the same batch.
func (s *Service) Enqueue(ctx context.Context, actor, clientAddr string, items []BulkItem, target Target, formToken string) (string, error) {
	if len(items) == 0 || len(items) > MaxBulk {
		return "", fmt.Errorf("%w: select between 1 and %d conversations", ErrInvalid, MaxBulk)
	}
	sum := sha256.Sum256([]byte("bulk:" + formToken))
	batch := hex.EncodeToString(sum[:8])
	reqs := make([]Request, len(items))
	for i, it := range items {
		reqs[i] = Request{Actor: actor, ClientAddr: clientAddr, ConversationID: it.ConversationID, SessionID: it.SessionID,
			From: it.From, Target: target, FormToken: fmt.Sprintf("%s:%d", formToken, i)}
		// Every item is checked before any is queued: a bad fifth item
		// must not leave the first four moving while the lead sees an error.
		if err := reqs[i].validate(); err != nil {
			return "", err
		}
	}
	for _, r := range reqs {
		if _, _, _, err := s.insert(ctx, r, batch, StatusQueued); err != nil {
			return "", err
		}
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return batch, nil
}

// ErrNothingLive means none of a bulk move's conversations is live any more.
var ErrNothingLive = errors.New("reassign: none of the selected conversations is live any more")

// ConversationIndex says what the local index knows of conversations: their
// session id, status, queues and agents (*cache.Cache).
type ConversationIndex interface {
	Rows(ctx context.Context, ids []string) (map[string]cache.Row, error)
}

// EnqueueConversations queues a bulk move of the given conversations (c-…,
// checked by the caller) to target. Conversations the index does not know,
// or knows as no longer live, are skipped and named (by session id where
// known); with none left nothing is queued and ErrNothingLive is returned.
func (s *Service) EnqueueConversations(ctx context.Context, actor, clientAddr string, conversationIDs []string, target Target, formToken string) (batch string, skipped []string, err error) {
	if len(conversationIDs) == 0 || len(conversationIDs) > MaxBulk {
		return "", nil, fmt.Errorf("%w: select between 1 and %d conversations", ErrInvalid, MaxBulk)
	}
	rows, err := s.opts.Index.Rows(ctx, conversationIDs)
	if err != nil {
		return "", nil, fmt.Errorf("reassign: read the conversation index: %w", err)
	}
	var items []BulkItem
	for _, id := range conversationIDs {
		row, ok := rows[id]
		if !ok || !ids.IsSession(row.SessionID) || !api.Status(row.Status).IsLive() {
			skipped = append(skipped, cmp.Or(row.SessionID, id))
			continue
		}
		items = append(items, BulkItem{ConversationID: id, SessionID: row.SessionID, From: rowFrom(row)})
	}
	if len(items) == 0 {
		return "", skipped, ErrNothingLive
	}
	batch, err = s.Enqueue(ctx, actor, clientAddr, items, target, formToken)
	return batch, skipped, err
}

// rowFrom describes where an indexed conversation is now: the last agent of
// a held one, else its last queue.
func rowFrom(row cache.Row) string {
	last := func(list string) string {
		parts := strings.Split(list, ", ")
		return strings.TrimSpace(parts[len(parts)-1])
	}
	if row.Status != "OPEN" && row.Agents != "" {
		return "agent " + last(row.Agents)
	}
	if row.Queues != "" {
		return "queue " + last(row.Queues)
	}
	return ""
}

// Batch returns the transfers of a bulk move in the order they were queued.
func (s *Service) Batch(ctx context.Context, batchID string) ([]Transfer, error) {
	if batchID == "" {
		return nil, ErrNotFound
	}
	ts, err := s.query(ctx, `SELECT `+transferColumns+` FROM transfers WHERE batch_id = ? ORDER BY id`, batchID)
	if err == nil && len(ts) == 0 {
		return nil, ErrNotFound
	}
	return ts, err
}

// drainQueue sends queued transfers one at a time until none is left.
func (s *Service) drainQueue(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ctx.Err() == nil {
		t, token, err := s.claimQueued(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return
		}
		if err != nil {
			s.opts.Logger.Error("reassign: claim queued transfer", "err", err)
			return
		}
		s.send(api.Background(ctx), t, token)
	}
}

// claimQueued moves the oldest queued transfer to requested and gives it a
// fresh callback token (only the token's hash is stored, so the one made at
// enqueue time is gone).
func (s *Service) claimQueued(ctx context.Context) (Transfer, string, error) {
	token := randomToken()
	var t Transfer
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = scanTransfer(tx.QueryRowContext(ctx, `SELECT `+transferColumns+` FROM transfers WHERE status = 'queued' ORDER BY id LIMIT 1`))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE transfers SET status = 'requested', callback_hash = ?, expires_at = ? WHERE id = ?`,
			hashToken(token), store.Millis(s.opts.Clock.Now().Add(s.opts.TokenLifetime)), t.ID)
		return err
	})
	t.Status = StatusRequested
	return t, token, err
}
