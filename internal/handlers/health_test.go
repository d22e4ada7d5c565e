package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/health"
)

func TestHealthz(t *testing.T) {
	tests := []struct {
		name         string
		opts         apptest.Options
		wantStatus   string
		wantMode     string
		wantUpstream bool
	}{
		// No directory load before: upstream calls count as checks too.
		{"upstream reachable", apptest.Options{ColdDirectory: true}, "ok", "demo", true},
		{"upstream down", apptest.Options{UpstreamDown: true}, "degraded", "live", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.New(t, tt.opts)
			probe := func() health.Report {
				t.Helper()
				resp := h.Get(h.Client(), "/healthz")
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("content type %q", ct)
				}
				var rep health.Report
				if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
					t.Fatal(err)
				}
				return rep
			}
			var rep health.Report
			for range 3 {
				rep = probe()
			}
			if rep.Status != tt.wantStatus || rep.Mode != tt.wantMode || !rep.Database.OK || rep.Upstream.OK != tt.wantUpstream {
				t.Errorf("report %+v", rep)
			}
			if !tt.wantUpstream && rep.Upstream.Error == "" {
				t.Error("a failed upstream check should say why")
			}
			if h.Sim == nil {
				return // internal/health tests the TTL with a counting pinger
			}
			// Upstream checks are real requests: the simulator counts them.
			pings := func() int {
				n := 0
				for _, r := range h.UpstreamRequests(http.MethodGet, "/agent-groups") {
					if r.RawQuery == "limit=1&skip=0" || r.RawQuery == "skip=0&limit=1" {
						n++
					}
				}
				return n
			}
			if n := pings(); n != 1 {
				t.Errorf("three probes within the TTL made %d upstream checks, want 1", n)
			}
			h.Clock.Advance(health.DefaultUpstreamTTL)
			probe()
			if n := pings(); n != 2 {
				t.Errorf("a probe after the TTL: %d upstream checks, want 2", n)
			}
		})
	}
}
