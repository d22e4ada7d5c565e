// Package store opens the dashboard's SQLite database and keeps its schema
// current.
//
// SQLite allows one writer at a time, so the database is reached through two
// pools: Write holds a single connection (writers queue in database/sql rather
// than fail with SQLITE_BUSY) and Read is a pool of query-only connections
// that, thanks to WAL, never block on the writer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeout is how long a connection waits for a lock before SQLITE_BUSY.
// With a single writer connection this mostly covers other processes (backup
// tools, the sqlite3 shell) and WAL checkpoints.
const busyTimeout = 10 * time.Second

// DB is the dashboard database: a single-connection writer and a read-only
// reader pool over the same file.
type DB struct {
	// Write is limited to one connection; every transaction on it starts
	// with BEGIN IMMEDIATE.
	Write *sql.DB
	// Read is a pool of connections with PRAGMA query_only on.
	Read *sql.DB
	// Path is the database file.
	Path string

	// file is the database file as opened, to notice it being deleted or
	// replaced underneath the running dashboard.
	file os.FileInfo
}

// Option configures Open.
type Option func(*options)

type options struct {
	clock    clock.Clock
	existing bool
}

// WithClock sets the clock that stamps applied migrations (default: the
// wall clock).
func WithClock(c clock.Clock) Option {
	return func(o *options) {
		if c != nil {
			o.clock = c
		}
	}
}

// Existing makes Open refuse to create anything: the file must exist and be
// a dashboard database (its first migration recorded), so a mistyped data
// directory is an error instead of a new, empty database.
func Existing() Option {
	return func(o *options) { o.existing = true }
}

// ErrNotDashboard means a path does not hold this dashboard's database.
var ErrNotDashboard = errors.New("not a dashboard database")

// Open opens (creating if needed) the database at path, creating the parent
// directory with mode 0700 and the file with mode 0600 (SQLite gives its
// -wal and -shm files the database file's mode), and applies any pending
// embedded migrations.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	return open(ctx, path, migs, opts...)
}

func open(ctx context.Context, path string, migs []Migration, opts ...Option) (*DB, error) {
	o := options{clock: clock.Real()}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	// The driver splits the DSN at the first '?', and ":memory:"/"file:"
	// names change how SQLite opens the database, so refuse them rather than
	// silently open something other than the file asked for.
	if strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || strings.HasPrefix(path, ":memory:") {
		return nil, fmt.Errorf("store: unsupported database path %q", path)
	}
	if o.existing {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("store: %s: %w (no such file: is the data directory right?)", path, ErrNotDashboard)
		case err != nil:
			return nil, fmt.Errorf("store: %w", err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("store: %s: %w (not a regular file)", path, ErrNotDashboard)
		}
	} else if err := createPrivate(path); err != nil {
		return nil, err
	}
	if err := restrictFiles(path); err != nil {
		return nil, err
	}

	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	// Connect the writer before any reader: it switches the file to WAL,
	// which a query_only reader could not do.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		if o.existing {
			return nil, fmt.Errorf("store: %s: %w (%v)", path, ErrNotDashboard, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(5 * time.Minute)

	db := &DB{Write: write, Read: read, Path: path}
	if err := read.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open readers %s: %w", path, err)
	}
	if db.file, err = os.Stat(path); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	if o.existing {
		// Checked before migrating: migrations would turn any SQLite file
		// into a dashboard database.
		if err := isDashboard(ctx, read, path); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	if err := migrate(ctx, write, migs, o.clock); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// dsn builds the connection string. busy_timeout comes first so the other
// pragmas (journal_mode in particular) wait instead of failing when another
// connection holds a lock.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		// Applied by the driver after every other pragma, so journal_mode
		// above is never blocked by it.
		q.Set("_query_only", "1")
	} else {
		// Take the write lock at BEGIN: a deferred transaction that reads
		// first and then writes can fail with SQLITE_BUSY without waiting
		// for busy_timeout.
		q.Set("_txlock", "immediate")
	}
	// url.Values.Encode would sort the keys; the driver orders pragmas
	// itself (busy_timeout first), so the encoded order does not matter.
	return path + "?" + q.Encode()
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.Read.Close(), db.Write.Close())
}

// Ping checks that the database file is still the one opened and that both
// pools can reach it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.CheckFile(); err != nil {
		return err
	}
	if err := db.Write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping writer: %w", err)
	}
	if err := db.Read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping reader: %w", err)
	}
	return nil
}

// CheckFile reports whether the file at Path is still the database the
// pools opened. SQLite keeps working on a deleted or replaced file's open
// descriptor, so writes would go where no backup, restart or other process
// ever finds them.
func (db *DB) CheckFile() error {
	fi, err := os.Stat(db.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store: the database file %s was deleted while the dashboard runs", db.Path)
	case err != nil:
		return fmt.Errorf("store: database file: %w", err)
	case !os.SameFile(fi, db.file):
		return fmt.Errorf("store: the database file %s was replaced by another file while the dashboard runs", db.Path)
	}
	return nil
}

// createPrivate creates the database file with mode 0600 when it does not
// exist yet (an empty file is an empty SQLite database).
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	return f.Close()
}

// restrictFiles tightens the database and its -wal and -shm files to 0600
// when they were copied around with looser modes: they hold password hashes
// and every conversation read.
func restrictFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("store: restrict permissions of %s: %w", p, err)
			}
		}
	}
	return nil
}

// isDashboard checks that the database records the dashboard's first
// migration.
func isDashboard(ctx context.Context, conn *sql.DB, path string) error {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return fmt.Errorf("store: %s: %w (%v)", path, ErrNotDashboard, err)
	}
	if n == 1 {
		err = conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = 1 AND name = 'users'`).Scan(&n)
	} else {
		n = 0
	}
	if err != nil || n != 1 {
		return fmt.Errorf("store: %s: %w", path, ErrNotDashboard)
	}
	return nil
}

// Tx runs fn in a write transaction (BEGIN IMMEDIATE), committing when fn
// returns nil and rolling back otherwise, including when fn panics.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return withTx(ctx, db.Write, fn)
}

func withTx(ctx context.Context, conn *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	// Rollback after Commit is a harmless no-op; deferring it also releases
	// the single writer connection if fn panics.
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Millis is how every table stores a time: milliseconds since the Unix
// epoch, UTC, with 0 for the zero time ("not yet").
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// TimeOf reads a time stored by Millis, in UTC; 0 is the zero time.
func TimeOf(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
