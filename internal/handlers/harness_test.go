package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/store"
	"github.com/teamlead/dashboard/web/static"
)

const testPassword = "correct horse battery"

// harness is the whole dashboard over real HTTP: a real SQLite file, real
// users and sessions, and the real simulator as upstream.
type harness struct {
	t        *testing.T
	srv      *httptest.Server
	hd       *Handler
	users    *auth.Users
	audit    *audit.Log
	sim      *simulator.Simulator
	upstream *countingPinger
	api      *api.Client          // the dashboard's upstream client (issue 4 tests use it directly)
	dir      *directory.Directory // the agent directory the handlers read
	cache    *cache.Cache         // issue 3: the conversation cache and index
	reassign *reassign.Service    // issue 5: callbacks reach srv's real /hooks/assign route
	outcomes chan reassign.Transfer
}

type harnessOptions struct {
	demo         bool
	upstreamDown bool
	deps         func(*Deps) // adjusts the dependencies before the handler is built
	cacheOptions cache.Options
	reassign     reassign.Options // issue 5; PublicURL and OnOutcome are set by the harness
}

// countingPinger counts upstream health checks that reach the client.
type countingPinger struct {
	next  Pinger
	calls atomic.Int64
}

func (c *countingPinger) Ping(ctx context.Context) error {
	c.calls.Add(1)
	return c.next.Ping(ctx)
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	users := auth.NewUsers(db, auth.WithHashCost(bcrypt.MinCost))
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"viewer", auth.RoleViewer}, {"lead", auth.RoleLead}, {"admin", auth.RoleAdmin}} {
		if _, err := users.Create(ctx, u.name, testPassword, u.role); err != nil {
			t.Fatal(err)
		}
	}
	hashKey, blockKey, err := auth.LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	simEnv := simtest.Start(t, simulator.Options{Seed: 7, Conversations: 50, Agents: 8, CallbackDelay: 10 * time.Millisecond})
	sim, client, base := simEnv.Sim, simEnv.Client, simEnv.Server.URL
	if opts.upstreamDown {
		simEnv.Server.Close()
	}
	c := sim.Credentials()
	counting := &countingPinger{next: client}
	agentDir := directory.New(client, directory.Options{})
	auditLog := audit.New(db, time.Now)
	convCache, err := cache.New(db, client, opts.cacheOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(convCache.Close)
	// The dashboard's own server exists before its handler, so that the
	// reassign service's callback URLs point at its real route.
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	outcomes := make(chan reassign.Transfer, 64)
	ropts := opts.reassign
	ropts.PublicURL = "http://" + srv.Listener.Addr().String()
	ropts.OnOutcome = func(tr reassign.Transfer) {
		if _, err := convCache.Refresh(context.Background(), tr.ConversationID); err != nil {
			t.Logf("refresh after outcome: %v", err)
		}
		select {
		case outcomes <- tr:
		default:
		}
	}
	reassigner, err := reassign.New(db, client, auditLog, ropts)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan struct{})
	go func() { defer close(runDone); reassigner.Run(runCtx) }()
	t.Cleanup(func() { stopRun(); <-runDone })
	agentEdit, err := agentedit.NewService(client, agentDir, auditLog, agentedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{
		Users:    users,
		Sessions: auth.NewSessions(hashKey, blockKey, auth.SessionConfig{}, time.Now),
		Throttle: auth.NewThrottle(auth.ThrottleConfig{PerAccount: 3, PerAddress: 50}, time.Now),
		Database: db,
		Upstream: counting,
		Audit:    auditLog,
		Info:     UpstreamInfo{Demo: opts.demo, BaseURL: base, BotID: c.BotID},
		Static:   static.Files,
		// Issue 4: agents.
		Directory: agentDir,
		AgentEdit: agentEdit,
		// Issue 3: conversations.
		Conversations: convCache,
		// Issue 5: reassigning.
		Reassign:      reassigner,
		ReassignIndex: convCache,
	}
	if opts.deps != nil {
		opts.deps(&deps)
	}
	hd, err := newHandler(deps)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = hd.routes()
	srv.Start()
	return &harness{t: t, srv: srv, hd: hd, users: users, audit: auditLog, sim: sim, upstream: counting, api: client, dir: agentDir, cache: convCache,
		reassign: reassigner, outcomes: outcomes}
}

// client returns a browser-like client: a cookie jar, no automatic
// redirects (tests assert them), and the Origin a same-site form sends.
func (h *harness) client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (h *harness) get(c *http.Client, path string) *http.Response {
	h.t.Helper()
	resp, err := c.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// postForm posts like a same-origin browser form: with an Origin header.
func (h *harness) postForm(c *http.Client, path string, form url.Values, header ...string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// login signs in and returns the client holding the session cookie.
func (h *harness) login(username string) *http.Client {
	h.t.Helper()
	c := h.client()
	resp := h.postForm(c, "/login", url.Values{"username": {username}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	return c
}

func readDoc(t *testing.T, resp *http.Response) *goquery.Document {
	t.Helper()
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
