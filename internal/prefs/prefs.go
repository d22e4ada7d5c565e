// Package prefs keeps each user's display preferences: the colour theme,
// and per list page the columns shown and the row density. They are the
// user's own choices, stored server-side so they follow the user to any
// browser, in a table of their own (user_prefs) keyed by the user's id.
package prefs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// Themes a user can choose; "system" follows the browser's
// prefers-color-scheme.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Densities of a list.
const (
	DensityCompact     = "compact"
	DensityComfortable = "comfortable"
)

// List is how a user wants one list page: the columns shown (nil: the
// page's default) and the row density ("" is compact).
type List struct {
	Columns []string
	Density string
}

// Prefs are one user's preferences.
type Prefs struct {
	Theme string // ThemeSystem when unset
	Lists map[string]List
}

// List returns the preferences of the list page named page.
func (p Prefs) List(page string) List { return p.Lists[page] }

// Store reads and writes preferences.
type Store struct {
	db    *store.DB
	clock clock.Clock
}

// New returns a Store on db.
func New(db *store.DB, c clock.Clock) *Store { return &Store{db: db, clock: c} }

// Get returns userID's preferences; a user who chose nothing gets the
// defaults.
func (s *Store) Get(ctx context.Context, userID int64) (Prefs, error) {
	p := Prefs{Theme: ThemeSystem, Lists: map[string]List{}}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT key, value FROM user_prefs WHERE user_id = ?`, userID)
	if err != nil {
		return p, fmt.Errorf("prefs: get: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return p, fmt.Errorf("prefs: get: %w", err)
		}
		switch page, what, _ := strings.Cut(k, "."); {
		case k == "theme":
			p.Theme = v
		case what == "columns":
			l := p.Lists[page]
			l.Columns = strings.Split(v, ",")
			p.Lists[page] = l
		case what == "density":
			l := p.Lists[page]
			l.Density = v
			p.Lists[page] = l
		}
	}
	return p, rows.Err()
}

// SetTheme stores userID's theme: ThemeSystem, ThemeLight or ThemeDark.
func (s *Store) SetTheme(ctx context.Context, userID int64, theme string) error {
	if !slices.Contains([]string{ThemeSystem, ThemeLight, ThemeDark}, theme) {
		return fmt.Errorf("prefs: unknown theme %q", theme)
	}
	return s.set(ctx, userID, "theme", theme)
}

// SetList stores how userID wants the list page named page. Columns must
// be among allowed (in any order; they are kept in allowed's order) and at
// least one; density compact or comfortable.
func (s *Store) SetList(ctx context.Context, userID int64, page string, l List, allowed []string) error {
	var cols []string
	for _, c := range allowed {
		if slices.Contains(l.Columns, c) {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return fmt.Errorf("prefs: choose at least one column")
	}
	if l.Density != DensityCompact && l.Density != DensityComfortable {
		return fmt.Errorf("prefs: unknown density %q", l.Density)
	}
	if err := s.set(ctx, userID, page+".columns", strings.Join(cols, ",")); err != nil {
		return err
	}
	return s.set(ctx, userID, page+".density", l.Density)
}

func (s *Store) set(ctx context.Context, userID int64, key, value string) error {
	_, err := s.db.Write.ExecContext(ctx, `INSERT INTO user_prefs (user_id, key, value, updated_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`,
		userID, key, value, s.clock.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("prefs: set %s: %w", key, err)
	}
	return nil
}
