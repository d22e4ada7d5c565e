package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEditAgentCapacity edits an agent's capacity through the real
// page: htmx preview with the field-by-field diff, Confirm, and the profile
// showing the new value.
func TestBrowserEditAgentCapacity(t *testing.T) {
	ctx := newBrowser(t)
	// A generous limit (the demo simulator enforces the same one) so the
	// directory's first load does not pace the test at one call a second.
	base, _ := startServer(t, t.TempDir(), map[string]string{EnvAdminPassword: adminPassword}, "-rate-limit", "6000")

	steps(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-username]`, "admin"),
		chromedp.SendKeys(`[data-testid=login-password]`, adminPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=nav]`),
		chromedp.Navigate(base+"/agents"),
		chromedp.WaitVisible(`[data-testid=agent-row]`),
	)
	href := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=agent-link]').getAttribute('href')`))
	if !strings.HasPrefix(href, "/agents/a-") {
		t.Fatalf("agent link %q", href)
	}
	steps(t, ctx,
		chromedp.Navigate(base+href+"/edit"),
		chromedp.WaitVisible(`[data-testid=edit-maxDigitalChatSupport]`),
	)
	old := value(t, ctx, chromedp.Value(`[data-testid=edit-maxDigitalChatSupport]`))
	next := "37"
	if old == next {
		next = "38"
	}
	steps(t, ctx,
		chromedp.Clear(`[data-testid=edit-maxDigitalChatSupport]`),
		chromedp.SendKeys(`[data-testid=edit-maxDigitalChatSupport]`, next),
		chromedp.Click(`[data-testid=agent-preview-button]`),
		chromedp.WaitVisible(`[data-testid=agent-diff-row]`),
	)
	// The preview came in through htmx: still on the edit page.
	if loc := value(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, href+"/edit") {
		t.Errorf("preview navigated away: %s", loc)
	}
	rows := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=agent-diff-row]').length`))
	after := value(t, ctx, chromedp.Text(`[data-testid=agent-diff-after]`))
	before := value(t, ctx, chromedp.Text(`[data-testid=agent-diff-before]`))
	if rows != 1 || strings.TrimSpace(after) != next || strings.TrimSpace(before) != old {
		t.Fatalf("diff: %d rows, %q → %q (want %s → %s)", rows, before, after, old, next)
	}
	steps(t, ctx,
		chromedp.Click(`[data-testid=agent-confirm]`),
		chromedp.WaitVisible(`[data-testid=agent-saved]`),
	)
	capacities := value(t, ctx, chromedp.Text(`[data-testid=agent-presence]`))
	if !strings.Contains(capacities, "Max digital chats") || !strings.Contains(capacities, next) {
		t.Errorf("profile after save: %q", capacities)
	}
	if n, _ := strconv.Atoi(next); n == 0 {
		t.Fatal("bad test value")
	}
}
