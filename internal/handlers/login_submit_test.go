package handlers

import "testing"

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
