package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10, RatePerMinute: 5})
	for i := range 5 {
		e.clock.Advance(time.Second)
		if r := e.get("/agent-groups"); r.status != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, r.status)
		}
	}
	// The first request was at +1s, so a slot frees at +61s.
	tests := []struct {
		advance   time.Duration
		wantOK    bool
		wantRetry int
	}{
		{0, false, 56},                                    // now +5s
		{30 * time.Second, false, 26},                     // +35s
		{25*time.Second + 500*time.Millisecond, false, 1}, // +60.5s
		{time.Second, true, 0},                            // +61.5s: the first request left the window
		{0, false, 1},                                     // the window is full again (+2s … +61.5s)
	}
	for i, tt := range tests {
		e.clock.Advance(tt.advance)
		r := e.get("/agent-groups")
		if tt.wantOK {
			mustOK(t, r)
			continue
		}
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("step %d: status %d, want 429", i, r.status)
		}
		if got := r.header.Get("Retry-After"); got != strconv.Itoa(tt.wantRetry) {
			t.Errorf("step %d: Retry-After %q, want %d", i, got, tt.wantRetry)
		}
		msg, code := r.errorMsg(t)
		if msg != "You've exceeded the per-minute rate limit. Please wait for sometime before retrying." || code != 429 {
			t.Errorf("step %d: envelope (%q, %d)", i, msg, code)
		}
	}
}

func TestRateLimitUnlimited(t *testing.T) {
	e := newEnv(t, Options{Conversations: 10, RatePerMinute: -1})
	for i := range 100 {
		if r := e.get("/skill-groups"); r.status != http.StatusOK {
			t.Fatalf("request %d: status %d", i, r.status)
		}
	}
}

func TestFaults(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	tests := []struct {
		name  string
		fault Faults
		check func(t *testing.T, r response)
	}{
		{"server error", Faults{ErrorRate: 1}, func(t *testing.T, r response) {
			if r.status != http.StatusInternalServerError && r.status != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 500/503", r.status)
			}
			if msg, code := r.errorMsg(t); msg == "" || code != r.status {
				t.Fatalf("envelope (%q, %d)", msg, code)
			}
		}},
		{"rate limited", Faults{RateLimitRate: 1}, func(t *testing.T, r response) {
			if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
				t.Fatalf("status %d Retry-After %q", r.status, r.header.Get("Retry-After"))
			}
			r.errorMsg(t)
		}},
		{"malformed", Faults{MalformedRate: 1}, func(t *testing.T, r response) {
			if r.status != http.StatusOK || r.header.Get("Content-Type") != contentTypeJSON {
				t.Fatalf("status %d content type %q", r.status, r.header.Get("Content-Type"))
			}
			if len(r.body) == 0 || json.Valid(r.body) {
				t.Fatalf("body should be non-empty invalid JSON: %q", r.body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sim.SetFaults(tt.fault)
			for range 5 {
				tt.check(t, e.get("/queues"))
			}
		})
	}
	e.sim.SetFaults(Faults{})
	mustOK(t, e.get("/queues"))
}

func TestFaultRetryAfter(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	tests := []struct {
		retryAfter time.Duration
		want       string
	}{
		{0, "60"},
		{time.Second, "1"},
		{1500 * time.Millisecond, "2"},
	}
	for _, tt := range tests {
		e.sim.SetFaults(Faults{RateLimitRate: 1, RetryAfter: tt.retryAfter})
		r := e.get("/queues")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != tt.want {
			t.Errorf("RetryAfter %v: status %d Retry-After %q, want 429 %s", tt.retryAfter, r.status, r.header.Get("Retry-After"), tt.want)
		}
	}
	if _, err := New(Options{Faults: Faults{RetryAfter: -time.Second}}); err == nil {
		t.Error("a negative Retry-After was accepted")
	}
}

// TestFaultDown: a downed simulator closes every connection unanswered and
// still records the request; clearing the fault brings it back.
func TestFaultDown(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	e.sim.SetFaults(Faults{Down: true, Latency: time.Hour})
	e.sim.ResetRequests()
	req, err := http.NewRequest(http.MethodGet, e.url("/queues"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("auth", e.token(nil))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a downed simulator answered %d", resp.StatusCode)
	}
	if n := len(e.sim.Requests()); n == 0 {
		t.Error("the dropped request was not recorded")
	}
	e.sim.SetFaults(Faults{})
	mustOK(t, e.get("/queues"))
}

func TestFaultLatency(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20, Faults: Faults{Latency: 80 * time.Millisecond}})
	start := time.Now()
	mustOK(t, e.get("/skill-groups"))
	if elapsed := time.Since(start); elapsed < 80*time.Millisecond {
		t.Fatalf("answered in %v despite 80ms latency", elapsed)
	}
}

func TestFaultRatesAreProportional(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	e.sim.SetFaults(Faults{ErrorRate: 0.2, RateLimitRate: 0.2, MalformedRate: 0.2})
	counts := map[string]int{}
	const n = 300
	for range n {
		r := e.get("/skill-groups")
		switch {
		case r.status >= 500:
			counts["error"]++
		case r.status == http.StatusTooManyRequests:
			counts["limit"]++
		case !json.Valid(r.body):
			counts["malformed"]++
		default:
			counts["ok"]++
		}
	}
	// Each kind should land near 60 of 300; the bounds are ~5 sigma wide.
	for _, kind := range []string{"error", "limit", "malformed"} {
		if counts[kind] < 25 || counts[kind] > 95 {
			t.Errorf("%s: %d of %d", kind, counts[kind], n)
		}
	}
	if counts["ok"] < 80 || counts["ok"] > 160 {
		t.Errorf("ok: %d of %d", counts["ok"], n)
	}
}

func TestRequestsRecorded(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	conv := e.sim.Conversations()[0]
	e.ResetAndCheckEmpty()
	body := `{"startDate":"2025-08-01"}`
	e.do(http.MethodGet, e.url("/conversations/sessions/"+conv.SessionID), body)
	e.get("/conversations?status=OPEN&status=ACTIVE&limit=5")
	got := e.sim.Requests()
	if len(got) != 2 {
		t.Fatalf("%d requests recorded, want 2", len(got))
	}
	first, second := got[0], got[1]
	if first.Method != http.MethodGet || first.Path != BasePath+e.creds.BotID+"/conversations/sessions/"+conv.SessionID ||
		string(first.Body) != body || first.Header.Get("accountid") != e.creds.AccountID || first.Header.Get("auth") == "" || !first.At.Equal(testNow) {
		t.Errorf("first request %+v", first)
	}
	if second.RawQuery != "status=OPEN&status=ACTIVE&limit=5" || len(second.Body) != 0 {
		t.Errorf("second request %+v", second)
	}
	// Requests refused by auth or faults are recorded too.
	e.doWith(http.MethodGet, e.url("/queues"), nil, nil)
	if n := len(e.sim.Requests()); n != 3 {
		t.Errorf("%d requests after an unauthenticated one, want 3", n)
	}
	e.ResetAndCheckEmpty()
}

func (e *testEnv) ResetAndCheckEmpty() {
	e.t.Helper()
	e.sim.ResetRequests()
	if n := len(e.sim.Requests()); n != 0 {
		e.t.Fatalf("%d requests after reset", n)
	}
}

func TestRecordLimitKeepsNewest(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20, RecordLimit: 3})
	for i := range 5 {
		e.get(fmt.Sprintf("/agent-groups?skip=%d", i))
	}
	got := e.sim.Requests()
	if len(got) != 3 {
		t.Fatalf("%d requests kept, want 3", len(got))
	}
	for i, r := range got {
		if want := fmt.Sprintf("skip=%d", i+2); r.RawQuery != want {
			t.Errorf("request %d query %q, want %q", i, r.RawQuery, want)
		}
	}
}
