package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
)

// TestLogoutEndsCopiedCookies: after POST /logout (or "log out
// everywhere"), a copy of the session cookie reads nothing and changes
// nothing.
func TestLogoutEndsCopiedCookies(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"logout", "/logout"},
		{"logout everywhere", "/account/logout-everywhere"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := apptest.New(t, apptest.Options{})
			c := h.Login("lead")
			stolen := h.CopyCookies(c)
			if resp := h.Get(stolen, "/account"); resp.StatusCode != http.StatusOK {
				t.Fatalf("copied cookie before logout: %d", resp.StatusCode)
			}
			resp := h.PostForm(c, tc.path, nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", tc.path, resp.StatusCode)
			}
			resp = h.Get(stolen, "/account")
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("copied cookie after %s reads /account: %d", tc.path, resp.StatusCode)
			}
			resp = h.PostForm(stolen, "/account/timezone", url.Values{"tz": {"Asia/Tokyo"}})
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("copied cookie after %s changes settings: %d", tc.path, resp.StatusCode)
			}
			if u, err := h.App.Users.ByUsername(t.Context(), "lead"); err != nil || u.TimeZone != "" {
				t.Errorf("time zone changed by a copied cookie: %q %v", u.TimeZone, err)
			}
		})
	}
}

// TestHammeringDoesNotLockOutTheOwner: wrong passwords from one address
// slow that address only; the right password from another address still
// signs in, the admin included.
func TestHammeringDoesNotLockOutTheOwner(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	attacker := h.ClientFrom("127.0.0.2")
	for range 30 {
		resp := h.PostForm(attacker, "/login", url.Values{"username": {"admin"}, "password": {"guess guess guess"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("attacker: %d", resp.StatusCode)
		}
	}
	resp := h.PostForm(attacker, "/login", url.Values{"username": {"admin"}, "password": {apptest.Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the hammering address is not slowed: %d", resp.StatusCode)
	}
	h.LoginFrom("127.0.0.3", "admin")
	h.LoginFrom("127.0.0.2", "lead") // another account behind the same address
}

func TestAccountListsActiveSessions(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	a := h.Login("lead")
	b := h.LoginFrom("127.0.0.2", "lead")
	other := h.Login("lead")
	h.PostForm(other, "/logout", nil).Body.Close()
	doc := readDoc(t, h.Get(a, "/account"))
	rows := doc.Find("[data-testid=account-session]")
	if rows.Length() != 2 {
		t.Fatalf("%d sessions listed, want 2", rows.Length())
	}
	if doc.Find("[data-testid=account-session-current]").Length() != 1 {
		t.Error("the current session is not marked once")
	}
	if !strings.Contains(rows.Text(), "127.0.0.2") || !strings.Contains(rows.Text(), "password") {
		t.Errorf("rows %q", rows.Text())
	}
	_ = b
}
