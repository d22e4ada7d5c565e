package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// observation is one report to an api.Observer.
type observation struct{ endpoint, method, outcome string }

func TestObserverSeesEveryAttempt(t *testing.T) {
	groups := readFixture(t, "get-all-agent-groups.response.json")
	var calls int
	var mu sync.Mutex
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 2 {
			writeJSON(w, http.StatusServiceUnavailable, []byte(`{"errors":[{"msg":"busy","code":503}]}`))
			return
		}
		writeJSON(w, http.StatusOK, groups)
	})
	var got []observation
	var gotMu sync.Mutex
	c := up.client(api.WithRetries(2, time.Millisecond), api.WithObserver(func(endpoint, method, outcome string, d time.Duration) {
		if d < 0 {
			t.Errorf("negative duration %v", d)
		}
		gotMu.Lock()
		got = append(got, observation{endpoint, method, outcome})
		gotMu.Unlock()
	}))
	if err := c.Ping(context.Background()); err == nil {
		t.Fatal("ping is not retried, so the 503 should surface")
	}
	if _, err := c.AgentGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The ping is sent once; the read is retried after its 503: one report
	// per attempt.
	var outcomes []string
	for _, o := range got {
		outcomes = append(outcomes, o.outcome)
		if o.method != http.MethodGet || o.endpoint == "" {
			t.Errorf("observation %+v", o)
		}
	}
	if fmt.Sprint(outcomes) != "[upstream upstream ok]" || got[0].endpoint != "ping" {
		t.Errorf("observations %v", got)
	}
}

func TestOutcome(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{&api.Error{Kind: api.ErrUnauthorized}, "unauthorized"},
		{&api.Error{Kind: api.ErrNotFound}, "not_found"},
		{&api.Error{Kind: api.ErrValidation}, "invalid"},
		{&api.Error{Kind: api.ErrRateLimited}, "rate_limited"},
		{&api.Error{Kind: api.ErrUpstream}, "upstream"},
		{&api.Error{Kind: api.ErrUpstream, Err: fmt.Errorf("%w: bad json", api.ErrMalformed)}, "malformed"},
		{&api.Error{Kind: api.ErrTransport}, "transport"},
		{errors.New("other"), "transport"},
	}
	for _, tt := range tests {
		if got := api.Outcome(tt.err); got != tt.want {
			t.Errorf("Outcome(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// A 2xx answer whose body cannot be decoded is a failed attempt: the
// observer hears "malformed", never "ok", the read is retried (the client
// here allows three retries), and the caller gets an upstream error that
// also wraps ErrMalformed.
func TestObserverReportsMalformedBody(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/agent-groups") && r.URL.Query().Get("limit") == "1":
			writeJSON(w, http.StatusOK, []byte(`{"results": [], "hasMore": false}`)) // the ping
		case strings.HasSuffix(r.URL.Path, "/agent-groups"):
			writeJSON(w, http.StatusOK, []byte(`[{"_id": "ag-1"}]`)) // a list, not the paged object
		case strings.HasSuffix(r.URL.Path, "/agents/availability"):
			writeJSON(w, http.StatusOK, []byte(`not json`))
		default:
			writeJSON(w, http.StatusOK, []byte(`{"_id": "c-1", trailing`))
		}
	})
	var got []observation
	var mu sync.Mutex
	c := up.client(api.WithObserver(func(endpoint, method, outcome string, _ time.Duration) {
		mu.Lock()
		got = append(got, observation{endpoint, method, outcome})
		mu.Unlock()
	}))
	ctx := context.Background()
	_, errConv := c.Conversation(ctx, "c-1")
	_, errGroups := c.AgentGroups(ctx)
	_, errAvail := c.Availability(ctx, api.AvailabilityQuery{AgentIDs: []string{"a-1"}})
	errPing := c.Ping(ctx)
	for name, err := range map[string]error{"conversation": errConv, "groups": errGroups, "availability": errAvail} {
		if !errors.Is(err, api.ErrUpstream) || !errors.Is(err, api.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrUpstream and ErrMalformed", name, err)
		}
		if err != nil && err.Error() != "upstream sent a bad response: malformed response" {
			t.Errorf("%s: banner %q", name, err.Error())
		}
	}
	if errPing != nil {
		t.Errorf("ping only needs an object: %v", errPing)
	}
	var want []observation
	for _, o := range []observation{
		{"conversations.get", http.MethodGet, "malformed"},
		{"agentGroups.list", http.MethodGet, "malformed"},
		{"agents.availability", http.MethodPost, "malformed"},
	} {
		want = append(want, o, o, o, o)
	}
	want = append(want, observation{"ping", http.MethodGet, "ok"})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("observations %v, want %v (a malformed body is retried three times)", got, want)
	}
}
