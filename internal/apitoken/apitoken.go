// Package apitoken issues and checks the dashboard's personal API tokens:
// HS256 JWTs signed with a key generated once into the data directory, each
// with an expiry and a row in the api_tokens table that can revoke it.
//
// Scripts send a token as "Authorization: Bearer <token>". The token is shown
// once when issued and never stored; only its id (the JWT's jti) is.
package apitoken

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"github.com/golang-jwt/jwt/v5"

	"github.com/teamlead/dashboard/internal/secretfile"
	"github.com/teamlead/dashboard/internal/store"
)

// KeyFile is the name, inside the data directory, of the signing key.
const KeyFile = "api-token.key"

// Lifetimes an administrator may choose, in days.
const (
	MinDays = 1
	MaxDays = 365
)

const (
	keyLen   = 32
	issuer   = "teamlead-dashboard"
	audience = "dashboard-api"
	maxLabel = 100
)

// Errors. Their messages are fit for an API client's error body or a form
// banner as they are.
var (
	ErrInvalid        = errors.New("the token is not valid")
	ErrExpired        = errors.New("the token has expired")
	ErrRevoked        = errors.New("the token has been revoked")
	ErrNotFound       = errors.New("no such token")
	ErrAlreadyRevoked = errors.New("the token was already revoked")
	ErrBadLifetime    = fmt.Errorf("a token must live between %d and %d days", MinDays, MaxDays)
	ErrBadLabel       = fmt.Errorf("the label must be at most %d characters, without control characters", maxLabel)
)

// Token describes an issued token; it never holds the token itself.
type Token struct {
	ID        string
	Owner     string // the username API calls act for
	Label     string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero while not revoked
	RevokedBy string
}

// Status is "revoked", "expired" or "active" at now.
func (t Token) Status(now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked"
	case !now.Before(t.ExpiresAt):
		return "expired"
	default:
		return "active"
	}
}

// Service issues, lists, revokes and verifies tokens. It is safe for
// concurrent use.
type Service struct {
	db    *store.DB
	key   []byte
	clock clock.Clock
}

// New returns a Service signing with key (from LoadOrCreateKey) and reading
// time from clk (the wall clock when nil).
func New(db *store.DB, key []byte, clk clock.Clock) (*Service, error) {
	if len(key) < keyLen {
		return nil, fmt.Errorf("apitoken: signing key must be at least %d bytes", keyLen)
	}
	if clk == nil {
		clk = clock.Real()
	}
	return &Service{db: db, key: key, clock: clk}, nil
}

type claims struct {
	jwt.RegisteredClaims
}

// Issue creates a token for owner that lives days days, and returns its
// description and the signed token, which the caller shows once.
func (s *Service) Issue(ctx context.Context, owner, label, createdBy string, days int) (Token, string, error) {
	if days < MinDays || days > MaxDays {
		return Token{}, "", ErrBadLifetime
	}
	label = strings.TrimSpace(label)
	if len([]rune(label)) > maxLabel || strings.ContainsFunc(label, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Token{}, "", ErrBadLabel
	}
	if owner == "" || createdBy == "" {
		return Token{}, "", errors.New("apitoken: owner and issuer are required")
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return Token{}, "", fmt.Errorf("apitoken: %w", err)
	}
	// Whole seconds: the JWT carries seconds, and the row must agree with it.
	now := s.clock.Now().UTC().Truncate(time.Second)
	t := Token{
		ID:        hex.EncodeToString(id[:]),
		Owner:     owner,
		Label:     label,
		CreatedBy: createdBy,
		CreatedAt: now,
		ExpiresAt: now.AddDate(0, 0, days),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   owner,
		Audience:  jwt.ClaimStrings{audience},
		ID:        t.ID,
		IssuedAt:  jwt.NewNumericDate(t.CreatedAt),
		ExpiresAt: jwt.NewNumericDate(t.ExpiresAt),
	}}).SignedString(s.key)
	if err != nil {
		return Token{}, "", fmt.Errorf("apitoken: sign: %w", err)
	}
	_, err = s.db.Write.ExecContext(ctx, `INSERT INTO api_tokens (id, owner, label, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.ID, t.Owner, t.Label, t.CreatedBy, store.Millis(t.CreatedAt), store.Millis(t.ExpiresAt))
	if err != nil {
		return Token{}, "", fmt.Errorf("apitoken: store: %w", err)
	}
	return t, signed, nil
}

// Revoke ends a token at once and returns it as it was before.
func (s *Service) Revoke(ctx context.Context, id, by string) (Token, error) {
	var before Token
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		before, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if !before.RevokedAt.IsZero() {
			return ErrAlreadyRevoked
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?`,
			store.Millis(s.clock.Now()), by, id)
		return err
	})
	return before, err
}

// Get returns one token by id.
func (s *Service) Get(ctx context.Context, id string) (Token, error) {
	return scanToken(s.db.Read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
}

// List returns every token, newest first.
func (s *Service) List(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("apitoken: list: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("apitoken: list: %w", err)
	}
	return out, nil
}

// Verify checks a presented token: signature, issuer, audience, expiry and
// an issue time that is not in the future, then that its row exists, names
// the same owner and is not revoked. It
// returns ErrInvalid, ErrExpired or ErrRevoked for a token that must be
// refused, or another error when the check itself failed.
func (s *Service) Verify(ctx context.Context, raw string) (Token, error) {
	var c claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(s.clock.Now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Token{}, ErrExpired
	case err != nil || c.ID == "" || c.IssuedAt == nil:
		return Token{}, ErrInvalid
	}
	t, err := s.Get(ctx, c.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Token{}, ErrInvalid
	case err != nil:
		return Token{}, err
	}
	switch t.Status(s.clock.Now()) {
	case "revoked":
		return t, ErrRevoked
	case "expired":
		return t, ErrExpired
	}
	if t.Owner != c.Subject {
		return Token{}, ErrInvalid
	}
	return t, nil
}

const tokenColumns = `id, owner, label, created_by, created_at, expires_at, revoked_at, revoked_by`

type scanner interface{ Scan(...any) error }

func scanToken(row scanner) (Token, error) {
	var t Token
	var created, expires, revoked int64
	err := row.Scan(&t.ID, &t.Owner, &t.Label, &t.CreatedBy, &created, &expires, &revoked, &t.RevokedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	if err != nil {
		return Token{}, fmt.Errorf("apitoken: read: %w", err)
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = store.TimeOf(created), store.TimeOf(expires), store.TimeOf(revoked)
	return t, nil
}

// LoadOrCreateKey returns the signing key stored in dataDir/api-token.key,
// generating it (mode 0600) on first use. Deleting the file invalidates
// every issued token.
func LoadOrCreateKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, KeyFile)
	data, err := secretfile.LoadOrCreate(path, func() ([]byte, error) {
		key := make([]byte, keyLen)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		return []byte(hex.EncodeToString(key) + "\n"), nil
	})
	if err != nil {
		return nil, fmt.Errorf("apitoken: key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != keyLen {
		// Not silently replaced: that would invalidate every token unnoticed.
		return nil, fmt.Errorf("apitoken: key file %s is corrupt (want %d hex-encoded bytes); delete it to generate a new key (this invalidates every API token)", path, keyLen)
	}
	return key, nil
}
