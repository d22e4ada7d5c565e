package handlers

import (
	"net/http"
	"strings"
	"testing"
)

func TestHomeShowsUpstreamStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts harnessOptions
		want string
	}{
		{"reachable", harnessOptions{demo: true}, "reachable"},
		{"down", harnessOptions{upstreamDown: true}, "unreachable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			resp := h.get(h.login("viewer"), "/")
			doc := readDoc(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := strings.TrimSpace(doc.Find("[data-testid=upstream-reachable]").Text())
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("upstream status %q, want %q", got, tt.want)
			}
			if doc.Find("[data-testid=search-input]").Length() != 1 || doc.Find("[data-testid=nav] a").Length() != 3 {
				t.Error("layout lacks the search box or navigation")
			}
		})
	}
}
