package simulator

import (
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

// apiApp is an API app (client id and secret) whose tokens the simulator
// accepts: the main app, and optionally a second one for the bot family.
type apiApp struct {
	clientID, secret string
	bot              bool // the second app, which holds the bot family's scopes
}

// apps lists the configured API apps, the main one first.
func (s *Simulator) apps() []apiApp {
	c := s.cat.creds
	out := []apiApp{{clientID: c.ClientID, secret: c.ClientSecret}}
	if c.BotClientID != "" {
		out = append(out, apiApp{clientID: c.BotClientID, secret: c.BotClientSecret, bot: true})
	}
	return out
}

// verifyToken checks the `auth` JWT: HS256, signed with the secret of the
// app its appId names (the main app's secret when it names none), exp and
// nbf as of the clock, and a jti not seen before. It returns the app, or the
// upstream error message.
func (s *Simulator) verifyToken(raw string) (apiApp, string, bool) {
	if raw == "" {
		return apiApp{}, msgInvalidJWT, false
	}
	apps := s.apps()
	app := apps[0]
	now := s.now()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if id, _ := claims["appId"].(string); id != "" {
			for _, a := range apps {
				if a.clientID == id {
					app = a
				}
			}
		}
		return []byte(app.secret), nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return apiApp{}, msgInvalidJWT, false
	}
	if appID, _ := claims["appId"].(string); appID != app.clientID {
		return apiApp{}, msgInvalidSDKCred, false
	}
	if jti, ok := claims["jti"].(string); ok && jti != "" {
		expires := now.Add(jtiDefaultLifetime)
		if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
			expires = exp.Time
		}
		if !s.jtis.remember(jti, expires, now) {
			return apiApp{}, msgInvalidJWT, false
		}
	}
	return app, "", true
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
