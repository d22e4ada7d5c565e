package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/audit"
)

func TestLoginSetsHardenedCookieAndRedirects(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	resp := h.postForm(c, "/login", url.Values{"username": {"lead"}, "password": {testPassword}, "next": {"/search?q=x"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/search?q=x" {
		t.Fatalf("status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		t.Fatal("no session cookie")
	}
	for _, ck := range cookies {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly=%v SameSite=%v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
		if strings.Contains(ck.Value, testPassword) {
			t.Error("cookie carries the password")
		}
	}
	doc := readDoc(t, h.get(c, "/"))
	if got := doc.Find("[data-testid=username]").Text(); got != "lead" {
		t.Errorf("signed-in user shown as %q", got)
	}
	if got := doc.Find("[data-testid=role]").Text(); got != "lead" {
		t.Errorf("role shown as %q", got)
	}
}

func TestLoginFailuresAreGenericAndThrottled(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if err := h.users.Disable(context.Background(), "viewer"); err != nil {
		t.Fatal(err)
	}
	messages := map[string]string{}
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", "lead", "not the password at all"},
		{"unknown user", "nobody-here", "not the password at all"},
		{"disabled user", "viewer", testPassword},
	} {
		resp := h.postForm(h.client(), "/login", url.Values{"username": {tc.user}, "password": {tc.pass}})
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d", tc.name, resp.StatusCode)
		}
		if len(resp.Cookies()) != 0 {
			t.Errorf("%s: a cookie was set", tc.name)
		}
		messages[tc.name] = doc.Find("[data-testid=login-error]").Text()
		if got, _ := doc.Find("[data-testid=login-username]").Attr("value"); got != tc.user {
			t.Errorf("%s: username not kept as typed: %q", tc.name, got)
		}
	}
	if messages["wrong password"] == "" || messages["wrong password"] != messages["unknown user"] || messages["unknown user"] != messages["disabled user"] {
		t.Errorf("messages differ, which tells accounts apart: %q", messages)
	}

	// The harness allows 3 failures per account; "lead" has 1 so far.
	c := h.client()
	for range 2 {
		h.postForm(c, "/login", url.Values{"username": {"lead"}, "password": {"still wrong password"}}).Body.Close()
	}
	resp := h.postForm(c, "/login", url.Values{"username": {"lead"}, "password": {testPassword}})
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 3 failures the right password should be throttled, got %d", resp.StatusCode)
	}
	if resp.Header.Get("Retry-After") == "" || !strings.Contains(doc.Find("[data-testid=login-error]").Text(), "Too many") {
		t.Errorf("throttle message missing: %q", doc.Find("[data-testid=login-error]").Text())
	}
	// Another account from the same address is not locked.
	h.login("admin")
}

func TestLoginRejectsMalformedInput(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.postForm(h.client(), "/login", url.Values{"username": {""}, "password": {""}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty form: %d", resp.StatusCode)
	}
	big := strings.Repeat("x", 64<<10)
	resp = h.postForm(h.client(), "/login", url.Values{"username": {"lead"}, "password": {big}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized form: %d", resp.StatusCode)
	}
}

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"":                      "/",
		"/conversations?x=1":    "/conversations?x=1",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"javascript:alert(1)":   "/",
		"/ok\r\nSet-Cookie: x":  "/",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogoutEndsSession(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.login("viewer")
	resp := h.postForm(c, "/logout", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = h.get(c, "/")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("after logout / should redirect to login, got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestDisablingUserEndsTheirSessionAtOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.login("lead")
	if resp := h.get(c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	if err := h.users.Disable(context.Background(), "lead"); err != nil {
		t.Fatal(err)
	}
	resp := h.get(c, "/")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user still served: %d", resp.StatusCode)
	}
}

func TestLoginsAreAudited(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.postForm(h.client(), "/login", url.Values{"username": {"lead"}, "password": {"wrong password here"}})
	resp.Body.Close()
	c := h.login("lead")
	h.postForm(c, "/logout", nil).Body.Close()

	entries, _, err := h.audit.Query(context.Background(), audit.Filter{Target: "lead"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Actor+":"+e.Action)
		if e.ClientAddr == "" {
			t.Errorf("entry %d has no client address", e.ID)
		}
	}
	want := []string{"lead:" + audit.ActionLogout, "lead:" + audit.ActionLogin, "anonymous:" + audit.ActionLoginFailed}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Errorf("audit %v, want %v", actions, want)
	}
}
