package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
)

func TestLoginSetsHardenedCookieAndRedirects(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Client()
	resp := h.PostForm(c, "/login", url.Values{"username": {"lead"}, "password": {apptest.Password}, "next": {"/search?q=x"}})
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
		if strings.Contains(ck.Value, apptest.Password) {
			t.Error("cookie carries the password")
		}
	}
	doc := readDoc(t, h.Get(c, "/"))
	if got := doc.Find("[data-testid=username]").Text(); got != "lead" {
		t.Errorf("signed-in user shown as %q", got)
	}
	if got := doc.Find("[data-testid=role]").Text(); got != "lead" {
		t.Errorf("role shown as %q", got)
	}
}

func TestLoginFailuresAreGenericAndThrottled(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	if err := h.App.Users.Disable(context.Background(), "viewer", nil); err != nil {
		t.Fatal(err)
	}
	messages := map[string]string{}
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", "lead", "not the password at all"},
		{"unknown user", "nobody-here", "not the password at all"},
		{"disabled user", "viewer", apptest.Password},
	} {
		resp := h.PostForm(h.Client(), "/login", url.Values{"username": {tc.user}, "password": {tc.pass}})
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
	c := h.Client()
	for range 2 {
		h.PostForm(c, "/login", url.Values{"username": {"lead"}, "password": {"still wrong password"}}).Body.Close()
	}
	resp := h.PostForm(c, "/login", url.Values{"username": {"lead"}, "password": {apptest.Password}})
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 3 failures the right password should be throttled, got %d", resp.StatusCode)
	}
	if resp.Header.Get("Retry-After") == "" || !strings.Contains(doc.Find("[data-testid=login-error]").Text(), "Too many") {
		t.Errorf("throttle message missing: %q", doc.Find("[data-testid=login-error]").Text())
	}
	// Another account from the same address is not locked.
	h.Login("admin")
}

func TestLoginRejectsMalformedInput(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	resp := h.PostForm(h.Client(), "/login", url.Values{"username": {""}, "password": {""}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty form: %d", resp.StatusCode)
	}
	big := strings.Repeat("x", 64<<10)
	resp = h.PostForm(h.Client(), "/login", url.Values{"username": {"lead"}, "password": {big}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized form: %d", resp.StatusCode)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	resp := h.PostForm(c, "/logout", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?signed_out=1" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if doc := readDoc(t, h.Get(c, "/login?signed_out=1")); !strings.Contains(doc.Find("[data-testid=login-notice]").Text(), "You are signed out") {
		t.Error("the sign-in page does not confirm the sign-out")
	}
	resp = h.Get(c, "/")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("after logout / should redirect to login, got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestDisablingUserEndsTheirSessionAtOnce(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("lead")
	if resp := h.Get(c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	if err := h.App.Users.Disable(context.Background(), "lead", nil); err != nil {
		t.Fatal(err)
	}
	resp := h.Get(c, "/")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user still served: %d", resp.StatusCode)
	}
}

func TestLoginsAreAudited(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	resp := h.PostForm(h.Client(), "/login", url.Values{"username": {"lead"}, "password": {"wrong password here"}})
	resp.Body.Close()
	c := h.Login("lead")
	h.PostForm(c, "/logout", nil).Body.Close()

	entries, _, err := h.App.Audit.Query(context.Background(), audit.Filter{Target: "lead"})
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

// TestSignedInLoginNeverRedirectsOffSite: a signed-in user following a
// crafted /login?next= link stays on the dashboard.
func TestSignedInLoginNeverRedirectsOffSite(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	for _, next := range []string{
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0d%0a/evil.example",
		"//evil.example",
		"/%5Cevil.example",
		"/\\evil.example",
		"https://evil.example/",
		"/%2F%2Fevil.example",
		"/%252F%252Fevil.example",
		"%2F%2Fevil.example",
		"/%09%2Fevil.example",
		"/%20/evil.example",
		"javascript:alert(1)",
		"/.//evil.example",
	} {
		// A round trip of its own: http.Client refuses to read some of
		// the Locations this test must see.
		target, err := url.Parse(h.URL() + "/login")
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodGet, h.URL()+"/login?next="+next, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ck := range c.Jar.Cookies(target) {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		// What a browser does with the Location: strip tabs and newlines,
		// treat backslashes as slashes, resolve against the page.
		cleaned := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
		u, err := target.Parse(cleaned)
		if resp.StatusCode != http.StatusSeeOther || err != nil || u.Host != target.Host {
			t.Errorf("next=%s: %d Location %q leaves the site", next, resp.StatusCode, loc)
		}
	}
}
