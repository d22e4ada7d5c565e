// Package cachetest builds large conversation indexes for benchmarks and load
// tests, directly in SQLite (no upstream), fast.
package cachetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// Newest is the start time of the newest generated conversation; row i
// (1-based, n the newest) starts Spacing*(n-i) before it.
var Newest = time.Date(2025, 8, 25, 12, 0, 0, 0, time.UTC)

// Spacing spreads a million conversations over 30 days.
const Spacing = 2592 * time.Millisecond

// Queues and Agents are the generated queue ids (qu-…) and agent userIds.
func Queue(i int) string { return fmt.Sprintf("qu-00000%02d-0000-4000-8000-000000000000", i) }

// Agent is the userId of generated agent i.
func Agent(i int) string { return fmt.Sprintf("u-00000000-0000-4000-8000-0000000000%02d", i) }

// Fill writes n conversations into the index of db in one transaction with
// set-based SQL (a recursive CTE), including queues, agents, facets and the
// full-text index. Statuses: 96% CLOSED, the rest live; 7 queues (20% of
// conversations visit two); 40 agents; 5 languages; 3 channels.
func Fill(ctx context.Context, db *store.DB, n int) error {
	newest := Newest.UnixMilli()
	const numbered = `(SELECT n, start_ms, customer_name, customer_email, CAST(substr(id, 9) AS INTEGER) AS i FROM conv_index)`
	step := Spacing.Milliseconds()
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %d)
		INSERT INTO conv_index (n, id, session_id, status, channel, language, queues, agents, start_ms, end_ms, wait_ms,
			waiting_since_ms, wait_key, disposition, customer_name, customer_email, updated_ms, sha256, indexed_at)
		SELECT (%d - (%d - i) * %d) << 10, printf('c-bench-%%08d', i), printf('%%024x', i + 11259375),
			CASE WHEN i %% 100 < 96 THEN 'CLOSED' WHEN i %% 100 = 96 THEN 'ACTIVE' WHEN i %% 100 = 97 THEN 'OPEN' WHEN i %% 100 = 98 THEN 'IDLE' ELSE 'OVERDUE' END,
			CASE i %% 3 WHEN 0 THEN 'livechat' WHEN 1 THEN 'messaging' ELSE 'voice' END,
			CASE i %% 5 WHEN 0 THEN 'en' WHEN 1 THEN 'es' WHEN 2 THEN 'de' WHEN 3 THEN 'fr' ELSE 'ar' END,
			'Queue ' || (i %% 7) || CASE WHEN i %% 5 = 0 THEN ', Queue ' || ((i + 3) %% 7) ELSE '' END,
			'Agent ' || (i %% 40),
			%d - (%d - i) * %d,
			CASE WHEN i %% 100 < 96 THEN %d - (%d - i) * %d + 300000 + (i * 7919) %% 600000 ELSE 0 END,
			(i * 104729) %% 900000,
			CASE WHEN i %% 100 = 97 THEN %d - (%d - i) * %d ELSE 0 END,
			CASE WHEN i %% 100 = 97 THEN %d - (%d - (%d - i) * %d) ELSE (i * 104729) %% 900000 END,
			CASE WHEN i %% 100 < 96 THEN CASE WHEN i %% 9 = 0 THEN 'DROP-OFF' ELSE 'Resolved' END ELSE '' END,
			'Customer ' || i, printf('c%%d@example.com', i), 0, '', 0
		FROM seq`, n, newest, n, step, newest, n, step, newest, n, step,
			newest, n, step, int64(1)<<50, newest, n, step),
		// i is the generated number (the id's digits); n encodes the start.
		`INSERT INTO conv_index_queues (conv, queue_id, start_ms)
			SELECT n, printf('qu-00000%02d-0000-4000-8000-000000000000', i % 7), start_ms FROM ` + numbered,
		`INSERT INTO conv_index_queues (conv, queue_id, start_ms)
			SELECT n, printf('qu-00000%02d-0000-4000-8000-000000000000', (i + 3) % 7), start_ms FROM ` + numbered + ` WHERE i % 5 = 0`,
		`INSERT INTO conv_index_agents (conv, agent_id, start_ms)
			SELECT n, printf('u-00000000-0000-4000-8000-0000000000%02d', i % 40), start_ms FROM ` + numbered,
		`INSERT INTO conv_index_fts (rowid, customer, summary, notes)
			SELECT n, customer_name || ' ' || customer_email,
				'Customer asked about ' || CASE i % 6 WHEN 0 THEN 'refund' WHEN 1 THEN 'invoice' WHEN 2 THEN 'delivery'
					WHEN 3 THEN 'password' WHEN 4 THEN 'upgrade' ELSE 'cancellation' END || ' order ' || (i % 997),
				CASE i % 4 WHEN 0 THEN 'called back later' WHEN 1 THEN 'escalated to billing' WHEN 2 THEN '' ELSE 'customer satisfied' END
			FROM ` + numbered,
		`INSERT OR IGNORE INTO conv_index_facets (kind, value, label)
			SELECT DISTINCT 'status', status, status FROM conv_index WHERE n <= 100
			UNION SELECT DISTINCT 'channel', channel, channel FROM conv_index WHERE n <= 100
			UNION SELECT DISTINCT 'language', language, language FROM conv_index WHERE n <= 100
			UNION SELECT DISTINCT 'disposition', disposition, disposition FROM conv_index WHERE n <= 100 AND disposition <> ''`,
	}
	for i := range 7 {
		stmts = append(stmts, fmt.Sprintf(`INSERT OR IGNORE INTO conv_index_facets (kind, value, label) VALUES ('queue', '%s', 'Queue %d')`, Queue(i), i))
	}
	for i := range 40 {
		stmts = append(stmts, fmt.Sprintf(`INSERT OR IGNORE INTO conv_index_facets (kind, value, label) VALUES ('agent', '%s', 'Agent %d')`, Agent(i), i))
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("cachetest: %w\n%s", err, s)
			}
		}
		return nil
	})
}

// DatabaseFile is the name of the database inside the directory Dir
// returns: the name internal/app opens in its data directory.
const DatabaseFile = "dashboard.db"

// Dir returns a data directory whose DatabaseFile holds n generated
// conversations, for opening the whole app on it (apptest.Options.DataDir).
// The directory is built once and kept in the system temp directory (keyed
// by n and the migration count), so repeated benchmark runs and every b.N
// round reuse it; callers may add rows of their own (users, audit entries,
// the app's key files) but must not change the generated conversations.
func Dir(tb testing.TB, n int) string {
	tb.Helper()
	ctx := context.Background()
	migs, err := store.Migrations()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("dashboard-bench-index-%d-m%d-v3", n, len(migs)))
	if _, err := os.Stat(filepath.Join(dir, DatabaseFile)); err == nil {
		return dir
	}
	tmp := dir + ".building"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(tmp, DatabaseFile))
	if err != nil {
		tb.Fatal(err)
	}
	sw := clock.StartStopwatch()
	if err := Fill(ctx, db, n); err != nil {
		db.Close()
		tb.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	db.Close()
	_ = os.RemoveAll(dir) // a directory left by an interrupted build
	if err := os.Rename(tmp, dir); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built %d-conversation index in %s: %s", n, sw.Elapsed().Round(time.Millisecond), dir)
	return dir
}

// Open returns the database of Dir(tb, n), closed when the test ends.
func Open(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(Dir(tb, n), DatabaseFile))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
