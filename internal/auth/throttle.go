package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// ThrottleConfig sets how failed sign-ins slow further attempts. Zero fields
// take the defaults noted beside them.
type ThrottleConfig struct {
	// FreeFailures is how many failures one (account, address) pair may
	// make before it has to wait (5).
	FreeFailures int
	// BaseDelay is the first wait (2s); it doubles with every further
	// failure of the pair, up to MaxDelay (15m).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// PerAddress is how many failures one address may make over all
	// accounts within Window (100, over 15m) before it waits for the window
	// to end: a loose cap, since many people may share one proxy.
	PerAddress int
	Window     time.Duration
	// Forget is how long after its last failure a pair starts again from
	// zero (24h).
	Forget time.Duration
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.FreeFailures <= 0 {
		c.FreeFailures = 5
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 2 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 15 * time.Minute
	}
	if c.PerAddress <= 0 {
		c.PerAddress = 100
	}
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.Forget <= 0 {
		c.Forget = 24 * time.Hour
	}
	return c
}

// Throttle slows password guessing without locking anyone out. Failures
// count per (account, client address) pair: past a few, each one doubles
// the wait before that pair may try again, up to a cap. An attacker
// hammering an account from one address only slows themselves; the owner
// signing in from elsewhere is not affected. A much looser cap per address
// over all accounts stops one address spraying many accounts. The counts
// live in SQLite, so a restart does not reset them, and an administrator
// can clear an account's (Unlock). It is safe for concurrent use.
type Throttle struct {
	db    *store.DB
	cfg   ThrottleConfig
	clock clock.Clock
}

// NewThrottle returns a Throttle keeping its counts in db and reading time
// from clk (the wall clock when nil).
func NewThrottle(db *store.DB, cfg ThrottleConfig, clk clock.Clock) *Throttle {
	if clk == nil {
		clk = clock.Real()
	}
	return &Throttle{db: db, cfg: cfg.withDefaults(), clock: clk}
}

// Check returns how long a sign-in attempt for account from addr must wait;
// zero means it may proceed. Call it before checking the password so
// refused attempts cost no bcrypt work. addr should be the client IP
// without port; empty keys are not throttled.
func (t *Throttle) Check(ctx context.Context, account, addr string) (time.Duration, error) {
	now := store.Millis(t.clock.Now())
	var wait int64
	if account != "" {
		var next int64
		err := t.db.Read.QueryRowContext(ctx, `SELECT next_allowed FROM login_failures WHERE account = ? AND client_addr = ?`,
			account, addr).Scan(&next)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, fmt.Errorf("auth: throttle: %w", err)
		default:
			wait = max(wait, next-now)
		}
	}
	if addr != "" {
		var start, failures int64
		err := t.db.Read.QueryRowContext(ctx, `SELECT window_start, failures FROM login_address_failures WHERE client_addr = ?`,
			addr).Scan(&start, &failures)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, fmt.Errorf("auth: throttle: %w", err)
		case failures >= int64(t.cfg.PerAddress):
			wait = max(wait, start+t.cfg.Window.Milliseconds()-now)
		}
	}
	return time.Duration(max(wait, 0)) * time.Millisecond, nil
}

// delay is the wait after a pair's failures-th failure.
func (t *Throttle) delay(failures int64) time.Duration {
	over := failures - int64(t.cfg.FreeFailures)
	if over < 0 {
		return 0
	}
	d := t.cfg.BaseDelay
	for range min(over, 40) {
		d *= 2
		if d >= t.cfg.MaxDelay {
			return t.cfg.MaxDelay
		}
	}
	return min(d, t.cfg.MaxDelay)
}

// Failure records a failed sign-in for account from addr.
func (t *Throttle) Failure(ctx context.Context, account, addr string) error {
	now := store.Millis(t.clock.Now())
	forget, window := t.cfg.Forget.Milliseconds(), t.cfg.Window.Milliseconds()
	return t.db.Tx(ctx, func(tx *sql.Tx) error {
		// Forgotten rows go first, so the counts below start from zero.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE last_failure <= ?`, now-forget); err != nil {
			return fmt.Errorf("auth: throttle: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_address_failures WHERE window_start <= ?`, now-window); err != nil {
			return fmt.Errorf("auth: throttle: %w", err)
		}
		if account != "" {
			var failures int64
			err := tx.QueryRowContext(ctx, `SELECT failures FROM login_failures WHERE account = ? AND client_addr = ?`,
				account, addr).Scan(&failures)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("auth: throttle: %w", err)
			}
			failures++
			next := now + t.delay(failures).Milliseconds()
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (account, client_addr, failures, last_failure, next_allowed)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, client_addr) DO UPDATE SET
				failures = excluded.failures, last_failure = excluded.last_failure, next_allowed = excluded.next_allowed`,
				account, addr, failures, now, next); err != nil {
				return fmt.Errorf("auth: throttle: %w", err)
			}
		}
		if addr != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_address_failures (client_addr, window_start, failures)
				VALUES (?, ?, 1) ON CONFLICT (client_addr) DO UPDATE SET failures = failures + 1`, addr, now); err != nil {
				return fmt.Errorf("auth: throttle: %w", err)
			}
		}
		return nil
	})
}

// Success forgets the pair's failures after a good sign-in. The address's
// count over all accounts stays: one valid account must not launder
// guesses at others.
func (t *Throttle) Success(ctx context.Context, account, addr string) error {
	if _, err := t.db.Write.ExecContext(ctx, `DELETE FROM login_failures WHERE account = ? AND client_addr = ?`, account, addr); err != nil {
		return fmt.Errorf("auth: throttle: %w", err)
	}
	return nil
}

// Unlock forgets every failure recorded for account, from any address, and
// returns how many addresses had some.
func (t *Throttle) Unlock(ctx context.Context, account string) (int64, error) {
	res, err := t.db.Write.ExecContext(ctx, `DELETE FROM login_failures WHERE account = ?`, account)
	if err != nil {
		return 0, fmt.Errorf("auth: unlock: %w", err)
	}
	return res.RowsAffected()
}
