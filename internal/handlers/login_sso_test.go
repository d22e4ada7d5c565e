package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/config"
)

// ssoHarness is the dashboard with single sign-on against an in-process
// OpenID Connect provider (mockoidc): leads are in cc-leads, admins in
// cc-admins, everyone else is refused.
func ssoHarness(t *testing.T) (*apptest.Harness, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	h := apptest.New(t, apptest.Options{OIDC: config.OIDC{
		Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		Groups: []config.GroupRole{{Role: "lead", Group: "cc-leads"}, {Role: "admin", Group: "cc-admins"}},
	}})
	return h, m
}

// ssoSignIn walks a browser through the sign-in with the provider, which
// signs in user, and returns the client and the dashboard's last answer.
func ssoSignIn(t *testing.T, h *apptest.Harness, m *mockoidc.MockOIDC, user *mockoidc.MockUser, next string) (*http.Client, *http.Response) {
	t.Helper()
	c := h.Client()
	resp := h.Get(c, "/login/oidc?next="+url.QueryEscape(next))
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), m.AuthorizationEndpoint()) {
		t.Fatalf("start: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	auth, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Errorf("no PKCE, nonce or state in %s", auth)
	}
	m.QueueUser(user)
	resp, err = c.Get(auth.String()) // the provider signs the user in and sends them back
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, h.URL()+"/login/oidc/callback?") {
		t.Fatalf("provider: %d %q", resp.StatusCode, back)
	}
	return c, h.Get(c, strings.TrimPrefix(back, h.URL()))
}

func TestSingleSignOn(t *testing.T) {
	ctx := context.Background()
	h, m := ssoHarness(t)

	// The sign-in page offers both ways.
	doc := readDoc(t, h.Get(h.Client(), "/login?next=/account"))
	if href, _ := doc.Find("[data-testid=login-sso]").Attr("href"); href != "/login/oidc?next=%2Faccount" {
		t.Errorf("SSO link %q", href)
	}
	if doc.Find("[data-testid=login-form]").Length() != 1 {
		t.Error("the password form is gone")
	}

	// A new lead: created on first sign-in, with the role from the groups.
	carol := &mockoidc.MockUser{Subject: "sub-carol", PreferredUsername: "carol", Email: "carol@example.com", Groups: []string{"staff", "cc-leads"}}
	c, resp := ssoSignIn(t, h, m, carol, "/account")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("callback: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc = readDoc(t, h.Get(c, "/account"))
	if got := doc.Find("[data-testid=account-username]").Text(); got != "carol" {
		t.Errorf("signed in as %q", got)
	}
	if !strings.Contains(doc.Find("[data-testid=account-session]").Text(), "oidc") {
		t.Error("the session does not say it came from single sign-on")
	}
	u, err := h.App.Users.ByUsername(ctx, "carol")
	if err != nil || u.Role != auth.RoleLead {
		t.Fatalf("carol = %+v, %v", u, err)
	}
	if _, err := h.App.Users.Authenticate(ctx, "carol", ""); err == nil {
		t.Error("a single sign-on user has a password")
	}
	if e := newestAudit(t, h, audit.Filter{Action: audit.ActionUserCreate, Target: "carol"}); e.Actor != "oidc" {
		t.Errorf("creation audited as %q", e.Actor)
	}
	if e := newestAudit(t, h, audit.Filter{Action: audit.ActionLogin, Target: "carol"}); !strings.Contains(string(e.Details), `"method":"oidc"`) {
		t.Errorf("login audit %s", e.Details)
	}

	// Signing in again with other groups: the same user, the new role, and
	// the earlier session ends with the role change.
	carol.Groups = []string{"cc-admins"}
	c2, resp := ssoSignIn(t, h, m, carol, "/")
	resp.Body.Close()
	if u, _ := h.App.Users.ByUsername(ctx, "carol"); u.Role != auth.RoleAdmin {
		t.Errorf("role after the groups changed: %v", u.Role)
	}
	if r := h.Get(c, "/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the session from before the role change still works: %d", r.StatusCode)
	}
	if r := h.Get(c2, "/admin/users"); r.StatusCode != http.StatusOK {
		t.Errorf("the admin from single sign-on: %d", r.StatusCode)
	}

	// An existing local account is linked by username and keeps its
	// password; local sign-in keeps working.
	_, resp = ssoSignIn(t, h, m, &mockoidc.MockUser{Subject: "sub-lead", PreferredUsername: "lead", Groups: []string{"cc-leads"}}, "/")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("linking lead: %d", resp.StatusCode)
	}
	h.Login("lead")
}

func TestSingleSignOnRefusals(t *testing.T) {
	h, m := ssoHarness(t)
	if err := h.App.Users.Disable(context.Background(), "viewer", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user *mockoidc.MockUser
		want int
		msg  string
	}{
		{"in no mapped group", &mockoidc.MockUser{Subject: "s1", PreferredUsername: "dave", Groups: []string{"sales"}}, http.StatusForbidden, "none of the groups"},
		{"no usable username", &mockoidc.MockUser{Subject: "s2", PreferredUsername: "x", Groups: []string{"cc-leads"}}, http.StatusForbidden, "no usable username"},
		{"disabled account", &mockoidc.MockUser{Subject: "s3", PreferredUsername: "viewer", Groups: []string{"cc-leads"}}, http.StatusForbidden, "disabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, resp := ssoSignIn(t, h, m, tc.user, "/")
			doc := readDoc(t, resp)
			if resp.StatusCode != tc.want || !strings.Contains(doc.Find("[data-testid=login-error]").Text(), tc.msg) {
				t.Errorf("%d %q", resp.StatusCode, doc.Find("[data-testid=login-error]").Text())
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == "dashboard_session" && ck.MaxAge >= 0 {
					t.Error("a session cookie was set")
				}
			}
		})
	}

	// An answer that no sign-in here started (forged or replayed state).
	c := h.Client()
	h.Get(c, "/login/oidc").Body.Close()
	resp := h.Get(c, "/login/oidc/callback?code=abc&state=not-the-state")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find("[data-testid=login-error]").Text(), "start again") {
		t.Errorf("forged state: %d %q", resp.StatusCode, doc.Find("[data-testid=login-error]").Text())
	}
	resp = h.Get(h.Client(), "/login/oidc/callback?code=abc&state=x")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no state cookie: %d", resp.StatusCode)
	}
}

func TestNoSingleSignOnUnlessConfigured(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	if n := readDoc(t, h.Get(h.Client(), "/login")).Find("[data-testid=login-sso]").Length(); n != 0 {
		t.Error("the SSO button shows without a provider")
	}
	resp := h.Get(h.Client(), "/login/oidc")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/login/oidc without a provider: %d", resp.StatusCode)
	}
}
