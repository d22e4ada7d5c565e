package auth

import (
	"errors"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"github.com/gorilla/sessions"
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

// lastSeenGranularity limits how often Current rewrites the cookie just to
// move LastSeen forward.
const lastSeenGranularity = time.Minute

// Cookie value keys. Values are int64 (Unix seconds for times) because gob
// knows those without registration.
const (
	keyUserID   = "uid"
	keyEpoch    = "epoch"
	keyIssued   = "iat"
	keyLastSeen = "seen"
)

// SessionInfo is what a login session cookie carries.
type SessionInfo struct {
	UserID int64
	// Epoch is the user's SessionEpoch at login; see Users.ForSession.
	Epoch    int64
	IssuedAt time.Time
	LastSeen time.Time
}

// Sessions issues and checks login session cookies. The whole session lives
// in the cookie, authenticated and encrypted, so there is no server-side
// session table; revocation works through the user's session epoch.
type Sessions struct {
	store *sessions.CookieStore
	cfg   SessionConfig
	clock clock.Clock
}

// NewSessions returns Sessions using the keys from LoadOrCreateKeys. now is
// the clock for expiry (time.Now when nil). Bad key sizes surface as errors
// from Login.
func NewSessions(hashKey, blockKey []byte, cfg SessionConfig, clk clock.Clock) *Sessions {
	cfg = cfg.withDefaults()
	if clk == nil {
		clk = clock.Real()
	}
	st := sessions.NewCookieStore(hashKey, blockKey)
	// securecookie checks its own embedded timestamp against the real
	// clock; it is only a backstop to the checks in Current.
	st.MaxAge(int(cfg.AbsoluteTimeout / time.Second))
	return &Sessions{store: st, cfg: cfg, clock: clk}
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

// Login starts a new session for u, replacing any session cookie the request
// carried (nothing from it is kept, which prevents session fixation).
func (s *Sessions) Login(w http.ResponseWriter, r *http.Request, u *User) error {
	if u == nil || u.Disabled {
		return ErrInvalidCredentials
	}
	now := s.clock.Now().Unix()
	sess := sessions.NewSession(s.store, s.cfg.CookieName)
	sess.Values[keyUserID] = u.ID
	sess.Values[keyEpoch] = u.SessionEpoch
	sess.Values[keyIssued] = now
	sess.Values[keyLastSeen] = now
	sess.Options = s.options(r, int(s.cfg.AbsoluteTimeout/time.Second))
	return s.store.Save(r, w, sess)
}

// Current returns the request's session if it is intact and has not passed
// its idle or absolute timeout. An invalid or expired cookie is cleared. To
// keep the idle timer running it re-saves the cookie when LastSeen is a
// minute or more old, so call it before writing the response body.
func (s *Sessions) Current(w http.ResponseWriter, r *http.Request) (SessionInfo, bool) {
	if _, err := r.Cookie(s.cfg.CookieName); err != nil {
		return SessionInfo{}, false
	}
	sess, err := s.store.New(r, s.cfg.CookieName)
	if err != nil || sess.IsNew {
		s.Logout(w, r)
		return SessionInfo{}, false
	}
	info, err := parseSession(sess.Values)
	if err != nil {
		s.Logout(w, r)
		return SessionInfo{}, false
	}
	now := s.clock.Now()
	expires := info.IssuedAt.Add(s.cfg.AbsoluteTimeout)
	if !now.Before(expires) ||
		!now.Before(info.LastSeen.Add(s.cfg.IdleTimeout)) ||
		// A cookie from the future was not issued by this clock.
		info.IssuedAt.After(now.Add(lastSeenGranularity)) {
		s.Logout(w, r)
		return SessionInfo{}, false
	}
	if now.Sub(info.LastSeen) >= lastSeenGranularity {
		info.LastSeen = time.Unix(now.Unix(), 0).UTC()
		sess.Values[keyLastSeen] = now.Unix()
		// Count down to the absolute expiry rather than restarting it.
		remaining := int((expires.Sub(now) + time.Second - 1) / time.Second)
		sess.Options = s.options(r, max(remaining, 1))
		// A failed refresh leaves the old cookie, which is still valid.
		_ = s.store.Save(r, w, sess)
	}
	return info, true
}

// Logout clears the session cookie. Other copies of the cookie stay valid
// until they expire; use Users.BumpEpoch to end those too.
func (s *Sessions) Logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, sessions.NewCookie(s.cfg.CookieName, "", s.options(r, -1)))
}

var errBadSession = errors.New("auth: malformed session")

func parseSession(v map[any]any) (SessionInfo, error) {
	get := func(k string) (int64, bool) {
		n, ok := v[k].(int64)
		return n, ok
	}
	uid, ok1 := get(keyUserID)
	epoch, ok2 := get(keyEpoch)
	iat, ok3 := get(keyIssued)
	seen, ok4 := get(keyLastSeen)
	if !ok1 || !ok2 || !ok3 || !ok4 || uid <= 0 {
		return SessionInfo{}, errBadSession
	}
	return SessionInfo{
		UserID:   uid,
		Epoch:    epoch,
		IssuedAt: time.Unix(iat, 0).UTC(),
		LastSeen: time.Unix(seen, 0).UTC(),
	}, nil
}
