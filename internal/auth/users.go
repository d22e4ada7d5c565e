package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// Errors returned by Users. Their messages are written to be shown to the
// person at the login or user-management form as they are.
var (
	// ErrInvalidCredentials deliberately does not say whether the username
	// exists, is disabled, or the password is wrong.
	ErrInvalidCredentials = errors.New("invalid username or password")
	ErrUserExists         = errors.New("a user with that username already exists")
	ErrUserNotFound       = errors.New("user not found")
	ErrInvalidUsername    = fmt.Errorf("username must be %d-%d characters: letters, digits, '.', '_', '@' or '-'", minUsernameLen, maxUsernameLen)
	ErrWeakPassword       = fmt.Errorf("password must be at least %d characters and at most %d bytes", minPasswordChars, maxPasswordBytes)
	// ErrCommonPassword is a password of the right length that is still
	// easy to guess.
	ErrCommonPassword  = fmt.Errorf("%w; this one is too easy to guess (a common password, one repeated character or pattern, or only spaces): choose another", ErrWeakPassword)
	ErrInvalidTimeZone = errors.New("unknown time zone")
	// ErrSessionRevoked means the login session no longer grants access: the
	// user was disabled or deleted, or their sessions were ended.
	ErrSessionRevoked = errors.New("your session has ended, please sign in again")
	// ErrLastAdmin protects against locking everyone out of user management:
	// EnsureAdmin only helps when there are no users at all.
	ErrLastAdmin = errors.New("at least one enabled admin must remain")
)

const (
	minUsernameLen   = 3
	maxUsernameLen   = 64
	minPasswordChars = 12
	maxPasswordBytes = 72 // bcrypt ignores (x/crypto rejects) anything longer

	// AdminUsername is the account EnsureAdmin creates.
	AdminUsername = "admin"
)

// User is a dashboard account. The password hash never leaves this package.
type User struct {
	ID       int64
	Username string
	Role     Role
	Disabled bool
	// TimeZone is an IANA name, or "" to use the browser's zone.
	TimeZone  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Users manages accounts stored in the users table.
type Users struct {
	db       *store.DB
	cost     int
	clock    clock.Clock
	recorder Recorder

	// dummyHash is compared against when the username is unknown, so a
	// failed login takes as long whether or not the account exists. Built
	// lazily because hashing at the default cost takes tens of milliseconds.
	dummyOnce sync.Once
	dummyHash []byte
}

// UsersOption configures NewUsers.
type UsersOption func(*Users)

// WithHashCost sets the bcrypt cost for new hashes. Tests use
// bcrypt.MinCost; a cost outside bcrypt's range falls back to
// bcrypt.DefaultCost.
func WithHashCost(cost int) UsersOption {
	return func(u *Users) {
		if cost >= bcrypt.MinCost && cost <= bcrypt.MaxCost {
			u.cost = cost
		}
	}
}

// WithClock sets the source of created_at/updated_at timestamps.
func WithClock(clk clock.Clock) UsersOption {
	return func(u *Users) {
		if clk != nil {
			u.clock = clk
		}
	}
}

// WithRecorder sets where changes write their audit entries, inside the
// change's own transaction.
func WithRecorder(r Recorder) UsersOption {
	return func(u *Users) { u.recorder = r }
}

// NewUsers returns a Users backed by db.
func NewUsers(db *store.DB, opts ...UsersOption) *Users {
	u := &Users{db: db, cost: bcrypt.DefaultCost, clock: clock.Real()}
	for _, o := range opts {
		o(u)
	}
	return u
}

// ValidateUsername reports ErrInvalidUsername unless name is 3-64 characters
// from [A-Za-z0-9._@-].
func ValidateUsername(name string) error {
	if len(name) < minUsernameLen || len(name) > maxUsernameLen {
		return ErrInvalidUsername
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '@', c == '-':
		default:
			return ErrInvalidUsername
		}
	}
	return nil
}

// ValidatePassword reports ErrWeakPassword unless password has at least 12
// characters and at most 72 bytes (the most bcrypt uses), and
// ErrCommonPassword when it is easy to guess anyway (see commonPassword).
func ValidatePassword(password string) error {
	if utf8.RuneCountInString(password) < minPasswordChars || len(password) > maxPasswordBytes {
		return ErrWeakPassword
	}
	if commonPassword(password) {
		return ErrCommonPassword
	}
	return nil
}

func (u *Users) hash(password string) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), u.cost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

func (u *Users) timestamp() int64 { return store.Millis(u.clock.Now()) }

// Create adds an enabled user. When rec is not nil its audit entry is
// written in the same transaction: without it there is no user and the
// error wraps ErrNotAudited. The same holds for every change below.
func (u *Users) Create(ctx context.Context, username, password string, role Role, rec *audit.Record) (*User, error) {
	if err := ValidateUsername(username); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, ErrInvalidRole
	}
	// Hash before taking the write lock: bcrypt is deliberately slow.
	hash, err := u.hash(password)
	if err != nil {
		return nil, err
	}
	var id int64
	err = u.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = insertUser(ctx, tx, username, hash, role, u.timestamp()); err != nil {
			return err
		}
		return record(ctx, tx, u.recorder, rec)
	})
	if err != nil {
		return nil, err
	}
	return u.ByID(ctx, id)
}

// insertUser must run in an immediate transaction so the existence check and
// the insert cannot interleave with another Create.
func insertUser(ctx context.Context, tx *sql.Tx, username, hash string, role Role, now int64) (int64, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = ?`, username).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: check username: %w", err)
	}
	if n > 0 {
		return 0, ErrUserExists
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		username, hash, role.String(), now, now)
	if err != nil {
		return 0, fmt.Errorf("auth: insert user: %w", err)
	}
	return res.LastInsertId()
}

const userColumns = `id, username, role, disabled, time_zone, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner, extra ...any) (*User, error) {
	var (
		usr              User
		role             string
		created, updated int64
	)
	dest := append([]any{&usr.ID, &usr.Username, &role, &usr.Disabled,
		&usr.TimeZone, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrUserNotFound
		}
		return nil, fmt.Errorf("auth: read user: %w", err)
	}
	var err error
	if usr.Role, err = ParseRole(role); err != nil {
		return nil, fmt.Errorf("auth: user %d: %w", usr.ID, err)
	}
	usr.CreatedAt, usr.UpdatedAt = store.TimeOf(created), store.TimeOf(updated)
	return &usr, nil
}

// ByID returns the user with the given id, or ErrUserNotFound.
func (u *Users) ByID(ctx context.Context, id int64) (*User, error) {
	return scanUser(u.db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// ByUsername returns the user with the given name (case-insensitive), or
// ErrUserNotFound.
func (u *Users) ByUsername(ctx context.Context, name string) (*User, error) {
	return scanUser(u.db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, name))
}

// List returns all users ordered by username.
func (u *Users) List(ctx context.Context) ([]User, error) {
	rows, err := u.db.Read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		usr, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, *usr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return users, nil
}

// Count returns the number of users, disabled ones included.
func (u *Users) Count(ctx context.Context) (int, error) {
	var n int
	if err := u.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: count users: %w", err)
	}
	return n, nil
}

func (u *Users) dummy() []byte {
	u.dummyOnce.Do(func() {
		pw := make([]byte, 32)
		_, _ = rand.Read(pw) // never fails on supported platforms
		u.dummyHash, _ = bcrypt.GenerateFromPassword(pw, u.cost)
	})
	return u.dummyHash
}

// Authenticate checks a username and password. Every failure a user could
// cause (unknown name, wrong password, disabled account) is
// ErrInvalidCredentials and costs one bcrypt comparison, so neither the
// error nor the response time tells an attacker which accounts exist.
func (u *Users) Authenticate(ctx context.Context, username, password string) (*User, error) {
	var hash string
	usr, err := scanUser(u.db.Read.QueryRowContext(ctx,
		`SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, username), &hash)
	switch {
	case errors.Is(err, ErrUserNotFound):
		_ = bcrypt.CompareHashAndPassword(u.dummy(), []byte(password))
		return nil, ErrInvalidCredentials
	case err != nil:
		return nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || usr.Disabled {
		return nil, ErrInvalidCredentials
	}
	return usr, nil
}

// ForSession returns the user a valid login session belongs to, or
// ErrSessionRevoked when the user is gone or disabled.
func (u *Users) ForSession(ctx context.Context, info SessionInfo) (*User, error) {
	usr, err := u.ByID(ctx, info.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return nil, ErrSessionRevoked
	}
	if err != nil {
		return nil, err
	}
	if usr.Disabled {
		return nil, ErrSessionRevoked
	}
	return usr, nil
}

// updateOne runs a single-row UPDATE, mapping "no row" to ErrUserNotFound.
func updateOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("auth: update user: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("auth: update user: %w", err)
	}
	if n == 0 {
		return ErrUserNotFound
	}
	return nil
}

// change runs fn in a write transaction, then writes rec's audit entry in
// it, so both commit or neither.
func (u *Users) change(ctx context.Context, rec *audit.Record, fn func(tx *sql.Tx) error) error {
	return u.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return record(ctx, tx, u.recorder, rec)
	})
}

// idOf returns the id of username inside tx, or ErrUserNotFound.
func idOf(ctx context.Context, tx *sql.Tx, username string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrUserNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("auth: read user: %w", err)
	}
	return id, nil
}

// updateEnding runs a single-row UPDATE of username and ends the user's
// sessions, inside tx.
func (u *Users) updateEnding(ctx context.Context, tx *sql.Tx, username, query string, args ...any) error {
	id, err := idOf(ctx, tx, username)
	if err != nil {
		return err
	}
	if err := updateOne(ctx, tx, query, args...); err != nil {
		return err
	}
	return revokeSessions(ctx, tx, id, u.timestamp())
}

// SetPassword replaces the user's password and ends all their sessions.
func (u *Users) SetPassword(ctx context.Context, username, password string, rec *audit.Record) error {
	hash, err := u.hash(password)
	if err != nil {
		return err
	}
	return u.change(ctx, rec, func(tx *sql.Tx) error {
		return u.updateEnding(ctx, tx, username,
			`UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?`, hash, u.timestamp(), username)
	})
}

// SetRole changes the user's role and ends their sessions, so a demotion
// takes effect at once. Demoting the last enabled admin is ErrLastAdmin.
func (u *Users) SetRole(ctx context.Context, username string, role Role, rec *audit.Record) error {
	if !role.Valid() {
		return ErrInvalidRole
	}
	return u.change(ctx, rec, func(tx *sql.Tx) error {
		if role != RoleAdmin {
			if err := keepAnAdmin(ctx, tx, username); err != nil {
				return err
			}
		}
		return u.updateEnding(ctx, tx, username,
			`UPDATE users SET role = ?, updated_at = ? WHERE username = ?`, role.String(), u.timestamp(), username)
	})
}

// Disable blocks the user from logging in and ends their sessions at once.
// Disabling the last enabled admin is ErrLastAdmin.
func (u *Users) Disable(ctx context.Context, username string, rec *audit.Record) error {
	return u.change(ctx, rec, func(tx *sql.Tx) error {
		if err := keepAnAdmin(ctx, tx, username); err != nil {
			return err
		}
		return u.updateEnding(ctx, tx, username,
			`UPDATE users SET disabled = 1, updated_at = ? WHERE username = ?`, u.timestamp(), username)
	})
}

// keepAnAdmin returns ErrLastAdmin if username is the only enabled admin.
func keepAnAdmin(ctx context.Context, tx *sql.Tx, username string) error {
	var others, self int
	err := tx.QueryRowContext(ctx, `SELECT
		COUNT(*) FILTER (WHERE username <> ?1),
		COUNT(*) FILTER (WHERE username = ?1)
		FROM users WHERE role = 'admin' AND disabled = 0`, username).Scan(&others, &self)
	if err != nil {
		return fmt.Errorf("auth: count admins: %w", err)
	}
	if self > 0 && others == 0 {
		return ErrLastAdmin
	}
	return nil
}

// Enable lets a disabled user log in again. Sessions ended by Disable stay
// ended.
func (u *Users) Enable(ctx context.Context, username string, rec *audit.Record) error {
	return u.change(ctx, rec, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE users SET disabled = 0, updated_at = ? WHERE username = ?`, u.timestamp(), username)
	})
}

// SetTimeZone sets the user's display time zone: an IANA name such as
// "Europe/Berlin", or "" to follow the browser. The name must be known to
// the time package (the binary should embed time/tzdata for hosts without
// a zoneinfo database).
func (u *Users) SetTimeZone(ctx context.Context, id int64, tz string, rec *audit.Record) error {
	if tz != "" {
		// "Local" would mean the server's zone, which is not what a user
		// picking a zone wants.
		if tz == "Local" {
			return ErrInvalidTimeZone
		}
		if _, err := time.LoadLocation(tz); err != nil {
			return ErrInvalidTimeZone
		}
	}
	return u.change(ctx, rec, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE users SET time_zone = ?, updated_at = ? WHERE id = ?`, tz, u.timestamp(), id)
	})
}

// ErrAccountDisabled refuses a single sign-on to a disabled account; the
// provider proved who it is, so saying so reveals nothing.
var ErrAccountDisabled = errors.New("your dashboard account is disabled; ask an administrator")

// oidcActor is who the audit log names for changes single sign-on makes.
const oidcActor = "oidc"

// SignInOIDC returns the dashboard user for an identity the provider
// vouched for, in one transaction with the audit entries of what it
// changes: the user linked to (issuer, subject); on the first sign-in, the
// user of that username (linked now, unless another identity of the same
// issuer has it) or a new user without a password. The user's role
// follows the provider's groups on every sign-in; a changed role ends
// their other sessions. addr is the client's address, for the audit log.
func (u *Users) SignInOIDC(ctx context.Context, id Identity, addr string) (*User, error) {
	if id.Issuer == "" || id.Subject == "" || !id.Role.Valid() {
		return nil, ErrOIDCNoRole
	}
	if err := ValidateUsername(id.Username); err != nil {
		return nil, ErrOIDCUsername
	}
	via := map[string]any{"via": "oidc", "issuer": id.Issuer, "subject": id.Subject}
	details := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range via {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	var usr *User
	err := u.db.Tx(ctx, func(tx *sql.Tx) error {
		now := u.timestamp()
		byID := func(uid int64) (*User, error) {
			return scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, uid))
		}
		var uid int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?`, id.Issuer, id.Subject).Scan(&uid)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			existing, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, id.Username))
			switch {
			case errors.Is(err, ErrUserNotFound):
				hash, err := unusableHash()
				if err != nil {
					return err
				}
				if uid, err = insertUser(ctx, tx, id.Username, hash, id.Role, now); err != nil {
					return err
				}
				if err := record(ctx, tx, u.recorder, &audit.Record{Actor: oidcActor, ClientAddr: addr, Action: audit.ActionUserCreate,
					Target: id.Username, Details: details(map[string]any{"after": map[string]any{"role": id.Role.String(), "disabled": false}})}); err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM oidc_identities WHERE user_id = ? AND issuer = ?`, existing.ID, id.Issuer).Scan(&n); err != nil {
					return fmt.Errorf("auth: single sign-on: %w", err)
				}
				if n > 0 {
					return ErrOIDCTaken
				}
				uid = existing.ID
				if err := record(ctx, tx, u.recorder, &audit.Record{Actor: oidcActor, ClientAddr: addr, Action: audit.ActionUserUpdate,
					Target: existing.Username, Details: details(map[string]any{"change": "linked"})}); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)`,
				id.Issuer, id.Subject, uid, now); err != nil {
				return fmt.Errorf("auth: single sign-on: %w", err)
			}
		case err != nil:
			return fmt.Errorf("auth: single sign-on: %w", err)
		}
		before, err := byID(uid)
		if err != nil {
			return err
		}
		if before.Disabled {
			return ErrAccountDisabled
		}
		if before.Role != id.Role {
			if id.Role != RoleAdmin {
				if err := keepAnAdmin(ctx, tx, before.Username); err != nil {
					return err
				}
			}
			if err := updateOne(ctx, tx, `UPDATE users SET role = ?, updated_at = ? WHERE id = ?`, id.Role.String(), now, uid); err != nil {
				return err
			}
			if err := revokeSessions(ctx, tx, uid, now); err != nil {
				return err
			}
			if err := record(ctx, tx, u.recorder, &audit.Record{Actor: oidcActor, ClientAddr: addr, Action: audit.ActionUserUpdate,
				Target: before.Username, Details: details(map[string]any{"change": "role",
					"before": map[string]any{"role": before.Role.String()}, "after": map[string]any{"role": id.Role.String()}})}); err != nil {
				return err
			}
		}
		usr, err = byID(uid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return usr, nil
}

// unusableHash is the password hash of a user created by single sign-on:
// not a bcrypt hash, so no password matches it.
func unusableHash() (string, error) {
	p, err := randomPassword()
	if err != nil {
		return "", err
	}
	return "!oidc:" + p, nil
}

// EnsureAdmin bootstraps an empty database: when there are no users it
// creates AdminUsername with role admin and the given password, or, when
// password is "", a random one returned as generated so the caller can show
// it once. When any user exists it does nothing.
func (u *Users) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	n, err := u.Count(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		if generated, err = randomPassword(); err != nil {
			return false, "", err
		}
		password = generated
	}
	hash, err := u.hash(password)
	if err != nil {
		return false, "", err
	}
	err = u.db.Tx(ctx, func(tx *sql.Tx) error {
		// Re-check under the write lock: another process may have won.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("auth: count users: %w", err)
		}
		if n > 0 {
			return nil
		}
		if _, err := insertUser(ctx, tx, AdminUsername, hash, RoleAdmin, u.timestamp()); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil || !created {
		return false, "", err
	}
	return true, generated, nil
}

// randomPassword returns 32 URL-safe characters (192 bits).
func randomPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
