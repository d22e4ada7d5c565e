package simulator

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/teamlead/dashboard/internal/clock"
)

// testAnchor places every test world; a month's last day, so that the
// guarantee tests cross a month end.
var testAnchor = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)

// testNow is where test clocks start: at the anchor, where exactly
// Options.Conversations conversations exist.
var testNow = testAnchor

// pinned builds a simulator (no HTTP) on a Manual clock at now.
func pinned(t testing.TB, opts Options, now time.Time) (*Simulator, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(now)
	opts.Clock = clk
	if opts.Anchor.IsZero() {
		opts.Anchor = testAnchor
	}
	sim, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(sim.Close)
	return sim, clk
}

type testEnv struct {
	t     *testing.T
	sim   *Simulator
	srv   *httptest.Server
	creds Credentials
	clock *clock.Manual
}

// newEnv starts a simulator behind httptest. Unless opts say otherwise it is
// small, unlimited, anchored at testAnchor and clocked at testNow.
func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	clk, _ := opts.Clock.(*clock.Manual)
	if clk == nil {
		clk = clock.NewManual(testNow)
		opts.Clock = clk
	}
	if opts.Anchor.IsZero() {
		opts.Anchor = testAnchor
	}
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = -1
	}
	if opts.Conversations == 0 {
		opts.Conversations = 400
	}
	sim, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return &testEnv{t: t, sim: sim, srv: srv, creds: sim.Credentials(), clock: clk}
}

// token mints a valid upstream JWT; mutate adjusts claims before signing.
func (e *testEnv) token(mutate func(jwt.MapClaims)) string {
	e.t.Helper()
	jti := make([]byte, 8)
	_, _ = rand.Read(jti)
	claims := jwt.MapClaims{
		"appId": e.creds.ClientID,
		"iat":   e.clock.Now().Unix(),
		"exp":   e.clock.Now().Add(5 * time.Minute).Unix(),
		"jti":   hex.EncodeToString(jti),
	}
	if mutate != nil {
		mutate(claims)
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(e.creds.ClientSecret))
	if err != nil {
		e.t.Fatalf("sign: %v", err)
	}
	return tok
}

func (e *testEnv) url(path string) string {
	return e.srv.URL + BasePath + e.creds.BotID + path
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorMsg returns the first envelope message, failing if there is none.
func (r response) errorMsg(t *testing.T) (string, int) {
	t.Helper()
	var env errorEnvelope
	r.decode(t, &env)
	if len(env.Errors) != 1 {
		t.Fatalf("want one error in envelope, got %s", r.body)
	}
	return env.Errors[0].Msg, env.Errors[0].Code
}

// do sends an authenticated request to a full URL.
func (e *testEnv) do(method, fullURL string, body any) response {
	e.t.Helper()
	return e.doWith(method, fullURL, body, map[string]string{"auth": e.token(nil), "accountId": e.creds.AccountID})
}

func (e *testEnv) doWith(method, fullURL string, body any, headers map[string]string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, fullURL, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, fullURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

func (e *testEnv) get(path string) response { return e.do(http.MethodGet, e.url(path), nil) }

// mustOK fails unless r is a 200 JSON answer.
func mustOK(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != contentTypeJSON {
		t.Fatalf("Content-Type %q", ct)
	}
}

// analytics POSTs to an analytics-family endpoint with the headers it needs.
func (e *testEnv) analytics(path string, body any) response {
	e.t.Helper()
	return e.doWith(http.MethodPost, e.srv.URL+AnalyticsPath+e.creds.AccountID+"/"+path, body,
		map[string]string{"auth": e.token(nil), "accountId": e.creds.AccountID, "iId": e.creds.BotID})
}

// bot calls a bot-family endpoint with only the auth header, as documented.
func (e *testEnv) bot(method, path string, body any) response {
	e.t.Helper()
	return e.doWith(method, e.srv.URL+BotPath+e.creds.BotID+"/"+path, body, map[string]string{"auth": e.token(nil)})
}

// findSession returns the first session (newest first) that keep accepts.
func findSession(t *testing.T, sim *Simulator, keep func(*session) bool) *session {
	t.Helper()
	sim.mu.RLock()
	defer sim.mu.RUnlock()
	for _, ss := range sim.visibleSessions(sim.now()) {
		if keep(ss) {
			return ss
		}
	}
	t.Fatal("no suitable session")
	return nil
}
