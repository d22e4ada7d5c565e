package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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

// TestAuditVerifyNamesTruncation removes the newest entries with a raw
// SQLite connection after dropping the triggers: the chain alone still
// verifies, but the signed checkpoint in the data directory names what is
// missing.
func TestAuditVerifyNamesTruncation(t *testing.T) {
	tests := []struct {
		name            string
		tamper          []string
		editCheckpoints bool // lower the count of the last checkpoint to match
		wantErr         []string
		wantOut         string
	}{
		{name: "untouched", wantOut: "1,200 entries verified"},
		{name: "newest 50 deleted", tamper: []string{
			`DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_refs_no_delete`,
			`DELETE FROM audit_refs WHERE entry_id > 1150`, `DELETE FROM audit_log WHERE id > 1150`,
		}, wantErr: []string{"audit log broken at entry 1151", "says 1,200 entries up to hash", "the database has 1,150"}},
		{name: "checkpoint file edited", editCheckpoints: true,
			wantErr: []string{"audit-checkpoints.jsonl line", "is not signed by this data directory's key"}},
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
			anchor, err := audit.OpenAnchor(dir, audit.AnchorOptions{Every: 100})
			if err != nil {
				t.Fatal(err)
			}
			log := audit.New(db, nil, audit.WithAnchor(anchor))
			for i := range 1200 {
				if _, err := log.Append(ctx, audit.Record{Actor: "alice", Action: audit.ActionSessionLookup, Target: fmt.Sprintf("s-%d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := log.Close(); err != nil {
				t.Fatal(err)
			}
			db.Close()

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
			if tt.editCheckpoints {
				b, _ := os.ReadFile(anchor.Path())
				b = bytes.Replace(b, []byte(`"count":1200`), []byte(`"count":1150`), 1)
				if err := os.WriteFile(anchor.Path(), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}

			var stdout bytes.Buffer
			err = run(ctx, []string{"audit", "verify", "-data", dir}, func(string) string { return "" }, &stdout, io.Discard)
			if tt.wantErr == nil {
				if err != nil || !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stdout.String(), "signed checkpoints") {
					t.Fatalf("verify: %q %v", stdout.String(), err)
				}
				return
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("verify: %v, want %q", err, want)
				}
			}
		})
	}
}

// TestCommandsRefuseADirectoryWithoutTheDatabase: `audit verify` and the
// `user` commands given a mistyped -data fail, naming the directory, and
// create nothing.
func TestCommandsRefuseADirectoryWithoutTheDatabase(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"audit verify", []string{"audit", "verify"}, ""},
		{"user add", []string{"user", "add", "-username", "erin", "-role", "viewer"}, "a-password-123\n"},
		{"user passwd", []string{"user", "passwd", "-username", "erin"}, "a-password-123\n"},
		{"user disable", []string{"user", "disable", "-username", "erin"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			typo := filepath.Join(parent, "dta")
			for _, dir := range []string{typo, parent} { // missing, and existing but empty
				args := append(slices.Clone(tt.args), "-data", dir)
				err := runIO(context.Background(), args, func(string) string { return "" }, strings.NewReader(tt.stdin), io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "does not hold this dashboard's database") || !strings.Contains(err.Error(), dir) {
					t.Errorf("-data %s: %v", dir, err)
				}
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("created %d files in the data directory's parent", len(entries))
			}
		})
	}
}
