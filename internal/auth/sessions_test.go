package auth

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/clock"
)

// sessionFixture is a Sessions over a real database holding one user.
type sessionFixture struct {
	s     *Sessions
	users *Users
	clk   *clock.Manual
	user  *User
	log   *audit.Log
}

func newTestSessions(t *testing.T, cfg SessionConfig) sessionFixture {
	t.Helper()
	u, clk := newTestUsers(t)
	hk, bk, err := LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(u.db, clk)
	usr := mustCreate(t, u, "alice", RoleLead)
	return sessionFixture{s: NewSessions(u.db, hk, bk, cfg, log, clk), users: u, clk: clk, user: usr, log: log}
}

// sessionCookie returns the session cookie set on rec, or nil.
func sessionCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (f sessionFixture) login(t *testing.T, u *User) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := f.s.Login(rec, httptest.NewRequest("POST", "/login", nil), u, MethodPassword, "192.0.2.1", nil); err != nil {
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
func (f sessionFixture) current(c *http.Cookie) (SessionInfo, bool, *http.Cookie) {
	req := httptest.NewRequest("GET", "/", nil)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	info, ok := f.s.Current(rec, req)
	return info, ok, sessionCookie(rec, "dashboard_session")
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
			f := newTestSessions(t, SessionConfig{SecureAlways: tt.always})
			req := httptest.NewRequest("POST", "/login", nil)
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			if err := f.s.Login(rec, req, f.user, MethodPassword, "", nil); err != nil {
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
		})
	}
}

func TestSessionStoresOnlyTheIDsHash(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	c := f.login(t, f.user)
	id, ok := f.s.cookieID(func() *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		return r
	}())
	if !ok || len(id) < 40 {
		t.Fatalf("cookie id %q", id)
	}
	var n int
	if err := f.users.db.Read.QueryRow(`SELECT COUNT(*) FROM login_sessions WHERE token_hash = ? OR token_hash = ?`, id, tokenHash(id)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows %d %v", n, err)
	}
	if err := f.users.db.Read.QueryRow(`SELECT COUNT(*) FROM login_sessions WHERE token_hash = ?`, id).Scan(&n); err != nil || n != 0 {
		t.Errorf("the raw id is stored")
	}
}

func TestCurrent(t *testing.T) {
	type step struct {
		advance time.Duration
		wantOK  bool
	}
	tests := []struct {
		name  string
		cfg   SessionConfig
		steps []step
	}{
		{"fresh", SessionConfig{}, []step{{0, true}}},
		{"idle just under", SessionConfig{}, []step{{29 * time.Minute, true}}},
		{"idle exactly", SessionConfig{IdleTimeout: 10 * time.Minute}, []step{{10 * time.Minute, false}}},
		{"activity keeps it alive", SessionConfig{}, []step{{29 * time.Minute, true}, {29 * time.Minute, true}, {29 * time.Minute, true}}},
		{"absolute timeout despite activity", SessionConfig{AbsoluteTimeout: time.Hour},
			[]step{{20 * time.Minute, true}, {20 * time.Minute, true}, {19 * time.Minute, true}, {time.Minute, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTestSessions(t, tt.cfg)
			c := f.login(t, f.user)
			start := f.clk.Now()
			for i, st := range tt.steps {
				f.clk.Advance(st.advance)
				info, ok, set := f.current(c)
				if ok != st.wantOK {
					t.Fatalf("step %d: ok = %v, want %v", i, ok, st.wantOK)
				}
				if ok && (info.UserID != f.user.ID || !info.CreatedAt.Equal(start) || info.Method != MethodPassword) {
					t.Errorf("step %d: info %+v", i, info)
				}
				if !ok && (set == nil || set.MaxAge >= 0) {
					t.Errorf("step %d: ended session's cookie not cleared: %+v", i, set)
				}
			}
		})
	}
}

func TestLastSeenWrittenAtMostOncePerMinute(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	c := f.login(t, f.user)
	start := f.clk.Now()
	f.clk.Advance(59 * time.Second)
	if info, _, _ := f.current(c); !info.LastSeen.Equal(start) {
		t.Errorf("LastSeen moved within the first minute: %v", info.LastSeen)
	}
	f.clk.Advance(time.Second)
	if info, _, _ := f.current(c); !info.LastSeen.Equal(f.clk.Now()) {
		t.Errorf("LastSeen = %v, want %v", info.LastSeen, f.clk.Now())
	}
}

func TestTamperedCookieRejected(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	c := f.login(t, f.user)
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
	other := newTestSessions(t, SessionConfig{})
	foreign := other.login(t, other.user)
	tests := map[string]string{
		"flipped byte":   flip(c.Value),
		"truncated":      c.Value[:len(c.Value)-4],
		"garbage":        "not-a-session",
		"empty":          "",
		"other key pair": foreign.Value,
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			_, ok, set := f.current(&http.Cookie{Name: c.Name, Value: value})
			if ok {
				t.Fatal("tampered cookie accepted")
			}
			if set == nil || set.MaxAge >= 0 {
				t.Errorf("tampered cookie not cleared: %+v", set)
			}
		})
	}
}

func TestCurrentWithoutCookie(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	if _, ok, set := f.current(nil); ok || set != nil {
		t.Errorf("anonymous request: ok=%v cookie=%+v", ok, set)
	}
}

// TestEndedSessionsStayEnded: whatever ends a session ends it for every
// copy of its cookie.
func TestEndedSessionsStayEnded(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		end  func(f sessionFixture, c *http.Cookie) error
	}{
		{"Logout", func(f sessionFixture, c *http.Cookie) error {
			req := httptest.NewRequest("POST", "/logout", nil)
			req.AddCookie(c)
			return f.s.Logout(httptest.NewRecorder(), req)
		}},
		{"EndAll", func(f sessionFixture, _ *http.Cookie) error { return f.s.EndAll(ctx, f.user.ID) }},
		{"SetPassword", func(f sessionFixture, _ *http.Cookie) error {
			return f.users.SetPassword(ctx, "alice", "a brand new passphrase", nil)
		}},
		{"SetRole", func(f sessionFixture, _ *http.Cookie) error { return f.users.SetRole(ctx, "alice", RoleViewer, nil) }},
		{"Disable", func(f sessionFixture, _ *http.Cookie) error { return f.users.Disable(ctx, "alice", nil) }},
		{"Disable then Enable", func(f sessionFixture, _ *http.Cookie) error {
			if err := f.users.Disable(ctx, "alice", nil); err != nil {
				return err
			}
			return f.users.Enable(ctx, "alice", nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTestSessions(t, SessionConfig{})
			mustCreate(t, f.users, "root", RoleAdmin)
			c := f.login(t, f.user)
			copied := *c
			if err := tt.end(f, c); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := f.current(&copied); ok {
				t.Error("a copy of the cookie still works")
			}
			if list, err := f.s.List(ctx, f.user.ID); err != nil || len(list) != 0 {
				t.Errorf("List = %v, %v; want none", list, err)
			}
			// A new sign-in works again (unless disabled).
			if tt.name != "Disable" {
				fresh, _ := f.users.ByID(ctx, f.user.ID)
				if _, ok, _ := f.current(f.login(t, fresh)); !ok {
					t.Error("a fresh session does not work")
				}
			}
		})
	}
}

func TestListAndPrune(t *testing.T) {
	f := newTestSessions(t, SessionConfig{IdleTimeout: time.Hour})
	ctx := context.Background()
	a := f.login(t, f.user)
	f.clk.Advance(10 * time.Minute)
	b := f.login(t, f.user)
	list, err := f.s.List(ctx, f.user.ID)
	if err != nil || len(list) != 2 || !list[0].CreatedAt.After(list[1].CreatedAt) || list[0].ClientAddr != "192.0.2.1" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	req := httptest.NewRequest("POST", "/logout", nil)
	req.AddCookie(b)
	if err := f.s.Logout(httptest.NewRecorder(), req); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(30 * time.Minute)
	if n, err := f.s.Prune(ctx, f.clk.Now()); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want the ended one", n, err)
	}
	if _, ok, _ := f.current(a); !ok {
		t.Error("the live session was pruned")
	}
}

func TestLoginReplacesOldSession(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	bob := mustCreate(t, f.users, "bob", RoleViewer)
	old := f.login(t, f.user)
	req := httptest.NewRequest("POST", "/login", nil)
	req.AddCookie(old)
	rec := httptest.NewRecorder()
	if err := f.s.Login(rec, req, bob, MethodOIDC, "", nil); err != nil {
		t.Fatal(err)
	}
	c := sessionCookie(rec, "dashboard_session")
	if c == nil || c.Value == old.Value {
		t.Fatal("Login did not issue a new cookie")
	}
	info, ok, _ := f.current(c)
	if !ok || info.UserID != bob.ID || info.Method != MethodOIDC {
		t.Errorf("new session = %+v, %v; want bob's", info, ok)
	}
}

func TestLoginRejectsDisabledOrNil(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	for _, u := range []*User{nil, {ID: f.user.ID, Disabled: true}} {
		rec := httptest.NewRecorder()
		if err := f.s.Login(rec, httptest.NewRequest("POST", "/login", nil), u, MethodPassword, "", nil); err == nil {
			t.Errorf("Login(%+v) succeeded", u)
		}
		if len(rec.Result().Cookies()) != 0 {
			t.Error("cookie set for a refused login")
		}
	}
}

// failingRecorder refuses every audit entry.
type failingRecorder struct{}

func (failingRecorder) AppendTx(context.Context, *sql.Tx, audit.Record) (audit.Entry, error) {
	return audit.Entry{}, errors.New("disk full")
}

func TestLoginWithoutAuditEntryStartsNoSession(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	f.s.recorder = failingRecorder{}
	rec := httptest.NewRecorder()
	err := f.s.Login(rec, httptest.NewRequest("POST", "/login", nil), f.user, MethodPassword, "",
		&audit.Record{Actor: "alice", Action: audit.ActionLogin})
	if !errors.Is(err, ErrNotAudited) || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("Login = %v, cookies %v", err, rec.Result().Cookies())
	}
	if list, _ := f.s.List(context.Background(), f.user.ID); len(list) != 0 {
		t.Errorf("sessions %v", list)
	}
	// With a working log, the entry commits with the session.
	f.s.recorder = f.log
	if err := f.s.Login(httptest.NewRecorder(), httptest.NewRequest("POST", "/login", nil), f.user, MethodPassword, "",
		&audit.Record{Actor: "alice", Action: audit.ActionLogin, Target: "alice"}); err != nil {
		t.Fatal(err)
	}
	entries, _, err := f.log.Query(context.Background(), audit.Filter{Action: audit.ActionLogin})
	if err != nil || len(entries) != 1 {
		t.Errorf("entries %v %v", entries, err)
	}
}

func TestLoginBadKeys(t *testing.T) {
	f := newTestSessions(t, SessionConfig{})
	s := NewSessions(f.users.db, []byte("hash"), []byte("not an aes key size"), SessionConfig{}, nil, f.clk)
	if err := s.Login(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil), f.user, MethodPassword, "", nil); err == nil {
		t.Error("Login with an invalid AES key size succeeded")
	}
}

func TestLogoutClearsCookie(t *testing.T) {
	f := newTestSessions(t, SessionConfig{CookieName: "custom", SecureAlways: true})
	rec := httptest.NewRecorder()
	if err := f.s.Logout(rec, httptest.NewRequest("POST", "/logout", nil)); err != nil {
		t.Fatal(err)
	}
	c := sessionCookie(rec, "custom")
	if c == nil || c.MaxAge >= 0 || c.Value != "" || c.Path != "/" || !c.Secure || !c.HttpOnly {
		t.Errorf("logout cookie = %+v", c)
	}
	if strings.Contains(c.String(), "alice") {
		t.Error("cookie names the user")
	}
}
