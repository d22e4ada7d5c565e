package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/store"
)

// TestUpgradeStoresTimesAsMillis builds a database as releases before
// migration 7 left it (RFC 3339 text times), upgrades it, and checks every
// time became the same instant in milliseconds, "never" became 0, and the
// audit chain written with nanosecond times still verifies.
func TestUpgradeStoresTimesAsMillis(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dashboard.db")
	migs, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var legacy []store.Migration
	for _, m := range migs {
		if m.Version < 7 {
			legacy = append(legacy, m)
		}
	}
	old, err := store.OpenWithMigrations(ctx, path, legacy)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Write.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('alice', 'x', 'lead', '2026-01-31T23:59:59.5Z', '2026-02-01T00:00:00.123456789Z')`)
	exec(`INSERT INTO api_tokens (id, owner, created_by, created_at, expires_at) VALUES ('t1', 'alice', 'admin', '2026-01-01T10:00:00Z', '2026-02-01T10:00:00Z')`)
	exec(`INSERT INTO api_tokens (id, owner, created_by, created_at, expires_at, revoked_at, revoked_by) VALUES ('t2', 'alice', 'admin', '2026-01-01T10:00:00Z', '2026-02-01T10:00:00Z', '2026-01-02T08:30:00.25Z', 'admin')`)
	exec(`INSERT INTO transfers (form_token, callback_hash, expires_at, actor, conversation_id, session_id, target_kind, target_id, status, requested_at, accepted_at)
		VALUES ('f', 'h', '2026-01-31T11:00:00.000000000Z', 'alice', 'c-1', 's', 'agent', 'a-1', 'accepted', '2026-01-31T10:00:00.000000000Z', '2026-01-31T10:00:01.500000000Z')`)

	// Three legacy audit entries, hashed the way they always were: the time
	// as RFC 3339 text with nanoseconds (trailing zeros dropped).
	legacyTimes := []string{"2026-11-29T23:43:34.069424572Z", "2026-11-29T23:43:35Z", "2026-11-29T23:43:35.1Z"}
	prev := "0000000000000000000000000000000000000000000000000000000000000000"
	for i, at := range legacyTimes {
		id := int64(i + 1)
		b, _ := json.Marshal([]any{id, at, "alice", "", "auth.login", "", []string{}, "{}", prev})
		sum := sha256.Sum256(b)
		hash := hex.EncodeToString(sum[:])
		exec(`INSERT INTO audit_log (id, at, actor, client_addr, action, target, details, prev_hash, hash) VALUES (?, ?, 'alice', '', 'auth.login', '', '{}', ?, ?)`, id, at, prev, hash)
		prev = hash
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer db.Close()
	ms := func(s string) int64 {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.Round(time.Millisecond).UnixMilli()
	}
	checks := []struct {
		query string
		want  []int64
	}{
		{`SELECT created_at, updated_at FROM users WHERE username = 'alice'`, []int64{ms("2026-01-31T23:59:59.5Z"), ms("2026-02-01T00:00:00.123456789Z")}},
		{`SELECT created_at, expires_at, revoked_at FROM api_tokens WHERE id = 't1'`, []int64{ms("2026-01-01T10:00:00Z"), ms("2026-02-01T10:00:00Z"), 0}},
		{`SELECT revoked_at FROM api_tokens WHERE id = 't2'`, []int64{ms("2026-01-02T08:30:00.25Z")}},
		{`SELECT expires_at, requested_at, accepted_at, confirmed_at FROM transfers`, []int64{ms("2026-01-31T11:00:00Z"), ms("2026-01-31T10:00:00Z"), ms("2026-01-31T10:00:01.5Z"), 0}},
		{`SELECT at, at_ns FROM audit_log WHERE id = 1`, []int64{time.Date(2026, 11, 29, 23, 43, 34, 69e6, time.UTC).UnixMilli(), 424572}},
		{`SELECT at, at_ns FROM audit_log WHERE id = 3`, []int64{time.Date(2026, 11, 29, 23, 43, 35, 100e6, time.UTC).UnixMilli(), 0}},
		{`SELECT COUNT(*) FROM schema_migrations WHERE typeof(applied_at) <> 'integer'`, []int64{0}},
	}
	for _, c := range checks {
		got := make([]int64, len(c.want))
		dest := make([]any, len(got))
		for i := range got {
			dest[i] = &got[i]
		}
		if err := db.Read.QueryRowContext(ctx, c.query).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: column %d = %d, want %d", c.query, i, got[i], c.want[i])
			}
		}
	}

	log := audit.New(db, nil)
	res, err := log.Verify(ctx)
	if err != nil || !res.OK() || res.Entries != 3 {
		t.Fatalf("legacy chain after upgrade: %+v, %v", res, err)
	}
	if _, err := log.Append(ctx, audit.Record{Actor: "alice", Action: audit.ActionLogout}); err != nil {
		t.Fatal(err)
	}
	if res, err := log.Verify(ctx); err != nil || !res.OK() || res.Entries != 4 {
		t.Fatalf("chain after a new entry: %+v, %v", res, err)
	}
	if _, err := db.Write.ExecContext(ctx, `UPDATE audit_log SET actor = 'x' WHERE id = 1`); err == nil {
		t.Error("the append-only trigger is gone after the upgrade")
	}
}
