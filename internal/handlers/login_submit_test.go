package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"":                              "/",
		"/":                             "/",
		"/conversations?x=1":            "/conversations?x=1",
		"/search?q=J%C3%BCrgen#top":     "/search?q=J%C3%BCrgen#top",
		"/sessions/abc/export.json":     "/sessions/abc/export.json",
		"/a%20b":                        "/a%20b",
		"//evil.example/":               "/",
		"/\\evil.example":               "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/ok\r\nSet-Cookie: x":          "/",
		"/\t/evil.example":              "/",
		"/\n/evil.example":              "/",
		"/%09/evil.example":             "/",
		"/%0A/evil.example":             "/",
		"/%2F%2Fevil.example":           "/",
		"/%2f/evil.example":             "/",
		"/%5Cevil.example":              "/",
		"/%5cevil.example":              "/",
		"/%252F/evil.example":           "/",
		"/%25252F/evil.example":         "/",
		"/%zz":                          "/",
		"/caf\u00e9":                    "/",
		"/\x7f":                         "/",
		"/a b":                          "/",
		"evil.example":                  "/",
		"/" + strings.Repeat("a", 2000): "/",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext: whatever comes in, the redirect that http.Redirect writes
// for the result, read the way a browser reads a Location (tabs and
// newlines dropped, backslashes as slashes), stays on the dashboard's
// origin; and the result is a fixed point.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/conversations?status=OPEN", "//evil.example", "/\\evil.example",
		"/%09/evil.example", "/%2F%2Fevil", "https://evil.example", "/%252F%252F", "/a/../..//evil", "/.//evil"} {
		f.Add(s)
	}
	base, err := url.Parse("https://dash.example/login")
	if err != nil {
		f.Fatal(err)
	}
	browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/")
	f.Fuzz(func(t *testing.T, in string) {
		out := safeNext(in)
		if out != "/" && out != in {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", in, out)
		}
		if again := safeNext(out); again != out {
			t.Fatalf("safeNext(%q) = %q, but safeNext of that is %q", in, out, again)
		}
		rec := httptest.NewRecorder()
		http.Redirect(rec, httptest.NewRequest(http.MethodGet, "/login", nil), out, http.StatusSeeOther)
		loc := rec.Header().Get("Location")
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
			t.Fatalf("safeNext(%q) = %q: Location %q", in, out, loc)
		}
		u, err := base.Parse(browser.Replace(loc))
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil {
			t.Fatalf("safeNext(%q) = %q: Location %q leaves the origin (%v, %v)", in, out, loc, u, err)
		}
		for _, p := range []string{u.Path, u.EscapedPath()} {
			if strings.HasPrefix(p, "//") {
				t.Fatalf("safeNext(%q) = %q: path %q starts with //", in, out, p)
			}
		}
	})
}
