package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
)

func TestHomeShowsUpstreamStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts apptest.Options
		want string
	}{
		{"reachable", apptest.Options{}, "reachable"},
		{"down", apptest.Options{UpstreamDown: true}, "unreachable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.New(t, tt.opts)
			resp := h.Get(h.Login("viewer"), "/")
			doc := readDoc(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := strings.TrimSpace(doc.Find("[data-testid=upstream-reachable]").Text())
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("upstream status %q, want %q", got, tt.want)
			}
			if doc.Find("[data-testid=search-input]").Length() != 1 || doc.Find("[data-testid=nav] a").Length() != 4 {
				t.Error("layout lacks the search box or navigation")
			}
		})
	}
}
