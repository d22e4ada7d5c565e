package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDatabaseFilesArePrivate opens a database, writes, and checks the
// directory is 0700 and the database and its -wal and -shm files 0600;
// files copied in with looser modes are tightened when opened.
func TestDatabaseFilesArePrivate(t *testing.T) {
	tests := []struct {
		name     string
		prepared func(t *testing.T, path string) // before Open; nil: a fresh directory
	}{
		{"fresh", nil},
		{"loose copy", func(t *testing.T, path string) {
			db, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				if err := os.Chmod(p, 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data", "dashboard.db")
			if tt.prepared != nil {
				tt.prepared(t, path)
			}
			db, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Write.Exec(`INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('a', 'h', 'admin', 0, 0)`); err != nil {
				t.Fatal(err)
			}
			want := map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
			for p, mode := range want {
				fi, err := os.Stat(p)
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(p), err)
					continue
				}
				if got := fi.Mode().Perm(); got != mode {
					t.Errorf("%s: mode %o, want %o", filepath.Base(p), got, mode)
				}
			}
		})
	}
}

// TestOpenExisting is how the command-line tools open a data directory:
// anything but this dashboard's database is refused, and nothing is
// created.
func TestOpenExisting(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string) string // returns the path to open
		wantErr bool
	}{
		{"a dashboard database", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dashboard.db")
			db, err := Open(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			return p
		}, false},
		{"a mistyped directory", func(t *testing.T, dir string) string { return filepath.Join(dir, "typo", "dashboard.db") }, true},
		{"no database in the directory", func(t *testing.T, dir string) string { return filepath.Join(dir, "dashboard.db") }, true},
		{"another program's SQLite file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dashboard.db")
			raw, err := sql.Open("sqlite", p)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec(`CREATE TABLE notes (x)`); err != nil {
				t.Fatal(err)
			}
			return p
		}, true},
		{"not SQLite at all", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dashboard.db")
			if err := os.WriteFile(p, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, true},
		{"a directory", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dashboard.db")
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.prepare(t, dir)
			before := listing(t, dir)
			db, err := Open(context.Background(), path, Existing())
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
				return
			}
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, ErrNotDashboard) {
				t.Errorf("error %v does not wrap ErrNotDashboard", err)
			}
			if after := listing(t, dir); after != before {
				t.Errorf("files changed from %s to %s", before, after)
			}
		})
	}
}

func listing(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		names = append(names, strings.TrimPrefix(p, dir))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(names)
}

// TestCheckFileNoticesDeletedOrReplacedDatabase: SQLite keeps writing to a
// deleted or replaced file's open descriptor; Ping says so.
func TestCheckFileNoticesDeletedOrReplacedDatabase(t *testing.T) {
	tests := []struct {
		name    string
		do      func(t *testing.T, path string)
		wantErr string
	}{
		{"untouched", func(*testing.T, string) {}, ""},
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "was deleted"},
		{"replaced", func(t *testing.T, path string) {
			other := path + ".restored"
			if err := os.WriteFile(other, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, "was replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			tt.do(t, db.Path)
			err := db.Ping(context.Background())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), db.Path) {
				t.Errorf("Ping = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestLockDir: one holder at a time, the refusal names the holder's pid,
// and the lock is free again once released.
func TestLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir %v %v", fi.Mode(), err)
	}
	second, err := LockDir(dir)
	if err == nil {
		second.Release()
		t.Fatal("a second lock was granted")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(err.Error(), dir) {
		t.Errorf("refusal %q", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := LockDir(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
}
