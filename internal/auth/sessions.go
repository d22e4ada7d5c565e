package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// SessionConfig configures login sessions. Zero fields take the defaults
// noted beside them.
type SessionConfig struct {
	CookieName      string        // "dashboard_session"
	IdleTimeout     time.Duration // 30m without a request ends the session
	AbsoluteTimeout time.Duration // 12h after login the session ends regardless
	// SecureAlways marks the cookie Secure even on plain-HTTP requests; set
	// it when the public URL is https but TLS ends at a proxy.
	SecureAlways bool
}

func (c SessionConfig) withDefaults() SessionConfig {
	if c.CookieName == "" {
		c.CookieName = "dashboard_session"
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	return c
}

// lastSeenGranularity limits how often Current writes a session's
// last-seen time.
const lastSeenGranularity = time.Minute

// keySessionID is the one cookie value: the session's random id.
const keySessionID = "sid"

// Sign-in methods recorded with a session.
const (
	MethodPassword = "password"
	MethodOIDC     = "oidc"
)

// maxUserAgent bounds the user agent kept with a session, for display.
const maxUserAgent = 200

// SessionInfo is a valid login session as Current found it.
type SessionInfo struct {
	ID        int64 // the row id; never the cookie's secret id
	UserID    int64
	Method    string
	CreatedAt time.Time
	LastSeen  time.Time
}

// Session is one login session as listed for its user.
type Session struct {
	SessionInfo
	ClientAddr string
	UserAgent  string
}

// Sessions issues and checks login sessions. Each session is a row of
// login_sessions; the cookie (authenticated and encrypted by gorilla's
// securecookie) only carries a random id whose hash names the row, so
// revoking the row ends the session everywhere, copies of the cookie
// included.
type Sessions struct {
	db       *store.DB
	store    *sessions.CookieStore
	cfg      SessionConfig
	clock    clock.Clock
	recorder Recorder
}

// NewSessions returns Sessions over db using the cookie keys from
// LoadOrCreateKeys; rec writes the audit entries of sign-ins (nil: sign-ins
// that ask for an entry fail). clk is the clock for expiry (the wall clock
// when nil).
func NewSessions(db *store.DB, hashKey, blockKey []byte, cfg SessionConfig, rec Recorder, clk clock.Clock) *Sessions {
	cfg = cfg.withDefaults()
	if clk == nil {
		clk = clock.Real()
	}
	st := sessions.NewCookieStore(hashKey, blockKey)
	// securecookie checks its own embedded timestamp against the real
	// clock; it is only a backstop to the checks in Current.
	st.MaxAge(int(cfg.AbsoluteTimeout / time.Second))
	return &Sessions{db: db, store: st, cfg: cfg, clock: clk, recorder: rec}
}

func (s *Sessions) options(r *http.Request, maxAge int) *sessions.Options {
	return &sessions.Options{
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.cfg.SecureAlways || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	}
}

// tokenHash is how a cookie's session id is stored.
func tokenHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// Login starts a new session for u, signed in by method, from the
// request's client addr, and sets its cookie; any session cookie the
// request carried is replaced (nothing from it is kept, which prevents
// session fixation). When rec is not nil its audit entry is written in the
// same transaction as the session: if it cannot be written there is no
// session and the error wraps ErrNotAudited.
func (s *Sessions) Login(w http.ResponseWriter, r *http.Request, u *User, method, addr string, rec *audit.Record) error {
	if u == nil || u.Disabled {
		return ErrInvalidCredentials
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("auth: session id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	now := store.Millis(s.clock.Now())
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(r.Context(), `INSERT INTO login_sessions
			(token_hash, user_id, method, client_addr, user_agent, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tokenHash(id), u.ID, method, addr, ua, now, now); err != nil {
			return fmt.Errorf("auth: store session: %w", err)
		}
		return record(r.Context(), tx, s.recorder, rec)
	})
	if err != nil {
		return err
	}
	sess := sessions.NewSession(s.store, s.cfg.CookieName)
	sess.Values[keySessionID] = id
	sess.Options = s.options(r, int(s.cfg.AbsoluteTimeout/time.Second))
	return s.store.Save(r, w, sess)
}

// cookieID returns the session id the request's cookie carries.
func (s *Sessions) cookieID(r *http.Request) (string, bool) {
	if _, err := r.Cookie(s.cfg.CookieName); err != nil {
		return "", false
	}
	sess, err := s.store.New(r, s.cfg.CookieName)
	if err != nil || sess.IsNew {
		return "", false
	}
	id, ok := sess.Values[keySessionID].(string)
	return id, ok && id != ""
}

// Current returns the request's session if its cookie is intact and names a
// session that is not revoked and has not passed its idle or absolute
// timeout. Otherwise the cookie is cleared. It moves the session's
// last-seen time forward at most once a minute.
func (s *Sessions) Current(w http.ResponseWriter, r *http.Request) (SessionInfo, bool) {
	id, ok := s.cookieID(r)
	if !ok {
		if _, err := r.Cookie(s.cfg.CookieName); err == nil {
			s.clearCookie(w, r)
		}
		return SessionInfo{}, false
	}
	ctx := r.Context()
	var (
		info                   SessionInfo
		created, seen, revoked int64
	)
	err := s.db.Read.QueryRowContext(ctx, `SELECT id, user_id, method, created_at, last_seen_at, revoked_at
		FROM login_sessions WHERE token_hash = ?`, tokenHash(id)).Scan(&info.ID, &info.UserID, &info.Method, &created, &seen, &revoked)
	if err != nil || revoked != 0 {
		s.clearCookie(w, r)
		return SessionInfo{}, false
	}
	info.CreatedAt, info.LastSeen = store.TimeOf(created), store.TimeOf(seen)
	now := s.clock.Now()
	if !now.Before(info.CreatedAt.Add(s.cfg.AbsoluteTimeout)) || !now.Before(info.LastSeen.Add(s.cfg.IdleTimeout)) {
		s.clearCookie(w, r)
		return SessionInfo{}, false
	}
	if now.Sub(info.LastSeen) >= lastSeenGranularity {
		// A failed write leaves the old time, which is still valid.
		if _, err := s.db.Write.ExecContext(ctx, `UPDATE login_sessions SET last_seen_at = ? WHERE id = ? AND revoked_at = 0`,
			store.Millis(now), info.ID); err == nil {
			info.LastSeen = store.TimeOf(store.Millis(now))
		}
	}
	return info, true
}

// Logout ends the request's session, on the server first, then clears the
// cookie. The cookie is cleared even when the session could not be
// revoked; the error says so, because a copy of the cookie would still
// work.
func (s *Sessions) Logout(w http.ResponseWriter, r *http.Request) error {
	defer s.clearCookie(w, r)
	id, ok := s.cookieID(r)
	if !ok {
		return nil
	}
	_, err := s.db.Write.ExecContext(r.Context(), `UPDATE login_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at = 0`,
		store.Millis(s.clock.Now()), tokenHash(id))
	if err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

// EndAll ends every session of the user ("log out everywhere").
func (s *Sessions) EndAll(ctx context.Context, userID int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return revokeSessions(ctx, tx, userID, store.Millis(s.clock.Now())) })
}

// List returns the user's sessions that still work, newest first.
func (s *Sessions) List(ctx context.Context, userID int64) ([]Session, error) {
	now := s.clock.Now()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, user_id, method, created_at, last_seen_at, client_addr, user_agent
		FROM login_sessions WHERE user_id = ? AND revoked_at = 0 AND created_at > ? AND last_seen_at > ?
		ORDER BY created_at DESC, id DESC LIMIT 100`,
		userID, store.Millis(now.Add(-s.cfg.AbsoluteTimeout)), store.Millis(now.Add(-s.cfg.IdleTimeout)))
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var (
			ss            Session
			created, seen int64
		)
		if err := rows.Scan(&ss.ID, &ss.UserID, &ss.Method, &created, &seen, &ss.ClientAddr, &ss.UserAgent); err != nil {
			return nil, fmt.Errorf("auth: list sessions: %w", err)
		}
		ss.CreatedAt, ss.LastSeen = store.TimeOf(created), store.TimeOf(seen)
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	return out, nil
}

// Prune deletes sessions that ended (revoked or timed out) before cutoff,
// and returns how many.
func (s *Sessions) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	ms := store.Millis(cutoff)
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM login_sessions
		WHERE (revoked_at <> 0 AND revoked_at < ?) OR created_at < ? OR last_seen_at < ?`,
		ms, ms-s.cfg.AbsoluteTimeout.Milliseconds(), ms-s.cfg.IdleTimeout.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("auth: prune sessions: %w", err)
	}
	return res.RowsAffected()
}

func (s *Sessions) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, sessions.NewCookie(s.cfg.CookieName, "", s.options(r, -1)))
}

// revokeSessions ends every session of userID inside tx.
func revokeSessions(ctx context.Context, tx *sql.Tx, userID int64, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE login_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`, now, userID); err != nil {
		return fmt.Errorf("auth: end sessions: %w", err)
	}
	return nil
}

// Recorder writes audit entries inside a change's transaction (*audit.Log).
type Recorder interface {
	AppendTx(ctx context.Context, tx *sql.Tx, rec audit.Record) (audit.Entry, error)
}

// ErrNotAudited means a change was refused because its audit entry could
// not be written: nothing was changed.
var ErrNotAudited = errors.New("the audit log could not record this, so nothing was changed")

// record writes rec, when there is one, inside tx.
func record(ctx context.Context, tx *sql.Tx, r Recorder, rec *audit.Record) error {
	if rec == nil {
		return nil
	}
	if r == nil {
		return fmt.Errorf("%w (no audit log)", ErrNotAudited)
	}
	if _, err := r.AppendTx(ctx, tx, *rec); err != nil {
		return fmt.Errorf("%w: %v", ErrNotAudited, err)
	}
	return nil
}
