package handlers

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestHealthz(t *testing.T) {
	tests := []struct {
		name         string
		opts         harnessOptions
		wantStatus   string
		wantUpstream bool
	}{
		{"upstream reachable", harnessOptions{demo: true}, "ok", true},
		{"upstream down", harnessOptions{upstreamDown: true}, "degraded", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			var rep healthReport
			for range 3 {
				resp := h.get(h.client(), "/healthz")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("content type %q", ct)
				}
				if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if rep.Status != tt.wantStatus || !rep.Database.OK || rep.Upstream.OK != tt.wantUpstream {
				t.Errorf("report %+v", rep)
			}
			if !tt.wantUpstream && rep.Upstream.Error == "" {
				t.Error("a failed upstream check should say why")
			}
			if n := h.upstream.calls.Load(); n != 1 {
				t.Errorf("three probes within the TTL made %d upstream checks, want 1", n)
			}
		})
	}
}
