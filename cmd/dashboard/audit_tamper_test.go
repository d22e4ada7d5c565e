package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/store"
)

// TestAuditVerifyNamesTamperedEntry edits the log behind the dashboard's
// back, the way an attacker with the database file would: through a raw
// SQLite connection, after dropping the triggers that refuse it.
func TestAuditVerifyNamesTamperedEntry(t *testing.T) {
	tests := []struct {
		name   string
		tamper []string
		want   string
	}{
		{"edited actor", []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET actor = 'mallory' WHERE id = 3`},
			"audit log broken at entry 3: entry 3 was changed after it was written"},
		{"edited details with rehash attempt", []string{`DROP TRIGGER audit_log_no_update`,
			`UPDATE audit_log SET details = '{"hidden":true}', hash = 'ff' || substr(hash, 3) WHERE id = 2`},
			"audit log broken at entry 2"},
		{"deleted entry", []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE id = 2`},
			"audit log broken at entry 3: entry 3 follows entry 1: entries are missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			path := filepath.Join(dir, "dashboard.db")
			db, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			log := audit.New(db, nil)
			for _, actor := range []string{"alice", "bob", "carol", "dave"} {
				if _, err := log.Append(ctx, audit.Record{Actor: actor, Action: audit.ActionSessionLookup, Target: "646af57bcc41e5bfbd5e0001"}); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			verify := func() (string, error) {
				var stdout bytes.Buffer
				err := run(ctx, []string{"audit", "verify", "-data", dir}, func(string) string { return "" }, &stdout, io.Discard)
				return stdout.String(), err
			}
			if out, err := verify(); err != nil || !strings.Contains(out, "4 entries verified") {
				t.Fatalf("before tampering: %q %v", out, err)
			}

			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range tt.tamper {
				if _, err := raw.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			raw.Close()

			_, err = verify()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("verify after tampering: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestAuditTriggersRefuseEdits checks the other half: with the triggers in
// place, a raw connection cannot change or remove entries.
func TestAuditTriggersRefuseEdits(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	path := filepath.Join(dir, "dashboard.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.New(db, nil).Append(ctx, audit.Record{Actor: "alice", Action: audit.ActionLogin, Target: "alice"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`, `UPDATE audit_refs SET ref = 'x'`, `DELETE FROM audit_refs`} {
		if _, err := raw.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}
