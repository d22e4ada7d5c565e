package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/web/static"
)

// axeSource is axe-core, vendored from npm for the tests only (see
// testdata/axe-VERSION); the binary does not embed it.
//
//go:embed testdata/axe.min.js
var axeSource string

// screenshotDir is where UPDATE_SCREENSHOTS=1 writes the README's pictures.
const screenshotDir = "../../docs/screenshots"

// viewport is a window size the pages must work at.
type viewport struct {
	name          string
	width, height int64
}

var viewports = []viewport{{"1440", 1440, 900}, {"390", 390, 844}}

// signedInPage is a page of the tour, and what it must show.
type signedInPage struct {
	name, path, ready string
	shot              bool // in the README's screenshots
}

// TestBrowserEveryPageAtDesktopAndPhoneWidths opens every signed-in page at
// 1440 and 390 px, light and dark: nothing scrolls sideways, axe-core finds no
// serious or critical violation, badges keep AA contrast, and the browser
// console stays clean (newBrowser fails the test on any error or CSP
// violation). /conversations shows at least 15 rows at 1440 px. With
// UPDATE_SCREENSHOTS=1 it writes the README's screenshots.
func TestBrowserEveryPageAtDesktopAndPhoneWidths(t *testing.T) {
	ctx := newBrowser(t)
	h := apptest.New(t, apptest.Options{Simulator: simulator.Options{Conversations: 300}})
	h.LoadDirectory()
	h.SyncIndex()
	closed := h.Conversation(func(c simulator.ConversationInfo) bool {
		return c.Status == "CLOSED" && len(c.TransferTypes) > 0 && c.Notes > 0 && c.SessionID != ""
	})
	live, _ := h.Reassignable(apptest.HeldByAgent)
	agent := h.Agent(func(a simulator.AgentInfo) bool { return a.OnlineStatus != "OFFLINE" })
	pages := []signedInPage{
		{"home", "/", "[data-testid=home-lookup]", true},
		{"live", "/live", "[data-testid=live-queues]", true},
		{"conversations", "/conversations", "[data-testid=conv-table]", true},
		{"session", "/sessions/" + closed.SessionID, "[data-testid=timeline]", true},
		{"live-conversation", "/conversations/" + live.ID, "[data-testid=reassign-panel]", true},
		{"agents", "/agents", "[data-testid=agent-table]", true},
		{"agent", "/agents/" + agent.ID, "main h1", false},
		{"agent-edit", "/agents/" + agent.ID + "/edit", "[data-testid=agent-edit-form]", false},
		{"audit", "/audit?kind=all", "[data-testid=audit-table]", true},
		{"account", "/account", "[data-testid=account-theme]", false},
		{"admin-users", "/admin/users", "main h1", false},
		{"admin-tokens", "/admin/tokens", "main h1", false},
		{"admin-settings", "/admin/settings", "[data-testid=settings-upstream]", false},
	}
	browserLogin(t, ctx, h.URL(), "admin", apptest.Password)
	shots := os.Getenv("UPDATE_SCREENSHOTS") != ""
	if shots {
		if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, theme := range []string{"light", "dark"} {
		setColorScheme(t, ctx, theme)
		for _, vp := range viewports {
			steps(t, ctx, chromedp.EmulateViewport(vp.width, vp.height))
			for _, p := range pages {
				where := fmt.Sprintf("%s at %s px, %s", p.path, vp.name, theme)
				steps(t, ctx, chromedp.Navigate(h.URL()+p.path), chromedp.WaitVisible(p.ready))
				if p.name == "live-conversation" {
					// Show the panel open, as a lead works with it.
					steps(t, ctx, chromedp.Click(`[data-testid=reassign-panel] > summary`), chromedp.WaitVisible(`[data-testid=reassign-candidates]`))
				}
				checkNoSidewaysScroll(t, ctx, where)
				checkBadgeContrast(t, ctx, where)
				if theme == "light" || vp.name == "1440" {
					checkAxe(t, ctx, where)
				}
				if p.name == "conversations" && vp.name == "1440" {
					if n := value(t, ctx, chromedp.Evaluate[int](visibleRowsJS)); n < 15 {
						t.Errorf("%s: %d list rows fully on screen, want at least 15", where, n)
					}
				}
				if shots && p.shot {
					b := value(t, ctx, chromedp.CaptureScreenshot())
					name := filepath.Join(screenshotDir, fmt.Sprintf("%s-%s-%s.png", p.name, vp.name, theme))
					if err := os.WriteFile(name, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}

// browserLogin signs in through the form.
func browserLogin(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	steps(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-username]`, user),
		chromedp.SendKeys(`[data-testid=login-password]`, password),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=nav]`),
	)
}

// setColorScheme makes the browser prefer a light or dark scheme; the
// pages follow it (the users' theme is "system" unless they chose one).
func setColorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10e9)
	defer cancel()
	if _, err := chromedp.Call(tctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
}

func checkNoSidewaysScroll(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var m struct{ Scroll, Width int }
	m = value(t, ctx, chromedp.Evaluate[struct{ Scroll, Width int }](`({Scroll: document.documentElement.scrollWidth, Width: window.innerWidth})`))
	if m.Scroll > m.Width {
		wide := value(t, ctx, chromedp.Evaluate[string](`(function () {
			const w = window.innerWidth, out = [];
			for (const el of document.querySelectorAll('body *')) {
				const r = el.getBoundingClientRect();
				if (r.right > w + 1 && getComputedStyle(el).position !== 'fixed') out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
				if (out.length > 5) break;
			}
			return out.join('; ');
		})()`))
		t.Errorf("%s scrolls sideways: %d px wide in a %d px window (%s)", where, m.Scroll, m.Width, wide)
	}
}

// checkBadgeContrast reads every visible badge's computed colours and
// checks WCAG AA (4.5:1).
func checkBadgeContrast(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	pairs := value(t, ctx, chromedp.Evaluate[[][3]string](`(function () {
		const hex = c => { const m = c.match(/\d+(\.\d+)?/g); if (!m) return ""; return "#" + m.slice(0, 3).map(v => (+v).toString(16).padStart(2, "0")).join(""); };
		const out = [];
		for (const el of document.querySelectorAll('.badge, .presence')) {
			const s = getComputedStyle(el);
			if (el.offsetParent === null) continue;
			out.push([el.textContent.trim(), hex(s.color), hex(s.backgroundColor)]);
		}
		return out;
	})()`))
	for _, p := range pairs {
		if c := static.Contrast(p[1], p[2]); c < 4.5 {
			t.Errorf("%s: badge %q %s on %s has contrast %.2f", where, p[0], p[1], p[2], c)
		}
	}
}

// checkAxe runs axe-core on the page and fails on serious or critical
// violations.
func checkAxe(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	loaded := value(t, ctx, chromedp.Evaluate[bool](`typeof window.axe !== "undefined"`))
	if !loaded {
		steps(t, ctx, chromedp.Evaluate[chromedp.Void](axeSource))
	}
	raw := value(t, ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	var vs []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: axe: %v", where, err)
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s at %s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
}

// visibleRowsJS counts the list rows wholly inside the window.
const visibleRowsJS = `(function () {
	let n = 0;
	for (const r of document.querySelectorAll('[data-testid=conv-row]')) {
		const b = r.getBoundingClientRect();
		if (b.top >= 0 && b.bottom <= window.innerHeight) n++;
	}
	return n;
})()`

// TestBrowserListPagingFiltersAndBulkConfirm pages the conversation list
// with htmx and goes Back (no CSP violation on the restored page), filters
// with clean URLs, and meets the bulk move's confirmation.
func TestBrowserListPagingFiltersAndBulkConfirm(t *testing.T) {
	ctx := newBrowser(t)
	h := apptest.New(t, apptest.Options{Simulator: simulator.Options{Conversations: 300}})
	h.LoadDirectory()
	h.SyncIndex()
	browserLogin(t, ctx, h.URL(), "lead", apptest.Password)
	steps(t, ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(h.URL()+"/conversations"), chromedp.WaitVisible(`[data-testid=conv-table]`))
	first := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=conv-row]').dataset.id`))
	steps(t, ctx, chromedp.Click(`[data-testid=page-next-top]`))
	waitLocation(t, ctx, "after=")
	waitFor(t, ctx, `document.querySelector('[data-testid=conv-row]').dataset.id !== `+jsString(first))
	steps(t, ctx, chromedp.NavigateBack())
	waitFor(t, ctx, `!location.search.includes("after=") && !!document.querySelector('[data-testid=conv-row]') && document.querySelector('[data-testid=conv-row]').dataset.id === `+jsString(first))

	// A filter change pushes a URL without the empty fields.
	steps(t, ctx,
		chromedp.SetValue(`[data-testid=filter-status]`, "ACTIVE"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=filter-status]').dispatchEvent(new Event('change', {bubbles: true}))`),
	)
	waitFor(t, ctx, `location.search === "?status=ACTIVE"`)
	waitFor(t, ctx, `[...document.querySelectorAll('[data-testid=status-badge]')].every(b => b.textContent === "ACTIVE")`)

	// Select all, choose an agent, and the move asks first with its cost.
	waitFor(t, ctx, `!document.querySelector('.htmx-request')`)
	steps(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=bulk-select-all]').click()`))
	n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=bulk-select]:checked').length`))
	if n == 0 {
		t.Fatal("select-all selected nothing")
	}
	if got := value(t, ctx, chromedp.Text(`[data-testid=bulk-selected]`)); got != fmt.Sprintf("%d selected", n) {
		t.Errorf("selection count %q, want %d selected", got, n)
	}
	steps(t, ctx,
		chromedp.Evaluate[chromedp.Void](`(function () { const s = document.querySelector('[data-testid=bulk-agent]'); s.selectedIndex = 1; })()`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=bulk-submit]').click()`),
		chromedp.WaitVisible(`[data-testid=bulk-confirm]`),
	)
	text := value(t, ctx, chromedp.Text(`[data-testid=bulk-confirm-text]`))
	if !strings.Contains(text, fmt.Sprintf("sends %d call", n)) || !strings.Contains(text, "one per conversation") {
		t.Errorf("confirmation %q", text)
	}
	steps(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=bulk-confirm-no]').click()`))
	waitFor(t, ctx, `document.querySelector('[data-testid=bulk-confirm]').hidden`)
	if calls := h.UpstreamRequests("POST", "/assign"); len(calls) != 0 {
		t.Errorf("cancelled move sent %d calls", len(calls))
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
