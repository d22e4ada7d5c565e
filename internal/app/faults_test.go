package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/store"
)

// TestSecondServerOnOneDataDirIsRefused starts the app twice on one data
// directory: the second start fails naming the first's pid, and once the
// first is closed the directory can be used again.
func TestSecondServerOnOneDataDirIsRefused(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	cfg := h.App.Config
	second, err := app.New(context.Background(), cfg, app.Options{AdminPassword: apptest.Password})
	if err == nil {
		second.Close()
		t.Fatal("a second app started on the same data directory")
	}
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("refusal %q", err)
	}
	h.App.Close()
	again, err := app.New(context.Background(), cfg, app.Options{AdminPassword: apptest.Password})
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close()
}

// TestHealthNoticesTheDatabaseFileGone deletes or replaces the database
// file under the running dashboard: /healthz answers 503 "down" and says
// why.
func TestHealthNoticesTheDatabaseFileGone(t *testing.T) {
	tests := []struct {
		name       string
		do         func(t *testing.T, path string)
		wantStatus int
		wantReason string
	}{
		{"untouched", func(*testing.T, string) {}, http.StatusOK, ""},
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, http.StatusServiceUnavailable, "was deleted"},
		{"replaced by a restored copy", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+".copy", b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path+".copy", path); err != nil {
				t.Fatal(err)
			}
		}, http.StatusServiceUnavailable, "was replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.New(t, apptest.Options{})
			tt.do(t, filepath.Join(h.App.Config.DataDir, app.DatabaseFile))
			resp := h.Get(h.Client(), "/healthz")
			var rep struct {
				Status   string
				Database struct {
					OK    bool
					Error string
				}
			}
			if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			wantStatus := "ok"
			if tt.wantReason != "" {
				wantStatus = "down"
			}
			if resp.StatusCode != tt.wantStatus || rep.Status != wantStatus || !strings.Contains(rep.Database.Error, tt.wantReason) {
				t.Errorf("%d %+v", resp.StatusCode, rep)
			}
		})
	}
}

// TestRefusedTokenCallsAreAggregated floods the token API without a valid
// token from one address: no entry per call, one entry with the count at
// the flush; calls with a valid token keep an entry each.
func TestRefusedTokenCallsAreAggregated(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	ctx := context.Background()
	_, token, err := h.App.Tokens.Issue(ctx, "admin", "", "lead", 1)
	if err != nil {
		t.Fatal(err)
	}
	count := func(f audit.Filter) int {
		f.Limit = 1000
		got, _, err := h.App.Audit.Query(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	before := count(audit.Filter{Action: audit.ActionAPICall})
	const refused, allowed = 300, 3
	for i := range refused {
		tok := []string{"", "not.a.token", "Bearer-less"}[i%3]
		resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, tok)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("refused call %d: %d", i, resp.StatusCode)
		}
	}
	for range allowed {
		resp := h.BearerGet("/api/v1/sessions/"+conv.SessionID, token)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("token call: %d", resp.StatusCode)
		}
	}
	if n := count(audit.Filter{Action: audit.ActionAPICall}) - before; n != allowed {
		t.Errorf("%d api.call entries before the flush, want the %d allowed calls'", n, allowed)
	}
	if err := h.App.Refusals.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, _, err := h.App.Audit.Query(ctx, audit.Filter{Action: audit.ActionAPICall, Actor: "anonymous"})
	if err != nil || len(got) != 1 {
		t.Fatalf("%d aggregated entries, %v", len(got), err)
	}
	var d struct {
		Aggregated bool
		Count      int
		Statuses   map[string]int
	}
	if err := json.Unmarshal(got[0].Details, &d); err != nil {
		t.Fatal(err)
	}
	if !d.Aggregated || d.Count != refused || d.Statuses["401"] != refused || got[0].ClientAddr != "127.0.0.1" {
		t.Errorf("aggregated entry %+v %s", got[0], got[0].Details)
	}
}

// TestAuditFaultFailsReadsClosed shows the full-disk switch for tests:
// with audit writes failing, the audit view refuses to show the
// conversation; healed, it shows it again.
func TestAuditFaultFailsReadsClosed(t *testing.T) {
	fault := &audit.Fault{}
	h := apptest.New(t, apptest.Options{Tuning: app.Tuning{AuditFault: fault}})
	conv := h.Conversation(apptest.ClosedWithAgent)
	lead := h.Login("lead")
	path := "/sessions/" + conv.SessionID
	fault.Fail(nil, audit.ActionSessionLookup)
	resp := h.Get(lead, path)
	body := apptest.Body(t, resp)
	if resp.StatusCode == http.StatusOK || strings.Contains(body, conv.ID) {
		t.Errorf("with the audit log failing the view answered %d and showed the conversation", resp.StatusCode)
	}
	fault.Heal()
	if resp := h.Get(lead, path); resp.StatusCode != http.StatusOK {
		t.Errorf("healed: %d", resp.StatusCode)
	} else {
		resp.Body.Close()
	}
}

// TestCloseWritesTheLastCheckpoint: after Close the checkpoint file names
// the log's head, and `audit verify` logic agrees.
func TestCloseWritesTheLastCheckpoint(t *testing.T) {
	dir := t.TempDir()
	h := apptest.New(t, apptest.Options{DataDir: dir})
	conv := h.Conversation(apptest.ClosedWithAgent)
	lead := h.Login("lead")
	for range 3 {
		h.Get(lead, "/sessions/"+conv.SessionID).Body.Close()
	}
	head, err := h.App.Audit.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.App.Close()
	a, err := audit.LoadAnchor(dir)
	if err != nil || a == nil {
		t.Fatalf("anchor %v %v", a, err)
	}
	cps, err := a.Checkpoints()
	if err != nil || len(cps) == 0 {
		t.Fatalf("%d checkpoints, %v", len(cps), err)
	}
	if last := cps[len(cps)-1]; last.ID != head.ID || last.Hash != head.Hash {
		t.Errorf("last checkpoint %+v, head %+v", last, head)
	}
}
