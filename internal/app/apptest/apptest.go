// Package apptest starts the whole dashboard for tests, exactly as `dashboard
// serve` builds it (internal/app), over real HTTP, on a real SQLite file, in
// demo mode against the real simulator, with one pinned clock that the
// simulator and the dashboard share. Tests state the time they run at and
// the conversations they rely on by construction, so they pass at any hour.
package apptest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/internal/simulator"
)

// Password is every test user's password.
const Password = "correct horse battery"

// Anchor is where the simulator's world is planned in tests: the last day of
// a month, so a test can cross both a midnight and a month end.
var Anchor = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)

// DefaultAt is when the clock starts unless a test says otherwise: a
// Saturday afternoon of the anchor day.
var DefaultAt = Anchor.Add(14*time.Hour + 7*time.Minute)

// Options shape a harness. The zero value is a small demo world (seed 7,
// 50 conversations, 8 agents) at DefaultAt.
type Options struct {
	// At is the time the clock is pinned at; zero is DefaultAt.
	At time.Time
	// Simulator overrides the demo world; Clock is always the harness's,
	// and Anchor defaults to Anchor.
	Simulator simulator.Options
	// UpstreamDown runs live mode against an upstream that does not answer.
	UpstreamDown bool
	// Tuning is passed to the app; OnReassignOutcome is wrapped so the
	// harness's Outcomes channel sees every outcome.
	Tuning app.Tuning
	// Start runs the app's background workers (directory refresh, index
	// sync, reassign loop), as `dashboard serve` does.
	Start bool
	// AlertWebhook is the live floor's alert webhook (config
	// AlertWebhook); empty: none.
	AlertWebhook string
	// ColdDirectory leaves the agent directory unloaded. By default it is
	// loaded before the test begins (before Simulator.Faults apply), as
	// `dashboard serve` loads it at once: pages never wait for a directory
	// that has no copy, they say it is loading.
	ColdDirectory bool
	// DataDir opens the app on this data directory, as `dashboard serve
	// -data` does, instead of a fresh one under TempDir: e.g. a large
	// prebuilt conversation index for benchmarks. Whatever the directory
	// holds is kept; the test users are created only where missing.
	DataDir string
	// MetricsToken is the bearer token that may read /metrics from
	// anywhere (DASHBOARD_METRICS_TOKEN).
	MetricsToken string
	// OIDC configures single sign-on; RedirectURL defaults to the
	// harness's own callback.
	OIDC config.OIDC
}

// OutcomeTimeout bounds WaitOutcome. The simulator carries out a transfer
// and calls back after its CallbackDelay (10 ms of real time here); the
// bound only keeps a broken test from hanging, a passing one never nears it.
const OutcomeTimeout = 30 * time.Second

// Harness is a running dashboard.
type Harness struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	Clock  *clock.Manual
	// Sim is the demo upstream; nil with UpstreamDown.
	Sim *simulator.Simulator
	// Outcomes receives every transfer outcome once its conversation was
	// refreshed.
	Outcomes chan reassign.Transfer
}

// New starts a dashboard with users "viewer", "lead" and "admin" (password
// Password), closed when the test ends.
func New(tb testing.TB, opts Options) *Harness {
	tb.Helper()
	at := opts.At
	if at.IsZero() {
		at = DefaultAt
	}
	h := &Harness{T: tb, Clock: clock.NewManual(at), Outcomes: make(chan reassign.Transfer, 64)}

	// The server exists before the app, so the callback URLs the app gives
	// upstream point at its real route.
	h.Server = httptest.NewUnstartedServer(nil)
	tb.Cleanup(h.Server.Close)
	dataDir := opts.DataDir
	if dataDir == "" {
		dataDir = tb.TempDir()
	}
	cfg := config.Config{
		Addr: h.Server.Listener.Addr().String(), DataDir: dataDir,
		PublicURL: "http://" + h.Server.Listener.Addr().String(), RateLimit: 100000,
		AlertWebhook: opts.AlertWebhook,
		MetricsToken: opts.MetricsToken, OIDC: opts.OIDC,
	}
	if cfg.OIDC.Enabled() && cfg.OIDC.RedirectURL == "" {
		cfg.OIDC.RedirectURL = cfg.PublicURL + "/login/oidc/callback"
	}
	if opts.UpstreamDown {
		// Live mode against a port nothing listens on.
		ln := httptest.NewServer(http.NotFoundHandler())
		cfg.Upstream = ln.URL
		ln.Close()
		cfg.BotID, cfg.AccountID, cfg.OrgID = "st-00000000-0000-0000-0000-000000000000", "633ffa91d784f471d0b81234", "o-00000000-0000-0000-0000-000000000000"
		cfg.ClientID, cfg.ClientSecret = "cs-00000000-0000-0000-0000-000000000000", "test-secret"
	}
	so := opts.Simulator
	if so.Seed == 0 {
		so.Seed = 7
	}
	if so.Conversations == 0 {
		so.Conversations = 50
	}
	if so.Agents == 0 {
		so.Agents = 8
	}
	if so.CallbackDelay == 0 {
		so.CallbackDelay = 10 * time.Millisecond
	}
	if so.Anchor.IsZero() {
		so.Anchor = Anchor
	}
	// Tests are not throttled by the bot family's real limits either.
	if so.BotRatePerMinute == 0 {
		so.BotRatePerMinute, so.BotRatePerHour = -1, -1
	}
	tuning := opts.Tuning
	if tuning.BotPerMinute == 0 {
		tuning.BotPerMinute, tuning.BotPerHour = 100000, 6000000
	}
	next := tuning.OnReassignOutcome
	tuning.OnReassignOutcome = func(t reassign.Transfer) {
		if next != nil {
			next(t)
		}
		select {
		case h.Outcomes <- t:
		default:
		}
	}
	// Fast failures: no retries, no waiting on the budget.
	tuning.ClientOptions = append([]api.Option{api.WithRetries(0, time.Millisecond)}, tuning.ClientOptions...)
	if tuning.Throttle == (auth.ThrottleConfig{}) {
		tuning.Throttle = auth.ThrottleConfig{FreeFailures: 3, BaseDelay: time.Second, PerAddress: 50}
	}

	a, err := app.New(context.Background(), cfg, app.Options{
		Clock: h.Clock, AdminPassword: Password, PasswordCost: bcrypt.MinCost,
		Simulator: so, Tuning: tuning,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.Close)
	h.App, h.Sim = a, a.Simulator
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"viewer", auth.RoleViewer}, {"lead", auth.RoleLead}} {
		if _, err := a.Users.Create(context.Background(), u.name, Password, u.role, nil); err != nil &&
			(opts.DataDir == "" || !errors.Is(err, auth.ErrUserExists)) {
			tb.Fatal(err)
		}
	}
	if !opts.ColdDirectory && a.Simulator != nil {
		a.Simulator.SetFaults(simulator.Faults{})
		if err := a.Directory.Refresh(context.Background()); err != nil {
			tb.Fatal(err)
		}
		a.Simulator.SetFaults(so.Faults)
	}
	if opts.Start {
		a.Start()
	}
	h.Server.Config.Handler = a.Handler
	h.Server.Start()
	return h
}

// RunReassign runs the reassign loop alone (bulk moves are sent by it, and
// it sweeps for transfers that never heard back) until the test ends,
// without the directory refresh and index sync that Options.Start also runs.
func (h *Harness) RunReassign() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.App.Reassign.Run(ctx) }()
	h.T.Cleanup(func() { cancel(); <-done })
}

// WaitOutcome returns the next transfer outcome, once the app has refreshed
// its conversation (see Outcomes).
func (h *Harness) WaitOutcome() reassign.Transfer {
	h.T.Helper()
	timer := time.NewTimer(OutcomeTimeout)
	defer timer.Stop()
	select {
	case t := <-h.Outcomes:
		return t
	case <-timer.C:
		h.T.Fatalf("no transfer outcome within %s", OutcomeTimeout)
		return reassign.Transfer{}
	}
}

// URL is the dashboard's base URL.
func (h *Harness) URL() string { return h.Server.URL }

// Client returns a browser-like client: a cookie jar, and no automatic
// redirects (tests assert them).
func (h *Harness) Client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.T.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Get fetches path with c.
func (h *Harness) Get(c *http.Client, path string, header ...string) *http.Response {
	h.T.Helper()
	req, err := http.NewRequest(http.MethodGet, h.Server.URL+path, nil)
	if err != nil {
		h.T.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	return resp
}

// PostForm posts like a same-origin browser form, with its Origin header;
// header adds name/value pairs.
func (h *Harness) PostForm(c *http.Client, path string, form url.Values, header ...string) *http.Response {
	h.T.Helper()
	req, err := http.NewRequest(http.MethodPost, h.Server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	return resp
}

// Login signs in and returns a client holding the session cookie.
func (h *Harness) Login(username string) *http.Client {
	h.T.Helper()
	c := h.Client()
	resp := h.PostForm(c, "/login", url.Values{"username": {username}, "password": {Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		h.T.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	return c
}

// BearerGet calls the token API with a token and no cookies.
func (h *Harness) BearerGet(path, token string) *http.Response {
	h.T.Helper()
	req, err := http.NewRequest(http.MethodGet, h.Server.URL+path, nil)
	if err != nil {
		h.T.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	return resp
}

// SyncIndex runs the conversation index sync once, as the background worker
// would.
func (h *Harness) SyncIndex() {
	h.T.Helper()
	if err := h.App.Sync.RunOnce(context.Background()); err != nil {
		h.T.Fatal(err)
	}
}

// LoadDirectory loads the agent directory, as the background worker would.
func (h *Harness) LoadDirectory() {
	h.T.Helper()
	if err := h.App.Directory.Refresh(context.Background()); err != nil {
		h.T.Fatal(err)
	}
}

// Conversation returns a conversation of the simulator's world, as it
// stands now, that satisfies ok; the test fails when there is none.
func (h *Harness) Conversation(ok func(simulator.ConversationInfo) bool) simulator.ConversationInfo {
	h.T.Helper()
	for _, c := range h.Sim.Conversations() {
		if ok(c) {
			return c
		}
	}
	h.T.Fatal("no conversation in the simulator's world matches")
	return simulator.ConversationInfo{}
}

// Agent returns an agent of the simulator's world that satisfies ok.
func (h *Harness) Agent(ok func(simulator.AgentInfo) bool) simulator.AgentInfo {
	h.T.Helper()
	for _, a := range h.Sim.Agents() {
		if ok(a) {
			return a
		}
	}
	h.T.Fatal("no agent in the simulator's world matches")
	return simulator.AgentInfo{}
}

// Reassignable returns a conversation that satisfies ok and an agent a
// transfer of it to succeeds to: one of the queue it is in now, who is not
// OFFLINE and does not hold it. The simulator guarantees such a pair for
// HeldByAgent and Waiting at every instant (its live-traffic chains).
func (h *Harness) Reassignable(ok func(simulator.ConversationInfo) bool) (simulator.ConversationInfo, simulator.AgentInfo) {
	h.T.Helper()
	agents := h.Sim.Agents()
	for _, c := range h.Sim.Conversations() {
		if !ok(c) || c.QueueID == "" {
			continue
		}
		for _, a := range agents {
			if a.OnlineStatus != "OFFLINE" && a.UserID != c.AgentUserID && slices.Contains(a.QueueIDs, c.QueueID) {
				return c, a
			}
		}
	}
	h.T.Fatal("no conversation in the simulator's world matches with an agent to move it to")
	return simulator.ConversationInfo{}, simulator.AgentInfo{}
}

// UpstreamRequests are the requests the simulator received with method
// whose path ends in pathSuffix, oldest first.
func (h *Harness) UpstreamRequests(method, pathSuffix string) []simulator.RecordedRequest {
	var out []simulator.RecordedRequest
	for _, r := range h.Sim.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, pathSuffix) {
			out = append(out, r)
		}
	}
	return out
}

// UserID is the id of the dashboard user called name.
func (h *Harness) UserID(name string) int64 {
	h.T.Helper()
	u, err := h.App.Users.ByUsername(context.Background(), name)
	if err != nil {
		h.T.Fatal(err)
	}
	return u.ID
}

// LastAudit is the newest audit entry with action.
func (h *Harness) LastAudit(action string) audit.Entry {
	h.T.Helper()
	entries, _, err := h.App.Audit.Query(context.Background(), audit.Filter{Action: action, Limit: 1})
	if err != nil || len(entries) == 0 {
		h.T.Fatalf("no %s audit entry: %v", action, err)
	}
	return entries[0]
}

// Doc parses an HTML answer and closes its body.
func Doc(tb testing.TB, resp *http.Response) *goquery.Document {
	tb.Helper()
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// Body reads an answer's body and closes it.
func Body(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// Predicates for Conversation: what tests rely on, by construction.

// ClosedWithAgent is a finished conversation an agent handled.
func ClosedWithAgent(c simulator.ConversationInfo) bool {
	return c.Status == "CLOSED" && len(c.AgentUserIDs) > 0
}

// ClosedWithCustomerEmail is a finished conversation an agent handled, with
// a customer who gave an email address.
func ClosedWithCustomerEmail(c simulator.ConversationInfo) bool {
	return ClosedWithAgent(c) && c.CustomerEmail != "" && strings.Contains(c.CustomerEmail, "@")
}

// HeldByAgent is a live conversation an agent holds now.
func HeldByAgent(c simulator.ConversationInfo) bool {
	return c.Status == "ACTIVE" && c.AgentUserID != ""
}

// Waiting is a live conversation waiting in a queue with no agent.
func Waiting(c simulator.ConversationInfo) bool {
	return c.Status == "OPEN" && c.AgentUserID == "" && c.QueueID != ""
}

// PollFloor runs the live floor's poller once, as its worker would.
func (h *Harness) PollFloor() {
	h.T.Helper()
	if err := h.App.Floor.Poll(context.Background()); err != nil {
		h.T.Fatal(err)
	}
}

// ClientFrom is Client whose connections come from ip, an address of the
// loopback range such as 127.0.0.2, so the dashboard sees another client
// address.
func (h *Harness) ClientFrom(ip string) *http.Client {
	c := h.Client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// LoginFrom is Login from the client address ip (see ClientFrom).
func (h *Harness) LoginFrom(ip, username string) *http.Client {
	h.T.Helper()
	c := h.ClientFrom(ip)
	resp := h.PostForm(c, "/login", url.Values{"username": {username}, "password": {Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		h.T.Fatalf("login %s from %s: status %d", username, ip, resp.StatusCode)
	}
	return c
}

// CopyCookies returns a fresh client holding the cookies c holds for the
// dashboard: a stolen or copied session cookie.
func (h *Harness) CopyCookies(c *http.Client) *http.Client {
	u, err := url.Parse(h.Server.URL)
	if err != nil {
		h.T.Fatal(err)
	}
	cp := h.Client()
	cp.Jar.SetCookies(u, c.Jar.Cookies(u))
	return cp
}
