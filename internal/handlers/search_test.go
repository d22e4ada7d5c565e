package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
)

func TestSearchRoutesIDs(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	tests := []struct {
		q        string
		status   int
		location string
	}{
		{"646af57bcc41e5bfbd5e1234", http.StatusSeeOther, "/sessions/646af57bcc41e5bfbd5e1234"},
		{" 646AF57BCC41E5BFBD5E1234 ", http.StatusSeeOther, "/sessions/646af57bcc41e5bfbd5e1234"},
		{"c-3c04346-e522-4c53-9e03-c9566d851234", http.StatusSeeOther, "/conversations/c-3c04346-e522-4c53-9e03-c9566d851234"},
		{"hello", http.StatusBadRequest, ""},
		{"", http.StatusBadRequest, ""},
		{"../../etc/passwd", http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		resp := h.Get(c, "/search?q="+url.QueryEscape(tt.q))
		body := readBody(t, resp)
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("q=%q: %d %q, want %d %q", tt.q, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
		if tt.status == http.StatusBadRequest && !strings.Contains(body, "24 hexadecimal characters") {
			t.Errorf("q=%q: the 400 page should say what an id looks like", tt.q)
		}
	}
}

func TestSearchEscapesHostileInput(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	hostile := `"><script>alert(1)</script>`
	resp := h.Get(h.Login("viewer"), "/search?q="+url.QueryEscape(hostile))
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got, _ := doc.Find("[data-testid=search-input]").Attr("value"); got != hostile {
		t.Errorf("search box should keep the text as typed, escaped: %q", got)
	}
	if doc.Find("script:not([src])").Length() != 0 {
		t.Error("hostile input produced a script element")
	}
}
