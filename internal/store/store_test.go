package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/teamlead/dashboard/internal/clock"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nested", "dir", "dashboard.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	db := openTest(t)
	fi, err := os.Stat(filepath.Dir(db.Path))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("data dir mode = %o, want 700", got)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenRejectsOddPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if db, err := Open(context.Background(), p); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want error", p)
		}
	}
}

func TestPragmasOnBothPools(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": fmt.Sprint(busyTimeout.Milliseconds()),
		"synchronous":  "1", // NORMAL
	}
	pools := map[string]*sql.DB{"write": db.Write, "read": db.Read}
	for poolName, pool := range pools {
		for pragma, w := range want {
			var got string
			if err := pool.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", poolName, pragma, err)
			}
			if !strings.EqualFold(got, w) {
				t.Errorf("%s: PRAGMA %s = %q, want %q", poolName, pragma, got, w)
			}
		}
	}
	var qo int
	if err := db.Read.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
		t.Errorf("reader query_only = %d (%v), want 1", qo, err)
	}
	if err := db.Write.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != 0 {
		t.Errorf("writer query_only = %d (%v), want 0", qo, err)
	}
	if got := db.Write.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
}

func TestReaderIsReadOnly(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE TABLE nope (x)`,
		`INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('a','b','admin','c','d')`,
	} {
		if _, err := db.Read.ExecContext(ctx, stmt); err == nil {
			t.Errorf("reader executed %q, want error", stmt)
		}
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 0 {
		t.Errorf("users count = %d (%v), want 0", n, err)
	}
}

func TestEmbeddedMigrations(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) == 0 || migs[0].Version != 1 || migs[0].Name != "users" {
		t.Fatalf("Migrations() = %+v, want 0001_users first", migs)
	}
	for i := 1; i < len(migs); i++ {
		if migs[i].Version <= migs[i-1].Version {
			t.Errorf("migrations out of order: %s after %s", migs[i].File, migs[i-1].File)
		}
	}
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	for i := range 3 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		var n int
		err = db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		migs, _ := Migrations()
		if n != len(migs) {
			t.Errorf("open #%d: %d schema_migrations rows, want %d", i, n, len(migs))
		}
	}
}

func TestUsersTableConstraints(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	ins := `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, 'h', ?, 't', 't')`
	if _, err := db.Write.ExecContext(ctx, ins, "Alice", "admin"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if _, err := db.Write.ExecContext(ctx, ins, "alice", "viewer"); err == nil {
		t.Error("case-insensitive duplicate username accepted")
	}
	if _, err := db.Write.ExecContext(ctx, ins, "bob", "root"); err == nil {
		t.Error("role outside the CHECK list accepted")
	}
	var epoch, disabled int
	var tz string
	if err := db.Read.QueryRowContext(ctx, `SELECT session_epoch, disabled, time_zone FROM users WHERE username = 'ALICE'`).
		Scan(&epoch, &disabled, &tz); err != nil {
		t.Fatal(err)
	}
	if epoch != 1 || disabled != 0 || tz != "" {
		t.Errorf("defaults = epoch %d disabled %d tz %q, want 1 0 \"\"", epoch, disabled, tz)
	}
}

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr string
	}{
		{
			name: "sorted by version, non-sql ignored",
			files: fstest.MapFS{
				"0010_b.sql": {Data: []byte("SELECT 1")},
				"0002_a.sql": {Data: []byte("SELECT 1")},
				"README.md":  {Data: []byte("x")},
			},
			want: []int{2, 10},
		},
		{
			name:    "bad name",
			files:   fstest.MapFS{"users.sql": {Data: []byte("x")}},
			wantErr: "users.sql",
		},
		{
			name: "duplicate version",
			files: fstest.MapFS{
				"0001_a.sql": {Data: []byte("x")},
				"0001_b.sql": {Data: []byte("x")},
			},
			wantErr: "share version 1",
		},
		{
			name:    "version zero",
			files:   fstest.MapFS{"0000_a.sql": {Data: []byte("x")}},
			wantErr: "bad version",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			migs, err := LoadMigrations(tt.files)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range migs {
				got = append(got, m.Version)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("versions = %v, want %v", got, tt.want)
			}
		})
	}
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestFailingMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	migs, err := LoadMigrations(fstest.MapFS{
		"0001_ok.sql": {Data: []byte(`CREATE TABLE good (x INTEGER);`)},
		// The first statement succeeds; the second fails. Neither may stick.
		"0002_broken.sql": {Data: []byte(`CREATE TABLE partial (x INTEGER);
INSERT INTO good (x) VALUES (1);
INSERT INTO no_such_table VALUES (1);`)},
		"0003_later.sql": {Data: []byte(`CREATE TABLE later (x INTEGER);`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if db, err := open(ctx, path, migs); err == nil {
		db.Close()
		t.Fatal("open with a broken migration succeeded")
	} else if !strings.Contains(err.Error(), "0002_broken.sql") {
		t.Errorf("error %q does not name the failing file", err)
	}

	// Inspect with the good migration only, which must already be recorded.
	db, err := open(ctx, path, migs[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !tableExists(t, db.Read, "good") {
		t.Error("migration 0001 was not kept")
	}
	for _, tbl := range []string{"partial", "later"} {
		if tableExists(t, db.Read, tbl) {
			t.Errorf("table %q exists after the failed migration", tbl)
		}
	}
	var rows, versions int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM good`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if rows != 0 || versions != 1 {
		t.Errorf("after failure: %d rows in good, %d migrations recorded; want 0 and 1", rows, versions)
	}

	// Fixing the file lets the next open finish the job.
	migs[1].SQL = `CREATE TABLE partial (x INTEGER);`
	if err := migrate(ctx, db.Write, migs, clock.Real()); err != nil {
		t.Fatalf("Migrate after fix: %v", err)
	}
	for _, tbl := range []string{"partial", "later"} {
		if !tableExists(t, db.Read, tbl) {
			t.Errorf("table %q missing after fixed migration", tbl)
		}
	}
}

func TestTx(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	count := func() int {
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
		return err
	}); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if got := count(); got != 1 {
		t.Fatalf("after commit count = %d, want 1", got)
	}

	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (2)`); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Tx error = %v, want errBoom", err)
	}
	if got := count(); got != 1 {
		t.Errorf("after rollback count = %d, want 1", got)
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			_, _ = tx.ExecContext(ctx, `INSERT INTO t VALUES (3)`)
			panic("fn panicked")
		})
	}()
	// The single writer connection must have been released by the rollback.
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return nil }); err != nil {
		t.Errorf("Tx after panic: %v", err)
	}
	if got := count(); got != 1 {
		t.Errorf("after panic count = %d, want 1", got)
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO counter VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	// A second DB handle on the same file stands in for another process,
	// so writes also contend on SQLite's file lock, not just the pool.
	other, err := Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	const writers, readers, perWorker = 8, 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for i := range writers {
		h := db
		if i%2 == 1 {
			h = other
		}
		wg.Go(func() {
			for range perWorker {
				// Read-then-write: under deferred locking this is the
				// pattern that fails with SQLITE_BUSY.
				err := h.Tx(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE counter SET n = ? WHERE id = 1`, n+1)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range perWorker {
				var n int
				if err := db.Read.QueryRowContext(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent access: %v", err)
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers*perWorker {
		t.Errorf("counter = %d, want %d (lost updates)", n, writers*perWorker)
	}
}
