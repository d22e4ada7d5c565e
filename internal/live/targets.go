package live

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/store"
)

// DefaultWaitTarget is the wait target of queues without one of their own
// while no default is stored.
const DefaultWaitTarget = 3 * time.Minute

// MaxWaitTarget bounds a target: longer ones are typing mistakes.
const MaxWaitTarget = 24 * time.Hour

// ErrInvalidTarget is returned for a target or queue id the store refuses.
var ErrInvalidTarget = errors.New("live: invalid wait target")

// Targets are the wait targets: a default and each queue's own. Zero
// means no wait alerts.
type Targets struct {
	Default  time.Duration
	PerQueue map[string]time.Duration
}

// For is the target of a queue: its own, else the default.
func (t Targets) For(queueID string) time.Duration {
	if d, ok := t.PerQueue[queueID]; ok {
		return d
	}
	return t.Default
}

// Auditor records a settings change (*audit.Log).
type Auditor interface {
	Append(ctx context.Context, rec audit.Record) (audit.Entry, error)
}

// TargetStore keeps the wait targets in SQLite (table live_wait_targets).
// Every change is audited.
type TargetStore struct {
	db    *store.DB
	audit Auditor
	clock clock.Clock
}

// NewTargetStore returns the store over db.
func NewTargetStore(db *store.DB, log Auditor, clk clock.Clock) *TargetStore {
	if clk == nil {
		clk = clock.Real()
	}
	return &TargetStore{db: db, audit: log, clock: clk}
}

// Load reads the targets.
func (s *TargetStore) Load(ctx context.Context) (Targets, error) {
	t := Targets{Default: DefaultWaitTarget, PerQueue: map[string]time.Duration{}}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT queue_id, target_ms FROM live_wait_targets`)
	if err != nil {
		return t, fmt.Errorf("live: wait targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q string
		var ms int64
		if err := rows.Scan(&q, &ms); err != nil {
			return t, fmt.Errorf("live: wait targets: %w", err)
		}
		d := time.Duration(ms) * time.Millisecond
		if q == "" {
			t.Default = d
		} else {
			t.PerQueue[q] = d
		}
	}
	return t, rows.Err()
}

// Set stores the target of a queue (qu-…), or the default when queueID is
// empty; with inherit the queue's own target is removed so the default
// applies. 0 turns the wait alerts off. The change is audited as actor's.
func (s *TargetStore) Set(ctx context.Context, actor, clientAddr, queueID string, target time.Duration, inherit bool) error {
	if queueID != "" && !ids.IsQueue(queueID) {
		return fmt.Errorf("%w: %q is not a queue id (qu-…)", ErrInvalidTarget, queueID)
	}
	if target < 0 || target > MaxWaitTarget {
		return fmt.Errorf("%w: a target is between 0 (no alerts) and %s", ErrInvalidTarget, MaxWaitTarget)
	}
	if inherit && queueID == "" {
		return fmt.Errorf("%w: the default cannot inherit", ErrInvalidTarget)
	}
	before, err := s.Load(ctx)
	if err != nil {
		return err
	}
	details := map[string]any{"setting": "live.wait_target", "queue": queueID}
	if old, ok := before.PerQueue[queueID]; ok || queueID == "" {
		if queueID == "" {
			old = before.Default
		}
		details["before_ms"] = old.Milliseconds()
	}
	// The audit entry comes first: a change nobody can trace is not made.
	if inherit {
		details["after"] = "default"
	} else {
		details["after_ms"] = target.Milliseconds()
	}
	if _, err := s.audit.Append(ctx, audit.Record{Actor: actor, ClientAddr: clientAddr, Action: audit.ActionSettings,
		Target: "live.wait_target", Refs: nonEmpty(queueID), Details: details}); err != nil {
		return fmt.Errorf("live: audit wait target: %w", err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if inherit {
			_, err := tx.ExecContext(ctx, `DELETE FROM live_wait_targets WHERE queue_id = ?`, queueID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO live_wait_targets (queue_id, target_ms, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (queue_id) DO UPDATE SET target_ms = excluded.target_ms, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			queueID, target.Milliseconds(), store.Millis(s.clock.Now()), actor)
		return err
	})
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// clone copies t so a snapshot never shares the map with a later load.
func (t Targets) clone() Targets {
	t.PerQueue = maps.Clone(t.PerQueue)
	return t
}
