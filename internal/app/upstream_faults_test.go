package app_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/simulator"
)

// hangBound is how long a test waits for something before it calls it
// hung: far above any deadline the tests tune, only to catch hangs.
const hangBound = 10 * time.Second

// getWithin fetches path with c; no answer within bound fails the test.
func getWithin(t *testing.T, h *apptest.Harness, c *http.Client, path string, bound time.Duration) (*http.Response, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("%s: no answer within %s: %v", path, bound, err)
		return nil, false
	}
	return resp, true
}

// waitFor polls cond until it holds; hangBound only catches a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	bound := time.Now().Add(hangBound)
	for !cond() {
		if time.Now().After(bound) {
			t.Fatalf("%s: not within %s", what, hangBound)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPagesAnswerWhileUpstreamAnswers429 reproduces the hang: with the
// client's production retries, the background workers running and upstream
// answering 429 to every call (or every other), a lead's and an admin's
// conversation list and everyone's agent pages never answered. Now each
// answers within its deadline, never with a 5xx, from what the dashboard
// has, and says why.
func TestPagesAnswerWhileUpstreamAnswers429(t *testing.T) {
	const deadline = 2 * time.Second
	tests := []struct {
		name string
		rate float64
		cold bool // no directory copy yet
	}{
		{"429 always", 1, false},
		{"429 for half the calls", 0.5, false},
		{"429 always, no directory copy", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.New(t, apptest.Options{
				Start: true, ColdDirectory: tt.cold,
				Tuning: app.Tuning{
					PageDeadline:  deadline,
					ClientOptions: []api.Option{api.WithRetries(api.DefaultMaxRetries, api.DefaultRetryBase)},
				},
			})
			agent := h.Sim.Agents()[0]
			h.Sim.SetFaults(simulator.Faults{RateLimitRate: tt.rate})
			for _, who := range []string{"viewer", "lead", "admin"} {
				c := h.Login(who)
				for _, path := range []string{"/conversations", "/agents", "/agents/" + agent.ID} {
					resp, ok := getWithin(t, h, c, path, deadline+2*time.Second)
					if !ok {
						continue
					}
					doc := apptest.Doc(t, resp)
					if resp.StatusCode >= 500 || doc.Find("main").Length() == 0 {
						t.Errorf("%s %s: %d", who, path, resp.StatusCode)
					}
					if tt.cold && path == "/agents" {
						if msg := doc.Find("[data-testid=agents-error]").Text(); resp.StatusCode != http.StatusOK || !strings.Contains(msg, "The agent directory is loading") {
							t.Errorf("%s /agents without a directory copy: %d %q", who, resp.StatusCode, msg)
						}
					}
				}
			}
		})
	}
}

// TestDirectoryAndIndexRecoverFromPartialErrors reproduces "no recovery":
// with upstream answering 5xx, the agent list answered 502 and the
// conversation list stayed empty, because a failed directory load or
// index sync waited for the next full interval. Here both first runs fail
// for sure, then half of upstream's answers are 5xx: the reads are
// retried, failed runs are tried again soon, and both lists fill while the
// fault lasts.
func TestDirectoryAndIndexRecoverFromPartialErrors(t *testing.T) {
	h := apptest.New(t, apptest.Options{
		Start: true, ColdDirectory: true,
		Simulator: simulator.Options{Faults: simulator.Faults{ErrorRate: 1}},
		Tuning: app.Tuning{
			DirectoryInterval: time.Hour, DirectoryRetryAfter: 20 * time.Millisecond,
			SyncInterval: time.Hour, SyncRetryAfter: 20 * time.Millisecond,
			ClientOptions: []api.Option{api.WithRetries(api.DefaultMaxRetries, 10*time.Millisecond)},
		},
	})
	c := h.Login("lead")
	agents, convs := len(h.Sim.Agents()), len(h.Sim.Conversations())
	waitFor(t, "the first runs failing", func() bool {
		// Agents, unlike Known, does not nudge the refresh loop.
		_, err := h.App.Directory.Agents(context.Background())
		var loading *directory.LoadingError
		return errors.As(err, &loading) && loading.Err != nil && h.App.Sync.Status().Error != ""
	})
	h.Sim.SetFaults(simulator.Faults{ErrorRate: 0.5})
	waitFor(t, "the agent list", func() bool {
		resp := h.Get(c, "/agents")
		doc := apptest.Doc(t, resp)
		if resp.StatusCode >= 500 {
			t.Fatalf("/agents: %d", resp.StatusCode)
		}
		return doc.Find("[data-testid=agent-row]").Length() == agents
	})
	waitFor(t, "the conversation list", func() bool {
		resp := h.Get(c, "/conversations")
		doc := apptest.Doc(t, resp)
		if resp.StatusCode >= 500 {
			t.Fatalf("/conversations: %d", resp.StatusCode)
		}
		return strings.HasPrefix(strings.TrimSpace(doc.Find("[data-testid=conv-count]").Text()), strconv.Itoa(convs)+" ")
	})
}

// TestReadsAreRetriedAndMalformedAnswersCounted: through the whole app,
// reads are retried after 5xx and malformed answers, and each failed
// attempt is counted in the metrics by its outcome.
func TestReadsAreRetriedAndMalformedAnswersCounted(t *testing.T) {
	tests := []struct {
		name    string
		fault   simulator.Faults
		outcome string
	}{
		{"50% 5xx", simulator.Faults{ErrorRate: 0.5}, "upstream"},
		{"30% malformed", simulator.Faults{MalformedRate: 0.3}, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.New(t, apptest.Options{Tuning: app.Tuning{
				UserUpstreamPerMinute: 1000,
				ClientOptions:         []api.Option{api.WithRetries(api.DefaultMaxRetries, 10*time.Millisecond)},
			}})
			c := h.Login("viewer")
			h.Sim.SetFaults(tt.fault)
			retried := 0
			for _, conv := range h.Sim.Conversations()[:12] {
				resp := h.Get(c, "/sessions/"+conv.SessionID)
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					t.Errorf("%s: %d", conv.SessionID, resp.StatusCode)
				}
				if resp.StatusCode == http.StatusOK && len(h.UpstreamRequests(http.MethodGet, conv.SessionID)) > 1 {
					retried++
				}
			}
			if retried == 0 {
				t.Error("no page was answered after a retried read")
			}
			metrics := apptest.Body(t, h.Get(h.Client(), "/metrics"))
			if !strings.Contains(metrics, `endpoint="conversations.session",method="GET",outcome="`+tt.outcome+`"}`) {
				t.Errorf("metrics count no %s outcome", tt.outcome)
			}
		})
	}
}

// TestClientGoneIsStill499: a person who gives up on a page that waits for
// upstream is logged and counted as 499, not as the page's failure.
func TestClientGoneIsStill499(t *testing.T) {
	h := apptest.New(t, apptest.Options{ColdDirectory: true})
	agent := h.Sim.Agents()[0]
	c := h.Login("lead")
	h.Sim.SetFaults(simulator.Faults{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL()+"/agents/"+agent.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the page's upstream call", func() bool { return len(h.UpstreamRequests(http.MethodGet, "/agents/"+agent.ID)) > 0 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled request was answered")
	}
	h.Sim.SetFaults(simulator.Faults{})
	want := `dashboard_http_requests_total{route="GET /agents/{id}",status="499"} 1`
	waitFor(t, "the 499 in the metrics", func() bool {
		return strings.Contains(apptest.Body(t, h.Get(h.Client(), "/metrics")), want)
	})
}
