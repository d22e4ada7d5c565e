package auth

import (
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// ThrottleConfig sets the failed-login limits. Zero fields take the
// defaults noted beside them.
type ThrottleConfig struct {
	PerAccount int           // failures per username within Window before lockout (5)
	PerAddress int           // failures per client address within Window before lockout (20)
	Window     time.Duration // how far back failures count (15m)
	Lockout    time.Duration // how long a lockout lasts (15m)
	// MaxEntries caps how many accounts and, separately, how many addresses
	// are tracked (10000), so a spray of made-up names cannot grow memory
	// without bound.
	MaxEntries int
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.PerAccount <= 0 {
		c.PerAccount = 5
	}
	if c.PerAddress <= 0 {
		c.PerAddress = 20
	}
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.Lockout <= 0 {
		c.Lockout = 15 * time.Minute
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = 10000
	}
	return c
}

// Throttle counts failed logins per account and per client address, in
// memory, and locks either out for a while once it reaches its limit. The
// per-account limit stops guessing one password from many addresses; the
// per-address limit stops one address trying many accounts. It is safe for
// concurrent use.
type Throttle struct {
	cfg   ThrottleConfig
	clock clock.Clock

	mu        sync.Mutex
	accounts  map[string]*bucket
	addrs     map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	failures    []time.Time // within the window, oldest first; fewer than the limit
	lockedUntil time.Time
}

// expires is when the bucket stops mattering and can be dropped.
func (b *bucket) expires(window time.Duration) time.Time {
	t := b.lockedUntil
	if n := len(b.failures); n > 0 {
		if last := b.failures[n-1].Add(window); last.After(t) {
			t = last
		}
	}
	return t
}

// NewThrottle returns a Throttle reading time from clk (the wall clock when nil).
func NewThrottle(cfg ThrottleConfig, clk clock.Clock) *Throttle {
	if clk == nil {
		clk = clock.Real()
	}
	return &Throttle{
		cfg:      cfg.withDefaults(),
		clock:    clk,
		accounts: make(map[string]*bucket),
		addrs:    make(map[string]*bucket),
	}
}

// Check reports whether a login attempt for account from addr may proceed;
// when not, retryAfter says how long until it may. Call it before checking
// the password so locked-out attempts cost no bcrypt work. addr should be
// the client IP without port; empty keys are not throttled.
func (t *Throttle) Check(account, addr string) (retryAfter time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	for _, b := range []*bucket{t.accounts[normalizeAccount(account)], t.addrs[addr]} {
		if b != nil && b.lockedUntil.After(now) {
			retryAfter = max(retryAfter, b.lockedUntil.Sub(now))
		}
	}
	return retryAfter, retryAfter == 0
}

// Failure records a failed login for account from addr.
func (t *Throttle) Failure(account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if now.Sub(t.lastSweep) >= t.cfg.Window {
		t.sweep(t.accounts, now)
		t.sweep(t.addrs, now)
		t.lastSweep = now
	}
	if account != "" {
		t.record(t.accounts, normalizeAccount(account), t.cfg.PerAccount, now)
	}
	if addr != "" {
		t.record(t.addrs, addr, t.cfg.PerAddress, now)
	}
}

// Success forgets the account's failures after a good login. The address's
// failures stay: one valid account must not launder guesses at others.
func (t *Throttle) Success(account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, normalizeAccount(account))
}

func (t *Throttle) record(m map[string]*bucket, key string, limit int, now time.Time) {
	b := m[key]
	if b == nil {
		if len(m) >= t.cfg.MaxEntries {
			t.sweep(m, now)
			if len(m) >= t.cfg.MaxEntries {
				t.evictSoonest(m, now)
			}
		}
		b = &bucket{}
		m[key] = b
	}
	if b.lockedUntil.After(now) {
		// Already locked; extending the lockout would only let an
		// attacker keep the real user out indefinitely.
		return
	}
	cutoff := now.Add(-t.cfg.Window)
	i := 0
	for i < len(b.failures) && !b.failures[i].After(cutoff) {
		i++
	}
	b.failures = append(b.failures[i:], now)
	if len(b.failures) >= limit {
		b.lockedUntil = now.Add(t.cfg.Lockout)
		b.failures = nil
	}
}

func (t *Throttle) sweep(m map[string]*bucket, now time.Time) {
	for k, b := range m {
		if !b.expires(t.cfg.Window).After(now) {
			delete(m, k)
		}
	}
}

// evictSoonest drops the entry closest to expiring on its own, preferring
// entries that are not locked out: a flood of one-off failures must not
// free an account or address that is under attack.
func (t *Throttle) evictSoonest(m map[string]*bucket, now time.Time) {
	var (
		victim       string
		soon         time.Time
		victimLocked bool
		found        bool
	)
	for k, b := range m {
		locked := b.lockedUntil.After(now)
		e := b.expires(t.cfg.Window)
		if !found || (victimLocked && !locked) || (locked == victimLocked && e.Before(soon)) {
			victim, soon, victimLocked, found = k, e, locked, true
		}
	}
	if found {
		delete(m, victim)
	}
}

// normalizeAccount is the throttle key for a username: usernames are
// case-insensitive, so "Admin" and "admin" share a failure count.
func normalizeAccount(s string) string { return strings.ToLower(s) }
