package auth

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

const goodPassword = "correct horse battery"

// newFakeClock is the auth tests' pinned clock.
func newFakeClock() *clock.Manual {
	return clock.NewManual(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC))
}

func newTestUsers(t *testing.T) (*Users, *clock.Manual) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := newFakeClock()
	return NewUsers(db, WithHashCost(bcrypt.MinCost), WithClock(clk)), clk
}

func mustCreate(t *testing.T, u *Users, name string, role Role) *User {
	t.Helper()
	usr, err := u.Create(context.Background(), name, goodPassword, role)
	if err != nil {
		t.Fatalf("Create(%q): %v", name, err)
	}
	return usr
}

func TestCreateValidation(t *testing.T) {
	tests := []struct {
		name     string
		username string
		password string
		role     Role
		wantErr  error
	}{
		{"ok", "alice", goodPassword, RoleViewer, nil},
		{"all allowed characters", "A.b_c-d@e9", goodPassword, RoleLead, nil},
		{"3 chars", "abc", goodPassword, RoleViewer, nil},
		{"64 chars", strings.Repeat("a", 64), goodPassword, RoleViewer, nil},
		{"2 chars", "ab", goodPassword, RoleViewer, ErrInvalidUsername},
		{"65 chars", strings.Repeat("a", 65), goodPassword, RoleViewer, ErrInvalidUsername},
		{"space", "al ice", goodPassword, RoleViewer, ErrInvalidUsername},
		{"slash", "al/ice", goodPassword, RoleViewer, ErrInvalidUsername},
		{"non-ascii", "jürgen", goodPassword, RoleViewer, ErrInvalidUsername},
		{"empty", "", goodPassword, RoleViewer, ErrInvalidUsername},
		{"password 11 chars", "bob", "abcdefghijk", RoleViewer, ErrWeakPassword},
		{"password 12 chars", "bob12", "abcdefghijkl", RoleViewer, nil},
		// 12 characters but 24 bytes: length is counted in characters.
		{"password 12 multibyte chars", "bob13", strings.Repeat("é", 12), RoleViewer, nil},
		{"password 72 bytes", "bob72", strings.Repeat("x", 72), RoleViewer, nil},
		{"password 73 bytes", "bob73", strings.Repeat("x", 73), RoleViewer, ErrWeakPassword},
		{"invalid role", "carol", goodPassword, Role(0), ErrInvalidRole},
	}
	u, _ := newTestUsers(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usr, err := u.Create(ctx, tt.username, tt.password, tt.role)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Create error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if _, err := u.ByUsername(ctx, tt.username); !errors.Is(err, ErrUserNotFound) {
					t.Errorf("rejected user was stored (ByUsername err = %v)", err)
				}
				return
			}
			if usr.Username != tt.username || usr.Role != tt.role || usr.Disabled || usr.SessionEpoch != 1 {
				t.Errorf("Create returned %+v", usr)
			}
			if _, err := u.Authenticate(ctx, tt.username, tt.password); err != nil {
				t.Errorf("Authenticate after Create: %v", err)
			}
		})
	}
}

func TestCreateDuplicate(t *testing.T) {
	u, _ := newTestUsers(t)
	mustCreate(t, u, "Alice", RoleViewer)
	if _, err := u.Create(context.Background(), "aLiCe", goodPassword, RoleAdmin); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate Create error = %v, want ErrUserExists", err)
	}
}

func TestCreateRecordsClock(t *testing.T) {
	u, clk := newTestUsers(t)
	usr := mustCreate(t, u, "alice", RoleViewer)
	if !usr.CreatedAt.Equal(clk.Now()) || !usr.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("timestamps = %v / %v, want %v", usr.CreatedAt, usr.UpdatedAt, clk.Now())
	}
	clk.Advance(time.Hour)
	if err := u.SetRole(context.Background(), "alice", RoleLead); err != nil {
		t.Fatal(err)
	}
	got, err := u.ByID(context.Background(), usr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(clk.Now()) || !got.CreatedAt.Equal(usr.CreatedAt) {
		t.Errorf("after update: created %v updated %v", got.CreatedAt, got.UpdatedAt)
	}
}

func TestAuthenticate(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	alice := mustCreate(t, u, "alice", RoleLead)
	mustCreate(t, u, "mallory", RoleViewer)
	if err := u.Disable(ctx, "mallory"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, username, password string
		wantID                   int64
		wantErr                  error
	}{
		{"right", "alice", goodPassword, alice.ID, nil},
		{"username case-insensitive", "ALICE", goodPassword, alice.ID, nil},
		{"wrong password", "alice", goodPassword + "x", 0, ErrInvalidCredentials},
		{"password case matters", "alice", strings.ToUpper(goodPassword), 0, ErrInvalidCredentials},
		{"empty password", "alice", "", 0, ErrInvalidCredentials},
		{"overlong password", "alice", goodPassword + strings.Repeat("x", 80), 0, ErrInvalidCredentials},
		{"unknown user", "bob", goodPassword, 0, ErrInvalidCredentials},
		{"disabled user, right password", "mallory", goodPassword, 0, ErrInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usr, err := u.Authenticate(ctx, tt.username, tt.password)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && usr.ID != tt.wantID {
				t.Errorf("user id = %d, want %d", usr.ID, tt.wantID)
			}
			if tt.wantErr != nil && usr != nil {
				t.Errorf("user returned with error: %+v", usr)
			}
		})
	}
}

func TestDummyHashMatchesCost(t *testing.T) {
	// Timing only hides unknown users if the dummy comparison costs the
	// same as a real one.
	u, _ := newTestUsers(t)
	cost, err := bcrypt.Cost(u.dummy())
	if err != nil || cost != bcrypt.MinCost {
		t.Errorf("dummy hash cost = %d (%v), want %d", cost, err, bcrypt.MinCost)
	}
	def := NewUsers(nil)
	if def.cost != bcrypt.DefaultCost {
		t.Errorf("default cost = %d", def.cost)
	}
	if bad := NewUsers(nil, WithHashCost(99)); bad.cost != bcrypt.DefaultCost {
		t.Errorf("out-of-range cost kept: %d", bad.cost)
	}
}

func TestLookups(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	if n, err := u.Count(ctx); err != nil || n != 0 {
		t.Fatalf("Count on empty = %d, %v", n, err)
	}
	if users, err := u.List(ctx); err != nil || len(users) != 0 {
		t.Fatalf("List on empty = %v, %v", users, err)
	}
	for _, n := range []string{"carol", "Alice", "bob"} {
		mustCreate(t, u, n, RoleViewer)
	}
	users, err := u.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, usr := range users {
		names = append(names, usr.Username)
	}
	if got := strings.Join(names, ","); got != "Alice,bob,carol" {
		t.Errorf("List order = %s, want Alice,bob,carol", got)
	}
	if n, err := u.Count(ctx); err != nil || n != 3 {
		t.Errorf("Count = %d, %v", n, err)
	}
	bob, err := u.ByUsername(ctx, "BOB")
	if err != nil || bob.Username != "bob" {
		t.Fatalf("ByUsername(BOB) = %+v, %v", bob, err)
	}
	if got, err := u.ByID(ctx, bob.ID); err != nil || got.Username != "bob" {
		t.Errorf("ByID = %+v, %v", got, err)
	}
	if _, err := u.ByID(ctx, 999); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("ByID(999) err = %v", err)
	}
	if _, err := u.ByUsername(ctx, "nobody"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("ByUsername(nobody) err = %v", err)
	}
}

func TestSetPassword(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	mustCreate(t, u, "alice", RoleViewer)
	const newPW = "an even better passphrase"
	if err := u.SetPassword(ctx, "alice", "short"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("weak SetPassword err = %v", err)
	}
	if err := u.SetPassword(ctx, "nobody", newPW); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetPassword(nobody) err = %v", err)
	}
	if err := u.SetPassword(ctx, "alice", newPW); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Authenticate(ctx, "alice", goodPassword); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("old password still works: %v", err)
	}
	if _, err := u.Authenticate(ctx, "alice", newPW); err != nil {
		t.Errorf("new password rejected: %v", err)
	}
}

func TestEpochChangesRevokeSessions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(u *Users, usr *User) error
	}{
		{"SetPassword", func(u *Users, usr *User) error {
			return u.SetPassword(ctx, usr.Username, "a brand new password")
		}},
		{"SetRole", func(u *Users, usr *User) error { return u.SetRole(ctx, usr.Username, RoleViewer) }},
		{"Disable", func(u *Users, usr *User) error { return u.Disable(ctx, usr.Username) }},
		{"Disable then Enable", func(u *Users, usr *User) error {
			if err := u.Disable(ctx, usr.Username); err != nil {
				return err
			}
			return u.Enable(ctx, usr.Username)
		}},
		{"BumpEpoch", func(u *Users, usr *User) error { return u.BumpEpoch(ctx, usr.ID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := newTestUsers(t)
			mustCreate(t, u, "admin2", RoleAdmin) // keeps the last-admin guard out of the way
			usr := mustCreate(t, u, "alice", RoleLead)
			info := SessionInfo{UserID: usr.ID, Epoch: usr.SessionEpoch}
			if got, err := u.ForSession(ctx, info); err != nil || got.ID != usr.ID {
				t.Fatalf("ForSession before change = %+v, %v", got, err)
			}
			if err := tt.change(u, usr); err != nil {
				t.Fatal(err)
			}
			if _, err := u.ForSession(ctx, info); !errors.Is(err, ErrSessionRevoked) {
				t.Errorf("old session after %s: err = %v, want ErrSessionRevoked", tt.name, err)
			}
		})
	}
}

func TestForSession(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	usr := mustCreate(t, u, "alice", RoleLead)
	if _, err := u.ForSession(ctx, SessionInfo{UserID: 999, Epoch: 1}); !errors.Is(err, ErrSessionRevoked) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := u.ForSession(ctx, SessionInfo{UserID: usr.ID, Epoch: 0}); !errors.Is(err, ErrSessionRevoked) {
		t.Errorf("wrong epoch: %v", err)
	}
	// A fresh login after the bump carries the new epoch and works.
	if err := u.BumpEpoch(ctx, usr.ID); err != nil {
		t.Fatal(err)
	}
	fresh, err := u.Authenticate(ctx, "alice", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.SessionEpoch != usr.SessionEpoch+1 {
		t.Errorf("epoch = %d, want %d", fresh.SessionEpoch, usr.SessionEpoch+1)
	}
	if _, err := u.ForSession(ctx, SessionInfo{UserID: usr.ID, Epoch: fresh.SessionEpoch}); err != nil {
		t.Errorf("fresh session rejected: %v", err)
	}
	if err := u.BumpEpoch(ctx, 999); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("BumpEpoch(999) = %v", err)
	}
}

func TestDisableEnable(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	mustCreate(t, u, "alice", RoleViewer)
	if err := u.Disable(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if got, _ := u.ByUsername(ctx, "alice"); !got.Disabled {
		t.Error("not disabled")
	}
	if err := u.Enable(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Authenticate(ctx, "alice", goodPassword); err != nil {
		t.Errorf("Authenticate after Enable: %v", err)
	}
	for name, fn := range map[string]func(context.Context, string) error{"Disable": u.Disable, "Enable": u.Enable} {
		if err := fn(ctx, "nobody"); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("%s(nobody) = %v", name, err)
		}
	}
	if err := u.SetRole(ctx, "nobody", RoleLead); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetRole(nobody) = %v", err)
	}
	if err := u.SetRole(ctx, "alice", Role(7)); !errors.Is(err, ErrInvalidRole) {
		t.Errorf("SetRole(invalid) = %v", err)
	}
}

func TestLastAdminGuard(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	mustCreate(t, u, "root", RoleAdmin)
	mustCreate(t, u, "alice", RoleLead)
	if err := u.Disable(ctx, "ROOT"); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("Disable last admin = %v, want ErrLastAdmin", err)
	}
	if err := u.SetRole(ctx, "root", RoleLead); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demote last admin = %v, want ErrLastAdmin", err)
	}
	if got, _ := u.ByUsername(ctx, "root"); got.Role != RoleAdmin || got.Disabled || got.SessionEpoch != 1 {
		t.Errorf("guarded change leaked: %+v", got)
	}
	// Non-admins are unaffected, and with a second admin the first may go.
	if err := u.Disable(ctx, "alice"); err != nil {
		t.Errorf("Disable non-admin: %v", err)
	}
	if err := u.SetRole(ctx, "alice", RoleAdmin); err != nil {
		t.Fatal(err)
	}
	// alice is an admin but disabled, so she does not count.
	if err := u.Disable(ctx, "root"); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("disabled admin counted as remaining: %v", err)
	}
	if err := u.Enable(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := u.SetRole(ctx, "root", RoleViewer); err != nil {
		t.Errorf("demote with another admin: %v", err)
	}
}

func TestSetTimeZone(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	usr := mustCreate(t, u, "alice", RoleViewer)
	tests := []struct {
		tz      string
		wantErr error
	}{
		{"Europe/Berlin", nil},
		{"UTC", nil},
		{"", nil},
		{"Mars/Olympus_Mons", ErrInvalidTimeZone},
		{"Local", ErrInvalidTimeZone},
		{"../../etc/passwd", ErrInvalidTimeZone},
	}
	for _, tt := range tests {
		err := u.SetTimeZone(ctx, usr.ID, tt.tz)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("SetTimeZone(%q) = %v, want %v", tt.tz, err, tt.wantErr)
			continue
		}
		if tt.wantErr == nil {
			got, _ := u.ByID(ctx, usr.ID)
			if got.TimeZone != tt.tz {
				t.Errorf("stored tz = %q, want %q", got.TimeZone, tt.tz)
			}
		}
	}
	if err := u.SetTimeZone(ctx, 999, "UTC"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetTimeZone(999) = %v", err)
	}
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{20,}$`)

	t.Run("given password", func(t *testing.T) {
		u, _ := newTestUsers(t)
		created, gen, err := u.EnsureAdmin(ctx, goodPassword)
		if err != nil || !created || gen != "" {
			t.Fatalf("EnsureAdmin = %v, %q, %v; want true, \"\", nil", created, gen, err)
		}
		usr, err := u.Authenticate(ctx, AdminUsername, goodPassword)
		if err != nil || usr.Role != RoleAdmin {
			t.Fatalf("admin login = %+v, %v", usr, err)
		}
		created, gen, err = u.EnsureAdmin(ctx, "")
		if err != nil || created || gen != "" {
			t.Errorf("second EnsureAdmin = %v, %q, %v; want no-op", created, gen, err)
		}
		if n, _ := u.Count(ctx); n != 1 {
			t.Errorf("users = %d after second call, want 1", n)
		}
	})

	t.Run("generated password", func(t *testing.T) {
		u, _ := newTestUsers(t)
		created, gen, err := u.EnsureAdmin(ctx, "")
		if err != nil || !created {
			t.Fatalf("EnsureAdmin = %v, %v", created, err)
		}
		if !urlSafe.MatchString(gen) {
			t.Errorf("generated password %q is not ≥20 URL-safe characters", gen)
		}
		if _, err := u.Authenticate(ctx, AdminUsername, gen); err != nil {
			t.Errorf("generated password does not log in: %v", err)
		}
		u2, _ := newTestUsers(t)
		_, gen2, _ := u2.EnsureAdmin(ctx, "")
		if gen2 == gen {
			t.Error("two generated passwords are equal")
		}
	})

	t.Run("weak password", func(t *testing.T) {
		u, _ := newTestUsers(t)
		if _, _, err := u.EnsureAdmin(ctx, "short"); !errors.Is(err, ErrWeakPassword) {
			t.Errorf("err = %v, want ErrWeakPassword", err)
		}
		if n, _ := u.Count(ctx); n != 0 {
			t.Errorf("users = %d, want 0", n)
		}
	})

	t.Run("existing non-admin users", func(t *testing.T) {
		u, _ := newTestUsers(t)
		mustCreate(t, u, "alice", RoleViewer)
		created, _, err := u.EnsureAdmin(ctx, goodPassword)
		if err != nil || created {
			t.Errorf("EnsureAdmin = %v, %v; want no-op", created, err)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		u, _ := newTestUsers(t)
		var wg sync.WaitGroup
		results := make(chan bool, 4)
		for range 4 {
			wg.Go(func() {
				created, _, err := u.EnsureAdmin(ctx, "")
				if err != nil {
					t.Error(err)
				}
				results <- created
			})
		}
		wg.Wait()
		close(results)
		n := 0
		for c := range results {
			if c {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d calls reported creating the admin, want 1", n)
		}
	})
}
