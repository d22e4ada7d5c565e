package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// hangBound is how long a test waits for an answer before it calls the
// request hung: far above any deadline the tests tune, only to catch hangs.
const hangBound = 10 * time.Second

// getWithin fetches path with c, failing the test when no answer arrives
// within bound.
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

// TestPagesAnswerWhileUpstreamAnswers429 reproduces the hang: with the
// client's production retries and upstream answering 429 to everything,
// a lead's and an admin's pages must still answer.
func TestPagesAnswerWhileUpstreamAnswers429(t *testing.T) {
	h := apptest.New(t, apptest.Options{
		Start: true,
		Tuning: app.Tuning{
			ClientOptions: []api.Option{api.WithRetries(api.DefaultMaxRetries, api.DefaultRetryBase)},
		},
	})
	agent := h.Sim.Agents()[0]
	h.Sim.SetFaults(simulator.Faults{RateLimitRate: 1})
	for _, who := range []string{"lead", "admin"} {
		c := h.Login(who)
		for _, path := range []string{"/conversations", "/agents", "/agents/" + agent.ID} {
			resp, ok := getWithin(t, h, c, path, hangBound)
			if !ok {
				continue
			}
			body := apptest.Body(t, resp)
			if resp.StatusCode >= 500 || len(body) == 0 {
				t.Errorf("%s %s: %d, %d bytes", who, path, resp.StatusCode, len(body))
			}
		}
	}
}
