package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/auth"
)

func TestAnonymousIsSentToLogin(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for path, want := range map[string]string{
		"/":                 "/login",
		"/search?q=abc":     "/login?next=%2Fsearch%3Fq%3Dabc",
		"/conversations?x=": "/login?next=%2Fconversations%3Fx%3D",
	} {
		resp := h.get(h.client(), path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %q, want redirect to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// htmx requests get a redirect instruction instead of a login page fragment.
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
	req.Header.Set("HX-Request", "true")
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx anonymous: %d %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

func TestCrossOriginStateChangesAreRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.login("admin")
	tests := []struct {
		name   string
		header []string
	}{
		{"cross-site fetch metadata", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"foreign origin without fetch metadata", []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
	}
	for _, tt := range tests {
		for _, path := range []string{"/login", "/logout"} {
			resp := h.postForm(c, path, url.Values{"username": {"admin"}, "password": {testPassword}}, tt.header...)
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
	if resp := h.get(c, "/"); resp.StatusCode != http.StatusOK {
		t.Errorf("session should survive a refused cross-origin logout: %d", resp.StatusCode)
	}
}

func TestSecurityHeadersAndNoInlineScript(t *testing.T) {
	h := newHarness(t, harnessOptions{demo: true})
	c := h.login("viewer")
	for _, path := range []string{"/", "/login", "/nope", "/search?q=bad"} {
		resp := h.get(c, path)
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
	demo := newHarness(t, harnessOptions{demo: true})
	c := demo.login("viewer")
	anonymous := demo.client()
	for _, path := range []string{"/", "/login", "/nope", "/search?q=bad"} {
		client := c
		if path == "/login" {
			client = anonymous // a signed-in user is sent on from /login
		}
		if badge := readDoc(t, demo.get(client, path)).Find("[data-testid=demo-badge]"); badge.Length() != 1 {
			t.Errorf("demo: %s has no demo badge", path)
		}
	}
	live := newHarness(t, harnessOptions{})
	if readDoc(t, live.get(live.login("viewer"), "/")).Find("[data-testid=demo-badge]").Length() != 0 {
		t.Error("live mode shows the demo badge")
	}
}

func TestStaticAssetsAreEmbeddedAndFingerprinted(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	doc := readDoc(t, h.get(h.client(), "/login"))
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
		resp := h.get(h.client(), src)
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

func TestRequireRole(t *testing.T) {
	h := newHarness(t, harnessOptions{})
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
	hd := h.hd
	for _, tt := range tests {
		c := h.login(tt.user)
		req := httptest.NewRequest(http.MethodGet, "/x", nil)
		for _, ck := range c.Jar.Cookies(mustURL(t, h.srv.URL)) {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		hd.require(tt.min, func(w http.ResponseWriter, r *http.Request) {
			if currentUser(r) == nil || currentUser(r).Username != tt.user {
				t.Errorf("user not in context")
			}
			w.WriteHeader(http.StatusOK)
		}).ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s needing %s: %d, want %d", tt.user, tt.min, rec.Code, tt.want)
		}
	}
}

func TestNotFoundIsFriendly(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.get(h.login("viewer"), "/definitely/not/here")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusNotFound || doc.Find("[data-testid=error-page]").Length() != 1 {
		t.Fatalf("404 page: %d", resp.StatusCode)
	}
	if doc.Find("[data-testid=nav]").Length() != 1 {
		t.Error("a signed-in user should keep the navigation on a 404")
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
