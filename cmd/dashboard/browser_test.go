package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
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
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	return ctx
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

	// The search box takes a malformed id and explains what an id looks like.
	steps(t, ctx,
		chromedp.SendKeys(`[data-testid=search-input]`, "not-an-id"),
		chromedp.Submit(`[data-testid=search-input]`),
		chromedp.WaitVisible(`[data-testid=error-page]`),
	)
	if hint := value(t, ctx, chromedp.Text(`[data-testid=error-hint]`)); !strings.Contains(hint, "24 hexadecimal characters") {
		t.Errorf("hint %q", hint)
	}
}

// waitLocation waits until the page's URL contains want: after a click that
// navigates, WaitVisible alone can match the old page's elements.
func waitLocation(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		loc := value(t, ctx, chromedp.Location())
		if strings.Contains(loc, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("page stayed at %s; want a URL containing %q", loc, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
