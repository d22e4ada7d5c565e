package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

func TestNewValidatesInputs(t *testing.T) {
	full := testCreds()
	tests := []struct {
		name    string
		base    string
		creds   func(c *api.Credentials)
		opts    []api.Option
		wantMsg string
	}{
		{"empty base", "", nil, nil, "base URL is missing"},
		{"relative base", "platform.kore.ai", nil, nil, "must be an absolute http(s) URL"},
		{"ftp base", "ftp://platform.kore.ai", nil, nil, "must be an absolute http(s) URL"},
		{"missing bot and secret", "https://platform.kore.ai", func(c *api.Credentials) { c.BotID, c.ClientSecret = "", " " }, nil,
			"missing credentials: botId, clientSecret"},
		{"missing org", "https://platform.kore.ai", func(c *api.Credentials) { c.OrgID = "" }, nil, "missing credentials: orgId"},
		{"bad timeout", "https://platform.kore.ai", nil, []api.Option{api.WithRequestTimeout(0)}, "request timeout must be positive"},
		{"ttl too long", "https://platform.kore.ai", nil, []api.Option{api.WithTokenTTL(2 * time.Hour)}, "token TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := full
			if tt.creds != nil {
				tt.creds(&creds)
			}
			c, err := api.New(tt.base, creds, tt.opts...)
			if err == nil || c != nil {
				t.Fatalf("New = %v, %v; want an error", c, err)
			}
			if !errors.Is(err, api.ErrValidation) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want ErrValidation mentioning %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Error("error leaks the secret")
			}
		})
	}
	if _, err := api.New("https://platform.kore.ai/", full); err != nil {
		t.Errorf("valid input rejected: %v", err)
	}
}

func TestCredentialsNeverPrintSecret(t *testing.T) {
	c := testCreds()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "creds", c)
	for name, s := range map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c), "slog": logged.String(),
	} {
		if strings.Contains(s, testSecret) {
			t.Errorf("%s leaks the secret: %s", name, s)
		}
		if !strings.Contains(s, testClientID) || !strings.Contains(s, "[redacted]") {
			t.Errorf("%s lost the useful fields: %s", name, s)
		}
	}
	cl, err := api.New("https://platform.kore.ai", c)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Credentials() != c {
		t.Errorf("Credentials() = %v", cl.Credentials())
	}
}

func TestJWTAndHeaders(t *testing.T) {
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"results":[],"hasMore":false}`))
	})
	up.now = func() time.Time { return fixed.Add(time.Second) }
	c := up.client(api.WithClock(clock.NewManual(fixed)), api.WithTokenTTL(2*time.Minute))
	ctx := context.Background()
	for range 3 {
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Availability(ctx, api.AvailabilityQuery{AgentIDs: []string{"a-1"}}); err != nil {
		t.Fatal(err)
	}
	reqs := up.recorded()
	if len(reqs) != 4 {
		t.Fatalf("requests = %d", len(reqs))
	}
	seen := map[string]bool{}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32,}$`)
	for i, r := range reqs {
		iat, _ := r.Claims.GetIssuedAt()
		exp, _ := r.Claims.GetExpirationTime()
		if iat == nil || exp == nil || !iat.Time.Equal(fixed) || exp.Sub(iat.Time) != 2*time.Minute {
			t.Errorf("request %d: iat %v exp %v", i, iat, exp)
		}
		jti, _ := r.Claims["jti"].(string)
		if !hex32.MatchString(jti) || seen[jti] {
			t.Errorf("request %d: jti %q not fresh 128-bit hex", i, jti)
		}
		seen[jti] = true
		if r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") == "" ||
			r.Header.Get("Authorization") != "" {
			t.Errorf("request %d headers = %v", i, r.Header)
		}
		hasBody := r.Method == http.MethodPost
		if (r.Header.Get("Content-Type") == "application/json") != hasBody || (len(r.Body) > 0) != hasBody {
			t.Errorf("request %d (%s): content-type %q with body %q", i, r.Method, r.Header.Get("Content-Type"), r.Body)
		}
	}
	if q := reqs[0].Query; reqs[0].Path != testPrefix+"/agent-groups" || q["limit"][0] != "1" {
		t.Errorf("ping = %s %v", reqs[0].Path, q)
	}
}

func TestSessionDetailsBodyOnlyWithFilter(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"_id":"c-1"}`))
	})
	c := up.client()
	ctx := context.Background()
	if _, err := c.SessionDetails(ctx, testSession, nil); err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2024, 10, d, 23, 0, 0, 0, time.UTC) }
	if _, err := c.SessionDetails(ctx, testSession, &api.DateFilter{Start: day(24), End: day(28), TimeZoneOffset: -330}); err != nil {
		t.Fatal(err)
	}
	reqs := up.recorded()
	if len(reqs[0].Body) != 0 || reqs[0].Header.Get("Content-Type") != "" {
		t.Errorf("no filter: body %q content-type %q", reqs[0].Body, reqs[0].Header.Get("Content-Type"))
	}
	if reqs[1].Method != http.MethodGet {
		t.Errorf("method = %s", reqs[1].Method)
	}
	assertSameJSON(t, "filter body", reqs[1].Body, []byte(`{"startDate":"2024-10-24","endDate":"2024-10-28","timeZoneOffset":-330}`))
}

func TestLocalValidationSendsNothing(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s", r.URL)
	})
	c := up.client()
	ctx := context.Background()
	noGroup := api.NewAgent()
	_ = noGroup.Set("id", "a-1")
	okAssign := api.AssignRequest{CallbackURL: "https://cb.example/x", BotSessionID: testSession, AgentID: "a-1"}
	calls := []struct {
		name    string
		call    func() error
		wantMsg string
	}{
		{"short session id", func() error { _, err := c.SessionDetails(ctx, "abc", nil); return err }, "24 hex"},
		{"non-hex session id", func() error { _, err := c.SessionDetails(ctx, strings.Repeat("z", 24), nil); return err }, "24 hex"},
		{"inverted dates", func() error {
			_, err := c.SessionDetails(ctx, testSession, &api.DateFilter{Start: time.Now(), End: time.Now().AddDate(0, 0, -2)})
			return err
		}, "ends before it starts"},
		{"empty filter", func() error { _, err := c.SessionDetails(ctx, testSession, &api.DateFilter{}); return err }, "start or an end"},
		{"empty conversation id", func() error { _, err := c.Conversation(ctx, ""); return err }, "missing"},
		{"path in conversation id", func() error { _, err := c.Conversation(ctx, "../agents"); return err }, "not a valid id"},
		{"negative skip", func() error { _, err := c.ListConversations(ctx, api.ListConversationsParams{Skip: -1}); return err }, "negative"},
		{"empty status", func() error {
			_, err := c.ListConversations(ctx, api.ListConversationsParams{Statuses: []string{"OPEN", " "}})
			return err
		}, "empty value"},
		{"assign to both", func() error { r := okAssign; r.QueueID = "qu-1"; _, err := c.AssignConversation(ctx, r); return err }, "exactly one"},
		{"assign to neither", func() error { r := okAssign; r.AgentID = ""; _, err := c.AssignConversation(ctx, r); return err }, "exactly one"},
		{"assign to userId", func() error { r := okAssign; r.AgentID = "u-123"; _, err := c.AssignConversation(ctx, r); return err }, "not its userId"},
		{"assign bad session", func() error { r := okAssign; r.BotSessionID = "x"; _, err := c.AssignConversation(ctx, r); return err }, "24 hex"},
		{"assign bad callback", func() error {
			r := okAssign
			r.CallbackURL = "/relative"
			_, err := c.AssignConversation(ctx, r)
			return err
		}, "callback URL"},
		{"update nil agent", func() error { _, err := c.UpdateAgent(ctx, nil); return err }, "missing"},
		{"update without id", func() error { _, err := c.UpdateAgent(ctx, api.NewAgent()); return err }, "agent id"},
		{"update without group", func() error { _, err := c.UpdateAgent(ctx, noGroup); return err }, "agentGroupId"},
		{"negative agent page", func() error { _, err := c.ListAgents(ctx, -1); return err }, "negative"},
		{"empty skill group", func() error { _, err := c.Skills(ctx, ""); return err }, "missing"},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr *api.Error
			if !errors.Is(err, api.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Status != 0 {
				t.Fatalf("err = %v, want a local ErrValidation", err)
			}
			if !strings.HasPrefix(err.Error(), "invalid request: ") || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q should mention %q", err, tt.wantMsg)
			}
		})
	}
	if n := up.count(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestListConversationsQuery(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"results":null,"skip":20,"limit":10,"hasMore":"true"}`))
	})
	page, err := up.client().ListConversations(context.Background(), api.ListConversationsParams{
		Skip: 20, Limit: 10, Statuses: []string{"ACTIVE", "OPEN"}, Source: "rtm", Language: "en",
	})
	if err != nil {
		t.Fatal(err)
	}
	q := up.recorded()[0].Query
	if fmt.Sprint(q["status"]) != "[ACTIVE OPEN]" || q["skip"][0] != "20" || q["limit"][0] != "10" ||
		q["source"][0] != "rtm" || q["language"][0] != "en" {
		t.Errorf("query = %v", q)
	}
	if len(page.Results) != 0 || page.Skip != 20 || !page.HasMore {
		t.Errorf("page = %+v", page)
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		opts      []api.Option
		kind      error
		wantLine  string // exact banner
		wantCode  int
		wantRetry time.Duration
	}{
		{name: "bad credentials", status: 401, body: `{"errors":[{"msg":"Invalid JWT token","code":4002}]}`,
			kind: api.ErrUnauthorized, wantLine: "upstream rejected the credentials (Invalid JWT token)", wantCode: 4002},
		{name: "scope", status: 403, body: `{"errors":[{"msg":"Permission denied. Scope is incorrect!","code":4002}]}`,
			kind: api.ErrUnauthorized, wantLine: "upstream rejected the credentials (Permission denied. Scope is incorrect!)", wantCode: 4002},
		{name: "code 4002 on another status", status: 400, body: `{"errors":[{"msg":"Invalid SDK credentials","code":"4002"}]}`,
			kind: api.ErrUnauthorized, wantLine: "upstream rejected the credentials (Invalid SDK credentials)", wantCode: 4002},
		{name: "not found", status: 404, body: `{"errors":[]}`, kind: api.ErrNotFound, wantLine: "not found upstream"},
		{name: "validation", status: 412, body: `{"errors":[{"msg":"customId must not contain spaces","code":412}]}`,
			kind: api.ErrValidation, wantLine: "upstream rejected the request (customId must not contain spaces)", wantCode: 412},
		{name: "rate limited", status: 429, header: map[string]string{"Retry-After": "12"},
			body: `You've exceeded the per-minute rate limit. Please wait for sometime before retrying.`,
			kind: api.ErrRateLimited, wantLine: "upstream rate limit reached; retry in 12s", wantRetry: 12 * time.Second},
		{name: "rate limited without header", status: 429, body: ``,
			kind: api.ErrRateLimited, wantLine: "upstream rate limit reached; retry in 30s", wantRetry: 30 * time.Second},
		{name: "server error", status: 500, body: `{"errors":[{"msg":"Internal error"}]}`,
			kind: api.ErrUpstream, wantLine: "upstream error (HTTP 500: Internal error)"},
		{name: "html error page", status: 500, body: `<html><body>oops</body></html>`,
			kind: api.ErrUpstream, wantLine: "upstream error (HTTP 500)"},
		{name: "garbage body", status: 200, body: `{"_id": "c-1", trailing`,
			kind: api.ErrUpstream, wantLine: "upstream sent a bad response: malformed response"},
		{name: "oversized body", status: 200, body: `{"_id":"` + strings.Repeat("x", 200) + `"}`,
			opts: []api.Option{api.WithMaxBodyBytes(64)},
			kind: api.ErrUpstream, wantLine: "upstream sent a bad response: response too large (over 64 bytes)"},
		{name: "redirect", status: 302, body: ``, kind: api.ErrUpstream, wantLine: "unexpected upstream response (HTTP 302)"},
		{name: "secret echoed back", status: 401, body: `{"errors":[{"msg":"bad key ` + testSecret + `","code":4002}]}`,
			kind: api.ErrUnauthorized, wantLine: "upstream rejected the credentials (bad key [redacted])", wantCode: 4002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			var logs bytes.Buffer
			opts := append([]api.Option{api.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}, tt.opts...)
			// A short deadline keeps 429s from being retried after their pause.
			_, err := up.client(opts...).Conversation(ctxWithTimeout(t, 2*time.Second), "c-1")
			var apiErr *api.Error
			if !errors.As(err, &apiErr) || !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want kind %v", err, tt.kind)
			}
			if err.Error() != tt.wantLine {
				t.Errorf("banner = %q, want %q", err.Error(), tt.wantLine)
			}
			if apiErr.Endpoint != "conversations.get" || apiErr.Method != http.MethodGet || apiErr.Code != tt.wantCode ||
				apiErr.RetryAfter != tt.wantRetry {
				t.Errorf("error fields = %+v", apiErr)
			}
			if want := tt.status; want >= 300 && apiErr.Status != want {
				t.Errorf("status = %d, want %d", apiErr.Status, want)
			}
			token := up.recorded()[0].Header.Get("auth")
			for _, leak := range []string{testSecret, token} {
				if strings.Contains(err.Error(), leak) || strings.Contains(fmt.Sprintf("%+v", apiErr), leak) ||
					strings.Contains(logs.String(), leak) {
					t.Errorf("secret or token leaked: %v / %s", err, logs.String())
				}
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c, err := api.New(url, testCreds(), api.WithRetries(1, time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Conversation(context.Background(), "c-1")
		if !errors.Is(err, api.ErrTransport) {
			t.Fatalf("err = %v, want ErrTransport", err)
		}
		if !strings.HasPrefix(err.Error(), "upstream unreachable: dial tcp") || !strings.Contains(err.Error(), "refused") {
			t.Errorf("banner = %q", err)
		}
	})
	t.Run("per-attempt timeout", func(t *testing.T) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		})
		start := time.Now()
		_, err := up.client(api.WithRequestTimeout(50*time.Millisecond), api.WithRetries(0, 0)).Conversation(context.Background(), "c-1")
		if !errors.Is(err, api.ErrTransport) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrTransport + DeadlineExceeded", err)
		}
		if err.Error() != "upstream did not answer in time" || time.Since(start) > time.Second {
			t.Errorf("banner %q after %v", err, time.Since(start))
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel)
		_, err := up.client().Conversation(ctx, "c-1")
		if !errors.Is(err, context.Canceled) || !errors.Is(err, api.ErrTransport) || err.Error() != "request cancelled" {
			t.Fatalf("err = %v", err)
		}
		if up.count() != 1 {
			t.Errorf("cancelled call was retried: %d requests", up.count())
		}
	})
}

// flaky answers the first n requests with status, then 200 with body.
func flaky(n int32, status int, body string) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, http.StatusOK, []byte(body))
	}, &calls
}

func TestRetries(t *testing.T) {
	agent := func() *api.Agent {
		a, _ := api.DecodeAgent([]byte(`{"id":"a-1","agentGroupId":"ag-1"}`))
		return a
	}
	assign := api.AssignRequest{CallbackURL: "https://cb.example/x", BotSessionID: testSession, AgentID: "a-1"}
	tests := []struct {
		name      string
		failures  int32
		status    int
		call      func(*api.Client) error
		wantCalls int32
		wantKind  error // nil: success
	}{
		{"GET retried on 503", 2, 503, func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err }, 3, nil},
		{"GET retried on 502/504 kinds", 1, 504, func(c *api.Client) error { _, err := c.Agent(context.Background(), "a-1"); return err }, 2, nil},
		{"GET gives up after max retries", 10, 503, func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err }, 4, api.ErrUpstream},
		{"GET retried on 500", 1, 500, func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err }, 2, nil},
		{"GET not retried on 412", 1, 412, func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err }, 1, api.ErrValidation},
		{"GET not retried on 401", 1, 401, func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err }, 1, api.ErrUnauthorized},
		{"GET not retried on 404", 1, 404, func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err }, 1, api.ErrNotFound},
		{"availability query retried", 1, 503, func(c *api.Client) error {
			_, err := c.Availability(context.Background(), api.AvailabilityQuery{})
			return err
		}, 2, nil},
		{"PUT agent sent once", 5, 503, func(c *api.Client) error { _, err := c.UpdateAgent(context.Background(), agent()); return err }, 1, api.ErrUpstream},
		{"assign sent once", 5, 503, func(c *api.Client) error { _, err := c.AssignConversation(context.Background(), assign); return err }, 1, api.ErrUpstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, calls := flaky(tt.failures, tt.status, `{"id":"a-1","_id":"c-1","AVAILABLE":[]}`)
			up := newUpstream(t, h)
			err := tt.call(up.client())
			if tt.wantKind == nil && err != nil || tt.wantKind != nil && !errors.Is(err, tt.wantKind) {
				t.Errorf("err = %v, want %v", err, tt.wantKind)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestWritesNeverRetriedOnTimeout(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := up.client(api.WithRequestTimeout(40 * time.Millisecond))
	a, _ := api.DecodeAgent([]byte(`{"id":"a-1","agentGroupId":"ag-1"}`))
	if _, err := c.UpdateAgent(context.Background(), a); !errors.Is(err, api.ErrTransport) {
		t.Errorf("update err = %v", err)
	}
	_, err := c.AssignConversation(context.Background(),
		api.AssignRequest{CallbackURL: "https://cb.example/x", BotSessionID: testSession, QueueID: "qu-1"})
	if !errors.Is(err, api.ErrTransport) {
		t.Errorf("assign err = %v", err)
	}
	if n := up.count(); n != 2 {
		t.Errorf("requests = %d, want exactly one per write", n)
	}
}

func TestNoRetryPastDeadline(t *testing.T) {
	h, calls := flaky(1000, 503, "")
	up := newUpstream(t, h)
	c := up.client(api.WithRetries(10, 100*time.Millisecond))
	start := time.Now()
	_, err := c.Conversation(ctxWithTimeout(t, 150*time.Millisecond), "c-1")
	elapsed := time.Since(start)
	if !errors.Is(err, api.ErrUpstream) && !errors.Is(err, api.ErrTransport) {
		t.Errorf("err = %v", err)
	}
	if elapsed > 400*time.Millisecond || calls.Load() >= 11 {
		t.Errorf("kept retrying: %d calls in %v", calls.Load(), elapsed)
	}
}

func TestRetryAfter429WhenItFits(t *testing.T) {
	var calls atomic.Int32
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"_id":"c-1"}`))
	})
	conv, err := up.client().Conversation(ctxWithTimeout(t, 5*time.Second), "c-1")
	if err != nil || conv.ID != "c-1" || calls.Load() != 2 {
		t.Fatalf("conv %v err %v after %d calls", conv, err, calls.Load())
	}
}

func TestRateLimitPausesEveryCaller(t *testing.T) {
	var calls atomic.Int32
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	budget := api.NewBudget(60000, api.WithBurst(100))
	first, second := up.client(api.WithBudget(budget)), up.client(api.WithBudget(budget))

	_, err := first.Conversation(ctxWithTimeout(t, time.Second), "c-1")
	if !errors.Is(err, api.ErrRateLimited) || calls.Load() != 1 {
		t.Fatalf("first: err %v after %d calls (a 30s pause must not be retried within 1s)", err, calls.Load())
	}
	if until := budget.Stats().PausedUntil; time.Until(until) < 25*time.Second {
		t.Errorf("budget paused until %v", until)
	}
	start := time.Now()
	err = second.Ping(ctxWithTimeout(t, 200*time.Millisecond))
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, api.ErrRateLimited) || apiErr.Status != 0 {
		t.Fatalf("second: err = %v, want a local ErrRateLimited", err)
	}
	if err.Error() != "request budget exhausted; retry in 30s" || time.Since(start) > 100*time.Millisecond {
		t.Errorf("second: %q after %v (should fail fast)", err, time.Since(start))
	}
	if calls.Load() != 1 {
		t.Errorf("upstream hit %d times during the pause", calls.Load())
	}
}

func TestAllAgentsPaging(t *testing.T) {
	t.Run("until hasMore is false", func(t *testing.T) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			page := r.URL.Query().Get("page")
			more := page != "3"
			var items []string
			for i := range 10 {
				items = append(items, fmt.Sprintf(`{"id":"a-%s-%d","big":12345678901234567890}`, page, i))
			}
			writeJSON(w, http.StatusOK, []byte(fmt.Sprintf(`{"results":[%s],"page":%s,"hasMore":%t}`, strings.Join(items, ","), page, more)))
		})
		agents, err := up.client().AllAgents(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(agents) != 30 || agents[29].ID() != "a-3-9" || up.count() != 3 {
			t.Errorf("got %d agents in %d requests", len(agents), up.count())
		}
		if raw, _ := agents[0].Get("big"); string(raw) != "12345678901234567890" {
			t.Errorf("big number = %s", raw)
		}
	})
	t.Run("bounded when upstream never stops", func(t *testing.T) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, []byte(`{"results":[{"id":"a-1"}],"hasMore":true}`))
		})
		_, err := up.client().AllAgents(context.Background())
		if !errors.Is(err, api.ErrUpstream) || !strings.Contains(err.Error(), "pages") {
			t.Errorf("err = %v", err)
		}
		if n := up.count(); n != 100 {
			t.Errorf("requests = %d, want the 100-page bound", n)
		}
	})
}

func TestSkipPagingAdvancesByResults(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		skip := r.URL.Query().Get("skip")
		var body string
		switch skip { // upstream caps pages at 2, whatever limit was asked
		case "0":
			body = `{"results":[{"id":"ag-1"},{"id":"ag-2"}],"hasMore":true,"totalResults":5}`
		case "2":
			body = `{"results":[{"id":"ag-3"},{"id":"ag-4"}],"hasMore":true,"totalResults":5}`
		case "4":
			body = `{"results":[{"id":"ag-5"}],"hasMore":false,"totalResults":5}`
		default:
			t.Errorf("unexpected skip %q", skip)
		}
		writeJSON(w, http.StatusOK, []byte(body))
	})
	groups, err := up.client().AgentGroups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	if fmt.Sprint(ids) != "[ag-1 ag-2 ag-3 ag-4 ag-5]" {
		t.Errorf("ids = %v", ids)
	}
}
