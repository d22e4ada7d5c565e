package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/auth"
)

func TestAnonymousIsSentToLogin(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for path, want := range map[string]string{
		"/":                 "/login",
		"/search?q=abc":     "/login?next=%2Fsearch%3Fq%3Dabc",
		"/conversations?x=": "/login?next=%2Fconversations%3Fx%3D",
	} {
		resp := h.Get(h.Client(), path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %q, want redirect to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// htmx requests get a redirect instruction instead of a login page fragment.
	req, _ := http.NewRequest(http.MethodGet, h.URL()+"/", nil)
	req.Header.Set("HX-Request", "true")
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx anonymous: %d %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

func TestCrossOriginStateChangesAreRefused(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("admin")
	tests := []struct {
		name   string
		header []string
	}{
		{"cross-site fetch metadata", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"foreign origin without fetch metadata", []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
	}
	for _, tt := range tests {
		for _, path := range []string{"/login", "/logout"} {
			resp := h.PostForm(c, path, url.Values{"username": {"admin"}, "password": {apptest.Password}}, tt.header...)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: status %d", tt.name, path, resp.StatusCode)
			}
			if !strings.Contains(body, "another site") {
				t.Errorf("%s %s: no readable explanation", tt.name, path)
			}
		}
	}
	// The refused logout did not end the session.
	if resp := h.Get(c, "/"); resp.StatusCode != http.StatusOK {
		t.Errorf("session should survive a refused cross-origin logout: %d", resp.StatusCode)
	}
}

func TestSecurityHeadersAndNoInlineScript(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	for _, path := range []string{"/", "/login", "/nope", "/conversations?text=bad"} {
		resp := h.Get(c, path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline/eval: %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: hardening headers missing", path)
		}
		doc := readDoc(t, resp)
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if src, ok := s.Attr("src"); !ok || !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
				t.Errorf("%s: inline or foreign script %q", path, src)
			}
		})
		if doc.Find("[style]").Length() > 0 {
			t.Errorf("%s: inline style attribute (blocked by the CSP)", path)
		}
	}
}

func TestDemoBadgeOnEveryPage(t *testing.T) {
	demo := apptest.New(t, apptest.Options{})
	c := demo.Login("viewer")
	anonymous := demo.Client()
	for _, path := range []string{"/", "/login", "/nope", "/conversations?text=bad"} {
		client := c
		if path == "/login" {
			client = anonymous // a signed-in user is sent on from /login
		}
		if badge := readDoc(t, demo.Get(client, path)).Find("[data-testid=demo-badge]"); badge.Length() != 1 {
			t.Errorf("demo: %s has no demo badge", path)
		}
	}
	live := apptest.New(t, apptest.Options{UpstreamDown: true}) // live mode
	if readDoc(t, live.Get(live.Login("viewer"), "/")).Find("[data-testid=demo-badge]").Length() != 0 {
		t.Error("live mode shows the demo badge")
	}
}

func TestStaticAssetsAreEmbeddedAndFingerprinted(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	doc := readDoc(t, h.Get(h.Client(), "/login"))
	var srcs []string
	doc.Find("script[src], link[rel=stylesheet]").Each(func(_ int, s *goquery.Selection) {
		if v, ok := s.Attr("src"); ok {
			srcs = append(srcs, v)
		}
		if v, ok := s.Attr("href"); ok {
			srcs = append(srcs, v)
		}
	})
	if len(srcs) != 3 {
		t.Fatalf("want css, htmx and app.js, got %v", srcs)
	}
	for _, src := range srcs {
		if !strings.Contains(src, "?v=") {
			t.Errorf("%s is not fingerprinted", src)
		}
		resp := h.Get(h.Client(), src)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %d", src, resp.StatusCode)
		}
		if !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: Cache-Control %q", src, resp.Header.Get("Cache-Control"))
		}
		if strings.Contains(src, "htmx") && !strings.Contains(body, "htmx") {
			t.Errorf("htmx asset does not look like htmx")
		}
	}
}

// TestRequireRole checks the role gate through routes that need each role:
// below it a 403, at or above it the page, served to the signed-in user.
func TestRequireRole(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	// One route per minimum role (see routes.go).
	routes := map[auth.Role]string{auth.RoleViewer: "/account", auth.RoleLead: "/audit", auth.RoleAdmin: "/admin/users"}
	tests := []struct {
		user string
		min  auth.Role
		want int
	}{
		{"viewer", auth.RoleViewer, http.StatusOK},
		{"viewer", auth.RoleLead, http.StatusForbidden},
		{"lead", auth.RoleLead, http.StatusOK},
		{"lead", auth.RoleAdmin, http.StatusForbidden},
		{"admin", auth.RoleAdmin, http.StatusOK},
	}
	for _, tt := range tests {
		resp := h.Get(h.Login(tt.user), routes[tt.min])
		doc := readDoc(t, resp)
		if resp.StatusCode != tt.want {
			t.Errorf("%s needing %s: %d, want %d", tt.user, tt.min, resp.StatusCode, tt.want)
		}
		// The handler behind the gate knows who is signed in.
		if got := doc.Find("[data-testid=username]").Text(); resp.StatusCode == http.StatusOK && got != tt.user {
			t.Errorf("%s needing %s: page served to %q", tt.user, tt.min, got)
		}
	}
}

func TestNotFoundIsFriendly(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	resp := h.Get(h.Login("viewer"), "/definitely/not/here")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusNotFound || doc.Find("[data-testid=error-page]").Length() != 1 {
		t.Fatalf("404 page: %d", resp.StatusCode)
	}
	if doc.Find("[data-testid=nav]").Length() != 1 {
		t.Error("a signed-in user should keep the navigation on a 404")
	}
}
