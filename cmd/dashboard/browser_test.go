package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// findBrowser locates Debian's chromium (or another Chrome). Without one the
// browser tests skip, except in CI where a missing browser is a failure.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but no chromium was found: install Debian's chromium package")
	}
	t.Skip("no chromium found: install Debian's chromium package to run the browser tests")
	return ""
}

// newBrowser starts a headless browser with the flags this sandbox needs
// (no sandbox as root, no background network, which is closed here). The
// browser is started without a deadline, as chromedp requires; each step of
// a test then runs under its own timeout via step.
//
// Every browser test fails on a console error, an uncaught exception or a
// Content-Security-Policy violation anywhere in it: the console is watched
// from the start and checked when the test ends (see consoleProblems).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findBrowser(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start browser: %v", err)
	}
	problems := watchConsole(ctx)
	t.Cleanup(func() {
		for _, p := range problems.list() {
			t.Errorf("browser console: %s", p)
		}
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// consoleProblems collects what a page must never write to the console.
type consoleProblems struct {
	mu  sync.Mutex
	all []string
}

func (c *consoleProblems) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = append(c.all, s)
}

func (c *consoleProblems) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.all)
}

// watchConsole subscribes to the console of ctx's page: errors, uncaught
// exceptions and browser log errors (a CSP violation is one: "Refused to
// apply inline style…", "Refused to execute inline script…").
func watchConsole(ctx context.Context) *consoleProblems {
	p := &consoleProblems{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				p.add(fmt.Sprintf("%s at %s: %s", m.Type, m.URL, m.Text))
			}
		}
	}()
	return p
}

// waitFor polls a JavaScript condition in the page until it is true. A poll
// that a page load interrupts starts again on the new page.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		err := chromedp.Do(tctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		if tctx.Err() != nil || !strings.Contains(err.Error(), "navigated or closed") && !strings.Contains(err.Error(), "context was destroyed") && !strings.Contains(err.Error(), "Cannot find context") {
			t.Fatalf("waiting for %s: %v", cond, err)
		}
	}
}

// steps runs browser actions with a deadline, failing the test on error.
func steps(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// value runs one browser action that yields a value.
func value[T any](t *testing.T, ctx context.Context, action chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, action)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBrowserLoginShowsLayout(t *testing.T) {
	ctx := newBrowser(t)
	base, _ := startServer(t, t.TempDir(), map[string]string{EnvAdminPassword: adminPassword})

	steps(t, ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
	)
	if location := value(t, ctx, chromedp.Location()); !strings.Contains(location, "/login") {
		t.Errorf("anonymous visit should land on /login, was %s", location)
	}
	steps(t, ctx,
		chromedp.SendKeys(`[data-testid=login-username]`, "admin"),
		chromedp.SendKeys(`[data-testid=login-password]`, adminPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=nav]`),
	)
	username := value(t, ctx, chromedp.Text(`[data-testid=username]`))
	badge := value(t, ctx, chromedp.Text(`[data-testid=demo-badge]`))
	navText := value(t, ctx, chromedp.Text(`[data-testid=nav]`))
	searchBoxes := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=search-input]').length`))
	if username != "admin" || !strings.EqualFold(strings.TrimSpace(badge), "demo data") || searchBoxes != 1 {
		t.Errorf("layout: user=%q badge=%q searchBoxes=%d", username, badge, searchBoxes)
	}
	for _, item := range []string{"Conversations", "Agents", "Audit"} {
		if !strings.Contains(navText, item) {
			t.Errorf("navigation lacks %s: %q", item, navText)
		}
	}

	// htmx loaded from the embedded copy despite the strict CSP.
	if v := value(t, ctx, chromedp.Evaluate[string](`window.htmx ? htmx.version : ""`)); !strings.HasPrefix(v, "2.") {
		t.Errorf("htmx not loaded: %q", v)
	}

	// The search box takes words too: they filter the conversation list.
	steps(t, ctx,
		chromedp.SendKeys(`[data-testid=search-input]`, "not-an-id"),
		chromedp.Submit(`[data-testid=search-input]`),
	)
	waitLocation(t, ctx, "/conversations?text=not-an-id")
	steps(t, ctx, chromedp.WaitVisible(`[data-testid=conv-filters]`))

	// Signing out says so.
	steps(t, ctx, chromedp.Click(`[data-testid=logout]`), chromedp.WaitVisible(`[data-testid=login-notice]`))
	if msg := value(t, ctx, chromedp.Text(`[data-testid=login-notice]`)); !strings.Contains(msg, "You are signed out") {
		t.Errorf("after sign-out: %q", msg)
	}
}

// waitLocation waits until the page's URL contains want: after a click that
// navigates, WaitVisible alone can match the old page's elements.
func waitLocation(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	q, _ := json.Marshal(want)
	waitFor(t, ctx, "location.href.includes("+string(q)+")")
}
