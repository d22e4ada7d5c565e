package simulator

import (
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	msgInvalidJWT     = "Invalid JWT token"
	msgInvalidSDKCred = "Invalid SDK credentials"
	// jtiDefaultLifetime bounds how long a jti without exp is remembered;
	// upstream caps jti tokens at one hour.
	jtiDefaultLifetime = time.Hour
)

// authenticate checks the `auth` JWT and the accountId header. It returns the
// upstream error message on failure.
// Header names are case-insensitive, so `accountid` works as well.
func (s *Simulator) authenticate(r *http.Request) (string, bool) {
	return s.verifyToken(r.Header.Get("auth"), r.Header.Get("accountId"))
}

func (s *Simulator) verifyToken(raw, account string) (string, bool) {
	if raw == "" {
		return msgInvalidJWT, false
	}
	creds := s.cat.creds
	now := s.now()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) {
		return []byte(creds.ClientSecret), nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return msgInvalidJWT, false
	}
	if appID, _ := claims["appId"].(string); appID != creds.ClientID {
		return msgInvalidSDKCred, false
	}
	if account != creds.AccountID {
		return msgInvalidSDKCred, false
	}
	if jti, ok := claims["jti"].(string); ok && jti != "" {
		expires := now.Add(jtiDefaultLifetime)
		if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
			expires = exp.Time
		}
		if !s.jtis.remember(jti, expires, now) {
			return msgInvalidJWT, false
		}
	}
	return "", true
}

// jtiCache remembers token ids until they expire, to refuse replays.
type jtiCache struct {
	mu      sync.Mutex
	seen    map[string]time.Time
	inserts int
}

func newJTICache() *jtiCache { return &jtiCache{seen: map[string]time.Time{}} }

// remember records jti and reports whether it was new (or had expired).
func (c *jtiCache) remember(jti string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until, ok := c.seen[jti]; ok && now.Before(until) {
		return false
	}
	c.seen[jti] = expires
	c.inserts++
	if c.inserts%1024 == 0 { // sweep now and then so the map stays small
		for k, until := range c.seen {
			if !now.Before(until) {
				delete(c.seen, k)
			}
		}
	}
	return true
}
