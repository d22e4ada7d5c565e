package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"

	"github.com/teamlead/dashboard/internal/clock"
)

//go:embed migrations/*.sql
var embedded embed.FS

// migrationName matches NNNN_name.sql; the number is the version.
var migrationName = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9_]+)\.sql$`)

// Migration is one schema change, read from NNNN_name.sql.
type Migration struct {
	Version int
	Name    string // the part after the number, without ".sql"
	File    string // file name, used in error messages
	SQL     string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: embedded migrations: %w", err)
	}
	return LoadMigrations(sub)
}

// LoadMigrations reads the *.sql files at the root of fsys, sorted by
// version. A .sql file whose name does not follow NNNN_name.sql, or two files
// with the same version, is an error rather than silently skipped: either
// would leave the schema different from what the author intended.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var migs []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration %s: name must look like 0001_name.sql", e.Name())
		}
		v, err := strconv.Atoi(m[1])
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s: bad version", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		migs = append(migs, Migration{Version: v, Name: m[2], File: e.Name(), SQL: string(body)})
	}
	slices.SortFunc(migs, func(a, b Migration) int { return a.Version - b.Version })
	return migs, nil
}

// migrate applies the migrations not yet recorded in schema_migrations, in
// version order, each in its own transaction together with its record, so a
// failure leaves no trace of the failing file and the earlier ones stay
// applied. conn should be the writer pool.
func migrate(ctx context.Context, conn *sql.DB, migs []Migration, clk clock.Clock) error {
	const ddl = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL -- unix ms
	)`
	if _, err := conn.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range migs {
		err := withTx(ctx, conn, func(tx *sql.Tx) error {
			// Checked inside the (immediate) transaction so two processes
			// opening the same file cannot both apply a migration.
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, Millis(clk.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.File, err)
		}
	}
	return nil
}
