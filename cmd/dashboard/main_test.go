package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/store"
)

// lockedBuffer collects a running program's output for the test to read.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const adminPassword = "demo-admin-password-1"

var listenRe = regexp.MustCompile(`listening on (http://\S+)`)

// startServer runs the whole dashboard as `dashboard serve` would and returns
// its base URL; the server stops when the test ends and must stop cleanly.
func startServer(t *testing.T, dataDir string, env map[string]string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	getenv := func(k string) string { return env[k] }
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0", "-data", dataDir}, args...), getenv, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("server did not shut down")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRe.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stderr
		}
		select {
		case err := <-done:
			t.Fatalf("run exited early: %v\nstderr: %s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start; stderr: %s", stderr.String())
	return "", nil
}

func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func login(t *testing.T, c *http.Client, base, user, password string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"username": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestServeDemoModeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	base, stderr := startServer(t, dir, map[string]string{EnvAdminPassword: adminPassword})
	c := newClient(t)

	resp := login(t, c, base, "admin", adminPassword)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-testid="demo-badge"`) {
		t.Fatalf("login then home: %d, demo badge missing", resp.StatusCode)
	}
	if !strings.Contains(string(body), "reachable") {
		t.Error("home page should show the simulator as reachable")
	}

	resp, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status, Mode string
		Upstream     struct{ OK bool }
	}
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if health.Status != "ok" || health.Mode != "demo" || !health.Upstream.OK {
		t.Errorf("healthz %+v", health)
	}

	// /metrics shows the upstream calls the real client made (the home
	// page's health check pinged the simulator, unless the directory's
	// first load had just answered, which counts as a check) and the
	// runtime collectors.
	resp, err = c.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metricsText, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	call := regexp.MustCompile(`dashboard_upstream_requests_total\{endpoint="([a-z.]+)",method="GET",outcome="ok"\}`).FindStringSubmatch(string(metricsText))
	if call == nil {
		t.Fatalf("/metrics shows no upstream call:\n%s", metricsText)
	}
	for _, want := range []string{
		`dashboard_upstream_request_duration_seconds_count{endpoint="` + call[1] + `"}`,
		`dashboard_http_requests_total{route="GET /healthz",status="200"} 1`,
		"dashboard_rate_budget_limit_per_minute ",
		"go_goroutines ",
	} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(metricsText), want) {
			t.Errorf("/metrics (%d) lacks %q", resp.StatusCode, want)
		}
	}
	if !strings.Contains(stderr.String(), "msg=request") {
		t.Error("no structured request log on stderr")
	}
	if strings.Contains(stderr.String(), adminPassword) {
		t.Error("the admin password from the environment was logged")
	}
}

// TestBusyPortBurnsNoOneTimePassword: when the port is taken, start-up
// stops before the first admin exists, so the one-time password is neither
// printed nor spent, and the next start creates and prints it.
func TestBusyPortBurnsNoOneTimePassword(t *testing.T) {
	dir := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "-addr", busy.Addr().String(), "-data", dir}, func(string) string { return "" }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "listen on "+busy.Addr().String()) {
		t.Fatalf("serve on a busy port: %v", err)
	}
	if strings.Contains(stderr.String(), "created user") {
		t.Errorf("a password was printed for a start that failed: %s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, app.DatabaseFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database was created before the port was bound: %v", err)
	}
	_, out := startServer(t, dir, nil)
	if !strings.Contains(out.String(), `created user "admin" with password`) {
		t.Errorf("the next start did not create the admin: %s", out.String())
	}
}

func TestFirstStartPrintsGeneratedAdminPasswordOnce(t *testing.T) {
	dir := t.TempDir()
	base, stderr := startServer(t, dir, nil)
	m := regexp.MustCompile(`created user "admin" with password (\S+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no generated password printed: %s", stderr.String())
	}
	resp := login(t, newClient(t), base, "admin", m[1])
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("generated password does not work: %d", resp.StatusCode)
	}
	if strings.Count(stderr.String(), m[1]) != 1 {
		t.Error("the generated password should be printed exactly once")
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"live without credentials", []string{"-upstream", "https://platform.kore.ai"}, nil, "missing -bot-id"},
		{"credentials without upstream", nil, map[string]string{"SMARTASSIST_CLIENT_ID": "cs-1"}, "-client-id given but no -upstream"},
		{"secret is never a plain flag", []string{"-client-secret", "x"}, nil, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"serve", "-data", t.TempDir()}, tt.args...),
				func(k string) string { return tt.env[k] }, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error should be one line: %q", err)
			}
		})
	}
}

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "DASHBOARD_DATA" {
			return dir
		}
		return ""
	}
	runUser := func(stdin string, args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := runIO(context.Background(), append([]string{"user"}, args...), getenv, strings.NewReader(stdin), &stdout, &stderr)
		return stdout.String(), err
	}
	// The commands work beside a running server, on the database it
	// created.
	base, _ := startServer(t, dir, map[string]string{EnvAdminPassword: adminPassword})
	if out, err := runUser("lead-password-123\n", "add", "-username", "carol", "-role", "lead"); err != nil || !strings.Contains(out, "added user carol (lead)") {
		t.Fatalf("add: %q %v", out, err)
	}
	if _, err := runUser("lead-password-123\n", "add", "-username", "carol", "-role", "lead"); err == nil {
		t.Error("adding a duplicate user should fail")
	}
	if _, err := runUser("x\n", "add", "-username", "dave", "-role", "boss"); err == nil || !strings.Contains(err.Error(), "role") {
		t.Errorf("bad role: %v", err)
	}
	if _, err := runUser("", "add", "-username", "dave", "-role", "viewer"); err == nil || !strings.Contains(err.Error(), "no password") {
		t.Errorf("empty stdin: %v", err)
	}
	if out, err := runUser("new-password-4567\n", "passwd", "-username", "carol"); err != nil || !strings.Contains(out, "changed the password") {
		t.Fatalf("passwd: %q %v", out, err)
	}

	// The new password works and the server agrees; then disabling locks carol out.
	resp := login(t, newClient(t), base, "carol", "new-password-4567")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("carol cannot sign in with the new password: %d", resp.StatusCode)
	}
	if out, err := runUser("", "disable", "-username", "carol"); err != nil || !strings.Contains(out, "disabled carol") {
		t.Fatalf("disable: %q %v", out, err)
	}
	resp = login(t, newClient(t), base, "carol", "new-password-4567")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled carol signed in: %d", resp.StatusCode)
	}
	if _, err := runUser("", "disable", "-username", "nobody"); err == nil {
		t.Error("disabling an unknown user should fail")
	}

	// Failures recorded an hour's wait for erin from this address (as a
	// stricter throttle would have); unlock clears that in the running
	// server at once.
	if _, err := runUser("erin-password-789\n", "add", "-username", "erin", "-role", "admin"); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, app.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	strict := auth.NewThrottle(db, auth.ThrottleConfig{FreeFailures: 1, BaseDelay: time.Hour}, nil)
	if err := strict.Failure(context.Background(), "erin", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	resp = login(t, newClient(t), base, "erin", "erin-password-789")
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("erin after 8 wrong passwords: %d, want 429", resp.StatusCode)
	}
	if out, err := runUser("", "unlock", "-username", "erin"); err != nil || !strings.Contains(out, "cleared the failed sign-ins of erin from 1 address") {
		t.Fatalf("unlock: %q %v", out, err)
	}
	resp = login(t, newClient(t), base, "erin", "erin-password-789")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("erin after unlock: %d", resp.StatusCode)
	}
	if _, err := runUser("", "unlock", "-username", "nobody"); err == nil {
		t.Error("unlocking an unknown user should fail")
	}
}

func TestSimCommandPrintsCredentials(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"sim", "-addr", "127.0.0.1:0", "-seed", "3", "-conversations", "20", "-agents", "5"}, func(string) string { return "" }, stdout, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "SMARTASSIST_CLIENT_SECRET=") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"SMARTASSIST_URL=http://127.0.0.1:", "SMARTASSIST_BOT_ID=st-", "SMARTASSIST_ACCOUNT_ID=", "SMARTASSIST_ORG_ID=o-", "SMARTASSIST_CLIENT_ID=", "SMARTASSIST_CLIENT_SECRET="} {
		if !strings.Contains(out, want) {
			t.Errorf("sim output lacks %q:\n%s", want, out)
		}
	}
	// Without a token the simulator refuses, like upstream.
	m := regexp.MustCompile(`SMARTASSIST_URL=(\S+)`).FindStringSubmatch(out)
	if m != nil {
		resp, err := http.Get(m[1] + "/agentassist/api/v1/public/st-x/queues")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound {
			t.Errorf("unauthenticated request: %d", resp.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("sim exit: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("err = %v", err)
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	base, _ := startServer(t, dir, map[string]string{EnvAdminPassword: adminPassword})
	resp := login(t, newClient(t), base, "admin", adminPassword)
	resp.Body.Close()

	var stdout bytes.Buffer
	err := run(context.Background(), []string{"audit", "verify", "-data", dir}, func(string) string { return "" }, &stdout, io.Discard)
	if err != nil || !strings.Contains(stdout.String(), "audit log intact: 1 entries verified") {
		t.Fatalf("verify: %q %v", stdout.String(), err)
	}
}
