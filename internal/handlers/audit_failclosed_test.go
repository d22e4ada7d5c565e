package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
)

// TestAccountChangesFailClosedWithoutAudit: when the audit log cannot
// record a sign-in or an account change, it is refused with a readable 503
// and nothing changes.
func TestAccountChangesFailClosedWithoutAudit(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		as   string // signed in before the audit log breaks; "" for none
		path string
		form url.Values
		// unchanged checks that the action did not happen.
		unchanged func(t *testing.T, h *apptest.Harness)
	}{
		{"sign-in", "", "/login", url.Values{"username": {"lead"}, "password": {apptest.Password}}, func(t *testing.T, h *apptest.Harness) {
			if list, _ := h.App.Sessions.List(ctx, h.UserID("lead")); len(list) != 0 {
				t.Errorf("a session was started: %v", list)
			}
		}},
		{"failed sign-in", "", "/login", url.Values{"username": {"lead"}, "password": {"not the right one"}}, nil},
		{"user creation", "admin", "/admin/users", url.Values{"username": {"carol"}, "role": {"lead"}, "password": {"a fine long passphrase"}}, func(t *testing.T, h *apptest.Harness) {
			if _, err := h.App.Users.ByUsername(ctx, "carol"); !errors.Is(err, auth.ErrUserNotFound) {
				t.Errorf("carol was created: %v", err)
			}
		}},
		{"role change", "admin", "/admin/users/viewer/role", url.Values{"role": {"admin"}}, func(t *testing.T, h *apptest.Harness) {
			if u, _ := h.App.Users.ByUsername(ctx, "viewer"); u.Role != auth.RoleViewer {
				t.Errorf("role changed to %v", u.Role)
			}
		}},
		{"password reset", "admin", "/admin/users/viewer/password", url.Values{"password": {"a fine long passphrase"}}, func(t *testing.T, h *apptest.Harness) {
			if _, err := h.App.Users.Authenticate(ctx, "viewer", apptest.Password); err != nil {
				t.Errorf("password changed: %v", err)
			}
		}},
		{"disable", "admin", "/admin/users/viewer/disable", nil, func(t *testing.T, h *apptest.Harness) {
			if u, _ := h.App.Users.ByUsername(ctx, "viewer"); u.Disabled {
				t.Error("viewer was disabled")
			}
		}},
		{"own password", "lead", "/account/password", url.Values{"current": {apptest.Password}, "password": {"a fine long passphrase"}, "confirm": {"a fine long passphrase"}}, func(t *testing.T, h *apptest.Harness) {
			if _, err := h.App.Users.Authenticate(ctx, "lead", apptest.Password); err != nil {
				t.Errorf("password changed: %v", err)
			}
		}},
		{"time zone", "lead", "/account/timezone", url.Values{"tz": {"Asia/Tokyo"}}, func(t *testing.T, h *apptest.Harness) {
			if u, _ := h.App.Users.ByUsername(ctx, "lead"); u.TimeZone != "" {
				t.Errorf("time zone changed to %q", u.TimeZone)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			disk := &audit.Fault{}
			h := apptest.New(t, apptest.Options{Tuning: app.Tuning{AuditFault: disk}})
			c := h.Client()
			if tc.as != "" {
				c = h.Login(tc.as)
			}
			before, _, err := h.App.Audit.Query(ctx, audit.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			disk.Fail(nil) // every audit write fails, as on a full disk
			resp := h.PostForm(c, tc.path, tc.form)
			doc := readDoc(t, resp)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("%s: %d, want 503", tc.path, resp.StatusCode)
			}
			if !strings.Contains(doc.Text(), "audit log") {
				t.Errorf("the page does not say why: %q", strings.Join(strings.Fields(doc.Find("main").Text()), " "))
			}
			for _, ck := range resp.Cookies() {
				if ck.MaxAge >= 0 && ck.Value != "" {
					t.Errorf("cookie %s set", ck.Name)
				}
			}
			if tc.unchanged != nil {
				tc.unchanged(t, h)
			}
			after, _, _ := h.App.Audit.Query(ctx, audit.Filter{})
			if len(after) != len(before) {
				t.Errorf("audit entries %d → %d", len(before), len(after))
			}
		})
	}
}
