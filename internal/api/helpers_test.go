package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/teamlead/dashboard/internal/api"
)

const (
	testBotID     = "st-3bf09bef-f979-5489-b337-f465bd5d0001"
	testAccountID = "637368b4a1d039e34ba60001"
	testOrgID     = "o-ca23f4c5-cc3e-586d-90e6-8375bf2d0001"
	testClientID  = "cs-50febaa3-743f-55b3-8956-718e96f60001"
	testSecret    = "very-secret-value-that-must-never-leak"
	testSession   = "646af57bcc41e5bfbd5e0001"
	testPrefix    = "/agentassist/api/v1/public/" + testBotID
	// The analytics and bot families' bases.
	testAnalyticsPrefix = "/agentassist/api/public/analytics/account/" + testAccountID
	testBotPrefix       = "/api/public/bot/" + testBotID
	// A second API app for the bot family.
	testBotClientID = "cs-7d1e5b0a-0000-4000-8000-00000000b0b0"
	testBotSecret   = "another-secret-for-the-bot-app"
)

func testCreds() api.Credentials {
	return api.Credentials{BotID: testBotID, AccountID: testAccountID, OrgID: testOrgID,
		ClientID: testClientID, ClientSecret: testSecret}
}

// recorded is one request as the fake upstream saw it.
type recorded struct {
	Method string
	Path   string
	Query  map[string][]string
	Header http.Header
	Body   []byte
	Claims jwt.MapClaims
}

// upstream is a fake SmartAssist that checks every request's credentials
// before handing it to the test's handler: an HS256 JWT signed with
// testSecret and appId testClientID (on the bot family, the bot app's when
// botApp is set), and each family's headers (accountId on contact center
// and analytics, iId on analytics, neither on the bot family).
type upstream struct {
	t       *testing.T
	srv     *httptest.Server
	handler http.HandlerFunc
	now     func() time.Time
	botApp  bool

	mu       sync.Mutex
	requests []recorded
}

func newUpstream(t *testing.T, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{t: t, handler: h, now: time.Now}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}

	bot := strings.HasPrefix(r.URL.Path, testBotPrefix+"/")
	secret, appID := testSecret, testClientID
	if bot && u.botApp {
		secret, appID = testBotSecret, testBotClientID
	}
	tok, err := jwt.Parse(r.Header.Get("auth"), func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(u.now))
	if err != nil {
		u.t.Errorf("%s %s: bad JWT: %v", r.Method, r.URL.Path, err)
		http.Error(w, `{"errors":[{"msg":"Invalid JWT token","code":4002}]}`, http.StatusUnauthorized)
		return
	}
	rec.Claims = tok.Claims.(jwt.MapClaims)
	if got := rec.Claims["appId"]; got != appID {
		u.t.Errorf("appId claim = %v, want %s", got, appID)
	}
	wantAccount, wantIID := testAccountID, ""
	switch {
	case bot:
		wantAccount = ""
	case strings.HasPrefix(r.URL.Path, testAnalyticsPrefix+"/"):
		wantIID = testBotID
	}
	if got := r.Header.Get("accountId"); got != wantAccount {
		u.t.Errorf("%s: accountId header = %q, want %q", r.URL.Path, got, wantAccount)
	}
	if got := r.Header.Get("iId"); got != wantIID {
		u.t.Errorf("%s: iId header = %q, want %q", r.URL.Path, got, wantIID)
	}
	u.mu.Lock()
	u.requests = append(u.requests, rec)
	u.mu.Unlock()
	u.handler(w, r)
}

func (u *upstream) recorded() []recorded {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]recorded(nil), u.requests...)
}

func (u *upstream) count() int { return len(u.recorded()) }

// client builds a client for the fake upstream with a roomy private budget
// and millisecond backoff, so tests are fast unless they opt out.
func (u *upstream) client(opts ...api.Option) *api.Client {
	u.t.Helper()
	base := []api.Option{
		api.WithBudget(api.NewBudget(60000, api.WithBurst(1000))),
		api.WithBotBudget(api.NewBudget(60000, api.WithBurst(1000), api.WithFamily(api.BudgetBot))),
		api.WithRetries(3, time.Millisecond),
	}
	creds := testCreds()
	if u.botApp {
		creds.BotClientID, creds.BotClientSecret = testBotClientID, testBotSecret
	}
	c, err := api.New(u.srv.URL, creds, append(base, opts...)...)
	if err != nil {
		u.t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "kore-docs", name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// generic decodes JSON with numbers kept as their literal text, so equality
// checks compare numbers exactly.
func generic(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", truncate(string(b), 80), err)
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// assertSameJSON fails unless a and b are the same JSON value.
func assertSameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if diffs := diffJSON(generic(t, got), generic(t, want), "", exactLeaf); len(diffs) > 0 {
		t.Errorf("%s: JSON differs at %d place(s): %s", what, len(diffs), strings.Join(diffs, "; "))
	}
}

// leafEqual compares two non-container values found at path.
type leafEqual func(path string, got, want any) bool

func exactLeaf(_ string, got, want any) bool { return reflect.DeepEqual(got, want) }

// diffJSON lists the paths where got and want differ.
func diffJSON(got, want any, path string, eq leafEqual) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": type differs"}
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				out = append(out, path+"/"+k+": missing")
			case !wok:
				out = append(out, path+"/"+k+": unexpected")
			default:
				out = append(out, diffJSON(gv, wv, path+"/"+k, eq)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path + ": array differs"}
		}
		var out []string
		for i := range w {
			out = append(out, diffJSON(g[i], w[i], fmt.Sprintf("%s/%d", path, i), eq)...)
		}
		return out
	}
	if !eq(path, got, want) {
		return []string{fmt.Sprintf("%s: %v != %v", path, got, want)}
	}
	return nil
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

func ctxWithTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
