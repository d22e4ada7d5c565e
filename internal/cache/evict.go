package cache

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// evictBatch is how many bodies one eviction pass considers.
const evictBatch = 200

// maybeEvict trims the stored bodies when they exceed MaxBytes. It runs in
// the background so no request waits for it, one pass at a time.
func (c *Cache) maybeEvict() {
	if c.bytes.Load() <= c.opts.MaxBytes {
		return
	}
	c.mu.Lock()
	if c.refreshing["evict"] || c.bg.Err() != nil {
		c.mu.Unlock()
		return
	}
	c.refreshing["evict"] = true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			delete(c.refreshing, "evict")
			c.mu.Unlock()
		}()
		if _, err := c.Evict(c.bg); err != nil {
			c.log.Warn("cache: eviction failed", "err", err)
		}
	}()
}

// Evict drops the least useful bodies until the store is at most 90% of
// MaxBytes, and reports how many it dropped. Least useful first: versions no
// current entry or case file part serves (superseded snapshots), oldest
// first; then entries and parts by least recent use. A body the audit log refers to ("sha256:<hash>" in
// audit_refs) is never dropped, whatever the size.
func (c *Cache) Evict(ctx context.Context) (int, error) {
	target := c.opts.MaxBytes / 10 * 9
	dropped := 0
	for c.bytes.Load() > target {
		rows, err := c.db.Read.QueryContext(ctx, `
			SELECT b.sha256, b.size
			FROM cache_blobs b
			WHERE NOT EXISTS (SELECT 1 FROM audit_refs r WHERE r.ref = 'sha256:' || b.sha256)
			ORDER BY EXISTS (SELECT 1 FROM cache_entries e WHERE e.sha256 = b.sha256)
					OR EXISTS (SELECT 1 FROM case_parts p WHERE p.sha256 = b.sha256),
				COALESCE((SELECT MAX(e.accessed_at) FROM cache_entries e WHERE e.sha256 = b.sha256),
					(SELECT MAX(p.accessed_at) FROM case_parts p WHERE p.sha256 = b.sha256), b.created_at),
				b.created_at
			LIMIT ?`, evictBatch)
		if err != nil {
			return dropped, fmt.Errorf("cache: evict: %w", err)
		}
		type cand struct {
			sha  string
			size int64
		}
		var cands []cand
		for rows.Next() {
			var k cand
			if err := rows.Scan(&k.sha, &k.size); err != nil {
				rows.Close()
				return dropped, fmt.Errorf("cache: evict: %w", err)
			}
			cands = append(cands, k)
		}
		rows.Close()
		if len(cands) == 0 {
			return dropped, nil // everything left is referenced by the audit log
		}
		err = c.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, k := range cands {
				if c.bytes.Load() <= target {
					return nil
				}
				// Re-check inside the write transaction: an audit entry may
				// have referenced the body since the candidates were read.
				var referenced bool
				if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_refs WHERE ref = ?)`, "sha256:"+k.sha).Scan(&referenced); err != nil {
					return err
				}
				if referenced {
					continue
				}
				if err := dropBlobTx(ctx, tx, k.sha); err != nil {
					return err
				}
				c.bytes.Add(-k.size)
				c.evictions.Add(1)
				dropped++
			}
			return nil
		})
		if err != nil {
			return dropped, fmt.Errorf("cache: evict: %w", err)
		}
	}
	return dropped, nil
}

func dropBlobTx(ctx context.Context, tx *sql.Tx, sha string) error {
	for _, q := range []string{
		`DELETE FROM cache_entries WHERE sha256 = ?`,
		`DELETE FROM cache_snapshots WHERE sha256 = ?`,
		`DELETE FROM case_parts WHERE sha256 = ?`,
		`DELETE FROM case_part_snapshots WHERE sha256 = ?`,
		`DELETE FROM cache_blobs WHERE sha256 = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, sha); err != nil {
			return err
		}
	}
	return nil
}

// PurgeResult says what a purge removed and kept.
type PurgeResult struct {
	Removed    int64 // cached bodies dropped
	Kept       int64 // snapshots kept because the audit log refers to them
	FreedBytes int64
}

// Purge drops every cached body, entry, case file part and snapshot the
// audit log does not refer to. Referenced snapshots (and their history rows)
// stay. The conversation index and the transcript index are kept: the one
// is refilled by the sync anyway and holds no upstream bodies, the other
// keeps stored transcripts findable.
func (c *Cache) Purge(ctx context.Context) (PurgeResult, error) {
	var res PurgeResult
	before := c.bytes.Load()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cache_entries WHERE NOT EXISTS
			(SELECT 1 FROM audit_refs r WHERE r.ref = 'sha256:' || cache_entries.sha256)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cache_snapshots WHERE NOT EXISTS
			(SELECT 1 FROM audit_refs r WHERE r.ref = 'sha256:' || cache_snapshots.sha256)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_parts WHERE NOT EXISTS
			(SELECT 1 FROM audit_refs r WHERE r.ref = 'sha256:' || case_parts.sha256)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_part_snapshots WHERE NOT EXISTS
			(SELECT 1 FROM audit_refs r WHERE r.ref = 'sha256:' || case_part_snapshots.sha256)`); err != nil {
			return err
		}
		dropped, err := tx.ExecContext(ctx, `DELETE FROM cache_blobs WHERE NOT EXISTS
			(SELECT 1 FROM audit_refs r WHERE r.ref = 'sha256:' || cache_blobs.sha256)`)
		if err != nil {
			return err
		}
		res.Removed, _ = dropped.RowsAffected()
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cache_snapshots`).Scan(&res.Kept); err != nil {
			return err
		}
		var total sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT SUM(size) FROM cache_blobs`).Scan(&total); err != nil {
			return err
		}
		c.bytes.Store(total.Int64)
		res.FreedBytes = before - total.Int64
		return nil
	})
	if err != nil {
		return PurgeResult{}, fmt.Errorf("cache: purge: %w", err)
	}
	c.mu.Lock()
	c.touched = map[string]time.Time{}
	c.mu.Unlock()
	return res, nil
}
