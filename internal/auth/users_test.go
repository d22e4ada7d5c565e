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

	"github.com/teamlead/dashboard/internal/audit"
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
	usr, err := u.Create(context.Background(), name, goodPassword, role, nil)
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
		{"password 12 multibyte chars", "bob13", "éàüöçñåøæßèì", RoleViewer, nil},
		{"password 72 bytes", "bob72", strings.Repeat("x", 71) + "y", RoleViewer, nil},
		{"password 73 bytes", "bob73", strings.Repeat("x", 72) + "y", RoleViewer, ErrWeakPassword},
		{"one character repeated", "bob14", strings.Repeat("x", 20), RoleViewer, ErrCommonPassword},
		{"one multibyte character repeated", "bob15", strings.Repeat("é", 12), RoleViewer, ErrCommonPassword},
		{"only whitespace", "bob16", " \t  \t      \t  ", RoleViewer, ErrCommonPassword},
		{"a pattern repeated", "bob17", "abcabcabcabc", RoleViewer, ErrCommonPassword},
		{"a common word doubled", "bob18", "passwordpassword", RoleViewer, ErrCommonPassword},
		{"common list entry, any case", "bob19", "WinnieThePooh", RoleViewer, ErrCommonPassword},
		{"list entry followed by letters", "bob24", "Sample123ABC", RoleViewer, nil},
		{"common word and digits", "bob20", "iloveyou2024!", RoleViewer, ErrCommonPassword},
		{"common word and symbols", "bob21", "Password!!!!", RoleViewer, ErrCommonPassword},
		{"common digits run", "bob22", "123456789012", RoleViewer, ErrCommonPassword},
		{"common word inside a phrase", "bob23", "password is not enough", RoleViewer, nil},
		{"invalid role", "carol", goodPassword, Role(0), ErrInvalidRole},
	}
	u, _ := newTestUsers(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usr, err := u.Create(ctx, tt.username, tt.password, tt.role, nil)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Create error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if _, err := u.ByUsername(ctx, tt.username); !errors.Is(err, ErrUserNotFound) {
					t.Errorf("rejected user was stored (ByUsername err = %v)", err)
				}
				return
			}
			if usr.Username != tt.username || usr.Role != tt.role || usr.Disabled {
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
	if _, err := u.Create(context.Background(), "aLiCe", goodPassword, RoleAdmin, nil); !errors.Is(err, ErrUserExists) {
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
	if err := u.SetRole(context.Background(), "alice", RoleLead, nil); err != nil {
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
	if err := u.Disable(ctx, "mallory", nil); err != nil {
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
	if err := u.SetPassword(ctx, "alice", "short", nil); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("weak SetPassword err = %v", err)
	}
	if err := u.SetPassword(ctx, "nobody", newPW, nil); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetPassword(nobody) err = %v", err)
	}
	if err := u.SetPassword(ctx, "alice", newPW, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Authenticate(ctx, "alice", goodPassword); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("old password still works: %v", err)
	}
	if _, err := u.Authenticate(ctx, "alice", newPW); err != nil {
		t.Errorf("new password rejected: %v", err)
	}
}

func TestForSession(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	mustCreate(t, u, "root", RoleAdmin)
	usr := mustCreate(t, u, "alice", RoleLead)
	if got, err := u.ForSession(ctx, SessionInfo{UserID: usr.ID}); err != nil || got.ID != usr.ID {
		t.Errorf("enabled user: %+v %v", got, err)
	}
	if _, err := u.ForSession(ctx, SessionInfo{UserID: 999}); !errors.Is(err, ErrSessionRevoked) {
		t.Errorf("unknown user: %v", err)
	}
	if err := u.Disable(ctx, "alice", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := u.ForSession(ctx, SessionInfo{UserID: usr.ID}); !errors.Is(err, ErrSessionRevoked) {
		t.Errorf("disabled user: %v", err)
	}
}

// TestChangesCommitWithTheirAuditEntry: a change whose audit entry cannot
// be written does not happen; with a working log, both are stored.
func TestChangesCommitWithTheirAuditEntry(t *testing.T) {
	ctx := context.Background()
	rec := &audit.Record{Actor: "root", Action: audit.ActionUserUpdate, Target: "alice"}
	tests := []struct {
		name    string
		change  func(u *Users) error
		changed func(u *User) bool
	}{
		{"Create", func(u *Users) error {
			_, err := u.Create(ctx, "carol", goodPassword, RoleViewer, rec)
			return err
		}, nil},
		{"SetRole", func(u *Users) error { return u.SetRole(ctx, "alice", RoleAdmin, rec) }, func(u *User) bool { return u.Role == RoleAdmin }},
		{"Disable", func(u *Users) error { return u.Disable(ctx, "alice", rec) }, func(u *User) bool { return u.Disabled }},
		{"SetTimeZone", func(u *Users) error {
			a, _ := u.ByUsername(ctx, "alice")
			return u.SetTimeZone(ctx, a.ID, "Asia/Tokyo", rec)
		}, func(u *User) bool { return u.TimeZone == "Asia/Tokyo" }},
		{"SetPassword", func(u *Users) error { return u.SetPassword(ctx, "alice", "a brand new passphrase", rec) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, works := range []bool{false, true} {
				u, clk := newTestUsers(t)
				mustCreate(t, u, "root", RoleAdmin)
				mustCreate(t, u, "alice", RoleLead)
				log := audit.New(u.db, clk)
				u.recorder = failingRecorder{}
				if works {
					u.recorder = log
				}
				err := tt.change(u)
				if works != (err == nil) || (!works && !errors.Is(err, ErrNotAudited)) {
					t.Fatalf("works=%v: err = %v", works, err)
				}
				entries, _, _ := log.Query(ctx, audit.Filter{})
				if (len(entries) == 1) != works {
					t.Errorf("works=%v: %d audit entries", works, len(entries))
				}
				alice, _ := u.ByUsername(ctx, "alice")
				_, carolErr := u.ByUsername(ctx, "carol")
				_, pwErr := u.Authenticate(ctx, "alice", "a brand new passphrase")
				changed := map[string]bool{
					"Create":      carolErr == nil,
					"SetPassword": pwErr == nil,
				}[tt.name]
				if tt.changed != nil {
					changed = tt.changed(alice)
				}
				if changed != works {
					t.Errorf("works=%v: changed = %v", works, changed)
				}
			}
		})
	}
}

func TestDisableEnable(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	mustCreate(t, u, "alice", RoleViewer)
	if err := u.Disable(ctx, "alice", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := u.ByUsername(ctx, "alice"); !got.Disabled {
		t.Error("not disabled")
	}
	if err := u.Enable(ctx, "alice", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Authenticate(ctx, "alice", goodPassword); err != nil {
		t.Errorf("Authenticate after Enable: %v", err)
	}
	for name, fn := range map[string]func(context.Context, string, *audit.Record) error{"Disable": u.Disable, "Enable": u.Enable} {
		if err := fn(ctx, "nobody", nil); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("%s(nobody) = %v", name, err)
		}
	}
	if err := u.SetRole(ctx, "nobody", RoleLead, nil); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetRole(nobody) = %v", err)
	}
	if err := u.SetRole(ctx, "alice", Role(7), nil); !errors.Is(err, ErrInvalidRole) {
		t.Errorf("SetRole(invalid) = %v", err)
	}
}

func TestLastAdminGuard(t *testing.T) {
	u, _ := newTestUsers(t)
	ctx := context.Background()
	mustCreate(t, u, "root", RoleAdmin)
	mustCreate(t, u, "alice", RoleLead)
	if err := u.Disable(ctx, "ROOT", nil); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("Disable last admin = %v, want ErrLastAdmin", err)
	}
	if err := u.SetRole(ctx, "root", RoleLead, nil); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demote last admin = %v, want ErrLastAdmin", err)
	}
	if got, _ := u.ByUsername(ctx, "root"); got.Role != RoleAdmin || got.Disabled {
		t.Errorf("guarded change leaked: %+v", got)
	}
	// Non-admins are unaffected, and with a second admin the first may go.
	if err := u.Disable(ctx, "alice", nil); err != nil {
		t.Errorf("Disable non-admin: %v", err)
	}
	if err := u.SetRole(ctx, "alice", RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	// alice is an admin but disabled, so she does not count.
	if err := u.Disable(ctx, "root", nil); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("disabled admin counted as remaining: %v", err)
	}
	if err := u.Enable(ctx, "alice", nil); err != nil {
		t.Fatal(err)
	}
	if err := u.SetRole(ctx, "root", RoleViewer, nil); err != nil {
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
		err := u.SetTimeZone(ctx, usr.ID, tt.tz, nil)
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
	if err := u.SetTimeZone(ctx, 999, "UTC", nil); !errors.Is(err, ErrUserNotFound) {
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
