package auth

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

func newTestSessions(t *testing.T, cfg SessionConfig) (*Sessions, *clock.Manual) {
	t.Helper()
	hk, bk, err := LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clk := newFakeClock()
	return NewSessions(hk, bk, cfg, clk), clk
}

var testUser = &User{ID: 42, Username: "alice", Role: RoleLead, SessionEpoch: 3}

// sessionCookie returns the session cookie set on rec, or nil.
func sessionCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func login(t *testing.T, s *Sessions, u *User) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := s.Login(rec, httptest.NewRequest("POST", "/login", nil), u); err != nil {
		t.Fatalf("Login: %v", err)
	}
	c := sessionCookie(rec, "dashboard_session")
	if c == nil {
		t.Fatal("Login set no cookie")
	}
	return c
}

// current calls Current with cookie c and returns the result and the
// cookie it set, if any.
func current(s *Sessions, c *http.Cookie) (SessionInfo, bool, *http.Cookie) {
	req := httptest.NewRequest("GET", "/", nil)
	if c != nil {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	info, ok := s.Current(rec, req)
	return info, ok, sessionCookie(rec, c.Name)
}

func TestLoginCookieFlags(t *testing.T) {
	tests := []struct {
		name       string
		tls        bool
		always     bool
		wantSecure bool
	}{
		{"plain http", false, false, false},
		{"tls", true, false, true},
		{"secure always behind proxy", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestSessions(t, SessionConfig{SecureAlways: tt.always})
			req := httptest.NewRequest("POST", "/login", nil)
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			if err := s.Login(rec, req, testUser); err != nil {
				t.Fatal(err)
			}
			c := sessionCookie(rec, "dashboard_session")
			if c == nil {
				t.Fatal("no cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tt.wantSecure {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v", c.HttpOnly, c.SameSite, c.Path, c.Secure)
			}
			if c.MaxAge != 12*3600 {
				t.Errorf("MaxAge = %d, want %d", c.MaxAge, 12*3600)
			}
			if strings.Contains(c.Value, "alice") {
				t.Error("cookie value is not encrypted")
			}
		})
	}
}

func TestCurrentRoundTrip(t *testing.T) {
	s, clk := newTestSessions(t, SessionConfig{})
	c := login(t, s, testUser)
	info, ok, set := current(s, c)
	if !ok {
		t.Fatal("fresh session rejected")
	}
	if info.UserID != 42 || info.Epoch != 3 || !info.IssuedAt.Equal(clk.Now()) || !info.LastSeen.Equal(clk.Now()) {
		t.Errorf("info = %+v", info)
	}
	if set != nil {
		t.Error("cookie re-saved although LastSeen is fresh")
	}
}

func TestCurrentWithoutCookie(t *testing.T) {
	s, _ := newTestSessions(t, SessionConfig{})
	rec := httptest.NewRecorder()
	if _, ok := s.Current(rec, httptest.NewRequest("GET", "/", nil)); ok {
		t.Error("no cookie accepted")
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Error("cookie set for an anonymous request")
	}
}

func TestIdleTimeout(t *testing.T) {
	s, clk := newTestSessions(t, SessionConfig{})
	c := login(t, s, testUser)
	clk.Advance(29 * time.Minute)
	if _, ok, set := current(s, c); !ok || set == nil {
		t.Fatalf("session rejected or not refreshed after 29m: ok=%v", ok)
	} else {
		// The refreshed cookie restarts the idle timer...
		clk.Advance(29 * time.Minute)
		info, ok, _ := current(s, set)
		if !ok {
			t.Fatal("refreshed session rejected 58m after login")
		}
		if !info.IssuedAt.Equal(clk.Now().Add(-58 * time.Minute)) {
			t.Errorf("IssuedAt changed on refresh: %v", info.IssuedAt)
		}
	}
	// ...but the original cookie, idle for 58m, is dead and gets cleared.
	_, ok, set := current(s, c)
	if ok {
		t.Fatal("idle session accepted")
	}
	if set == nil || set.MaxAge >= 0 {
		t.Errorf("expired cookie not cleared: %+v", set)
	}
}

func TestIdleTimeoutExactBoundary(t *testing.T) {
	s, clk := newTestSessions(t, SessionConfig{IdleTimeout: 10 * time.Minute})
	c := login(t, s, testUser)
	clk.Advance(10 * time.Minute)
	if _, ok, _ := current(s, c); ok {
		t.Error("session accepted at exactly the idle timeout")
	}
}

func TestLastSeenRefreshedAtMostOncePerMinute(t *testing.T) {
	s, clk := newTestSessions(t, SessionConfig{})
	c := login(t, s, testUser)
	clk.Advance(59 * time.Second)
	if _, _, set := current(s, c); set != nil {
		t.Error("cookie re-saved within the first minute")
	}
	clk.Advance(time.Second)
	info, _, set := current(s, c)
	if set == nil {
		t.Fatal("cookie not re-saved after a minute")
	}
	if !info.LastSeen.Equal(clk.Now()) {
		t.Errorf("LastSeen = %v, want %v", info.LastSeen, clk.Now())
	}
	if want := 12*3600 - 60; set.MaxAge != want {
		t.Errorf("refreshed MaxAge = %d, want %d (absolute expiry kept)", set.MaxAge, want)
	}
	if !set.HttpOnly || set.SameSite != http.SameSiteLaxMode {
		t.Error("refreshed cookie lost its flags")
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	s, clk := newTestSessions(t, SessionConfig{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 2 * time.Hour})
	c := login(t, s, testUser)
	// Stay active every 20 minutes; the session must still end at 2h.
	for elapsed := 20 * time.Minute; elapsed < 2*time.Hour; elapsed += 20 * time.Minute {
		clk.Advance(20 * time.Minute)
		_, ok, set := current(s, c)
		if !ok {
			t.Fatalf("active session rejected after %v", elapsed)
		}
		c = set
	}
	clk.Advance(20 * time.Minute)
	if _, ok, set := current(s, c); ok || set == nil || set.MaxAge >= 0 {
		t.Errorf("session past the absolute timeout: ok=%v, clear cookie=%+v", ok, set)
	}
}

func TestTamperedCookieRejected(t *testing.T) {
	s, _ := newTestSessions(t, SessionConfig{})
	c := login(t, s, testUser)
	flip := func(v string) string {
		b := []byte(v)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	other, _ := newTestSessions(t, SessionConfig{})
	foreign := login(t, other, testUser)
	tests := map[string]string{
		"flipped byte":   flip(c.Value),
		"truncated":      c.Value[:len(c.Value)-4],
		"garbage":        "not-a-session",
		"empty":          "",
		"other key pair": foreign.Value,
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			_, ok, set := current(s, &http.Cookie{Name: c.Name, Value: value})
			if ok {
				t.Fatal("tampered cookie accepted")
			}
			if set == nil || set.MaxAge >= 0 {
				t.Errorf("tampered cookie not cleared: %+v", set)
			}
		})
	}
}

func TestLoginReplacesOldSession(t *testing.T) {
	s, _ := newTestSessions(t, SessionConfig{})
	old := login(t, s, testUser)
	req := httptest.NewRequest("POST", "/login", nil)
	req.AddCookie(old)
	rec := httptest.NewRecorder()
	bob := &User{ID: 7, Username: "bob", Role: RoleViewer, SessionEpoch: 1}
	if err := s.Login(rec, req, bob); err != nil {
		t.Fatal(err)
	}
	c := sessionCookie(rec, "dashboard_session")
	if c == nil || c.Value == old.Value {
		t.Fatal("Login did not issue a new cookie")
	}
	info, ok, _ := current(s, c)
	if !ok || info.UserID != 7 || info.Epoch != 1 {
		t.Errorf("new session = %+v, %v; want bob's", info, ok)
	}
}

func TestLoginRejectsDisabledOrNil(t *testing.T) {
	s, _ := newTestSessions(t, SessionConfig{})
	for _, u := range []*User{nil, {ID: 1, Disabled: true}} {
		rec := httptest.NewRecorder()
		if err := s.Login(rec, httptest.NewRequest("POST", "/login", nil), u); err == nil {
			t.Errorf("Login(%+v) succeeded", u)
		}
		if len(rec.Result().Cookies()) != 0 {
			t.Error("cookie set for a refused login")
		}
	}
}

func TestLoginBadKeys(t *testing.T) {
	s := NewSessions([]byte("hash"), []byte("not an aes key size"), SessionConfig{}, nil)
	if err := s.Login(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil), testUser); err == nil {
		t.Error("Login with an invalid AES key size succeeded")
	}
}

func TestLogout(t *testing.T) {
	s, _ := newTestSessions(t, SessionConfig{CookieName: "custom", SecureAlways: true})
	rec := httptest.NewRecorder()
	s.Logout(rec, httptest.NewRequest("POST", "/logout", nil))
	c := sessionCookie(rec, "custom")
	if c == nil || c.MaxAge >= 0 || c.Value != "" || c.Path != "/" || !c.Secure || !c.HttpOnly {
		t.Errorf("logout cookie = %+v", c)
	}
}
